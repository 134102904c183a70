"""A minimal HTTP/1.1 server for the benchmark subgraphs: keep-alive, httptools, uvloop.

The subgraphs share the machine with the gateway under test, so every microsecond they spend
is one the gateway does not get; with `--workers 2` on two cores it decides how far a second
worker can scale. Under uvicorn a cached answer still cost ~80 µs of subgraph CPU per request
(ASGI messages, uvicorn's protocol object, its per-request task); here a request is parsed by
httptools and answered synchronously from `SubgraphApp.answer` in the same callback, no task,
no ASGI. What goes over the wire is the same: the body `SubgraphApp` answers, as JSON, with a
content length; GET answers `{"status":"ok"}` (the readiness probe), and GET
`/_bench/requests` answers `{"requests": N}`, the POSTs served so far, so the runner can report
how many subgraph requests a gateway makes per client request.
"""

from __future__ import annotations

import asyncio
import signal
from functools import lru_cache
from http import HTTPStatus
from typing import cast

import httptools

from bench.subgraphs.app import SubgraphApp

_OK_BODY = b'{"status":"ok"}'
REQUESTS_PATH = b"/_bench/requests"


class _Served:
    """POSTs answered by this process."""

    def __init__(self) -> None:
        self.requests = 0


class _Connection(asyncio.Protocol):
    def __init__(self, app: SubgraphApp, served: _Served) -> None:
        self.app = app
        self.served = served
        self._url = b""
        self.parser = httptools.HttpRequestParser(self)
        self.transport: asyncio.Transport | None = None
        self._chunks: list[bytes] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            self._send(400, b'{"errors":[{"message":"malformed HTTP request"}]}', keep_alive=False)

    def on_message_begin(self) -> None:
        self._chunks = []
        self._url = b""

    def on_url(self, url: bytes) -> None:
        self._url += url

    def on_body(self, body: bytes) -> None:
        self._chunks.append(body)

    def on_message_complete(self) -> None:
        keep_alive = self.parser.should_keep_alive()
        if self.parser.get_method() == b"POST":
            self.served.requests += 1
            status, payload = self.app.answer(b"".join(self._chunks))
        elif self._url == REQUESTS_PATH:
            status, payload = 200, b'{"requests":%d}' % self.served.requests
        else:
            status, payload = 200, _OK_BODY
        self._send(status, payload, keep_alive=keep_alive)

    def _send(self, status: int, payload: bytes, *, keep_alive: bool) -> None:
        assert self.transport is not None
        self.transport.write(
            b"%scontent-length: %d\r\n%s\r\n%s"
            % (
                _head(status),
                len(payload),
                b"" if keep_alive else b"connection: close\r\n",
                payload,
            )
        )
        if not keep_alive:
            self.transport.close()


@lru_cache(maxsize=16)
def _head(status: int) -> bytes:
    """The status line and the content type, built once per status."""
    return b"HTTP/1.1 %d %s\r\ncontent-type: application/json\r\n" % (
        status,
        HTTPStatus(status).phrase.encode(),
    )


async def _serve(app: SubgraphApp, host: str, port: int) -> None:
    loop = asyncio.get_running_loop()
    served = _Served()
    server = await loop.create_server(lambda: _Connection(app, served), host, port, backlog=4096)
    stopped = asyncio.Event()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signal_number, stopped.set)
    async with server:
        await stopped.wait()


def serve(app: SubgraphApp, host: str, port: int) -> None:
    """Serve `app` until SIGINT or SIGTERM."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop comes with uvicorn[standard]
        asyncio.run(_serve(app, host, port))
    else:
        uvloop.run(_serve(app, host, port))
