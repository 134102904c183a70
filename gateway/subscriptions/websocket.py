"""graphql-transport-ws to clients: Strawberry's protocol handler, with keep-alive pings, over
text frames.

Strawberry answers a client's `ping` but never pings an idle connection itself; proxies and
load balancers close connections that stay silent. After `connection_ack` this handler sends a
`ping` every `keepalive_seconds` (the view's), which every graphql-transport-ws client answers
with a `pong`.

Strawberry's adapter sends a view's JSON as a binary frame when the encoder gives bytes (ours,
orjson, does); the protocol's messages are text frames, and browser and node clients fail to
parse binary ones. `TextFrames` always sends text.

Each operation's task knows its `Operation` (`CURRENT_OPERATION`): the schema needs its id and
whether the client completed it, to write its events directly to the connection
(`direct.py`).

A send to a client already gone fails with Strawberry's `WebSocketDisconnected` whichever
way Starlette reports it, so the handlers below end that operation without logging an error
per client.

The legacy graphql-ws handler lets a send to a client that went away fail its operation's
task, which nobody awaits: asyncio logs "Task exception was never retrieved" with a traceback
per such client. `QuietLegacyHandler` ends the task quietly instead.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from contextvars import ContextVar
from typing import Any

from starlette.websockets import WebSocketDisconnect
from starlette.websockets import WebSocketDisconnected as SentAfterClose
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import ConnectionInitMessage
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler

DEFAULT_KEEPALIVE_SECONDS = 15.0

# Set on each graphql-transport-ws operation's own task (a context of its own).
CURRENT_OPERATION: ContextVar[Operation[Any, None] | None] = ContextVar(
    "graphql_transport_ws_operation", default=None
)


class KeepAliveHandler(BaseGraphQLTransportWSHandler[Any, None]):
    """Pings an idle connection every `keepalive_seconds` from a timer: a task exists only
    while a ping is being sent, not one sleeping per connection (memory per subscriber)."""

    keepalive: asyncio.TimerHandle | None = None
    pinging: asyncio.Task[None] | None = None
    stopped = False

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        await super().handle_connection_init(message)
        if self.connection_acknowledged and self.keepalive is None:
            self._schedule()

    async def run_operation(self, operation: Operation[Any, None]) -> None:
        CURRENT_OPERATION.set(operation)
        await super().run_operation(operation)

    async def shutdown(self) -> None:
        self.stopped = True
        if self.keepalive is not None:
            self.keepalive.cancel()
        if self.pinging is not None:
            self.pinging.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.pinging
        await super().shutdown()

    async def handle_task_exception(self, error: Exception) -> None:
        """A client that went away while an event was being sent to it is not an error (the
        stock handler logs one, with a traceback, per such client)."""
        if isinstance(error, WebSocketDisconnected):
            return
        await super().handle_task_exception(error)

    def _schedule(self) -> None:
        if self.stopped:
            return
        interval = float(getattr(self.view, "keepalive_seconds", DEFAULT_KEEPALIVE_SECONDS))
        self.keepalive = asyncio.get_running_loop().call_later(interval, self._ping)

    def _ping(self) -> None:
        self.pinging = asyncio.ensure_future(self._send_ping())

    async def _send_ping(self) -> None:
        try:
            await self.send_message({"type": "ping"})
        except Exception:  # the connection is gone; its handler is shutting down
            return
        self._schedule()


class QuietLegacyHandler(BaseGraphQLWSHandler[Any, None]):
    async def handle_async_results(
        self,
        operation_id: str,
        query: str,
        operation_name: str | None,
        variables: dict[str, object] | None,
    ) -> None:
        with contextlib.suppress(WebSocketDisconnected):
            await super().handle_async_results(operation_id, query, operation_name, variables)


class TextFrames(ASGIWebSocketAdapter):
    async def send_json(self, message: Mapping[str, object]) -> None:
        encoded = self.view.encode_json(message)
        try:
            await self.ws.send_text(encoded.decode() if isinstance(encoded, bytes) else encoded)
        except (WebSocketDisconnect, SentAfterClose) as disconnected:
            # Starlette raises the second for a send after the close frame went out (the
            # client left while an event was on its way): to Strawberry's handlers both are
            # the client gone, which they end quietly.
            raise WebSocketDisconnected from disconnected
