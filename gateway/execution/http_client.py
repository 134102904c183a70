"""`HttpSubgraphClient`: the `SubgraphClient` over HTTP, one pooled httpx client.

Keep-alive connections are reused across requests; any `httpx.AsyncBaseTransport` can be
injected (an ASGI router in tests, `httpx.MockTransport` in unit tests). The per-fetch timeout
bounds the whole exchange with `asyncio.timeout`, because httpx's own timeouts are per phase and
in-process transports ignore them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import httpx
import orjson

from gateway.execution.client import (
    GraphLike,
    SubgraphRequest,
    SubgraphResponse,
    connection_error,
    http_error,
    malformed_response,
    parse_response,
    timeout_error,
)

DEFAULT_TIMEOUT_SECONDS = 30.0
REQUEST_HEADERS = {
    "content-type": "application/json",
    "accept": "application/graphql-response+json, application/json",
}


class HttpSubgraphClient:
    def __init__(
        self,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        timeouts_by_service: Mapping[str, float] | None = None,
        url_overrides: Mapping[str, str] | None = None,
        max_connections: int = 512,
    ) -> None:
        self.timeout_seconds = timeout_seconds
        self.timeouts_by_service = dict(timeouts_by_service or {})
        # Routing URLs replaced by configuration (a container network, a local port).
        self.url_overrides = dict(url_overrides or {})
        self._client = httpx.AsyncClient(
            transport=transport,
            # The whole exchange is bounded below; httpx's phase timeouts would only fire
            # earlier with a less useful message.
            timeout=None,
            limits=httpx.Limits(
                max_connections=max_connections, max_keepalive_connections=max_connections
            ),
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def fetch(self, graph: GraphLike, request: SubgraphRequest) -> SubgraphResponse:
        timeout = self.timeouts_by_service.get(graph.name, self.timeout_seconds)
        try:
            async with asyncio.timeout(timeout):
                response = await self._client.post(
                    self.url_overrides.get(graph.name, graph.url),
                    content=orjson.dumps(request.body()),
                    headers={**REQUEST_HEADERS, **request.headers},
                )
        except TimeoutError:
            raise timeout_error(graph.name, round(timeout * 1000)) from None
        except httpx.TimeoutException:
            raise timeout_error(graph.name, round(timeout * 1000)) from None
        except httpx.HTTPError as error:
            raise connection_error(graph.name, str(error) or type(error).__name__) from None
        except OSError as error:
            raise connection_error(graph.name, str(error)) from None
        if not 200 <= response.status_code < 300:
            raise http_error(
                graph.name,
                response.status_code,
                httpx.codes.get_reason_phrase(response.status_code),
            )
        try:
            body = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            raise malformed_response(graph.name, "invalid JSON") from None
        return parse_response(graph.name, body)
