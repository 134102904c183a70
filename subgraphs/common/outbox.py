"""The transactional outbox: an event commits with the change it announces, then goes to the bus.

A mutation stages its events in its own transaction (`Outbox.add`), in the subgraph's
`outbox_event` table, so the change and its events commit or roll back together. Right after the
commit the mutation calls `relay`, which publishes the pending rows in id order and marks them
published; consumers see the event as soon as before. A bus that fails (Redis down) is logged and
leaves the row pending: the mutation still answers with its committed result, and the relay
that each server runs in the background (`Outbox.run`, started by `create_app`) retries with
backoff.

Guarantees:

- **At least once.** A relay that dies between publishing and committing `published_at`
  publishes those rows again; consumers are idempotent upserts, so a repeat is harmless.
- **In order.** Rows go out in id order, and a failed row stops the batch, so nothing overtakes
  it. `add` flushes the change before inserting the event, so a change to a row takes the row's
  lock before its event takes an id: two changes to one row commit in the order of their ids.
- **Bounded.** Published rows are kept for `PUBLISHED_RETENTION` (a window for looking into
  what went out), then the background relay deletes them (`prune`).
- **One relay per row, however many run** (replicas of a server on one PostgreSQL). A relay
  locks the pending rows with `FOR UPDATE SKIP LOCKED`; one that finds older rows held by
  another backs off rather than overtake them, since the holder keeps going until nothing is
  pending (and so also publishes what the other skipped). On SQLite a relay takes the
  database's one write lock first, so relays run one after the other and the later one finds
  the rows published. A failed row blocks the ones after it until it goes through.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel.ext.asyncio.session import AsyncSession

from subgraphs.common.clock import as_utc, utc_now
from subgraphs.common.database import Database
from subgraphs.common.events import EventBus, EventType

logger = logging.getLogger(__name__)

TABLE_NAME = "outbox_event"
BATCH_SIZE = 100
RETRY_INTERVAL = 1.0  # seconds between background rounds while the bus works
MAX_BACKOFF = 60.0  # seconds: the longest wait after repeated failures
MAX_ERROR_LENGTH = 1000
PUBLISHED_RETENTION = timedelta(days=7)
PRUNE_INTERVAL = 3600.0  # seconds between two prunes by the background relay
_PENDING = sa.text("published_at IS NULL")


def outbox_table(metadata: sa.MetaData) -> sa.Table:
    """The `outbox_event` table, declared in a subgraph's own metadata (and so its migrations)."""
    return sa.Table(
        TABLE_NAME,
        metadata,
        # The id orders the events: they are published in id order.
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("app_id", sa.String(64), nullable=True),
        sa.Column("installation_id", sa.String(64), nullable=True),
        sa.Column("workspace_id", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False, default=0),
        sa.Column("last_error", sa.Text, nullable=True),
        # Relays only ever look for pending rows, oldest first.
        sa.Index("ix_outbox_event_pending", "id", sqlite_where=_PENDING, postgresql_where=_PENDING),
    )


@dataclass(frozen=True)
class Relayed:
    """What one `relay` call did."""

    published: int
    failed: bool  # a publish (or the database) failed; the rows left wait for the next round


async def relay(
    database: Database, bus: EventBus, table: sa.Table, *, batch_size: int = BATCH_SIZE
) -> Relayed:
    """Publish the pending events in id order and mark them published, until none is left.

    Never raises (but for cancellation): a failure is logged and the rows stay pending.
    """
    published = 0
    try:
        while True:
            batch = await _relay_batch(database, bus, table, batch_size)
            published += batch.published
            if batch.failed or batch.published == 0:
                return Relayed(published=published, failed=batch.failed)
    except Exception:
        logger.exception("the outbox relay of %s failed; its events stay pending", table.name)
        return Relayed(published=published, failed=True)


