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

Every SSE subscriber of a result is handed the very same bytes: the message is enveloped and
framed once for a run of them (`Shaped.framed`), so each costs its checks and one
`transport.write`. A websocket subscriber's envelope has its own operation id (graphql-ws
clients make each a UUID), so its message is enveloped and framed for it alone: keeping the
last framed message for the next subscriber costs more than it saves when they all differ
(1.3 µs more per delivery with distinct ids; docs/benchmarks.md, "Subscriptions").

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

from gateway.subscriptions.shared import Envelope, Framing, Shaped
from gateway.subscriptions.sse import is_sse_id


class Writer(Protocol):
    """What the server offers (`gateway/server/direct_write.py`)."""

    def writable(self) -> bool: ...

    def write(self, message: bytes) -> None: ...

    @property
    def framing(self) -> Framing | None:
        """How it frames a message, if every connection with this framing frames it alike."""

    def write_framed(self, frame: bytes) -> None: ...


class DirectDelivery:
    """Writes one subscriber's events to its connection."""

    __slots__ = ("_envelope", "_framing", "_still_open", "_writer")

    def __init__(
        self,
        writer: Writer,
        envelope: Envelope,
        still_open: Callable[[], bool] | None = None,
        *,
        same_for_all: bool = False,
    ) -> None:
        """`same_for_all`: the envelope adds nothing of this subscriber's, so every subscriber
        of a result with the same framing is given the same bytes."""
        self._writer = writer
        self._envelope = envelope
        self._still_open = still_open
        # Made once a connection is open (a websocket's extensions are agreed on): fixed.
        self._framing = writer.framing if same_for_all else None

    def deliver(self, shaped: Shaped, event_id: str | None) -> bool:
        """Write the result; False when it may not be written directly (nothing written)."""
        writer = self._writer
        if not writer.writable() or (self._still_open is not None and not self._still_open()):
            return False
        framing = self._framing
        if framing is None:
            writer.write(self._envelope(shaped.payload(event_id), event_id))
        else:
            writer.write_framed(shaped.framed(self._envelope, framing, event_id))
        return True


def transport_ws_next(operation_id: str) -> Envelope:
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
    return DirectDelivery(writer, sse_next, same_for_all=True)
