"""One delivery attempt over HTTP: POST the signed body to the checked address, within a time
limit, without following redirects, reading at most a bounded start of the answer."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import httpx

from subgraphs.apps.webhooks import signing
from subgraphs.apps.webhooks.destinations import DestinationGuard, UnsafeDestination

DEFAULT_TIMEOUT = 15.0  # seconds for a whole attempt: resolving, connecting, sending, answering
# The most of a response body read (the rest is never downloaded) and the most kept in the log.
MAX_RESPONSE_READ = 64 * 1024
MAX_RESPONSE_KEPT = 1024
MAX_ERROR_LENGTH = 500
USER_AGENT = "Switchboard-Webhooks/1"


@dataclass(frozen=True)
class Attempted:
    """What one attempt came to: success is any 2xx answer."""

    status_code: int | None
    latency_ms: float
    error: str | None = None
    response_body: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


@dataclass(frozen=True)
class Outgoing:
    message_id: str
    url: str
    body: bytes
    secrets: Sequence[str]


class WebhookClient:
    """Sends attempts; one per sender, sharing its connection pool across deliveries."""

    def __init__(
        self,
        guard: DestinationGuard,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.guard = guard
        self.timeout = timeout
        self._client = httpx.AsyncClient(
            timeout=timeout,
            follow_redirects=False,
            transport=transport,
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
        )

    async def send(self, outgoing: Outgoing) -> Attempted:
        started = time.perf_counter()

        def elapsed() -> float:
            return round((time.perf_counter() - started) * 1000, 3)

        try:
            async with asyncio.timeout(self.timeout):
                return await self._send(outgoing, elapsed)
        except TimeoutError:
            return Attempted(None, elapsed(), f"no answer within {self.timeout:g} s")
        except UnsafeDestination as refused:
            return Attempted(None, elapsed(), f"refused destination: {refused}")
        except httpx.HTTPError as error:
            message = f"{type(error).__name__}: {error}"[:MAX_ERROR_LENGTH]
            return Attempted(None, elapsed(), message)

    async def _send(self, outgoing: Outgoing, elapsed: Callable[[], float]) -> Attempted:
        destination = await self.guard.resolve(outgoing.url)
        headers = signing.headers(
            outgoing.secrets, outgoing.message_id, int(time.time()), outgoing.body
        )
        headers.update(
            {
                "content-type": "application/json",
                "user-agent": USER_AGENT,
                # Raw bytes are what the bound counts; a compressed answer could expand past it.
                "accept-encoding": "identity",
                "host": destination.host_header,
            }
        )
        extensions = {"sni_hostname": destination.host} if destination.url.scheme == "https" else {}
        request = self._client.build_request(
            "POST",
            destination.target,
            content=outgoing.body,
            headers=headers,
            extensions=extensions,
        )
        response = await self._client.send(request, stream=True)
        try:
            body = await _read_bounded(response)
        finally:
            await response.aclose()
        text = body[:MAX_RESPONSE_KEPT].decode("utf-8", errors="replace")
        attempted = Attempted(response.status_code, elapsed(), None, text)
        if not attempted.succeeded:
            return Attempted(
                response.status_code, attempted.latency_ms, f"HTTP {response.status_code}", text
            )
        return attempted

    async def aclose(self) -> None:
        await self._client.aclose()


async def _read_bounded(response: httpx.Response) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_raw():
        chunks.append(chunk)
        size += len(chunk)
        if size >= MAX_RESPONSE_READ:
            break
    return b"".join(chunks)[:MAX_RESPONSE_READ]
