"""The app owners' replica follows the apps subgraph's events from its stored position: an app
created before the consumer reads, or while it is down, still gets its owner, whose members then
read the app's usage. On each bus, in memory and Redis."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace

import pytest
from sqlmodel import select

from subgraphs.common.app_events import AppSnapshot
from subgraphs.common.database import Database
from subgraphs.common.events import EventBus, EventType
from subgraphs.metrics.models import POSITIONS, AppOwnerRow
from subgraphs.metrics.owners import CONSUMER, consume
from subgraphs.metrics.subgraph import SUBGRAPH
from tests.subgraphs.app_events import announce
from tests.subgraphs.conftest import MakeHarness
from tests.subgraphs.harness import SubgraphHarness
from tests.waiting import eventually

CREATED = AppSnapshot(
    app_id="app_owned0000001",
    slug="owned",
    name="Owned",
    description="Made while nobody listened.",
    requested_scopes=("metrics:read",),
    organization_id="org_first",
    old_status=None,
    new_status="DRAFT",
    change="create",
)


@pytest.fixture
async def metrics(make_harness: MakeHarness, bus: EventBus) -> SubgraphHarness:
    return await make_harness(SUBGRAPH, bus=bus)


@asynccontextmanager
async def following(database: Database, bus: EventBus) -> AsyncIterator[None]:
    """The consumer running, as the server's lifespan runs it, until the block ends."""
    consumer = asyncio.create_task(consume(database, bus))
    try:
        yield
    finally:
        consumer.cancel()
        with pytest.raises(asyncio.CancelledError):
            await consumer


async def owners(database: Database) -> dict[str, str]:
    async with database.session() as session:
        rows = (await session.exec(select(AppOwnerRow))).all()
    return {row.app_id: row.organization_id for row in rows}


def owned_by(app_id: str, organization_id: str) -> Callable[[dict[str, str]], bool]:
    return lambda found: found.get(app_id) == organization_id


async def test_an_app_announced_before_the_consumer_reads_gets_its_owner(
    metrics: SubgraphHarness,
) -> None:
    # Published before the consumer exists: a consumer "from now" never saw it.
    await announce(metrics.bus, EventType.APP_UPDATED, CREATED)
    last = await metrics.bus.latest_id()
    async with following(metrics.database, metrics.bus):
        await eventually(lambda: owners(metrics.database), owned_by(CREATED.app_id, "org_first"))
        await eventually(lambda: POSITIONS.stored(metrics.database, CONSUMER), lambda p: p == last)


async def test_a_restarted_consumer_learns_what_was_published_while_it_was_down(
    metrics: SubgraphHarness,
) -> None:
    async with following(metrics.database, metrics.bus):
        await announce(metrics.bus, EventType.APP_UPDATED, CREATED)
        await eventually(lambda: owners(metrics.database), owned_by(CREATED.app_id, "org_first"))
        first = await metrics.bus.latest_id()
        await eventually(lambda: POSITIONS.stored(metrics.database, CONSUMER), lambda p: p == first)
    moved = replace(CREATED, organization_id="org_second", change="update", old_status="DRAFT")
    await announce(metrics.bus, EventType.APP_UPDATED, moved)
    async with following(metrics.database, metrics.bus):
        await eventually(lambda: owners(metrics.database), owned_by(CREATED.app_id, "org_second"))
        await eventually(
            lambda: POSITIONS.stored(metrics.database, CONSUMER), lambda p: p == first + 1
        )


async def test_a_malformed_event_is_skipped_and_the_next_applied(
    metrics: SubgraphHarness, caplog: pytest.LogCaptureFixture
) -> None:
    broken = await metrics.bus.publish(
        EventType.APP_UPDATED, {"appId": "app_camel"}, app_id="app_camel"
    )
    await announce(metrics.bus, EventType.APP_PUBLISHED, CREATED)
    async with following(metrics.database, metrics.bus):
        await eventually(lambda: owners(metrics.database), owned_by(CREATED.app_id, "org_first"))
    assert "app_camel" not in await owners(metrics.database)
    assert f"Skipping malformed app.updated event {broken.id}" in caplog.text
