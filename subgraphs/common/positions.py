"""Where a subgraph's consumer of the bus stopped, so a restarted one resumes there.

A consumer that subscribed "from now" missed every event published while it was not reading:
before its server started, during a restart, or between the outbox relay's first publication and
its own subscription. Instead, each consumer keeps its position (the id of the last event it
handled) in a `consumer_position` row of its subgraph's own database, and reads the bus after it.

- On a durable bus (Redis Streams) a consumer resumes after its stored position; one that has
  none yet reads the stream from its beginning. The events it replays are snapshots applied as
  upserts (`subgraphs/common/app_events.py`), so reading one twice is harmless.
- The in-memory bus starts over, numbering from 1, in every process: a stored position names an
  event of another process. A consumer on it reads from the bus's beginning, which is this
  process's start, so it sees even what was published before it subscribed.

The position moves after an event is handled (at least once): a consumer stopped between the two
handles that event again when it resumes.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable, Collection

import sqlalchemy as sa

from subgraphs.common.clock import utc_now
from subgraphs.common.database import Database
from subgraphs.common.events import Event, EventBus, EventType, InMemoryEventBus

logger = logging.getLogger(__name__)

TABLE_NAME = "consumer_position"


def position_table(metadata: sa.MetaData) -> sa.Table:
    """The `consumer_position` table, declared in a subgraph's own metadata (and migrations)."""
    return sa.Table(
        TABLE_NAME,
        metadata,
        sa.Column("consumer", sa.String(64), primary_key=True),
        sa.Column("last_event_id", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


class ConsumerPositions:
    """One subgraph's stored positions: read where to start, record what was handled."""

    def __init__(self, metadata: sa.MetaData) -> None:
        self.table = position_table(metadata)

    async def stored(self, database: Database, consumer: str) -> int | None:
        async with database.engine.connect() as connection:
            value = await connection.scalar(
                sa.select(self.table.c.last_event_id).where(self.table.c.consumer == consumer)
            )
        return None if value is None else int(value)

    async def start_after(self, database: Database, bus: EventBus, consumer: str) -> int:
        """The id to read the bus after: the stored position on a durable bus, else 0. Makes
        the consumer's row (at 0) if it has none, so `record` only ever updates it."""
        stored = await self.stored(database, consumer)
        if stored is None:
            # Replicas of one subgraph may start together: the one that loses the race to
            # insert finds the row made and goes on.
            with contextlib.suppress(sa.exc.IntegrityError):
                async with database.engine.begin() as connection:
                    await connection.execute(
                        sa.insert(self.table).values(
                            consumer=consumer, last_event_id=0, updated_at=utc_now()
                        )
                    )
        if isinstance(bus, InMemoryEventBus):
            return 0
        return stored or 0

    async def record(self, database: Database, consumer: str, event_id: int) -> None:
        """Move the position to `event_id`; never backwards (a replica of the subgraph that
        reads the same bus on the same database may have recorded a later event already)."""
        table = self.table
        async with database.engine.begin() as connection:
            await connection.execute(
                sa.update(table)
                .where(table.c.consumer == consumer, table.c.last_event_id < event_id)
                .values(last_event_id=event_id, updated_at=utc_now())
            )

    async def follow(
        self,
        database: Database,
        bus: EventBus,
        consumer: str,
        handle: Callable[[Event], Awaitable[None]],
        *,
        types: Collection[EventType] | None = None,
    ) -> None:
        """Handle each event after the stored position, recording it once handled; forever."""
        after = await self.start_after(database, bus, consumer)
        logger.info("consumer %r reads the bus after event %d", consumer, after)
        async for event in bus.subscribe(types=types, after=after):
            await handle(event)
            await self.record(database, consumer, event.id)