async def _relay_batch(
    database: Database, bus: EventBus, table: sa.Table, batch_size: int
) -> Relayed:
    async with database.engine.begin() as connection:
        rows = await _claim(connection, database, table, batch_size)
        done: list[int] = []
        failure: tuple[int, Exception] | None = None
        for row in rows:
            try:
                await bus.publish(
                    EventType(row.type),
                    row.payload,
                    app_id=row.app_id,
                    installation_id=row.installation_id,
                    workspace_id=row.workspace_id,
                    occurred_at=as_utc(row.created_at),
                )
            except Exception as error:  # the bus is down, or the row is not an event
                failure = (row.id, error)
                break
            done.append(row.id)
        if done:
            await connection.execute(
                sa.update(table).where(table.c.id.in_(done)).values(published_at=utc_now())
            )
        if failure is not None:
            row_id, error = failure
            logger.warning(
                "publishing outbox event %s of %s failed; it stays pending: %r",
                row_id,
                table.name,
                error,
            )
            await connection.execute(
                sa.update(table)
                .where(table.c.id == row_id)
                .values(attempts=table.c.attempts + 1, last_error=repr(error)[:MAX_ERROR_LENGTH])
            )
    return Relayed(published=len(done), failed=failure is not None)


async def _claim(
    connection: AsyncConnection, database: Database, table: sa.Table, batch_size: int
) -> list[Any]:
    """The oldest pending rows, held by this relay until its transaction ends; none when another
    relay holds older ones (it will publish these after them)."""
    pending = sa.select(table).where(table.c.published_at.is_(None))
    if database.is_sqlite:
        # pysqlite begins a transaction at the first write, and in WAL mode a transaction that
        # has read cannot always upgrade to writing. Writing first (nothing) takes SQLite's one
        # write lock now: a second relay waits for it (busy_timeout) and then sees these rows
        # published.
        await connection.execute(
            sa.update(table).where(table.c.id < 0).values(attempts=table.c.attempts)
        )
        return list(await connection.execute(pending.order_by(table.c.id).limit(batch_size)))
    locked = pending.order_by(table.c.id).limit(batch_size).with_for_update(skip_locked=True)
    rows = list(await connection.execute(locked))
    if rows:
        oldest = await connection.scalar(
            sa.select(sa.func.min(table.c.id)).where(table.c.published_at.is_(None))
        )
        if oldest is not None and oldest < rows[0].id:
            return []  # another relay holds older events; publishing ours now would reorder
    return rows


async def prune(
    database: Database, table: sa.Table, *, older_than: timedelta = PUBLISHED_RETENTION
) -> int:
    """Delete events published more than `older_than` ago; pending ones always stay."""
    cutoff = utc_now() - older_than
    async with database.engine.begin() as connection:
        result = await connection.execute(
            sa.delete(table).where(table.c.published_at.is_not(None), table.c.published_at < cutoff)
        )
    return int(result.rowcount or 0)


class Outbox:
    """One subgraph's outbox: its table, and the ways in (`add`) and out (`relay`, `run`)."""

    def __init__(self, metadata: sa.MetaData) -> None:
        self.table = outbox_table(metadata)

    async def add(
        self,
        session: AsyncSession,
        type: EventType,
        payload: dict[str, Any],
        *,
        app_id: str | None = None,
        installation_id: str | None = None,
        workspace_id: str | None = None,
    ) -> None:
        """Stage an event in `session`'s transaction: it is published once that commits."""
        # Flushing first makes the change take its row locks before the event takes its id.
        await session.flush()
        connection = await session.connection()
        await connection.execute(
            sa.insert(self.table).values(
                type=type.value,
                payload=payload,
                app_id=app_id,
                installation_id=installation_id,
                workspace_id=workspace_id,
                created_at=utc_now(),
                attempts=0,
            )
        )

    async def relay(self, database: Database, bus: EventBus) -> Relayed:
        """Publish what is pending; call it after committing a change that staged events."""
        return await relay(database, bus, self.table)

    async def run(
        self,
        database: Database,
        bus: EventBus,
        *,
        interval: float = RETRY_INTERVAL,
        max_backoff: float = MAX_BACKOFF,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        """Relay forever: every `interval` seconds, backing off (doubling) while the bus fails.
        Catches what a mutation's own relay left behind, and events of a process that died;
        prunes old published rows every `PRUNE_INTERVAL` seconds of `clock`. Its waits are
        `sleep`'s (a test runs the schedule on a clock it moves itself)."""
        delay = interval
        last_prune = clock()
        while True:
            outcome = await self.relay(database, bus)
            delay = min(delay * 2, max_backoff) if outcome.failed else interval
            if clock() - last_prune >= PRUNE_INTERVAL:
                last_prune = clock()
                try:
                    await prune(database, self.table)
                except Exception:
                    logger.exception("pruning %s failed; it is tried again later", self.table.name)
            await sleep(delay)
