"""Upstream subscriptions: graphql-transport-ws to the owning subgraph, pooled.

One websocket per (subgraph URL, forwarded `Authorization`): every subscription of the same
caller to the same subgraph shares it, each under its own operation id. A subgraph verifies the
token once, at the upgrade, so connections are never shared between callers. The connection's
reader hands each `next` payload to its subscription without waiting (`Delivery`), so one slow
subscriber never holds up the others; what it does with a full buffer is its own business.

    UpstreamPool.subscribe(url, headers, request, delivery) → UpstreamSubscription
        └── UpstreamConnection (websocket, reader task, operations by id)
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, WebSocketException

from gateway.subscriptions.errors import UpstreamClosed

logger = logging.getLogger("gateway.subscriptions")

PROTOCOL = "graphql-transport-ws"
ACK_TIMEOUT_SECONDS = 10.0
# Forwarded on the upgrade request (the subgraph authenticates the caller there).
FORWARDED = ("authorization", "traceparent", "tracestate")
JsonObject = dict[str, Any]


class Delivery(Protocol):
    """Where an upstream subscription's messages go; called on the connection's reader."""

    def next(self, payload: JsonObject) -> None: ...

    def end(self, failure: UpstreamClosed | None) -> None:
        """No more messages: completed (`None`), or failed with the reason."""
        ...


@dataclass
class UpstreamSubscription:
    connection: UpstreamConnection
    operation_id: str

    async def close(self) -> None:
        """Stop it upstream (the subgraph ends its resolver); idempotent."""
        await self.connection.stop(self.operation_id)


def websocket_url(http_url: str) -> str:
    if http_url.startswith("https://"):
        return "wss://" + http_url.removeprefix("https://")
    if http_url.startswith("http://"):
        return "ws://" + http_url.removeprefix("http://")
    return http_url


@dataclass
class UpstreamConnection:
    url: str
    headers: Mapping[str, str]
    on_empty: Callable[[UpstreamConnection], None]
    websocket: ClientConnection | None = None
    operations: dict[str, Delivery] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _reader: asyncio.Task[None] | None = None
    _ready: asyncio.Future[None] | None = None
    closed: bool = False

    async def open(self) -> None:
        """Connect and complete `connection_init`; shared by every concurrent first caller."""
        if self._ready is None:
            self._ready = asyncio.get_running_loop().create_future()
            try:
                await self._handshake()
            except BaseException as error:
                self.closed = True
                self._ready.set_exception(
                    error if isinstance(error, UpstreamClosed) else UpstreamClosed(repr(error))
                )
                self._ready.exception()  # retrieved: later callers re-raise it themselves
                self.on_empty(self)
                raise
            self._ready.set_result(None)
        await asyncio.shield(self._ready)

    async def _handshake(self) -> None:
        try:
            self.websocket = await connect(
                websocket_url(self.url),
                subprotocols=[PROTOCOL],  # type: ignore[list-item]
                additional_headers=dict(self.headers),
                open_timeout=ACK_TIMEOUT_SECONDS,
                max_size=2**24,
                # graphql-transport-ws has its own ping/pong; the subgraph answers both.
                ping_interval=20,
            )
            await self.websocket.send(orjson.dumps({"type": "connection_init"}).decode())
            async with asyncio.timeout(ACK_TIMEOUT_SECONDS):
                while True:
                    message = orjson.loads(await self.websocket.recv())
                    if message.get("type") == "connection_ack":
                        break
                    if message.get("type") == "ping":
                        await self._send({"type": "pong"})
        except (OSError, TimeoutError, WebSocketException, orjson.JSONDecodeError) as error:
            raise UpstreamClosed(f"cannot open a subscription connection: {error!r}") from error
        self._reader = asyncio.create_task(self._read())

    async def start(self, request: JsonObject, delivery: Delivery) -> UpstreamSubscription:
        await self.open()
        if self.closed:
            raise UpstreamClosed("the subscription connection closed")
        operation_id = str(next(self._ids))
        self.operations[operation_id] = delivery
        try:
            await self._send({"id": operation_id, "type": "subscribe", "payload": request})
        except (ConnectionClosed, OSError) as error:
            self.operations.pop(operation_id, None)
            raise UpstreamClosed(f"the subscription connection closed: {error!r}") from error
        return UpstreamSubscription(self, operation_id)

    async def stop(self, operation_id: str) -> None:
        if self.operations.pop(operation_id, None) is None:
            return
        with contextlib.suppress(ConnectionClosed, OSError):
            await self._send({"id": operation_id, "type": "complete"})
        if not self.operations:
            await self.close()

    async def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.on_empty(self)
        if self._reader is not None:
            self._reader.cancel()
        if self.websocket is not None:
            with contextlib.suppress(Exception):
                await self.websocket.close()

    async def _send(self, message: JsonObject) -> None:
        assert self.websocket is not None
        await self.websocket.send(orjson.dumps(message).decode())

    async def _read(self) -> None:
        assert self.websocket is not None
        failure = UpstreamClosed("the subgraph closed the subscription connection")
        try:
            async for raw in self.websocket:
                self._dispatch(orjson.loads(raw))
        except ConnectionClosed as closed:
            failure = UpstreamClosed(f"the subgraph closed the subscription connection: {closed}")
        except (OSError, orjson.JSONDecodeError) as error:
            failure = UpstreamClosed(f"the subscription connection failed: {error!r}")
        except asyncio.CancelledError:
            failure = UpstreamClosed("the subscription connection was closed")
            raise
        finally:
            self.closed = True
            self.on_empty(self)
            operations, self.operations = self.operations, {}
            for delivery in operations.values():
                delivery.end(failure)

    def _dispatch(self, message: JsonObject) -> None:
        kind = message.get("type")
        if kind == "ping":
            asyncio.get_running_loop().create_task(self._pong())
            return
        delivery = self.operations.get(str(message.get("id")))
        if delivery is None:
            return
        if kind == "next":
            payload = message.get("payload")
            delivery.next(payload if isinstance(payload, dict) else {})
        elif kind == "error":
            self.operations.pop(str(message["id"]), None)
            errors = message.get("payload")
            delivery.next({"data": None, "errors": errors if isinstance(errors, list) else []})
            delivery.end(None)
        elif kind == "complete":
            self.operations.pop(str(message["id"]), None)
            delivery.end(None)

    async def _pong(self) -> None:
        with contextlib.suppress(ConnectionClosed, OSError):
            await self._send({"type": "pong"})


class UpstreamPool:
    def __init__(self) -> None:
        self._connections: dict[tuple[str, tuple[tuple[str, str], ...]], UpstreamConnection] = {}

    def __len__(self) -> int:
        return len(self._connections)

    async def subscribe(
        self, url: str, headers: Mapping[str, str], request: JsonObject, delivery: Delivery
    ) -> UpstreamSubscription:
        forwarded = tuple(
            sorted((name, value) for name, value in headers.items() if name.lower() in FORWARDED)
        )
        # Trace headers differ per request; only the caller's token decides the sharing.
        key = (url, tuple(item for item in forwarded if item[0].lower() == "authorization"))
        connection = self._connections.get(key)
        if connection is None or connection.closed:
            connection = UpstreamConnection(url, dict(forwarded), self._forget(key))
            self._connections[key] = connection
        return await connection.start(request, delivery)

    def _forget(
        self, key: tuple[str, tuple[tuple[str, str], ...]]
    ) -> Callable[[UpstreamConnection], None]:
        def forget(connection: UpstreamConnection) -> None:
            if self._connections.get(key) is connection:
                del self._connections[key]

        return forget

    async def close(self) -> None:
        for connection in list(self._connections.values()):
            await connection.close()
