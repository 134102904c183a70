"""The app replica follows the apps subgraph's events, and installs obey what it learned."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime

import pytest

from subgraphs.common.database import Database
from subgraphs.common.events import Event, EventType, InMemoryEventBus
from subgraphs.demo.world import World
from subgraphs.installs.app_replica import AppChange, consume
from subgraphs.installs.models import AppReferenceRow
from tests.subgraphs.harness import SubgraphHarness
from tests.subgraphs.installs.conftest import ADMIN
from tests.subgraphs.installs.operations import INSTALL


@pytest.fixture
async def replica(installs: SubgraphHarness) -> AsyncIterator[InMemoryEventBus]:
    """The harness's bus with the consumer following it, as the server's lifespan runs it."""
    bus = installs.bus
    consumer = asyncio.create_task(consume(installs.database, bus))
    await asyncio.sleep(0)  # let it subscribe before anything is published
    yield bus
    consumer.cancel()
    with pytest.raises(asyncio.CancelledError):
        await consumer


async def app_ref(database: Database, app_id: str) -> AppReferenceRow | None:
    async with database.session() as session:
        return await session.get(AppReferenceRow, app_id)


async def eventually(check: Callable[[], Awaitable[bool]]) -> None:
    """The consumer runs beside the test; wait (briefly) until it has caught up."""
    for _ in range(200):
        if await check():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the replica never caught up")


async def test_a_created_then_published_app_becomes_installable(
    installs: SubgraphHarness, replica: InMemoryEventBus, demo: World
) -> None:
    app_id = "app_new000000001"
    await replica.publish(
        EventType.APP_UPDATED,
        {
            "app_id": app_id,
            "slug": "fresh",
            "old_status": None,
            "new_status": "DRAFT",
            "change": "create",
            "requested_scopes": ["apps:read", "metrics:read"],
        },
        app_id=app_id,
    )

    async def known() -> bool:
        return await app_ref(installs.database, app_id) is not None

    await eventually(known)
    install = {
        "input": {"appId": app_id, "workspaceId": demo.workspaces[0].id, "scopes": ["metrics:read"]}
    }
    draft = await installs.errors(INSTALL, install, principal=ADMIN)
    assert draft[0]["extensions"]["code"] == "INVALID_STATE_TRANSITION"

    await replica.publish(
        EventType.APP_PUBLISHED,
        {"app_id": app_id, "slug": "fresh", "old_status": "IN_REVIEW", "new_status": "PUBLISHED"},
        app_id=app_id,
    )

    async def published() -> bool:
        row = await app_ref(installs.database, app_id)
        return row is not None and row.status == "PUBLISHED"

    await eventually(published)
    data = await installs.data(INSTALL, install, principal=ADMIN)
    assert data["installApp"]["grantedScopes"] == ["metrics:read"]


async def test_status_and_scope_changes_of_known_apps(
    installs: SubgraphHarness, replica: InMemoryEventBus, demo: World
) -> None:
    app = next(a for a in demo.apps if a.status == "PUBLISHED")
    await replica.publish(
        EventType.APP_UPDATED,
        {
            "app_id": app.id,
            "new_status": "PUBLISHED",
            "change": "update",
            "requested_scopes": ["events:subscribe"],
        },
        app_id=app.id,
    )
    await replica.publish(
        EventType.APP_STATUS_CHANGED,
        {"appId": app.id, "oldStatus": "PUBLISHED", "newStatus": "SUSPENDED"},
    )

    async def suspended() -> bool:
        row = await app_ref(installs.database, app.id)
        return row is not None and row.status == "SUSPENDED"

    await eventually(suspended)
    row = await app_ref(installs.database, app.id)
    assert row is not None
    assert row.requested_scopes == ["events:subscribe"]


async def test_unknown_apps_without_scopes_and_events_without_apps_are_ignored(
    installs: SubgraphHarness, replica: InMemoryEventBus, demo: World
) -> None:
    known = demo.apps[0]
    await replica.publish(EventType.APP_DEPRECATED, {"app_id": "app_never_seen"})
    await replica.publish(EventType.APP_STATUS_CHANGED, {"slug": "no-id", "new_status": "REMOVED"})
    # Not an app event at all: the consumer does not even see it.
    await replica.publish(EventType.INSTALLATION_REMOVED, {"app_id": known.id, "status": "X"})
    await replica.publish(EventType.APP_DEPRECATED, {"app_id": known.id}, app_id=known.id)

    async def deprecated() -> bool:
        row = await app_ref(installs.database, known.id)
        return row is not None and row.status == "DEPRECATED"

    await eventually(deprecated)
    assert await app_ref(installs.database, "app_never_seen") is None


def event(type: EventType, payload: dict[str, object], app_id: str | None = None) -> Event:
    return Event(id=1, type=type, occurred_at=datetime.now(UTC), payload=payload, app_id=app_id)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (
            event(EventType.APP_PUBLISHED, {"slug": "x"}, app_id="app_1"),
            AppChange("app_1", "PUBLISHED", None),
        ),
        (
            event(
                EventType.APP_UPDATED,
                {"app": {"id": "app_2", "status": "draft", "requestedScopes": ["apps:read"]}},
            ),
            AppChange("app_2", "DRAFT", ["apps:read"]),
        ),
        (
            event(
                EventType.APP_STATUS_CHANGED,
                {
                    "app_id": "app_3",
                    "old_status": "PUBLISHED",
                    "new_status": "REMOVED",
                    "scopes": "apps:read",
                },
            ),
            AppChange("app_3", "REMOVED", None),
        ),
        (event(EventType.APP_UPDATED, {"slug": "no-id"}), None),
    ],
)
def test_payloads_are_read_leniently(given: Event, expected: AppChange | None) -> None:
    assert AppChange.of(given) == expected
