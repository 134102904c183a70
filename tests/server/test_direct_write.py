"""The `switchboard.direct_write` extension: frames built by the gateway, read by real parsers
(the `websockets` client's, h11's through httpx), over uvicorn running the gateway's protocols."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
import uvicorn
from websockets.asyncio.client import connect
from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.protocol import State
from websockets.uri import parse_uri

from gateway.server.direct_write import DIRECT_WRITE, http_chunk, websocket_text_frame
from gateway.server.http_protocol import PROTOCOL
from gateway.server.write_stall import WEBSOCKET_PROTOCOL
from tests.waiting import free_port

# Around each boundary of the frame header's length encoding (7 bits, 16 bits, 64 bits).
SIZES = [0, 1, 125, 126, 127, 65_535, 65_536, 200_000]
MESSAGES = [b'{"n":%d,"x":"%s"}' % (size, b"y" * size) for size in SIZES]


@pytest.mark.parametrize("size", SIZES)
def test_a_text_frame_reads_back_as_the_websockets_client_parses_it(size: int) -> None:
    payload = ("é" * (size // 2) + "a" * (size % 2)).encode()
    client = ClientProtocol(parse_uri("ws://localhost/"), state=State.OPEN, max_size=None)
    client.receive_data(websocket_text_frame(payload))
    [frame] = client.events_received()
    assert isinstance(frame, Frame)
    assert (frame.opcode, frame.fin, frame.data) == (Opcode.TEXT, True, payload)
    # A server's frame is never masked: the client refuses masked ones (and would fail it).
    assert client.state is State.OPEN


def test_a_small_frame_is_exactly_two_header_bytes_and_the_payload() -> None:
    assert websocket_text_frame(b'{"a":1}') == b"\x81\x07" + b'{"a":1}'
    assert websocket_text_frame(b"x" * 126)[:4] == b"\x81\x7e\x00\x7e"
    assert websocket_text_frame(b"x" * 65_536)[:10] == b"\x81\x7f" + (65_536).to_bytes(8, "big")


def test_a_chunk_is_its_length_in_hex_then_the_body() -> None:
    assert http_chunk(b"event: next\r\n\r\n") == b"f\r\nevent: next\r\n\r\n\r\n"
    assert http_chunk(b"x" * 256) == b"100\r\n" + b"x" * 256 + b"\r\n"


async def direct_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Writes MESSAGES through the extension, then ends through ASGI as a stream does."""
    if scope["type"] == "lifespan":
        while True:
            kind = (await receive())["type"]
            await send({"type": kind + ".complete"})
            if kind == "lifespan.shutdown":
                return
    writer = scope["extensions"][DIRECT_WRITE]
    if scope["type"] == "websocket":
        await receive()  # websocket.connect
        assert not writer.writable()  # before the handshake
        await send({"type": "websocket.accept"})
        assert writer.writable()
        FRAMINGS.append(writer.framing)
        write_all(writer)
        await send({"type": "websocket.send", "text": "last"})
        await send({"type": "websocket.close", "code": 1000})
        assert not writer.writable()  # no frame after a close frame
        return
    assert not writer.writable()  # no head sent yet
    if scope["path"] == "/fixed":
        headers = [(b"content-length", b"2")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        assert not writer.writable()  # a chunk would corrupt a body of known length
        await send({"type": "http.response.body", "body": b"ok"})
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"first;", "more_body": True})
    assert writer.writable()
    assert writer.framing is http_chunk
    write_all(writer)
    await send({"type": "http.response.body", "body": b"last", "more_body": False})
    assert not writer.writable()  # the response is complete


FRAMINGS: list[Any] = []  # the websocket writers' (the app runs in the server's thread)


def write_all(writer: Any) -> None:
    """MESSAGES, bare and framed by the writer's own framing in turn, where it has one (none on
    a compressed websocket: each frame goes through its connection's compressor)."""
    for index, message in enumerate(MESSAGES):
        if index % 2 and writer.framing is not None:
            writer.write_framed(writer.framing(message))
        else:
            writer.write(message)


@contextmanager
def serving() -> Iterator[int]:
    """uvicorn with the protocols `switchboard serve` runs (`runner.py`), in a thread."""
    port = free_port()
    config = uvicorn.Config(
        direct_app, host="127.0.0.1", port=port, log_level="warning", http=PROTOCOL,
        ws=WEBSOCKET_PROTOCOL,
    )  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started:
            threading.Event().wait(0.01)
        yield port
    finally:
        server.should_exit = True
        thread.join(30)


@pytest.mark.parametrize("compression", [None, "deflate"], ids=["plain", "permessage-deflate"])
async def test_messages_written_directly_reach_a_websocket_client_in_order(
    compression: str | None,
) -> None:
    with serving() as port:
        async with connect(
            f"ws://127.0.0.1:{port}/", compression=compression, max_size=None
        ) as websocket:
            received = [message async for message in websocket]
            negotiated = websocket.protocol.extensions
    assert bool(negotiated) == (compression is not None)
    # A compressed connection frames each message itself, with its own compressor.
    assert FRAMINGS[-1] is (None if compression else websocket_text_frame)
    assert received == [message.decode() for message in MESSAGES] + ["last"]


async def test_chunks_written_directly_are_one_chunked_body_with_the_asgi_ones() -> None:
    with serving() as port:
        async with httpx.AsyncClient() as client:
            response = await client.get(f"http://127.0.0.1:{port}/")
    assert response.headers["transfer-encoding"] == "chunked"
    assert response.content == b"first;" + b"".join(MESSAGES) + b"last"


async def test_a_response_of_known_length_is_not_written_to() -> None:
    with serving() as port:
        async with httpx.AsyncClient() as client:
            response = await client.get(f"http://127.0.0.1:{port}/fixed")
    assert response.content == b"ok"  # the app asserts the writer refused
