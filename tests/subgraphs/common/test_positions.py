"""A consumer's stored position: where it resumes on a durable bus, and never backwards."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from subgraphs.common import positions as positions_module
from subgraphs.common.app_events import AppSnapshot, follow_app_events
from subgraphs.common.clock import as_utc
from subgraphs.common.database import Database
from subgraphs.common.events import Event, EventBus, EventType, InMemoryEventBus
from subgraphs.common.migrations import upgrade
from subgraphs.installs.models import POSITIONS
from tests.subgraphs.common.test_app_events import CREATED
from tests.waiting import eventually


@pytest.fixture
async def database(make_database: Callable[[str], Awaitable[Database]]) -> Database:
    database = await make_database("installs")
    await upgrade(database, "installs")
    return database


async def test_a_restarted_consumer_reads_on_from_its_position(
    database: Database, bus: EventBus, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "subgraphs.common.positions")
    handled: list[int] = []

    async def handle(event: Event) -> None:
        handled.append(event.id)

    def run() -> asyncio.Task[None]:
        return asyncio.create_task(POSITIONS.follow(database, bus, "test", handle))

    async def stop(task: asyncio.Task[None]) -> None:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    for n in range(2):  # published before the consumer's first start: not lost
        await bus.publish(EventType.APP_UPDATED, {"n": n})
    first = run()
    await eventually(lambda: POSITIONS.stored(database, "test"), lambda stored: stored == 2)
    await stop(first)
    assert handled == [1, 2]

    await bus.publish(EventType.APP_UPDATED, {"n": 2})
    handled.clear()
    second = run()
    await eventually(lambda: POSITIONS.stored(database, "test"), lambda stored: stored == 3)
    await stop(second)
    if isinstance(bus, InMemoryEventBus):
        # Its ids start over with every process: a stored position means nothing to it.
        assert handled == [1, 2, 3]
    else:
        assert handled == [3]
    resumed_after = 0 if isinstance(bus, InMemoryEventBus) else 2
    assert [
        record.getMessage() for record in caplog.records if record.name.endswith("positions")
    ] == [
        "consumer 'test' reads the bus after event 0",
        f"consumer 'test' reads the bus after event {resumed_after}",
    ]


async def test_the_position_never_moves_backwards(database: Database) -> None:
    bus = InMemoryEventBus()
    # Replicas of one subgraph start together: both find no row, one inserts it.
    await asyncio.gather(*(POSITIONS.start_after(database, bus, "test") for _ in range(2)))
    await POSITIONS.record(database, "test", 7)
    await POSITIONS.record(database, "test", 5)  # a replica that handled an older event last
    assert await POSITIONS.stored(database, "test") == 7
    assert await POSITIONS.stored(database, "other") is None


async def follow_until(
    database: Database, bus: EventBus, consumer: str, position: int, **options: Any
) -> list[Event]:
    """Run `consumer` until its stored position reaches `position`; the events it handled."""
    handled: list[Event] = []

    async def handle(event: Event) -> None:
        handled.append(event)

    task = asyncio.create_task(POSITIONS.follow(database, bus, consumer, handle, **options))
    try:
        await eventually(lambda: POSITIONS.stored(database, consumer), lambda p: p == position)
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    return handled


async def test_consumers_keep_positions_of_their_own_and_see_only_their_types(
    database: Database, bus: EventBus
) -> None:
    await bus.publish(EventType.APP_UPDATED, {"n": 1})
    await bus.publish(EventType.REVIEW_CREATED, {"n": 2})
    # The position moves with the events it handles: those of its types.
    apps = await follow_until(database, bus, "apps", 1, types=[EventType.APP_UPDATED])
    assert [event.type for event in apps] == [EventType.APP_UPDATED]
    # Another consumer of the same database has not moved.
    assert await POSITIONS.stored(database, "reviews") is None
    reviews = await follow_until(database, bus, "reviews", 2)
    assert [event.id for event in reviews] == [1, 2]
    assert await POSITIONS.stored(database, "apps") == 1


async def test_a_consumer_that_stopped_before_any_event_misses_none(
    database: Database, bus: EventBus
) -> None:
    handled: list[int] = []

    async def handle(event: Event) -> None:
        handled.append(event.id)

    first = asyncio.create_task(POSITIONS.follow(database, bus, "early", handle))
    await eventually(lambda: POSITIONS.stored(database, "early"), lambda p: p is not None)
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    assert await POSITIONS.stored(database, "early") == 0
    await bus.publish(EventType.APP_UPDATED, {"n": 1})
    assert [event.id for event in await follow_until(database, bus, "early", 1)] == [1]


async def test_app_events_are_followed_past_a_malformed_one_and_a_failed_write(
    database: Database, bus: EventBus, caplog: pytest.LogCaptureFixture
) -> None:
    """`follow_app_events`, which every copy of the apps subgraph's state runs: one bad event or
    one failed write is logged, and the events after it are still applied."""
    caplog.set_level(logging.WARNING, logger="subgraphs.common.app_events")
    snapshot = {**CREATED.payload(), "app_id": "app_ok"}
    await bus.publish(EventType.APP_UPDATED, {"app_id": "app_broken"})  # no snapshot
    await bus.publish(EventType.APP_UPDATED, {**snapshot, "app_id": "app_fails"})
    await bus.publish(EventType.REVIEW_CREATED, {"n": 3})  # not an app event: never read
    await bus.publish(EventType.APP_PUBLISHED, snapshot)
    applied: list[tuple[str, int]] = []

    async def apply(app: AppSnapshot, event: Event) -> None:
        if app.app_id == "app_fails":
            raise RuntimeError("the database went away")
        applied.append((app.app_id, event.id))

    task = asyncio.create_task(follow_app_events(POSITIONS, database, bus, "copies", apply))
    try:
        await eventually(lambda: POSITIONS.stored(database, "copies"), lambda p: p == 4)
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert applied == [("app_ok", 4)]
    assert "Skipping malformed app.updated event 1: the payload has no 'slug'" in caplog.text
    assert "copies could not apply app.updated event 2" in caplog.text
    assert "event 3" not in caplog.text


async def test_a_recorded_position_says_when_it_moved(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    made, moved = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC)
    moments = iter([made, moved])
    monkeypatch.setattr(positions_module, "utc_now", lambda: next(moments))
    await POSITIONS.start_after(database, InMemoryEventBus(), "stamped")
    await POSITIONS.record(database, "stamped", 5)
    table = POSITIONS.table
    async with database.engine.connect() as connection:
        row = (
            await connection.execute(
                sa.select(table.c.last_event_id, table.c.updated_at).where(
                    table.c.consumer == "stamped"
                )
            )
        ).one()
    assert (row.last_event_id, as_utc(row.updated_at)) == (5, moved)
