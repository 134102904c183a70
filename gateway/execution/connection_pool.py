"""`ConnectionPool`: keep-alive HTTP/1.1 POSTs to subgraphs, with as little work per request as
the protocol allows.

Why not httpx here: profiling the gateway under load (docs/benchmarks.md) showed httpx's
connection pool (httpcore) spending most of the gateway's time on bookkeeping: every request
scans every pooled connection (`is_idle`, `has_expired`, a socket poll each), and it retries a
failing `import sniffio` on each request. A federated operation makes a dozen subgraph requests,
so that cost multiplied. This pool keeps idle connections per origin in a stack, writes the
request in one buffer and parses the answer with httptools (uvicorn's parser, installed with
`uvicorn[standard]`). httpx remains the client when a transport is injected (tests, in-process
ASGI subgraphs); both go through the same failure mapping in `HttpSubgraphClient`.

Failures raise `OSError`s (`ConnectionRefusedError`, `ConnectionResetError`, ...) or
`ProtocolError`; a cancelled exchange (a timeout) closes its connection rather than reusing one
whose answer may still arrive, and so does an answer no request waits for (a server answering
once too often). A server may close an idle keep-alive connection just as a
request goes out on it; when a reused connection is lost before a single byte of the answer
arrived, the request is sent once more on a new connection, as browsers do for idempotent
requests. A mutation is never sent again (RFC 9110 §9.2.2): the server may have run it before
hanging up, so its loss is reported instead.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import cast
from urllib.parse import urlsplit

import httptools

DISCONNECTED = "Server disconnected without sending a response"


class ProtocolError(ConnectionError):
    """The server's answer is not valid HTTP/1.1."""


class ResponseTooLarge(Exception):
    """The answer's body passed the pool's size limit; the connection is closed, not drained."""


@dataclass(frozen=True)
class Origin:
    scheme: str
    host: str
    port: int
    # The request line's target and the Host header, encoded once per URL.
    target: bytes
    host_header: bytes


@lru_cache(maxsize=1024)
def origin_of(url: str) -> Origin:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url!r}")
    default_port = 443 if parts.scheme == "https" else 80
    port = parts.port or default_port
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    host = parts.hostname
    host_header = host if port == default_port else f"{host}:{port}"
    if ":" in host:  # an IPv6 literal is bracketed in the Host header
        host_header = f"[{host}]" if port == default_port else f"[{host}]:{port}"
    return Origin(parts.scheme, host, port, target.encode(), host_header.encode())


class _Connection(asyncio.Protocol):
    """One keep-alive connection; answers one request at a time."""

    def __init__(self, max_body_bytes: int | None = None) -> None:
        self.max_body_bytes = max_body_bytes
        self._body_bytes = 0
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.closed = False
        self.keep_alive = True
        self._waiter: asyncio.Future[tuple[int, bytes]] | None = None
        self._status = 0
        self._chunks: list[bytes] = []
        # Whether any byte of the current answer arrived: a stale connection fails before.
        self.answered = False

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports do not subclass asyncio.Transport, so no isinstance check.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        self.answered = True
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as error:
            self._fail(ProtocolError(f"invalid HTTP response: {error}"))
            self.close()

    def connection_lost(self, error: Exception | None) -> None:
        self.closed = True
        self._fail(error if isinstance(error, OSError) else ConnectionResetError(DISCONNECTED))

    # httptools callbacks

    def on_message_begin(self) -> None:
        self._chunks = []
        self._body_bytes = 0

    def on_headers_complete(self) -> None:
        self._status = self.parser.get_status_code()
        self.keep_alive = self.parser.should_keep_alive()

    def on_body(self, body: bytes) -> None:
        self._body_bytes += len(body)
        if self.max_body_bytes is not None and self._body_bytes > self.max_body_bytes:
            # Stop holding it: a subgraph answering 200 MB must not cost the gateway 200 MB.
            self._chunks = []
            self._fail(ResponseTooLarge())
            self.close()
            return
        self._chunks.append(body)

    def on_message_complete(self) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is None:
            # An answer no request waits for (a server answering once too often): which answer
            # is which request's can no longer be told, so the connection is not used again.
            self.close()
        elif not waiter.done():
            waiter.set_result((self._status, b"".join(self._chunks)))
        self._chunks = []

    # the exchange

    def send(self, request: bytes) -> asyncio.Future[tuple[int, bytes]]:
        assert self.transport is not None
        assert self._waiter is None
        self.answered = False
        waiter = asyncio.get_running_loop().create_future()
        self._waiter = waiter
        self.transport.write(request)
        return waiter

    def _fail(self, error: Exception) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_exception(error)

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()


