"""The app replica follows the apps subgraph's events, and installs obey what it learned."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from subgraphs.common.app_events import AppSnapshot
from subgraphs.common.database import Database
from subgraphs.common.events import EventBus, EventType
from subgraphs.demo.world import World
from subgraphs.installs.app_replica import consume
from subgraphs.installs.models import POSITIONS, AppReferenceRow
from subgraphs.installs.subgraph import SUBGRAPH
from tests.subgraphs.app_events import announce, snapshot_of
from tests.subgraphs.conftest import MakeHarness
from tests.subgraphs.harness import SubgraphHarness
from tests.subgraphs.installs.conftest import ADMIN
from tests.subgraphs.installs.operations import INSTALL
from tests.waiting import eventually

FRESH = AppSnapshot(
    app_id="app_new000000001",
    slug="fresh",
    name="Fresh",
    description="Just made.",
    requested_scopes=("apps:read", "metrics:read"),
    organization_id="org_fresh",
    old_status=None,
    new_status="DRAFT",
    change="create",
)


@pytest.fixture
async def installs(make_harness: MakeHarness, bus: EventBus) -> SubgraphHarness:
    """The seeded subgraph on each bus, in memory and Redis."""
    return await make_harness(SUBGRAPH, seed=True, bus=bus)


@pytest.fixture
async def replica(installs: SubgraphHarness) -> AsyncIterator[EventBus]:
    """The harness's bus with the consumer following it, as the server's lifespan runs it.
    Events published before it reads are not lost: it reads after its stored position."""
    bus = installs.bus
    consumer = asyncio.create_task(consume(installs.database, bus))
    yield bus
    consumer.cancel()
    with pytest.raises(asyncio.CancelledError):
        await consumer


async def app_ref(database: Database, app_id: str) -> AppReferenceRow | None:
    async with database.session() as session:
        return await session.get(AppReferenceRow, app_id)


async def test_a_created_then_published_app_becomes_installable(
    installs: SubgraphHarness, replica: EventBus, demo: World
) -> None:
    app_id = FRESH.app_id
    await announce(replica, EventType.APP_UPDATED, FRESH)

    async def known() -> bool:
        return await app_ref(installs.database, app_id) is not None

    await eventually(known, seconds=2.0)
    install = {
        "input": {"appId": app_id, "workspaceId": demo.workspaces[0].id, "scopes": ["metrics:read"]}
    }
    draft = await installs.errors(INSTALL, install, principal=ADMIN)
    assert draft[0]["extensions"]["code"] == "INVALID_STATE_TRANSITION"

    published = replace(FRESH, old_status="IN_REVIEW", new_status="PUBLISHED", change="publish")
    await announce(replica, EventType.APP_PUBLISHED, published)

    async def installable() -> bool:
        row = await app_ref(installs.database, app_id)
        return row is not None and row.status == "PUBLISHED"

    await eventually(installable, seconds=2.0)
    data = await installs.data(INSTALL, install, principal=ADMIN)
    assert data["installApp"]["grantedScopes"] == ["metrics:read"]


async def test_status_and_scope_changes_of_known_apps(
    installs: SubgraphHarness, replica: EventBus, demo: World
) -> None:
    app = next(a for a in demo.apps if a.status == "PUBLISHED")
    rescoped = snapshot_of(app, requested_scopes=("events:subscribe",))
    await announce(replica, EventType.APP_UPDATED, rescoped)
    suspended = replace(rescoped, new_status="SUSPENDED", change="suspend")
    await announce(replica, EventType.APP_STATUS_CHANGED, suspended)

    async def is_suspended() -> bool:
        row = await app_ref(installs.database, app.id)
        return row is not None and row.status == "SUSPENDED"

    await eventually(is_suspended, seconds=2.0)
    row = await app_ref(installs.database, app.id)
    assert row is not None
    assert row.requested_scopes == ["events:subscribe"]


async def test_malformed_events_are_logged_and_skipped(
    installs: SubgraphHarness,
    replica: EventBus,
    demo: World,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="subgraphs.common.app_events")
    camel_case = await replica.publish(
        EventType.APP_UPDATED,
        {"appId": "app_camel", "newStatus": "DRAFT", "requestedScopes": ["apps:read"]},
        app_id="app_camel",
    )
    text_scopes = replace(FRESH, app_id="app_text").payload() | {"requested_scopes": "apps:read"}
    wrong_type = await replica.publish(EventType.APP_UPDATED, text_scopes, app_id="app_text")
    # Not an app event at all: the consumer does not even see it.
    not_an_app = replace(FRESH, app_id="app_not_an_app")
    await announce(replica, EventType.INSTALLATION_REMOVED, not_an_app)
    known = demo.apps[0]
    await announce(replica, EventType.APP_DEPRECATED, snapshot_of(known, new_status="DEPRECATED"))

    async def deprecated() -> bool:
        row = await app_ref(installs.database, known.id)
        return row is not None and row.status == "DEPRECATED"

    await eventually(deprecated, seconds=2.0)
    for skipped in ("app_camel", "app_text", "app_not_an_app"):
        assert await app_ref(installs.database, skipped) is None
    assert f"event {camel_case.id}: the payload has no 'app_id'" in caplog.text
    assert f"event {wrong_type.id}: 'requested_scopes' has the wrong type" in caplog.text


async def test_a_restarted_replica_learns_what_was_published_while_it_was_down(
    installs: SubgraphHarness, bus: EventBus, demo: World
) -> None:
    first_run = asyncio.create_task(consume(installs.database, bus))
    created = await bus.publish(EventType.APP_UPDATED, FRESH.payload(), app_id=FRESH.app_id)

    async def position() -> int | None:
        return await POSITIONS.stored(installs.database, "app-replica")

    await eventually(position, lambda stored: stored == created.id)
    first_run.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first_run

    published = replace(FRESH, old_status="IN_REVIEW", new_status="PUBLISHED", change="publish")
    await announce(bus, EventType.APP_PUBLISHED, published)  # while no replica reads
    second_run = asyncio.create_task(consume(installs.database, bus))
    try:

        async def installable() -> bool:
            row = await app_ref(installs.database, FRESH.app_id)
            return row is not None and row.status == "PUBLISHED"

        await eventually(installable, seconds=2.0)
        await eventually(position, lambda stored: stored == created.id + 1)
    finally:
        second_run.cancel()
        with pytest.raises(asyncio.CancelledError):
            await second_run
    install = {
        "input": {
            "appId": FRESH.app_id,
            "workspaceId": demo.workspaces[0].id,
            "scopes": ["metrics:read"],
        }
    }
    data = await installs.data(INSTALL, install, principal=ADMIN)
    assert data["installApp"]["grantedScopes"] == ["metrics:read"]
