"""App events as the apps subgraph publishes them, for the consumers' tests."""

from __future__ import annotations

from dataclasses import replace

from subgraphs.common.app_events import AppSnapshot
from subgraphs.common.events import EventBus, EventType
from subgraphs.demo.world import App


def snapshot_of(app: App, **changes: object) -> AppSnapshot:
    """The seeded app as an unchanged update would announce it, with `changes` applied."""
    unchanged = AppSnapshot(
        app_id=app.id,
        slug=app.slug,
        name=app.name,
        description=app.description,
        requested_scopes=app.requested_scopes,
        organization_id=app.organization_id,
        old_status=app.status,
        new_status=app.status,
        change="update",
    )
    return replace(unchanged, **changes)  # type: ignore[arg-type]


async def announce(bus: EventBus, type: EventType, app: AppSnapshot) -> None:
    await bus.publish(type, app.payload(), app_id=app.app_id)
