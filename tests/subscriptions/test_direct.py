"""Direct delivery (`gateway/subscriptions/direct.py`): events written to a subscriber's
connection from the shaping's callback, the stream's generator answering only its end; a write
refused (connection closing, client reading slowly) sends that event and the next ones through
the generator, in order, its inbox bounded as ever. The stage of `test_run.py`, with a writer
that records what it is given."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import orjson
import pytest

from gateway.subscriptions.direct import DirectDelivery, sse_next, transport_ws_next
from gateway.subscriptions.shared import Framing, Shaped
from tests.auth.harness import AuthGateway
from tests.subscriptions.test_run import Revoked, gateway, planned, stage, subscribed
from tests.waiting import eventually

__all__ = ["gateway"]  # the fixture, shared with test_run.py


@dataclass
class RecordingWriter:
    """Stands for the server's writer; `accepts` writes are taken, then it refuses (paused).
    It frames messages itself (as a compressed websocket does): `write` gets them bare."""

    accepts: int = 1_000
    written: list[bytes] = field(default_factory=list)
    framing: Framing | None = None

    def writable(self) -> bool:
        return len(self.written) < self.accepts

    def write(self, message: bytes) -> None:
        self.written.append(message)

    def write_framed(self, frame: bytes) -> None:
        raise AssertionError("framed by the connection: given bare messages")


@dataclass
class FramingWriter:
    """A writer whose framing is every connection's alike (a plain websocket, a chunked
    response)."""

    framing: Framing
    framed: list[bytes] = field(default_factory=list)
    bare: list[bytes] = field(default_factory=list)  # framed by the writer

    def writable(self) -> bool:
        return True

    def write(self, message: bytes) -> None:
        self.bare.append(message)

    def write_framed(self, frame: bytes) -> None:
        self.framed.append(frame)


def decoded(writer: RecordingWriter) -> list[Any]:
    return [orjson.loads(message) for message in writer.written]


async def written(writer: RecordingWriter, count: int) -> None:
    await eventually(lambda: len(writer.written), lambda found: found >= count)


def test_envelopes_are_the_protocols_messages_around_one_payload() -> None:
    shaped = Shaped({"data": {"ticks": {"id": "1"}}})
    payload = shaped.payload("41")
    assert payload == b'{"data":{"ticks":{"id":"1"}},"extensions":{"eventId":"41"}}'
    assert shaped.payload("41") is payload  # encoded once for every subscriber
    assert transport_ws_next('a"1')(payload, "41") == (
        b'{"id":"a\\"1","type":"next","payload":' + payload + b"}"
    )
    assert sse_next(payload, "41") == b"id: 41\r\nevent: next\r\ndata: " + payload + b"\r\n\r\n"
    assert sse_next(payload, None) == b"event: next\r\ndata: " + payload + b"\r\n\r\n"
    with_errors = Shaped({"data": None, "errors": [{"message": "no"}]})
    assert with_errors.payload(None) == b'{"data":null,"errors":[{"message":"no"}]}'


def test_sse_subscribers_of_a_result_are_given_the_same_framed_bytes() -> None:
    framings: list[bytes] = []

    def framing(message: bytes) -> bytes:
        framings.append(message)
        return b"[" + message + b"]"

    writers = [FramingWriter(framing) for _ in range(3)]
    shaped = Shaped({"data": {"ticks": {"id": "1"}}})
    for writer in writers:
        assert DirectDelivery(writer, sse_next, same_for_all=True).deliver(shaped, "41")
    first, *others = (writer.framed for writer in writers)
    assert first == [b"[" + sse_next(shaped.payload("41"), "41") + b"]"]
    assert all(other[0] is first[0] for other in others)  # enveloped and framed once
    assert len(framings) == 1
    # The same result with another event id is framed anew.
    assert DirectDelivery(writers[0], sse_next, same_for_all=True).deliver(shaped, "42")
    assert writers[0].framed[1].startswith(b"[id: 42\r\n")


def test_a_websocket_subscribers_envelope_is_its_own() -> None:
    writer = FramingWriter(lambda message: b"[" + message + b"]")
    shaped = Shaped({"data": {"ticks": {"id": "1"}}})
    assert DirectDelivery(writer, transport_ws_next("7")).deliver(shaped, None)
    assert writer.bare == [transport_ws_next("7")(shaped.payload(None), None)]
    assert writer.framed == []


async def test_events_are_written_in_order_and_the_generator_answers_only_the_end(
    gateway: AuthGateway,
) -> None:
    subscriptions, pool = stage(gateway)
    first = await planned(gateway, subscriptions)
    writer = RecordingWriter()
    direct = subscriptions.stream(
        first, None, direct=DirectDelivery(writer, transport_ws_next("7"))
    )
    through_asgi = subscriptions.stream(first, None)
    ending = asyncio.ensure_future(anext(direct))
    pending = asyncio.ensure_future(anext(through_asgi))
    await subscribed(pool, 1)
    assert len(pool.requests) == 1  # both share the upstream operation and the shaping
    for number in (1, 2, 3, 4, 5):  # more than the buffer's 3: the writes keep up
        pool.event(number)
        await written(writer, number)
    shaped, _ = await pending
    messages = decoded(writer)
    assert [message["payload"]["extensions"]["eventId"] for message in messages] == [
        "1", "2", "3", "4", "5"
    ]  # fmt: skip
    assert messages[0] == {
        "id": "7",
        "type": "next",
        "payload": {"data": shaped["data"], "extensions": {"eventId": "1"}},
    }
    assert not ending.done()
    assert subscriptions.shut_down() == 2
    result, event_id = await ending
    assert event_id is None
    assert result["errors"][0]["extensions"] == {"code": "SHUTTING_DOWN", "lastEventId": "5"}
    with pytest.raises(StopAsyncIteration):
        await anext(direct)
    assert len(writer.written) == 5
    await through_asgi.aclose()


async def test_a_client_that_reads_slowly_goes_through_asgi_and_overflows_with_its_code(
    gateway: AuthGateway,
) -> None:
    subscriptions, pool = stage(gateway)
    writer = RecordingWriter(accepts=2)  # then its transport pauses writing
    stream = subscriptions.stream(
        await planned(gateway, subscriptions), None, direct=DirectDelivery(writer, sse_next)
    )
    task = asyncio.ensure_future(anext(stream))
    await subscribed(pool, 1)
    pool.event(1)
    pool.event(2)
    await written(writer, 2)
    pool.event(3)  # refused: it comes through the generator, after the two written
    assert (await task)[1] == "3"
    for number in range(4, 8):  # the client reads nothing more; the buffer holds 3
        pool.event(number)
    shaped, event_id = await anext(stream)
    assert event_id is None
    assert shaped["errors"][0]["extensions"] == {
        "code": "SUBSCRIPTION_BUFFER_OVERFLOW",
        "lastEventId": "3",
    }
    assert [message.split(b"\r\n")[0] for message in writer.written] == [b"id: 1", b"id: 2"]
    with pytest.raises(StopAsyncIteration):
        await anext(stream)


async def test_a_revoked_token_gets_no_more_events_written(gateway: AuthGateway) -> None:
    subscriptions, pool = stage(gateway)
    writer = RecordingWriter()
    stream = subscriptions.stream(
        await planned(gateway, subscriptions, jti="gone"),
        None,
        direct=DirectDelivery(writer, transport_ws_next("1")),
    )
    task = asyncio.ensure_future(anext(stream))
    await subscribed(pool, 1)
    pool.event(1)
    await written(writer, 1)

    gateway.revocations.apply(Revoked())
    pool.event(2)  # checked per event, before the sweeper runs
    shaped, _ = await task
    assert shaped["errors"][0]["extensions"] == {"code": "TOKEN_REVOKED", "lastEventId": "1"}
    assert len(writer.written) == 1
