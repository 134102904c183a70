"""Connections whose client stopped reading are aborted after `write_timeout` seconds.

A client that stops reading its subscription (or any response) fills the kernel's buffers, then
the transport's; from then on the transport pauses writing and every send of the app awaits a
drain that never comes: a stream's end, the overflow result included, never gets out, and the
connection, its subscriber and its share of the upstream operation are held forever (memory is
bounded, connections are not). Here a connection whose writing stays paused for `write_timeout`
seconds without draining below the low-water mark is aborted (TCP reset): the app's pending
send then fails as for any client gone, which ends the subscriber and releases its upstream
share. Nothing more can reach a client that reads nothing, so no close frame or last result is
attempted; the reason is logged and counted (`switchboard_stalled_connections`). Aborting, not
cancelling a send, means no frame is ever cut halfway and followed by others.

The guard is a mixin for uvicorn's protocols: `switchboard serve` runs HTTP (SSE, multipart)
on `GuardedHttpToolsProtocol` and websockets on `GuardedWebSocketProtocol`. Both also offer
the app their transport for subscription results written directly (`direct_write.py`); such
writes fill the same buffer, so the guard covers them too.
"""

from __future__ import annotations

import asyncio
import logging
from typing import ClassVar

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.http11 import Request

from gateway.server.direct_write import DIRECT_WRITE, WebSocketWriter
from gateway.telemetry.metrics import STALLED_CONNECTIONS

logger = logging.getLogger("gateway.server")

DEFAULT_WRITE_TIMEOUT_SECONDS = 20.0
WEBSOCKET_PROTOCOL = "gateway.server.write_stall:GuardedWebSocketProtocol"


class WriteStallGuard(asyncio.Protocol):
    """Aborts the connection when its writing stays paused for `write_timeout` seconds."""

    write_timeout: ClassVar[float] = DEFAULT_WRITE_TIMEOUT_SECONDS
    kind: ClassVar[str] = "http"
    transport: asyncio.Transport
    _stall_timer: asyncio.TimerHandle | None = None

    @classmethod
    def configure_write_timeout(cls, seconds: float) -> None:
        WriteStallGuard.write_timeout = seconds

    def pause_writing(self) -> None:
        super().pause_writing()
        if self._stall_timer is None:
            loop = asyncio.get_running_loop()
            self._stall_timer = loop.call_later(self.write_timeout, self._stalled)

    def resume_writing(self) -> None:
        self._stop_stall_timer()
        super().resume_writing()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_stall_timer()
        super().connection_lost(exc)

    def _stop_stall_timer(self) -> None:
        if self._stall_timer is not None:
            self._stall_timer.cancel()
            self._stall_timer = None

    def _stalled(self) -> None:
        self._stall_timer = None
        peer = self.transport.get_extra_info("peername")
        logger.warning(
            "closing a %s connection whose client read nothing for %.1f s (write timeout)",
            self.kind,
            self.write_timeout,
            extra={"peer": str(peer)},
        )
        STALLED_CONNECTIONS.labels(self.kind).inc()
        self.transport.abort()


class GuardedWebSocketProtocol(WriteStallGuard, WebSocketsSansIOProtocol):
    kind: ClassVar[str] = "websocket"

    def handle_connect(self, event: Request) -> None:
        super().handle_connect(event)
        scope = getattr(self, "scope", None)  # none when the handshake was refused
        if scope is not None:
            scope["extensions"][DIRECT_WRITE] = WebSocketWriter(self)
