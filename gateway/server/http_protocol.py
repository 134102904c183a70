"""uvicorn's httptools protocol with a deadline and a size limit on reading a request's head.

uvicorn bounds nothing between accepting a connection and the end of a request's headers: a
client that opens a connection and sends a header line every few seconds (slowloris) holds
the connection, and its slot under `limit_concurrency`, for as long as it likes, and one that
sends an endless header grows the gateway's memory. Here a request's head (request line and
headers) must arrive within `header_read_timeout` seconds of its first byte, or of the
connection's opening, and fit in `max_head_bytes` (Apollo Router's `header_read_timeout`
defaults to 10 s). Otherwise the client gets 408 or 431 and the connection is closed. A client
that stops reading a response (a subscription's stream) is cut off after the write timeout
(`write_stall.py`). A response's connection is offered to the app for subscription results
written directly (`direct_write.py`).

`switchboard serve` passes this class to uvicorn as its HTTP protocol; `configure` sets the
limits in each worker process, from the gateway's configuration, before it serves.
"""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar, cast

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from gateway.server.direct_write import DIRECT_WRITE, ChunkedWriter
from gateway.server.write_stall import WriteStallGuard

DEFAULT_HEADER_READ_TIMEOUT_SECONDS = 10.0
DEFAULT_MAX_HEAD_BYTES = 64 * 1024
PROTOCOL = "gateway.server.http_protocol:GuardedHttpToolsProtocol"


class GuardedHttpToolsProtocol(WriteStallGuard, HttpToolsProtocol):
    header_read_timeout: ClassVar[float] = DEFAULT_HEADER_READ_TIMEOUT_SECONDS
    max_head_bytes: ClassVar[int] = DEFAULT_MAX_HEAD_BYTES

    @classmethod
    def configure(cls, header_read_timeout: float, max_head_bytes: int) -> None:
        cls.header_read_timeout = header_read_timeout
        cls.max_head_bytes = max_head_bytes

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_deadline: asyncio.TimerHandle | None = None
        # Bytes of the current request's head received so far; None once it is complete.
        self._head_bytes: int | None = 0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_deadline()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._head_bytes is not None:
            self._head_bytes += len(data)
            if self._head_bytes > self.max_head_bytes:
                self._refuse(b"431 Request Header Fields Too Large")
                return
        super().data_received(data)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._head_bytes is None:  # the next request on a keep-alive connection
            self._start_head()

    def on_headers_complete(self) -> None:
        self._stop_deadline()
        self._head_bytes = None
        super().on_headers_complete()
        cycle = self.cycle
        if cycle is not None and cycle.scope is self.scope:  # not an upgrade
            extensions = cast("dict[str, object]", self.scope.setdefault("extensions", {}))
            extensions[DIRECT_WRITE] = ChunkedWriter(cycle)

    def _start_head(self) -> None:
        self._head_bytes = 0
        self._stop_deadline()
        self._head_deadline = self.loop.call_later(self.header_read_timeout, self._head_too_slow)

    def _stop_deadline(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _head_too_slow(self) -> None:
        self._head_deadline = None
        self._refuse(b"408 Request Timeout")

    def _refuse(self, status: bytes) -> None:
        self._stop_deadline()
        if self.transport.is_closing():
            return
        self.transport.write(
            b"HTTP/1.1 " + status + b"\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
        )
        self.transport.close()
