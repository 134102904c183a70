"""`UsageRecorder`: usage records off the request path.

`record` is all a request pays: an append to a bounded buffer (a full buffer drops the record
and counts it). A background task sends the buffer in batches, when a batch is full or a flush
interval after its first record; a batch the ingestion cannot take now is retried with
exponential backoff up to `max_attempts`, then dropped and counted. While it retries, requests
keep appending until the buffer is full. `close` sends what is left within a deadline, so a
graceful shutdown loses nothing while the ingestion answers.

Every record ends in `switchboard_usage_records{result=...}`: `sent`, or the reason it was
dropped (`dropped_buffer_full`, `dropped_ingestion_failed`, `dropped_rejected`,
`dropped_shutdown`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable

from gateway.telemetry.metrics import USAGE_RECORDS
from gateway.usage.record import UsageRecord
from gateway.usage.sink import IngestionRejected, UsageSink, UsageSinkError

logger = logging.getLogger("gateway.usage")

MAX_BACKOFF_SECONDS = 10.0


class UsageRecorder:
    def __init__(
        self,
        sink: UsageSink,
        *,
        buffer_size: int = 10_000,
        batch_size: int = 500,
        flush_interval: float = 1.0,
        max_attempts: int = 5,
        backoff: float = 0.2,
        shutdown_timeout: float = 5.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.sink = sink
        self.buffer_size = buffer_size
        self.batch_size = batch_size
        self.flush_interval = flush_interval
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.shutdown_timeout = shutdown_timeout
        self.sleep = sleep
        self._buffer: deque[UsageRecord] = deque()
        self._batch_ready = asyncio.Event()
        self._in_flight: list[UsageRecord] = []
        self._task: asyncio.Task[None] | None = None
        self._closing = False

    def __len__(self) -> int:
        return len(self._buffer)

    def record(self, record: UsageRecord) -> None:
        if len(self._buffer) >= self.buffer_size:
            USAGE_RECORDS.labels("dropped_buffer_full").inc()
            return
        self._buffer.append(record)
        if len(self._buffer) >= self.batch_size:
            self._batch_ready.set()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while not self._closing:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._batch_ready.wait(), self.flush_interval)
            self._batch_ready.clear()
            # What is buffered now. Records that arrive while it is sent wait for the next
            # interval or a full batch: draining until empty would, under steady traffic, send
            # one small batch per round trip to the ingestion, back to back.
            await self.flush(len(self._buffer))
        await self.flush()

    async def flush(self, count: int | None = None) -> None:
        """Send the first `count` buffered records, batch by batch; with no count, everything
        until the buffer is empty (shutdown)."""
        left = count
        while self._buffer and (left is None or left > 0):
            size = min(self.batch_size, len(self._buffer))
            if left is not None:
                size = min(size, left)
                left -= size
            self._in_flight = [self._buffer.popleft() for _ in range(size)]
            await self._send(self._in_flight)
            self._in_flight = []

    async def _send(self, batch: list[UsageRecord]) -> None:
        delay = self.backoff
        for attempt in range(1, self.max_attempts + 1):
            try:
                await self.sink.send(batch)
            except IngestionRejected as error:
                logger.error("usage batch of %d records refused: %s", len(batch), error)
                USAGE_RECORDS.labels("dropped_rejected").inc(len(batch))
                return
            except Exception as error:  # a sink's bug (not only its outage) is retried too
                if not isinstance(error, UsageSinkError):
                    logger.exception("usage sink failed unexpectedly")
                if attempt == self.max_attempts:
                    logger.error(
                        "usage batch of %d records dropped after %d attempts: %s",
                        len(batch), attempt, error,
                    )  # fmt: skip
                    USAGE_RECORDS.labels("dropped_ingestion_failed").inc(len(batch))
                    return
                logger.warning("usage ingestion failed (attempt %d): %s", attempt, error)
                await self.sleep(delay)
                delay = min(delay * 2, MAX_BACKOFF_SECONDS)
            else:
                USAGE_RECORDS.labels("sent").inc(len(batch))
                return

    async def close(self) -> None:
        """Send what is buffered, within the shutdown timeout; count what is left as dropped."""
        self._closing = True
        self._batch_ready.set()
        task = self._task if self._task is not None else asyncio.create_task(self.flush())
        done, _ = await asyncio.wait({task}, timeout=self.shutdown_timeout)
        if not done:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        left = len(self._buffer) + len(self._in_flight)
        if left:
            logger.error("usage recording stopped with %d records unsent", left)
            USAGE_RECORDS.labels("dropped_shutdown").inc(left)
            self._buffer.clear()
            self._in_flight = []
        self._task = None
        await self.sink.close()