class ConnectionPool:
    """Keep-alive connections by origin; at most `max_connections` open per origin. An answer
    whose body passes `max_body_bytes` fails with `ResponseTooLarge` as soon as it does."""

    def __init__(self, max_connections: int = 512, max_body_bytes: int | None = None) -> None:
        self.max_connections = max_connections
        self.max_body_bytes = max_body_bytes
        self._idle: dict[Origin, list[_Connection]] = {}
        self._slots: dict[Origin, asyncio.Semaphore] = {}
        self._ssl_context: ssl.SSLContext | None = None
        self._closed = False

    async def post(
        self,
        url: str,
        body: bytes,
        headers: Iterable[tuple[str, str]],
        *,
        retry_stale: bool = True,
    ) -> tuple[int, bytes]:
        """POST `body` to `url`: the status code and the (de-chunked) response body.
        `retry_stale=False` for a request that must not be sent twice (a mutation)."""
        origin = origin_of(url)
        slots = self._slots.get(origin)
        if slots is None:
            slots = self._slots[origin] = asyncio.Semaphore(self.max_connections)
        request = _request_bytes(origin, body, headers)
        async with slots:
            connection, reused = await self._acquire(origin)
            try:
                status, content = await connection.send(request)
            except ConnectionError:
                connection.close()
                if not reused or connection.answered or not retry_stale:
                    raise
                # The server had closed the idle connection: one more try on a new one.
                connection = await self._connect(origin)
                try:
                    status, content = await connection.send(request)
                except BaseException:
                    connection.close()
                    raise
            except BaseException:
                # Failed, or cancelled with the answer possibly still on its way: never reuse.
                connection.close()
                raise
            if connection.keep_alive and not connection.closed and not self._closed:
                self._idle.setdefault(origin, []).append(connection)
            else:
                connection.close()
            return status, content

    async def _acquire(self, origin: Origin) -> tuple[_Connection, bool]:
        """An idle connection to `origin` (reused: True) or a new one."""
        idle = self._idle.get(origin)
        while idle:
            connection = idle.pop()
            if not connection.closed:
                return connection, True
        return await self._connect(origin), False

    async def _connect(self, origin: Origin) -> _Connection:
        loop = asyncio.get_running_loop()
        ssl_context = None
        if origin.scheme == "https":
            if self._ssl_context is None:
                self._ssl_context = ssl.create_default_context()
            ssl_context = self._ssl_context
        _, connection = await loop.create_connection(
            lambda: _Connection(self.max_body_bytes), origin.host, origin.port, ssl=ssl_context
        )
        return connection

    async def aclose(self) -> None:
        self._closed = True
        for connections in self._idle.values():
            for connection in connections:
                connection.close()
        self._idle.clear()


def _request_bytes(origin: Origin, body: bytes, headers: Iterable[tuple[str, str]]) -> bytes:
    lines = [
        b"POST " + origin.target + b" HTTP/1.1",
        b"host: " + origin.host_header,
        b"content-length: " + str(len(body)).encode(),
    ]
    for name, value in headers:
        lines.append(_header_line(name, value))
    lines.append(b"")
    lines.append(body)
    return b"\r\n".join(lines)


def _header_line(name: str, value: str) -> bytes:
    # Values come from the client's request or configuration; a line break would let them
    # inject headers (or a second request) into the subgraph connection.
    if "\r" in value or "\n" in value or "\r" in name or "\n" in name or ":" in name:
        raise ValueError(f"header {name!r} has a value that cannot be sent")
    return name.encode("latin-1") + b": " + value.encode("latin-1")
