"""The local replica of the apps this subgraph must know about (`app_ref`).

Installing needs an app's status (only published apps install) and its requested scopes (the
ceiling of what may be granted); the authorization server needs its OAuth client (client id,
secret hash, redirect URIs) and what the consent page shows (name, publisher). The installs
subgraph cannot ask the apps subgraph, so it keeps a copy: seeded from the demo world, then kept
in step by `consume`, which follows the apps subgraph's events on the bus from where it stopped
(`subgraphs/common/positions.py`). Every app event carries the app's whole current state
(`AppSnapshot`), so each one simply upserts the app's row. A malformed event is logged and
skipped: a replica that stops on one bad event is worse than one that waits for the next.
"""

from __future__ import annotations

from subgraphs.common.app_events import AppSnapshot, follow_app_events
from subgraphs.common.clock import utc_now
from subgraphs.common.database import Database
from subgraphs.common.events import Event, EventBus
from subgraphs.installs.models import POSITIONS, AppReferenceRow


async def apply(database: Database, app: AppSnapshot) -> None:
    """Record the app's status, scopes and OAuth client, whether or not it was known."""
    async with database.session() as session:
        known = await session.get(AppReferenceRow, app.app_id)
        # The marketplace owns certification; keep what the replica knew.
        certification = known.certification if known is not None else "NONE"
        await session.merge(
            AppReferenceRow(
                id=app.app_id,
                status=app.new_status,
                requested_scopes=list(app.requested_scopes),
                updated_at=utc_now(),
                slug=app.slug,
                name=app.name,
                organization_id=app.organization_id,
                publisher=app.publisher,
                certification=certification,
                client_id=app.client_id or None,
                client_secret_hash=app.client_secret_hash,
                redirect_uris=list(app.redirect_uris),
            )
        )
        await session.commit()


CONSUMER = "app-replica"


async def consume(database: Database, bus: EventBus) -> None:
    """Follow the apps subgraph's events forever (the server cancels this task on shutdown)."""

    async def apply_event(app: AppSnapshot, _: Event) -> None:
        await apply(database, app)

    await follow_app_events(POSITIONS, database, bus, CONSUMER, apply_event)
