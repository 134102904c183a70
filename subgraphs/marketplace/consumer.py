"""Keeps listings in step with the apps subgraph's events.

The marketplace never asks apps for an app's state: it listens. Every app event carries the app's
whole current state (`AppSnapshot`), so one rule handles them all: the event of a newly published
app creates its listing, and any event about a listed app copies the app's name, slug, owner and
status onto it (a listing is visible only while its app is PUBLISHED). Handling is idempotent, so
replaying an event is harmless. A malformed event is logged and skipped. The consumer resumes from
where it stopped (`subgraphs/common/positions.py`).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import col, select

from subgraphs.common.app_events import AppSnapshot, follow_app_events
from subgraphs.common.database import Database
from subgraphs.common.events import Event, EventBus
from subgraphs.marketplace import search
from subgraphs.marketplace.models import POSITIONS, PUBLISHED, ListingRow, listing_id_for
from subgraphs.marketplace.types import CertificationState, PricingModel

CONSUMER = "listings"


async def consume(database: Database, bus: EventBus) -> None:
    """Apply app events as they arrive, from where this consumer stopped, until cancelled."""

    async def apply_event(app: AppSnapshot, event: Event) -> None:
        await apply(database, app, event.occurred_at)

    await follow_app_events(POSITIONS, database, bus, CONSUMER, apply_event)


async def apply(database: Database, app: AppSnapshot, occurred_at: datetime) -> None:
    async with database.session() as session:
        statement = select(ListingRow).where(col(ListingRow.app_id) == app.app_id)
        listing = (await session.exec(statement)).first()
        if listing is None:
            if app.new_status != PUBLISHED:
                return  # An app that was never published has no listing to update.
            listing = _new_listing(app, occurred_at)
        listing.app_name = app.name
        listing.app_slug = app.slug
        listing.organization_id = app.organization_id
        listing.app_status = app.new_status
        listing.search_name = search.normalize(listing.app_name)
        listing.search_document = search.document(
            listing.app_name, listing.app_slug, listing.tagline, listing.description
        )
        listing.updated_at = datetime.now(UTC)
        session.add(listing)
        await session.commit()


def _new_listing(app: AppSnapshot, occurred_at: datetime) -> ListingRow:
    """A listing with the marketplace's defaults; its owner edits the tagline, price and so on."""
    return ListingRow(
        id=listing_id_for(app.app_id),
        app_id=app.app_id,
        app_slug=app.slug,
        app_name=app.name,
        app_status=PUBLISHED,
        tagline="",
        description=app.description,
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
