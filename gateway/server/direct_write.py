"""The `switchboard.direct_write` ASGI scope extension: a connection's transport, for writing
already-framed subscription results without the ASGI `send` layers.

Delivering one event to N subscribers through ASGI costs, per subscriber, a task step through
the protocol handler, Starlette's and uvicorn's `send` and one socket write
(docs/benchmarks.md, "Subscriptions"). The subscriptions stage can instead write each result
straight to the connection's asyncio transport, in one synchronous loop over the subscribers
of a shaped event (`gateway/subscriptions/direct.py`). This module is the server's half: the
uvicorn protocols `switchboard serve` runs put a writer in the scope's extensions, and the
writer says when a direct write is allowed and frames the bytes for its connection.

- `WebSocketWriter` (`GuardedWebSocketProtocol`): after the handshake and while no close frame
  was sent or received, a message is one unmasked text frame (RFC 6455 §5.2), built here; on
  a connection with permessage-deflate (browsers and most libraries offer it) the frame goes
  through the `websockets` state machine and its compressor instead, as uvicorn's `send` does.
- `ChunkedWriter` (`GuardedHttpToolsProtocol`): once the response's head went out with
  chunked transfer encoding and until its last chunk, a message is one chunk (RFC 9112 §7.1).

Neither writes while the transport has paused writing (its buffer above the high-water mark,
64 KiB): a client that reads slowly is then served through ASGI, whose `send` waits for the
drain, so its backlog stays in the subscription's bounded inbox and overflows there with its
code, not in an unbounded transport buffer.

A writer also says how it frames (`framing`): every uncompressed websocket frames a message
alike, and so does every chunked response, so the subscriptions stage frames a message once
for all the connections that frame it alike and hands each the same bytes (`write_framed`);
`framing` is None where the frame depends on the connection (its compressor).

Every write is one whole frame or chunk in one `transport.write`, as uvicorn's own `send` does:
the two paths never interleave inside a frame. Where the extension is absent (another ASGI
server, Starlette's TestClient) or a writer says no, results go through ASGI as before.
"""

from __future__ import annotations

import struct
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING

from websockets.protocol import State

if TYPE_CHECKING:
    from uvicorn.protocols.http.httptools_impl import RequestResponseCycle
    from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

DIRECT_WRITE = "switchboard.direct_write"

TEXT_FIN = 0x81  # FIN bit and opcode 1 (text)


def websocket_text_frame(payload: bytes) -> bytes:
    """One unmasked text frame (a server's frames are never masked)."""
    length = len(payload)
    if length < 126:
        header = bytes((TEXT_FIN, length))
    elif length < 1 << 16:
        header = struct.pack("!BBH", TEXT_FIN, 126, length)
    else:
        header = struct.pack("!BBQ", TEXT_FIN, 127, length)
    return header + payload


def http_chunk(body: bytes) -> bytes:
    """One chunk of a chunked response body (never empty: an empty chunk ends the body)."""
    return b"%x\r\n" % len(body) + body + b"\r\n"


class WebSocketWriter:
    __slots__ = ("_protocol",)

    def __init__(self, protocol: WebSocketsSansIOProtocol) -> None:
        self._protocol = protocol

    @property
    def framing(self) -> Callable[[bytes], bytes] | None:
        """Known once the handshake agreed on the extensions, before the first write."""
        return None if self._protocol.conn.extensions else websocket_text_frame

    def writable(self) -> bool:
        protocol = self._protocol
        return (
            protocol.handshake_complete
            and not protocol.close_sent
            and not protocol.disconnected
            and protocol.writable.is_set()
            and protocol.conn.state is State.OPEN
            and not protocol.transport.is_closing()
        )

    def write(self, message: bytes) -> None:
        protocol = self._protocol
        if protocol.conn.extensions:  # compressed with the connection's own context
            protocol.conn.send_text(message)
            protocol.transport.write(b"".join(protocol.conn.data_to_send()))
        else:
            protocol.transport.write(websocket_text_frame(message))

    def write_framed(self, frame: bytes) -> None:
        """A message framed by `framing`."""
        self._protocol.transport.write(frame)


class ChunkedWriter:
    __slots__ = ("_cycle",)

    framing: Callable[[bytes], bytes] | None = staticmethod(http_chunk)

    def __init__(self, cycle: RequestResponseCycle) -> None:
        # Weakly: the writer lives in the cycle's own scope, and a strong reference back would
        # make every request a reference cycle, garbage that only the cycle collector frees
        # (docs/benchmarks.md, "The p99 tail"). uvicorn holds the cycle while it serves it.
        self._cycle = weakref.ref(cycle)

    def writable(self) -> bool:
        cycle = self._cycle()
        return (
            cycle is not None
            and cycle.response_started
            and cycle.chunked_encoding is True
            and not cycle.response_complete
            and not cycle.disconnected
            and not cycle.flow.write_paused
            and not cycle.transport.is_closing()
        )

    def write(self, message: bytes) -> None:
        cycle = self._cycle()
        if message and cycle is not None:
            cycle.transport.write(http_chunk(message))

    def write_framed(self, chunk: bytes) -> None:
        """A message framed by `framing`."""
        cycle = self._cycle()
        if cycle is not None:
            cycle.transport.write(chunk)
