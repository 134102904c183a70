"""Direct delivery: a subscriber's results written straight to its connection.

On the ASGI path every result of every subscriber is a task step through Strawberry's protocol
handler, Starlette's and uvicorn's `send` layers, and a socket write (docs/benchmarks.md,
"Subscriptions"). Where the server offers the connection's transport (the
`switchboard.direct_write` scope extension, `gateway/server/direct_write.py`), a run delivers
instead from the callback that tells it its shaped result is ready: the payload is encoded
once per shaped event (`Shaped.payload`), and per subscriber only the protocol's envelope is
added and written, in the same synchronous loop over every subscriber of that result:

- graphql-transport-ws: `{"id":<operation id>,"type":"next","payload":<payload>}`, a text
  frame, while the operation is still the handler's (the client did not complete it);
- graphql-sse (distinct connections): `id: <event id>`, `event: next`, `data: <payload>`, a
  chunk.

Only events go this way. Everything else a stream sends — its last result saying why it ended,
`complete`, keep-alives — goes through ASGI as before, and never in the middle of a frame: each
path writes whole frames. A run whose direct write is refused (the connection is closing, the
operation was completed, its shaping failed) falls back to the ASGI path for good, in order.

A client that reads slower than events come fills its transport's buffer; once the transport
pauses writing (its high-water mark), the writer refuses, and the run goes on through ASGI,
whose `send` waits for the drain: its backlog is the run's inbox again, bounded by
`buffer_events`, and past it the stream ends with `SUBSCRIPTION_BUFFER_OVERFLOW` (`run.py`).
Memory per slow client is what it was: a transport's high-water mark and the inbox.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import orjson
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import Operation

from gateway.subscriptions.shared import Shaped
from gateway.subscriptions.sse import is_sse_id


class Writer(Protocol):
    """What the server offers (`gateway/server/direct_write.py`)."""

    def writable(self) -> bool: ...

    def write(self, message: bytes) -> None: ...


class DirectDelivery:
    """Writes one subscriber's events to its connection."""

    __slots__ = ("_envelope", "_still_open", "_writer")

    def __init__(
        self,
        writer: Writer,
        envelope: Callable[[bytes, str | None], bytes],
        still_open: Callable[[], bool] | None = None,
    ) -> None:
        self._writer = writer
        self._envelope = envelope
        self._still_open = still_open

    def deliver(self, shaped: Shaped, event_id: str | None) -> bool:
        """Write the result; False when it may not be written directly (nothing written)."""
        writer = self._writer
        if not writer.writable() or (self._still_open is not None and not self._still_open()):
            return False
        writer.write(self._envelope(shaped.payload(event_id), event_id))
        return True


def transport_ws_next(operation_id: str) -> Callable[[bytes, str | None], bytes]:
    """The graphql-transport-ws `next` message of an operation, around a payload."""
    prefix = b'{"id":' + orjson.dumps(operation_id) + b',"type":"next","payload":'

    def envelope(payload: bytes, event_id: str | None) -> bytes:
        return prefix + payload + b"}"

    return envelope


def sse_next(payload: bytes, event_id: str | None) -> bytes:
    """A graphql-sse `next` event, with the event's id (`sse.py`)."""
    event = b"event: next\r\ndata: " + payload + b"\r\n\r\n"
    if event_id is None or not is_sse_id(event_id):
        return event
    return b"id: " + event_id.encode() + b"\r\n" + event


def websocket_delivery(writer: Writer, operation: Operation[Any, Any]) -> DirectDelivery:
    """For a graphql-transport-ws operation."""
    operations = operation.handler.operations

    def still_open() -> bool:
        # `complete` from the client takes the operation out before its task is cancelled.
        return operations.get(operation.id) is operation and not operation.completed

    return DirectDelivery(writer, transport_ws_next(operation.id), still_open)


def sse_delivery(writer: Writer) -> DirectDelivery:
    """For a graphql-sse response."""
    return DirectDelivery(writer, sse_next)
