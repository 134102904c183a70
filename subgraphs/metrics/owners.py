"""Which organization owns each app (`app_owner`): its members read their apps' usage.

The metrics subgraph cannot ask the apps subgraph, so it keeps this one fact per app: seeded
from the demo world, then kept in step by `consume`, which follows the apps subgraph's events
(each carries the app's whole current state) from its stored position
(`subgraphs/common/positions.py`), so an app created while this subgraph was down or starting
still gets its owner. Handling is an idempotent upsert; a malformed event is logged and skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from subgraphs.common.app_events import APP_EVENTS, AppSnapshot, MalformedAppEvent
from subgraphs.common.database import Database
from subgraphs.common.events import Event, EventBus
from subgraphs.metrics.models import POSITIONS, AppOwnerRow

logger = logging.getLogger(__name__)

CONSUMER = "app-owners"


async def record_owners(database: Database, owners: Iterable[tuple[str, str]]) -> None:
    """Upsert (app id, organization id) pairs."""
    async with database.session() as session:
        for app_id, organization_id in owners:
            await session.merge(AppOwnerRow(app_id=app_id, organization_id=organization_id))
        await session.commit()


async def consume(database: Database, bus: EventBus) -> None:
    """Follow the apps subgraph's events, from where this consumer stopped, until cancelled."""
    await POSITIONS.follow(
        database, bus, CONSUMER, lambda event: handle(database, event), types=APP_EVENTS
    )


async def handle(database: Database, event: Event) -> None:
    try:
        app = AppSnapshot.of(event)
    except MalformedAppEvent as error:
        logger.warning("Skipping malformed %s event %s: %s", event.type, event.id, error)
        return
    try:
        await record_owners(database, [(app.app_id, app.organization_id)])
    except Exception:
        # One failed write must not stop the replica from following the other events.
        logger.exception("Could not apply %s event %s", event.type, event.id)
