"""`listingUpdated(slug)` and `reviewCreated(listing)`: what a marketplace front end shows live.

Listings and reviews are public, so every subscriber with `events:subscribe` sees these events;
each carries the listing (or review) as it is when the event is delivered.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime

import strawberry
from sqlmodel import select

from subgraphs.common.context import Info
from subgraphs.common.errors import NotFound
from subgraphs.common.event_stream import follow
from subgraphs.common.events import Event, EventType
from subgraphs.marketplace.models import ListingRow
from subgraphs.marketplace.types import App, Listing, Review

SUBSCRIBE = [["events:subscribe"]]


@strawberry.type(description="A listing changed.")
class ListingEvent:
    id: strawberry.ID = strawberry.field(
        description="The event's bus id: pass it as `after` to resume after this event."
    )
    occurred_at: datetime
    changed_fields: list[str]
    app: App
    listing_id: strawberry.Private[str]

    @strawberry.field(description="The listing as it is now.")
    async def listing(self, info: Info) -> Listing | None:
        listing: Listing | None = await info.context.loaders.listing.load(self.listing_id)
        return listing


@strawberry.type(description="A review was written.")
class ReviewEvent:
    id: strawberry.ID = strawberry.field(
        description="The event's bus id: pass it as `after` to resume after this event."
    )
    occurred_at: datetime
    rating: int
    app: App
    review_id: strawberry.Private[str]
    listing_id: strawberry.Private[str]

    @strawberry.field
    async def review(self, info: Info) -> Review | None:
        review: Review | None = await info.context.loaders.review.load(self.review_id)
        return review

    @strawberry.field
    async def listing(self, info: Info) -> Listing | None:
        listing: Listing | None = await info.context.loaders.listing.load(self.listing_id)
        return listing


async def _listing_id(info: Info, slug: str) -> str:
    async with info.context.database.session() as session:
        row = (await session.exec(select(ListingRow).where(ListingRow.app_slug == slug))).first()
    if row is None:
        raise NotFound("No listing has this slug.", slug=slug)
    return row.id


@strawberry.type
class Subscription:
    @strawberry.federation.field(
        is_subscription=True,
        requires_scopes=SUBSCRIBE,
        authenticated=True,
        description="Changes of the listing of the app with this slug.",
    )
    async def listing_updated(
        self, info: Info, slug: str, after: strawberry.ID | None = None
    ) -> AsyncGenerator[ListingEvent, None]:
        listing_id = await _listing_id(info, slug)

        async def visible(event: Event) -> bool:
            return event.payload.get("listing_id") == listing_id

        events = follow(
            info.context.bus, types={EventType.LISTING_UPDATED}, after=after, visible=visible
        )
        async for event in events:
            info.context.renew_loaders()
            yield ListingEvent(
                id=strawberry.ID(str(event.id)),
                occurred_at=event.occurred_at,
                changed_fields=[str(name) for name in event.payload.get("changed") or ()],
                app=App(id=strawberry.ID(event.app_id or "")),
                listing_id=listing_id,
            )

    @strawberry.federation.field(
        is_subscription=True,
        requires_scopes=SUBSCRIBE,
        authenticated=True,
        description="Reviews written for this listing.",
    )
    async def review_created(
        self, info: Info, listing: strawberry.ID, after: strawberry.ID | None = None
    ) -> AsyncGenerator[ReviewEvent, None]:
        listing_id = str(listing)
        if await info.context.loaders.listing.load(listing_id) is None:
            raise NotFound("No listing has this id.", listing=listing_id)

        async def visible(event: Event) -> bool:
            return event.payload.get("listing_id") == listing_id

        events = follow(
            info.context.bus, types={EventType.REVIEW_CREATED}, after=after, visible=visible
        )
        async for event in events:
            info.context.renew_loaders()
            yield ReviewEvent(
                id=strawberry.ID(str(event.id)),
                occurred_at=event.occurred_at,
                rating=int(event.payload.get("rating") or 0),
                app=App(id=strawberry.ID(event.app_id or "")),
                review_id=str(event.payload.get("review_id")),
                listing_id=listing_id,
            )
