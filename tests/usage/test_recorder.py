"""The usage recorder against a sink that fails on demand: batches, retries with backoff,
bounded buffer, flush on close, and every record accounted for in
`switchboard_usage_records`."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime

from prometheus_client import REGISTRY

from gateway.usage import UsageRecord, UsageRecorder
from gateway.usage.sink import IngestionRejected, IngestionUnavailable


def record(number: int) -> UsageRecord:
    return UsageRecord(
        time=datetime(2026, 12, 1, tzinfo=UTC),
        app_id="app_1",
        installation_id=None,
        workspace_id=None,
        operation_name=f"Op{number}",
        operation_hash="h",
        operation_kind="query",
        fields=("Query.apps",),
        estimated_cost=1,
        actual_cost=1,
        duration_ms=1.0,
        http_status=200,
        error_count=0,
        error_codes=(),
        subgraph_timings={},
    )


class Sink:
    def __init__(self, failures: int = 0, reject: bool = False) -> None:
        self.batches: list[list[str | None]] = []
        self.failures = failures
        self.reject = reject
        self.closed = False

    async def send(self, records: Sequence[UsageRecord]) -> None:
        if self.reject:
            raise IngestionRejected("bad records")
        if self.failures:
            self.failures -= 1
            raise IngestionUnavailable("down")
        self.batches.append([r.operation_name for r in records])

    async def close(self) -> None:
        self.closed = True


def counted(result: str) -> float:
    value = REGISTRY.get_sample_value("switchboard_usage_records_total", {"result": result})
    return value or 0.0


async def test_records_go_in_batches_and_close_flushes_the_rest() -> None:
    sink = Sink()
    recorder = UsageRecorder(sink, batch_size=2, flush_interval=60)
    recorder.start()
    sent = counted("sent")
    for number in range(5):
        recorder.record(record(number))
    await asyncio.sleep(0.05)  # a full batch wakes the sender, which sends all it holds
    assert sink.batches == [["Op0", "Op1"], ["Op2", "Op3"], ["Op4"]]
    recorder.record(record(5))  # not a full batch: waits for the interval, or the shutdown
    await asyncio.sleep(0.05)
    assert len(sink.batches) == 3
    await recorder.close()
    assert sink.batches[-1] == ["Op5"]
    assert sink.closed
    assert counted("sent") - sent == 6


class HeldSink(Sink):
    """Holds each batch until the test lets it through."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived = asyncio.Event()
        self.release = asyncio.Event()

    async def send(self, records: Sequence[UsageRecord]) -> None:
        self.arrived.set()
        await self.release.wait()
        self.release.clear()
        await super().send(records)


async def test_records_arriving_during_a_send_wait_for_the_next_batch() -> None:
    """Under steady traffic the sender sends one batch per interval (or per full batch), not
    one small batch per round trip to the ingestion."""
    sink = HeldSink()
    recorder = UsageRecorder(sink, batch_size=2, flush_interval=3600)
    recorder.start()
    recorder.record(record(0))
    recorder.record(record(1))  # a full batch: the sender wakes
    await sink.arrived.wait()
    recorder.record(record(2))  # arrives while the batch is being sent
    sink.release.set()
    for _ in range(20):
        await asyncio.sleep(0)
    assert sink.batches == [["Op0", "Op1"]]
    assert len(recorder) == 1
    sink.release.set()
    await recorder.close()
    assert sink.batches == [["Op0", "Op1"], ["Op2"]]


async def test_a_failing_ingestion_is_retried_with_backoff_then_dropped() -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    sink = Sink(failures=2)
    recorder = UsageRecorder(sink, batch_size=10, max_attempts=3, backoff=0.5, sleep=sleep)
    recorder.record(record(1))
    await recorder.flush()
    assert sink.batches == [["Op1"]]
    assert waits == [0.5, 1.0]

    dropped = counted("dropped_ingestion_failed")
    sink.failures = 3
    recorder.record(record(2))
    await recorder.flush()
    assert counted("dropped_ingestion_failed") - dropped == 1
    assert sink.batches == [["Op1"]]


async def test_rejected_records_are_not_retried() -> None:
    rejected = counted("dropped_rejected")
    recorder = UsageRecorder(Sink(reject=True), max_attempts=5)
    recorder.record(record(1))
    await recorder.flush()
    assert counted("dropped_rejected") - rejected == 1


async def test_a_full_buffer_drops_and_counts() -> None:
    dropped = counted("dropped_buffer_full")
    recorder = UsageRecorder(Sink(), buffer_size=3, batch_size=100)
    for number in range(5):
        recorder.record(record(number))
    assert len(recorder) == 3
    assert counted("dropped_buffer_full") - dropped == 2


async def test_what_cannot_be_sent_by_the_shutdown_deadline_is_counted() -> None:
    class Stuck(Sink):
        async def send(self, records: Sequence[UsageRecord]) -> None:
            await asyncio.sleep(60)

    dropped = counted("dropped_shutdown")
    recorder = UsageRecorder(Stuck(), batch_size=2, shutdown_timeout=0.1)
    recorder.start()
    for number in range(3):
        recorder.record(record(number))
    await recorder.close()
    assert counted("dropped_shutdown") - dropped == 3
