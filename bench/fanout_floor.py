"""The machine's fan-out floor: what delivering one event to N subscribers costs here with no
gateway at all, for `python -m bench.subscriptions --floor`.

A trivial server (`python -m bench.subscriptions floor --port P --rate R`) speaks just enough
graphql-transport-ws and graphql-sse for the bench's own subscribers (`bench/subscriptions.py`):
it answers the websocket upgrade, `connection_init` and `subscribe`, or the SSE request's head,
and then, `rate` times a second, builds one event the size and shape of the gateway's
(`{"data":{"ticks":{"id","sentAt"}},"extensions":{"eventId"}}`), frames it once per distinct
envelope (a websocket text frame with the operation's id, or an SSE chunk) and writes it to
every subscriber's transport in one loop: one `transport.write` per subscriber, on the event
loop the gateway runs on (uvloop where installed). No parsing, planning, shaping, encoding or
check per delivery: its publish-to-delivery delays, read by the same client processes, are
what the gateway's would be if its own work per delivery cost nothing.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import importlib.util
import json
import time
from typing import cast

from gateway.server.direct_write import http_chunk, websocket_text_frame

# RFC 6455 §1.3: the server's accept key is the client's key with this GUID, hashed.
WEBSOCKET_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
SSE_HEAD = (
    b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\n"
    b"transfer-encoding: chunked\r\n\r\n"
)


def websocket_accept(head: bytes) -> bytes:
    """The 101 response to a websocket upgrade request's head."""
    key = b""
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"sec-websocket-key":
            key = value.strip()
    accept = base64.b64encode(hashlib.sha1(key + WEBSOCKET_GUID).digest())  # RFC 6455 §4.2.2
    return (
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Accept: " + accept + b"\r\n"
        b"Sec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n"
    )


def client_frames(buffer: bytes) -> tuple[list[tuple[int, bytes]], bytes]:
    """The complete (masked) client frames in `buffer`, unmasked, and the unread rest."""
    frames = []
    while len(buffer) >= 2:
        opcode, length = buffer[0] & 0x0F, buffer[1] & 0x7F
        offset = 2
        if length == 126:
            length, offset = int.from_bytes(buffer[2:4], "big"), 4
        elif length == 127:
            length, offset = int.from_bytes(buffer[2:10], "big"), 10
        masked = buffer[1] & 0x80
        mask = buffer[offset : offset + 4] if masked else b""
        offset += 4 if masked else 0
        if len(buffer) < offset + length:
            break
        payload = buffer[offset : offset + length]
        if masked:
            payload = bytes(byte ^ mask[index % 4] for index, byte in enumerate(payload))
        frames.append((opcode, payload))
        buffer = buffer[offset + length :]
    return frames, buffer


class Fanout:
    """The subscribers, by envelope: each event is framed once per envelope, then written."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.number = 0
        # Operation id → its subscribers' transports (websocket); SSE subscribers under None.
        self.subscribers: dict[str | None, dict[asyncio.Transport, None]] = {}

    def add(self, operation_id: str | None, transport: asyncio.Transport) -> None:
        self.subscribers.setdefault(operation_id, {})[transport] = None

    def remove(self, transport: asyncio.Transport) -> None:
        for transports in self.subscribers.values():
            transports.pop(transport, None)

    def publish(self) -> None:
        self.number += 1
        event_id = str(self.number)
        payload = json.dumps(
            {"data": {"ticks": {"id": event_id, "sentAt": time.time()}},
             "extensions": {"eventId": event_id}},
            separators=(",", ":"),
        ).encode()  # fmt: skip
        for operation_id, transports in self.subscribers.items():
            if operation_id is None:
                body = b"id: %s\r\nevent: next\r\ndata: %s\r\n\r\n" % (event_id.encode(), payload)
                message = http_chunk(body)
            else:
                envelope = {"id": operation_id, "type": "next", "payload": None}
                prefix = json.dumps(envelope, separators=(",", ":"))[: -len("null}")]
                message = websocket_text_frame(prefix.encode() + payload + b"}")
            for transport in transports:
                transport.write(message)

    async def run(self) -> None:
        started = time.monotonic()
        while True:
            # On a fixed schedule, as the bench's event subgraph publishes.
            await asyncio.sleep(
                max(0.0, started + (self.number + 1) / self.rate - time.monotonic())
            )
            self.publish()


class FloorConnection(asyncio.Protocol):
    """One subscriber: its request's head, then (websocket) its frames until it subscribes."""

    def __init__(self, fanout: Fanout) -> None:
        self.fanout = fanout
        self.transport: asyncio.Transport | None = None
        self.buffer = b""
        self.websocket: bool | None = None  # None until the head is read

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def connection_lost(self, exc: Exception | None) -> None:
        if self.transport is not None:
            self.fanout.remove(self.transport)

    def data_received(self, data: bytes) -> None:
        assert self.transport is not None
        self.buffer += data
        if self.websocket is None:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end]
            self.websocket = head.startswith(b"GET ")
            if not self.websocket:  # the SSE request's body is not needed
                self.transport.write(SSE_HEAD)
                self.fanout.add(None, self.transport)
                self.buffer = b""
                return
            self.transport.write(websocket_accept(head))
            self.buffer = self.buffer[end + 4 :]
        if not self.websocket:
            return
        frames, self.buffer = client_frames(self.buffer)
        for opcode, payload in frames:
            if opcode == 8:  # close
                self.transport.close()
            elif opcode == 1:
                message = json.loads(payload)
                if message.get("type") == "connection_init":
                    self.transport.write(websocket_text_frame(b'{"type":"connection_ack"}'))
                elif message.get("type") == "subscribe":
                    self.fanout.add(str(message["id"]), self.transport)


async def serve(port: int, rate: float, host: str = "127.0.0.1") -> None:
    fanout = Fanout(rate)
    server = await asyncio.get_running_loop().create_server(
        lambda: FloorConnection(fanout), host, port, backlog=4096
    )
    async with server:
        await fanout.run()


def serve_floor(port: int, rate: float) -> None:
    """Serve until killed, on the event loop the gateway runs on (`gateway/server/runner.py`)."""
    if importlib.util.find_spec("uvloop") is not None:
        import uvloop

        uvloop.run(serve(port, rate))
    else:
        asyncio.run(serve(port, rate))
