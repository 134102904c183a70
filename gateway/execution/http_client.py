"""`HttpSubgraphClient`: the `SubgraphClient` over HTTP, with pooled keep-alive connections.

Over the network it uses `ConnectionPool` (lean HTTP/1.1, see `connection_pool.py` for why not
httpx there). When an `httpx.AsyncBaseTransport` is injected (an ASGI router in tests and
`switchboard dev`, `httpx.MockTransport` in unit tests) requests go through httpx with that
transport. Either way the failures map to the same client-safe errors. The per-fetch timeout
bounds the whole exchange with `asyncio.timeout`, because httpx's own timeouts are per phase and
in-process transports ignore them. An answer larger than `max_response_bytes` is abandoned as
soon as it passes the limit (`SUBREQUEST_RESPONSE_TOO_LARGE`, partial data for the rest).
Identical queries in flight at the same moment share one exchange unless `deduplicate_queries`
is off (`inflight.py` says what counts as identical).
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
    response_too_large,
    timeout_error,
)
from gateway.execution.connection_pool import ConnectionPool, ResponseTooLarge
from gateway.execution.inflight import InflightRequests, header_key

DEFAULT_TIMEOUT_SECONDS = 30.0
DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024
REQUEST_HEADERS = {
    "content-type": "application/json",
    "accept": "application/graphql-response+json, application/json",
}
REQUEST_HEADER_ITEMS = tuple(REQUEST_HEADERS.items())
CONNECTION_REFUSED = "Connection refused"


class HttpSubgraphClient:
    def __init__(
        self,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        timeouts_by_service: Mapping[str, float] | None = None,
        url_overrides: Mapping[str, str] | None = None,
        max_connections: int = 512,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        deduplicate_queries: bool = True,
    ) -> None:
        self.inflight: InflightRequests[tuple[int, bytes]] | None = (
            InflightRequests() if deduplicate_queries else None
        )
        self.timeout_seconds = timeout_seconds
        self.max_response_bytes = max_response_bytes
        self.timeouts_by_service = dict(timeouts_by_service or {})
        # Routing URLs replaced by configuration (a container network, a local port).
        self.url_overrides = dict(url_overrides or {})
        self._client: httpx.AsyncClient | None = None
        self._pool: ConnectionPool | None = None
        if transport is None:
            self._pool = ConnectionPool(max_connections, max_response_bytes)
        else:
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
        if self._client is not None:
            await self._client.aclose()
        if self._pool is not None:
            await self._pool.aclose()

    async def fetch(self, graph: GraphLike, request: SubgraphRequest) -> SubgraphResponse:
        timeout = self.timeouts_by_service.get(graph.name, self.timeout_seconds)
        url = self.url_overrides.get(graph.name, graph.url)
        body = orjson.dumps(request.body())
        headers = request.headers
        retry_stale = request.idempotent

        async def exchange() -> tuple[int, bytes]:
            async with asyncio.timeout(timeout):
                return await self._post(url, body, headers, retry_stale=retry_stale)

        try:
            if self.inflight is not None and request.idempotent:
                key = (graph.name, url, body, header_key(headers.items()))
                status, content = await self.inflight.share(key, exchange)
            else:
                status, content = await exchange()
        except TimeoutError:
            raise timeout_error(graph.name, round(timeout * 1000)) from None
        except ResponseTooLarge:
            raise response_too_large(graph.name, self.max_response_bytes) from None
        except httpx.TimeoutException:
            raise timeout_error(graph.name, round(timeout * 1000)) from None
        except httpx.HTTPError as error:
            raise connection_error(graph.name, str(error) or type(error).__name__) from None
        except ConnectionRefusedError:
            raise connection_error(graph.name, CONNECTION_REFUSED) from None
        except OSError as error:
            raise connection_error(graph.name, _describe(error)) from None
        if not 200 <= status < 300:
            raise http_error(graph.name, status, httpx.codes.get_reason_phrase(status))
        try:
            decoded = orjson.loads(content)
        except orjson.JSONDecodeError:
            raise malformed_response(graph.name, "invalid JSON") from None
        return parse_response(graph.name, decoded)

    async def _post(
        self, url: str, body: bytes, headers: Mapping[str, str], *, retry_stale: bool
    ) -> tuple[int, bytes]:
        if self._pool is not None:
            if not headers:
                return await self._pool.post(
                    url, body, REQUEST_HEADER_ITEMS, retry_stale=retry_stale
                )
            merged = {**REQUEST_HEADERS, **headers}
            return await self._pool.post(url, body, merged.items(), retry_stale=retry_stale)
        assert self._client is not None
        request = self._client.build_request(
            "POST", url, content=body, headers={**REQUEST_HEADERS, **headers}
        )
        response = await self._client.send(request, stream=True)
        try:
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > self.max_response_bytes:
                    raise ResponseTooLarge
                chunks.append(chunk)
        finally:
            await response.aclose()
        return response.status_code, b"".join(chunks)


def _describe(error: OSError) -> str:
    """`[Errno 104] Connection reset by peer` reads better as its strerror alone."""
    return error.strerror or str(error) or type(error).__name__
