"""Which organization owns each app (`app_owner`): its members read their apps' usage.

The metrics subgraph cannot ask the apps subgraph, so it keeps this one fact per app: seeded
from the demo world, then kept in step by `consume`, which follows the apps subgraph's events
(each carries the app's whole current state) from its stored position
(`subgraphs/common/positions.py`), so an app created while this subgraph was down or starting
still gets its owner. Handling is an idempotent upsert; a malformed event is logged and skipped.
"""

from __future__ import annotations

from collections.abc import Iterable

from subgraphs.common.app_events import AppSnapshot, follow_app_events
from subgraphs.common.database import Database
from subgraphs.common.events import Event, EventBus
from subgraphs.metrics.models import POSITIONS, AppOwnerRow

CONSUMER = "app-owners"


async def record_owners(database: Database, owners: Iterable[tuple[str, str]]) -> None:
    """Upsert (app id, organization id) pairs."""
    async with database.session() as session:
        for app_id, organization_id in owners:
            await session.merge(AppOwnerRow(app_id=app_id, organization_id=organization_id))
        await session.commit()


async def consume(database: Database, bus: EventBus) -> None:
    """Follow the apps subgraph's events, from where this consumer stopped, until cancelled."""

    async def apply(app: AppSnapshot, _: Event) -> None:
        await record_owners(database, [(app.app_id, app.organization_id)])

    await follow_app_events(POSITIONS, database, bus, CONSUMER, apply)
