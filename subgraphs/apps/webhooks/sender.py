"""The webhook sender: reads the bus into the queue and sends what is due.

Two loops share one process: `consume` queues events (`consumer.py`), `deliver` claims due
deliveries in batches, sends each batch concurrently and records every attempt (`queue.py`).
A newly queued delivery wakes `deliver` at once; otherwise it looks every `poll_interval` for
retries that came due and for deliveries other processes queued (`sendTestWebhook`,
`redeliverWebhook`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx

from subgraphs.apps.models import OUTBOX
from subgraphs.apps.webhooks import consumer, health, metrics, queue
from subgraphs.apps.webhooks.destinations import DestinationGuard
from subgraphs.apps.webhooks.http import DEFAULT_TIMEOUT, Attempted, Outgoing, WebhookClient
from subgraphs.apps.webhooks.schedule import RetrySchedule
from subgraphs.common.clock import utc_now
from subgraphs.common.database import Database
from subgraphs.common.events import EventBus

logger = logging.getLogger(__name__)

PRUNE_INTERVAL = 3600.0  # seconds between two prunes of the delivery log


@dataclass(frozen=True)
class SenderConfig:
    schedule: RetrySchedule = field(default_factory=RetrySchedule)
    timeout: float = DEFAULT_TIMEOUT  # seconds per attempt
    batch_size: int = 50  # deliveries claimed (and then sent concurrently) at once
    poll_interval: float = 1.0  # seconds between looks at the queue when nothing woke us
    depth_interval: float = 5.0  # seconds between two counts of the queue for its gauge
    consumer: str = consumer.DEFAULT_CONSUMER

    @property
    def lease(self) -> timedelta:
        """How long a claim holds: twice an attempt's limit, leaving as long again to record
        it. A sender that died holding a claim delays its deliveries by this much."""
        return timedelta(seconds=self.timeout * 2)


class WebhookSender:
    def __init__(
        self,
        database: Database,
        bus: EventBus,
        *,
        guard: DestinationGuard,
        config: SenderConfig | None = None,
        clock: Callable[[], datetime] = utc_now,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.database = database
        self.bus = bus
        self.config = config or SenderConfig()
        self.clock = clock
        self.client = WebhookClient(guard, timeout=self.config.timeout, transport=transport)
        # Identifies this process's claims; a restarted sender is a new claimant.
        self.token = secrets.token_hex(8)
        self._wake = asyncio.Event()

    async def run(self, *, resume: bool = True) -> None:
        """Consume and deliver until cancelled."""
        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(self.consume(resume=resume))
                group.create_task(self.deliver())
        finally:
            await self.client.aclose()

    async def consume(self, *, resume: bool = True) -> None:
        await consumer.consume(
            self.database,
            self.bus,
            self.config.consumer,
            resume=resume,
            clock=self.clock,
            on_queued=self._wake.set,
        )

    async def deliver(self) -> None:
        """Send due deliveries forever; a failing database is logged and retried."""
        loop = asyncio.get_running_loop()
        last_prune = loop.time()
        last_count = float("-inf")
        while True:
            try:
                sent = await self.deliver_due()
                if loop.time() - last_count >= self.config.depth_interval:
                    last_count = loop.time()
                    await metrics.refresh_queue_depth(self.database)
                if loop.time() - last_prune >= PRUNE_INTERVAL:
                    last_prune = loop.time()
                    await queue.prune(self.database, self.clock())
            except Exception:
                logger.exception("the webhook sender failed a round; it tries again")
                sent = 0
            if sent:
                continue  # more may be due already
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.config.poll_interval)

    async def deliver_due(self) -> int:
        """Claim one batch of due deliveries, send them concurrently, record the attempts in one
        transaction; how many were sent."""
        claimed = await queue.claim(
            self.database,
            self.token,
            self.clock(),
            limit=self.config.batch_size,
            lease=self.config.lease,
        )
        if claimed:
            attempts = await asyncio.gather(*(self._send(delivery) for delivery in claimed))
            await self._record(list(zip(claimed, attempts, strict=True)))
        return len(claimed)

    async def _send(self, delivery: queue.Claimed) -> Attempted:
        return await self.client.send(
            Outgoing(
                message_id=delivery.id,
                url=delivery.url,
                body=delivery.body.encode(),
                secrets=delivery.secrets,
            )
        )

    async def _record(self, results: list[tuple[queue.Claimed, Attempted]]) -> None:
        now = self.clock()
        disabled: list[str] = []
        async with self.database.session() as session:
            connection = await session.connection()
            await queue.take_write_lock(connection, self.database)
            for delivery, attempted in results:
                outcome = await queue.record(
                    connection, delivery, attempted, self.token, now, self.config.schedule
                )
                if await health.note_attempt(session, delivery.app_id, attempted.succeeded, now):
                    disabled.append(delivery.app_id)
                self._log(delivery, attempted, outcome)
            await session.commit()
        for app_id in disabled:
            logger.warning("the webhook endpoint of app %s was disabled", app_id)
        if disabled:
            await OUTBOX.relay(self.database, self.bus)

    @staticmethod
    def _log(delivery: queue.Claimed, attempted: Attempted, outcome: queue.Outcome) -> None:
        metrics.count_attempt(attempted.succeeded, outcome.status)
        if not attempted.succeeded:
            logger.info(
                "webhook %s to app %s failed (%s); now %s",
                delivery.id,
                delivery.app_id,
                attempted.error,
                outcome.status,
            )
