"""The transactional outbox on SQLite and PostgreSQL: events commit with their change, go to the
bus in order, survive a failing bus, and reach it once however many relays run. What reaches the
bus is checked on each bus, in memory and Redis Streams; a failing bus is an in-memory one."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from subgraphs.apps.models import OUTBOX
from subgraphs.apps.subgraph import SUBGRAPH
from subgraphs.common import outbox as outbox_module
from subgraphs.common.clock import utc_now
from subgraphs.common.database import Database
from subgraphs.common.events import EventBus, EventType, InMemoryEventBus
from subgraphs.common.migrations import upgrade
from subgraphs.common.outbox import PUBLISHED_RETENTION, Relayed, prune, relay
from subgraphs.common.server import create_app
from tests.conftest import TEST_DATABASE_URL
from tests.subgraphs.harness import FlakyBus, published, trusting_test_issuer
from tests.waiting import eventually


@pytest.fixture
async def database(make_database: Callable[[str], Awaitable[Database]]) -> Database:
    database = await make_database("apps")
    await upgrade(database, "apps")
    return database


@pytest.fixture
async def second_process(database: Database) -> AsyncIterator[Database]:
    """Another engine on the same store, as a second server process would have."""
    if database.is_sqlite:
        other = Database(database.url)
    else:
        other = Database(TEST_DATABASE_URL, schema=database.schema)
    yield other
    await other.dispose()


async def stage(database: Database, *numbers: int) -> None:
    """Commit one transaction staging an event per number, in order."""
    async with database.session() as session:
        for number in numbers:
            await OUTBOX.add(
                session, EventType.LISTING_UPDATED, {"n": number}, app_id=f"app_{number}"
            )
        await session.commit()


async def outbox_rows(database: Database) -> list[Any]:
    async with database.engine.connect() as connection:
        table = OUTBOX.table
        return list(await connection.execute(sa.select(table).order_by(table.c.id)))


def numbers(bus: InMemoryEventBus) -> list[int]:
    return [event.payload["n"] for event in bus.published]


async def numbers_on(bus: EventBus) -> list[int]:
    return [event.payload["n"] for event in await published(bus)]


async def test_committed_events_are_published_in_order_and_once(
    database: Database, bus: EventBus
) -> None:
    await stage(database, 1, 2, 3)
    await stage(database, 4)

    assert await relay(database, bus, OUTBOX.table) == Relayed(published=4, failed=False)
    assert await numbers_on(bus) == [1, 2, 3, 4]
    first = (await published(bus))[0]
    assert (first.type, first.app_id, first.installation_id) == (
        EventType.LISTING_UPDATED,
        "app_1",
        None,
    )
    assert all(row.published_at is not None for row in await outbox_rows(database))

    assert await OUTBOX.relay(database, bus) == Relayed(published=0, failed=False)
    assert await numbers_on(bus) == [1, 2, 3, 4]


async def test_relayed_events_keep_their_installation_and_workspace(
    database: Database, bus: EventBus
) -> None:
    async with database.session() as session:
        await OUTBOX.add(
            session,
            EventType.INSTALLATION_CREATED,
            {"n": 1},
            app_id="app_1",
            installation_id="inst_1",
            workspace_id="ws_1",
        )
        await session.commit()
    await relay(database, bus, OUTBOX.table)
    (event,) = await published(bus)
    # Subscriptions and webhooks choose their recipients by these.
    assert (event.app_id, event.installation_id, event.workspace_id) == ("app_1", "inst_1", "ws_1")


async def test_a_rolled_back_transaction_publishes_nothing(database: Database) -> None:
    bus = InMemoryEventBus()
    async with database.session() as session:
        await OUTBOX.add(session, EventType.LISTING_UPDATED, {"n": 1})
        await session.rollback()  # as a validation error after staging does

    assert await OUTBOX.relay(database, bus) == Relayed(published=0, failed=False)
    assert bus.published == []
    assert await outbox_rows(database) == []


async def test_a_failing_bus_leaves_the_rest_pending_for_a_later_relay(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    bus = FlakyBus(fail_at=2)
    await stage(database, 1, 2, 3)

    with caplog.at_level(logging.WARNING, outbox_module.__name__):
        assert await OUTBOX.relay(database, bus) == Relayed(published=1, failed=True)
    assert numbers(bus) == [1]
    first, second, third = await outbox_rows(database)
    assert caplog.messages == [
        f"publishing outbox event {second.id} of outbox_event failed; it stays pending: "
        "ConnectionError('the bus is down')"
    ]
    assert first.published_at is not None
    assert (second.published_at, second.attempts) == (None, 1)
    assert second.last_error == "ConnectionError('the bus is down')"
    assert (third.published_at, third.attempts) == (None, 0)

    assert await OUTBOX.relay(database, bus) == Relayed(published=2, failed=False)
    assert numbers(bus) == [1, 2, 3]
    assert all(row.published_at is not None for row in await outbox_rows(database))


async def test_concurrent_relays_publish_each_event_once_in_order(
    database: Database, second_process: Database, bus: EventBus
) -> None:
    if isinstance(bus, InMemoryEventBus):
        bus = FlakyBus()  # yields to other tasks on every publish, as a networked bus does
    await stage(database, *range(150))

    async def stage_more() -> None:
        for start in range(150, 200, 10):
            await stage(second_process, *range(start, start + 10))
            await OUTBOX.relay(second_process, bus)

    _, *outcomes = await asyncio.gather(
        stage_more(),
        *(OUTBOX.relay(engine, bus) for engine in [database, second_process] * 3),
    )
    await OUTBOX.relay(database, bus)

    assert not any(outcome.failed for outcome in outcomes)
    assert await numbers_on(bus) == list(range(200))


async def test_the_background_relay_retries_until_the_bus_is_back(database: Database) -> None:
    bus = FlakyBus(down=True)
    await stage(database, 1, 2)
    running = asyncio.create_task(OUTBOX.run(database, bus, interval=0.01, max_backoff=0.05))
    try:
        await eventually(lambda: bus.calls >= 3)  # a few failed rounds
        assert bus.published == []
        bus.down = False
        await eventually(lambda: len(bus.published) == 2)
    finally:
        running.cancel()
        with pytest.raises(asyncio.CancelledError):
            await running
    assert numbers(bus) == [1, 2]
    first, second = await outbox_rows(database)
    # The third call may see the bus back up: it counts itself before checking.
    assert first.attempts >= 2
    assert second.attempts == 0  # nothing overtook the first, so nothing tried the second


async def test_a_served_subgraph_relays_what_a_previous_process_left_pending(
    database: Database, bus: EventBus
) -> None:
    await stage(database, 1, 2)  # committed by a process that died before relaying
    app = create_app(SUBGRAPH, database, bus, trusting_test_issuer())
    async with app.router.lifespan_context(app):
        await eventually(bus.latest_id, lambda latest: latest == 2)
    assert await numbers_on(bus) == [1, 2]


async def test_events_carry_the_time_their_change_committed(
    database: Database, bus: EventBus
) -> None:
    await stage(database, 1)
    async with database.engine.begin() as connection:
        await connection.execute(
            sa.update(OUTBOX.table).values(created_at=datetime(2026, 1, 2, 3, 4, tzinfo=UTC))
        )
    await relay(database, bus, OUTBOX.table)
    # Relayed (much) later, the event still says when it happened.
    assert (await published(bus))[0].occurred_at == datetime(2026, 1, 2, 3, 4, tzinfo=UTC)


async def test_prune_deletes_only_long_published_events(database: Database) -> None:
    await stage(database, 1, 2, 3)
    await relay(database, InMemoryEventBus(), OUTBOX.table)
    await stage(database, 4)  # pending
    table = OUTBOX.table
    async with database.engine.begin() as connection:
        await connection.execute(
            sa.update(table)
            .where(table.c.id == 1)
            .values(published_at=utc_now() - PUBLISHED_RETENTION - timedelta(hours=1))
        )

    assert await prune(database, table) == 1
    assert [row.payload["n"] for row in await outbox_rows(database)] == [2, 3, 4]
    assert await prune(database, table) == 0  # nothing old is left


async def test_prune_keeps_an_event_published_exactly_the_retention_ago(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    monkeypatch.setattr(outbox_module, "utc_now", lambda: now)
    await stage(database, 1, 2)
    await relay(database, InMemoryEventBus(), OUTBOX.table)
    table = OUTBOX.table
    cutoff = now - PUBLISHED_RETENTION
    async with database.engine.begin() as connection:
        for row_id, published_at in ((1, cutoff - timedelta(microseconds=1)), (2, cutoff)):
            await connection.execute(
                sa.update(table).where(table.c.id == row_id).values(published_at=published_at)
            )

    assert await prune(database, table) == 1
    assert [row.payload["n"] for row in await outbox_rows(database)] == [2]


class Finished(Exception):
    """Ends a background relay after the rounds a test wanted."""


class Schedule:
    """The background relay's time, moved by the test: each wait is recorded and moves the
    clock by as much, `between(waits so far)` runs before the next round, and the relay ends
    after `rounds` waits."""

    def __init__(self, rounds: int, between: Callable[[int], None] = lambda _waits: None) -> None:
        self.rounds = rounds
        self.between = between
        self.now = 0.0
        self.waits: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds
        if len(self.waits) == self.rounds:
            raise Finished
        self.between(len(self.waits))
        await asyncio.sleep(0)


async def test_the_background_relay_doubles_its_wait_while_the_bus_fails_up_to_a_minute(
    database: Database,
) -> None:
    bus = FlakyBus(down=True)
    await stage(database, 1)

    def between(waits: int) -> None:
        bus.down = waits < 7  # seven failed rounds, then the bus is back

    schedule = Schedule(rounds=9, between=between)
    with pytest.raises(Finished):
        await OUTBOX.run(database, bus, clock=schedule.clock, sleep=schedule.sleep)
    # From the one-second interval, doubled after each failure up to the 60-second backoff;
    # the interval again once a round goes through.
    assert schedule.waits == [2, 4, 8, 16, 32, 60, 60, 1, 1]
    assert numbers(bus) == [1]


async def test_the_background_relay_prunes_once_an_hour_even_after_a_failed_prune(
    database: Database, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    schedule = Schedule(rounds=5)  # rounds at 0, 30, 60, 90 and 120 minutes
    pruned_at: list[float] = []

    async def pruning(database: Database, table: sa.Table) -> int:
        pruned_at.append(schedule.now)
        if len(pruned_at) == 1:
            raise ConnectionError("the database went away")
        return await prune(database, table)

    monkeypatch.setattr(outbox_module, "prune", pruning)
    await stage(database, 1)
    await relay(database, InMemoryEventBus(), OUTBOX.table)
    async with database.engine.begin() as connection:
        await connection.execute(
            sa.update(OUTBOX.table).values(
                published_at=utc_now() - PUBLISHED_RETENTION - timedelta(hours=1)
            )
        )

    with pytest.raises(Finished):
        await OUTBOX.run(
            database, InMemoryEventBus(), interval=1800, clock=schedule.clock, sleep=schedule.sleep
        )
    # The failed prune still counts as the hour's: the next one comes an hour later.
    assert pruned_at == [3600, 7200]
    assert [
        record.getMessage() for record in caplog.records if record.name == outbox_module.__name__
    ] == ["pruning outbox_event failed; it is tried again later"]
    assert await outbox_rows(database) == []


class FailingEngine:
    """An engine whose transactions fail once `works` of them have begun, as when the database
    goes away between two batches."""

    def __init__(self, engine: Any, works: int) -> None:
        self.engine = engine
        self.works = works

    def begin(self) -> Any:
        if self.works == 0:
            raise ConnectionError("the database went away")
        self.works -= 1
        return self.engine.begin()


async def test_a_relay_whose_database_fails_answers_what_it_published_and_leaves_the_rest(
    database: Database, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    bus = InMemoryEventBus()
    await stage(database, 1, 2, 3)
    engine = database.engine
    monkeypatch.setattr(database, "engine", FailingEngine(engine, works=1))

    assert await relay(database, bus, OUTBOX.table, batch_size=2) == Relayed(
        published=2, failed=True
    )
    assert numbers(bus) == [1, 2]
    assert [
        (record.levelno, record.getMessage())
        for record in caplog.records
        if record.name == outbox_module.__name__
    ] == [(logging.ERROR, "the outbox relay of outbox_event failed; its events stay pending")]
    monkeypatch.setattr(database, "engine", engine)
    assert [row.published_at is None for row in await outbox_rows(database)] == [
        False,
        False,
        True,
    ]
