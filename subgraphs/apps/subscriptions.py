"""`appEvents`: everything that happens to an owner's apps — lifecycle, listing changes, reviews.

The apps subgraph knows each app's owner organization, so it decides who sees which app's
events: the owner organization's members, the app itself (an integration token), platform
admins. Listing and review events come from the marketplace subgraph over the shared bus; they
reference the `Listing` and `Review` entities, which the marketplace subgraph resolves.
"""

from __future__ import annotations

import enum
from collections.abc import AsyncGenerator
from datetime import datetime

import strawberry
from strawberry.federation.schema_directives import Key

from subgraphs.apps.loaders import Loaders
from subgraphs.apps.types import App
from subgraphs.common.context import Info
from subgraphs.common.event_stream import follow
from subgraphs.common.events import Event, EventType

SUBSCRIBE = [["events:subscribe"]]


@strawberry.enum(description="What happened to an app, its listing or its reviews.")
class AppEventType(enum.Enum):
    PUBLISHED = EventType.APP_PUBLISHED.value
    DEPRECATED = EventType.APP_DEPRECATED.value
    UPDATED = EventType.APP_UPDATED.value
    STATUS_CHANGED = EventType.APP_STATUS_CHANGED.value
    WEBHOOK_DISABLED = EventType.APP_WEBHOOK_DISABLED.value
    LISTING_UPDATED = EventType.LISTING_UPDATED.value
    REVIEW_CREATED = EventType.REVIEW_CREATED.value


ALL_TYPES = tuple(AppEventType)


# Resolved by the marketplace subgraph, which owns them; here only their ids are known.
@strawberry.federation.type(keys=[Key(fields="id", resolvable=False)])
class Listing:
    id: strawberry.ID


@strawberry.federation.type(keys=[Key(fields="id", resolvable=False)])
class Review:
    id: strawberry.ID


@strawberry.type(description="One platform event about an app, as the bus carried it.")
class AppEvent:
    id: strawberry.ID = strawberry.field(
        description="The event's bus id: pass it as `after` to resume after this event."
    )
    type: AppEventType
    occurred_at: datetime
    app: App | None = strawberry.field(description="The app as it is now.")
    listing: Listing | None = strawberry.field(description="For listing and review events.")
    review: Review | None = strawberry.field(description="For review events.")


def _reference(value: object) -> strawberry.ID | None:
    return strawberry.ID(value) if isinstance(value, str) and value else None


@strawberry.type
class Subscription:
    @strawberry.federation.field(
        is_subscription=True,
        requires_scopes=SUBSCRIBE,
        authenticated=True,
        description=(
            "Events of the apps the caller owns (or is), oldest first: those after `after` "
            "still retained, then live ones."
        ),
    )
    async def app_events(
        self,
        info: Info,
        types: list[AppEventType] | None = None,
        after: strawberry.ID | None = None,
    ) -> AsyncGenerator[AppEvent, None]:
        principal = info.context.principal
        wanted = {EventType(kind.value) for kind in (types or ALL_TYPES)}

        async def visible(event: Event) -> bool:
            if event.app_id is None:
                return False
            if principal.is_admin or principal.app_id == event.app_id:
                return True
            if principal.organization_id is None:
                return False
            # The app as it is now: an app that changed owners is the new owner's.
            loaders: Loaders = info.context.renew_loaders()
            app = await loaders.app.load(event.app_id)
            return app is not None and app.organization_id == principal.organization_id

        async for event in follow(info.context.bus, types=wanted, after=after, visible=visible):
            loaders = info.context.renew_loaders()
            listing_id = _reference(event.payload.get("listing_id"))
            review_id = _reference(event.payload.get("review_id"))
            yield AppEvent(
                id=strawberry.ID(str(event.id)),
                type=AppEventType(event.type.value),
                occurred_at=event.occurred_at,
                app=await loaders.app.load(event.app_id or ""),
                listing=Listing(id=listing_id) if listing_id is not None else None,
                review=Review(id=review_id) if review_id is not None else None,
            )
