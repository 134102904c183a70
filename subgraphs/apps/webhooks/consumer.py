"""From the bus to the queue, resuming from a stored position.

The sender's position is a row of `webhook_cursor`. Each event is queued for the app it concerns
(its `app_id`: the app's own changes, installations, listings, reviews and usage) if the app's
endpoint takes it, and the position moves past it, in one transaction: a sender stopped at any
point resumes after the last event it queued, so no event is skipped and none is queued twice.
Several senders may read the bus at once; the cursor row is the lock that keeps each event to
one of them (`FOR UPDATE` on PostgreSQL; SQLite's one write lock), the others find it behind
the cursor and pass.

The first start of a sender records the bus's newest id: it delivers what happens from then on,
not the whole retained history. The in-memory bus numbers its events from 1 in every process, so
a sender on it starts from the bus's beginning instead (`resume=False`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from subgraphs.apps.models import AppRow, WebhookCursorRow
from subgraphs.apps.webhooks import queue
from subgraphs.apps.webhooks.endpoint import receives
from subgraphs.common.database import Database
from subgraphs.common.events import Event, EventBus

logger = logging.getLogger(__name__)

CURSORS: sa.Table = WebhookCursorRow.__table__  # type: ignore[attr-defined]
APP_COLUMNS: sa.Table = AppRow.__table__  # type: ignore[attr-defined]
DEFAULT_CONSUMER = "webhooks"


async def start_position(database: Database, bus: EventBus, consumer: str, *, resume: bool) -> int:
    """Where this sender starts reading: its stored position, or a fresh one."""
    async with database.engine.begin() as connection:
        stored = await connection.scalar(
            sa.select(CURSORS.c.last_event_id).where(CURSORS.c.consumer == consumer)
        )
        if resume and stored is not None:
            return int(stored)
        position = await bus.latest_id() if resume else 0
        if stored is None:
            await connection.execute(
                sa.insert(CURSORS).values(consumer=consumer, last_event_id=position)
            )
        else:
            await connection.execute(
                sa.update(CURSORS)
                .where(CURSORS.c.consumer == consumer)
                .values(last_event_id=position)
            )
        return position


async def _lock_position(connection: AsyncConnection, database: Database, consumer: str) -> int:
    statement = sa.select(CURSORS.c.last_event_id).where(CURSORS.c.consumer == consumer)
    if database.is_sqlite:
        await connection.execute(
            sa.update(CURSORS)
            .where(CURSORS.c.consumer == consumer)
            .values(last_event_id=CURSORS.c.last_event_id)
        )
    else:
        statement = statement.with_for_update()
    return int(await connection.scalar(statement) or 0)


async def enqueue(database: Database, event: Event, consumer: str, now: datetime) -> int:
    """Queue `event` for the endpoint that takes it and move the position past it, at once;
    how many deliveries were queued (0 for an event already behind the position)."""
    async with database.engine.begin() as connection:
        if event.id <= await _lock_position(connection, database, consumer):
            return 0
        queued = 0
        if event.app_id is not None:
            app = (
                await connection.execute(
                    sa.select(
                        APP_COLUMNS.c.webhook_url,
                        APP_COLUMNS.c.webhook_status,
                        APP_COLUMNS.c.webhook_event_types,
                        APP_COLUMNS.c.status,
                    ).where(APP_COLUMNS.c.id == event.app_id)
                )
            ).first()
            if app is not None and receives(
                app.webhook_url, app.webhook_status, app.webhook_event_types, app.status, event.type
            ):
                await connection.execute(
                    sa.insert(queue.DELIVERIES).values(
                        queue.delivery_values(
                            event.app_id,
                            event.type.value,
                            queue.event_body(event),
                            now,
                            event_id=event.id,
                        )
                    )
                )
                queued = 1
        await connection.execute(
            sa.update(CURSORS).where(CURSORS.c.consumer == consumer).values(last_event_id=event.id)
        )
    return queued


async def consume(
    database: Database,
    bus: EventBus,
    consumer: str,
    *,
    resume: bool,
    clock: Callable[[], datetime],
    on_queued: Callable[[], None],
) -> None:
    """Queue every event from the stored position on, forever."""
    position = await start_position(database, bus, consumer, resume=resume)
    logger.info("webhook sender %r reads the bus after event %d", consumer, position)
    async for event in bus.subscribe(after=position):
        if await enqueue(database, event, consumer, clock()):
            on_queued()
