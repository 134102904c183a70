"""Keeps listings in step with the apps subgraph's events.

The marketplace never asks apps for an app's state: it listens. `app.published` creates the
listing of a newly published app (from the event's name and slug) or shows an existing one
again; `app.deprecated` and status changes hide it; `app.updated` refreshes the name and slug
that search and URLs use. Every app event carries the app's current state (`app_id`, `name`,
`slug`, `description`, `organization_id`, `new_status`), so handling is idempotent and replaying
an event is harmless.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from sqlmodel import col, select

from subgraphs.common.database import Database
from subgraphs.common.events import Event, EventBus, EventType
from subgraphs.marketplace import search
from subgraphs.marketplace.models import PUBLISHED, ListingRow, listing_id_for
from subgraphs.marketplace.types import CertificationState, PricingModel

logger = logging.getLogger(__name__)

APP_EVENTS = (
    EventType.APP_PUBLISHED,
    EventType.APP_DEPRECATED,
    EventType.APP_STATUS_CHANGED,
    EventType.APP_UPDATED,
)
STATUS_OF_EVENT = {EventType.APP_PUBLISHED: PUBLISHED, EventType.APP_DEPRECATED: "DEPRECATED"}


async def consume(database: Database, bus: EventBus) -> None:
    """Apply app events as they arrive, until cancelled."""
    async for event in bus.subscribe(types=APP_EVENTS):
        try:
            await apply(database, event)
        except Exception:
            # One malformed event must not stop the listings from following the others.
            logger.exception("could not apply event %s (%s)", event.id, event.type)


async def apply(database: Database, event: Event) -> None:
    payload = event.payload
    app_id = event.app_id or _first(payload, "app_id", "appId", "id")
    if app_id is None:
        logger.warning("event %s (%s) names no app; ignored", event.id, event.type)
        return
    status = STATUS_OF_EVENT.get(event.type) or _first(payload, "new_status", "status")
    async with database.session() as session:
        statement = select(ListingRow).where(col(ListingRow.app_id) == app_id)
        listing = (await session.exec(statement)).first()
        if listing is None:
            if status != PUBLISHED:
                return  # An app that was never published has no listing to update.
            listing = _new_listing(app_id, payload, event.occurred_at)
        name = _first(payload, "name")
        slug = _first(payload, "slug")
        listing.app_name = name or listing.app_name
        listing.app_slug = slug or listing.app_slug
        listing.organization_id = (
            _first(payload, "organization_id", "organizationId") or listing.organization_id
        )
        if status:
            listing.app_status = status
        listing.search_name = search.normalize(listing.app_name)
        listing.search_document = search.document(
            listing.app_name, listing.app_slug, listing.tagline, listing.description
        )
        listing.updated_at = datetime.now(UTC)
        session.add(listing)
        await session.commit()


def _new_listing(app_id: str, payload: dict[str, Any], occurred_at: datetime) -> ListingRow:
    name = _first(payload, "name") or app_id
    return ListingRow(
        id=listing_id_for(app_id),
        app_id=app_id,
        app_slug=_first(payload, "slug") or app_id,
        app_name=name,
        app_status=PUBLISHED,
        tagline=_first(payload, "tagline") or "",
        description=_first(payload, "description") or "",
        pricing_model=PricingModel.FREE.value,
        monthly_price_cents=0,
        screenshots=[],
        certification=CertificationState.NONE.value,
        featured=False,
        published_at=occurred_at,
        updated_at=occurred_at,
        search_name="",
        search_document="",
    )


def _first(payload: dict[str, Any], *names: str) -> Any:
    """The first of `names` present in the payload: the apps subgraph's naming is its own."""
    for name in names:
        value = payload.get(name)
        if value:
            return value
    return None
