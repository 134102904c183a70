"""`python -m bench.subscriptions` and its fan-out floor (`bench/fanout_floor.py`): the trivial
server speaks both protocols the way the bench's subscribers read them, frames each event once
per envelope, and a tiny run reports the floor next to the gateway's figures. No timing is
asserted."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path
from typing import cast

import pytest

from bench.fanout_floor import Fanout, client_frames, serve
from bench.subscriptions import Recorder, frame, subscriber_class, ticks_query
from tests.waiting import eventually, free_port

REPOSITORY = Path(__file__).resolve().parents[2]


class Transport:
    def __init__(self) -> None:
        self.written: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.written.append(data)


def test_each_event_is_framed_once_per_envelope_and_written_to_every_subscriber() -> None:
    fanout = Fanout(rate=1)
    first, second, other, streamed = Transport(), Transport(), Transport(), Transport()
    for operation_id, transport in (("1", first), ("1", second), ("7", other), (None, streamed)):
        fanout.add(operation_id, cast(asyncio.Transport, transport))
    fanout.publish()
    fanout.remove(cast(asyncio.Transport, second))
    fanout.publish()

    assert len(first.written) == len(other.written) == len(streamed.written) == 2
    assert second.written == first.written[:1]
    assert first.written[0] is second.written[0]  # framed once for both
    ((opcode, text),), rest = client_frames(first.written[1])
    message = json.loads(text)
    assert (opcode, rest, message["id"], message["type"]) == (1, b"", "1", "next")
    assert message["payload"]["data"]["ticks"]["id"] == "2"
    assert json.loads(client_frames(other.written[1])[0][0][1])["id"] == "7"
    size, chunk = streamed.written[1].split(b"\r\n", 1)
    assert int(size, 16) == len(chunk) - 2
    assert chunk.startswith(b"id: 2\r\nevent: next\r\ndata: {")


def test_client_frames_are_unmasked() -> None:
    masked = bytes((0x81, 0x80 | 2)) + b"\x01\x02\x03\x04" + bytes((ord("o") ^ 1, ord("k") ^ 2))
    frames, rest = client_frames(masked + frame(1, b"{}") + b"\x81")
    assert frames == [(1, b"ok"), (1, b"{}")]
    assert rest == b"\x81"


@pytest.mark.parametrize("protocol", ["ws", "sse"])
async def test_the_bench_subscribers_read_the_floor_servers_events(protocol: str) -> None:
    port = free_port()
    server = asyncio.ensure_future(serve(port, rate=20))
    loop = asyncio.get_running_loop()
    recorder = Recorder(3)
    kind = subscriber_class(protocol, "127.0.0.1", port, ticks_query(0))
    transports = []
    try:
        await eventually(lambda: port_open(port), seconds=10)
        for _ in range(3):
            transport, _ = await loop.create_connection(lambda: kind(recorder), "127.0.0.1", port)
            transports.append(transport)
        await asyncio.wait_for(recorder.ready, 10)
        recorder.counting = True
        await eventually(lambda: len(recorder.delays) >= 9, seconds=10)
        assert recorder.lost == 0
    finally:
        for transport in transports:
            transport.close()
        server.cancel()


async def port_open(port: int) -> bool:
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return False
    writer.close()
    return True


@pytest.mark.e2e
@pytest.mark.timeout(180)
def test_a_run_reports_the_floor_next_to_the_gateway(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "bench.subscriptions", "--results-dir", str(tmp_path),
               "--steps", "3", "--seconds", "1", "--rate", "5", "--floor", "--keep-going",
               "--subgraph-port", str(free_port()), "--gateway-port", str(free_port()),
               "--floor-port", str(free_port())]  # fmt: skip
    completed = subprocess.run(
        command, cwd=REPOSITORY, capture_output=True, text=True, timeout=170, check=False
    )
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-4000:]
    (path,) = tmp_path.glob("*-subscriptions.json")
    (outcome,) = json.loads(path.read_text())["steps"]
    assert outcome["subscribers"] == 3
    for measured in (outcome, outcome["floor"]):
        assert measured["events_delivered"] > 0
        assert measured["connections_lost"] == 0
        assert measured["p50_ms"] <= measured["p99_ms"] <= measured["max_ms"]
