"""The marketplace's mutations: listing edits, curation, and reviews.

Who may do what (the gateway has already checked the `marketplace:write` scope):

- a listing is edited by its app (an integration token), its owner organization, or an admin;
- featuring and certifying are platform curation, for admins; an owner may only ask for
  certification (NONE → PENDING) or withdraw the request (PENDING → NONE);
- reviews are written by a workspace (one per listing), deleted by that workspace or an admin.

Each mutation commits its change with its event (staged in the outbox), relays the event to the
bus, then returns the changed object.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

import strawberry
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from subgraphs.common.context import Info
from subgraphs.common.errors import (
    BadUserInput,
    Conflict,
    Forbidden,
    InvalidStateTransition,
    NotFound,
)
from subgraphs.common.events import EventType
from subgraphs.common.principal import Principal
from subgraphs.marketplace import search
from subgraphs.marketplace.listing_input import UpdateListingInput, validate_listing_update
from subgraphs.marketplace.models import (
    OUTBOX,
    PUBLISHED,
    CategoryRow,
    ListingCategoryRow,
    ListingRow,
    ReviewRow,
)
from subgraphs.marketplace.types import CertificationState, Listing, Review

MAX_REVIEW_BODY = 2000

# (from, to) → whether the listing's owner may make it; every other change is invalid.
CERTIFICATION_CHANGES: dict[tuple[CertificationState, CertificationState], bool] = {
    (CertificationState.NONE, CertificationState.PENDING): True,
    (CertificationState.PENDING, CertificationState.NONE): True,
    (CertificationState.PENDING, CertificationState.CERTIFIED): False,
    (CertificationState.CERTIFIED, CertificationState.NONE): False,
}


@strawberry.input
class CreateReviewInput:
    listing_id: strawberry.ID
    rating: int = strawberry.field(description="1 to 5 stars.")
    body: str = ""


def _write(description: str) -> Any:
    return strawberry.federation.field(
        requires_scopes=[["marketplace:write"]], authenticated=True, description=description
    )


@strawberry.type
class Mutation:
    @_write("Edit a listing's storefront: tagline, description, categories, pricing, screenshots.")
    async def update_listing(
        self, info: Info, id: strawberry.ID, input: UpdateListingInput
    ) -> Listing:
        changes = validate_listing_update(input)
        async with info.context.database.session() as session:
            row = await _listing(session, str(id))
            if not _owns(info.context.principal, row):
                raise Forbidden("Only the app's owner may edit its listing.")
            categories = changes.pop("categories", None)
            if categories is not None:
                await _replace_categories(session, row.id, categories)
            for column, value in changes.items():
                setattr(row, column, value)
            row.search_document = search.document(
                row.app_name, row.app_slug, row.tagline, row.description
            )
            row.updated_at = datetime.now(UTC)
            session.add(row)
            changed = sorted({*changes, *(["categories"] if categories is not None else [])})
            await _stage_listing_updated(session, row, changed)
            await session.commit()
        await OUTBOX.relay(info.context.database, info.context.bus)
        return Listing.from_row(row)

    @_write("Feature a listing on the marketplace's front page, or stop featuring it (admins).")
    async def set_listing_featured(self, info: Info, id: strawberry.ID, featured: bool) -> Listing:
        if not info.context.principal.is_admin:
            raise Forbidden("Only platform admins feature listings.")
        async with info.context.database.session() as session:
            row = await _listing(session, str(id))
            changed = row.featured != featured
            if changed:
                row.featured = featured
                row.updated_at = datetime.now(UTC)
                session.add(row)
                await _stage_listing_updated(session, row, ["featured"])
                await session.commit()
        if changed:
            await OUTBOX.relay(info.context.database, info.context.bus)
        return Listing.from_row(row)

    @_write(
        "Move a listing's certification: owners request it (NONE → PENDING) or withdraw the "
        "request; admins certify (PENDING → CERTIFIED), reject or revoke (→ NONE)."
    )
    async def set_listing_certification(
        self, info: Info, id: strawberry.ID, state: CertificationState
    ) -> Listing:
        principal = info.context.principal
        async with info.context.database.session() as session:
            row = await _listing(session, str(id))
            if not _owns(principal, row):
                raise Forbidden("Only the app's owner or an admin may change its certification.")
            current = CertificationState(row.certification)
            owner_may = CERTIFICATION_CHANGES.get((current, state))
            if owner_may is None:
                raise InvalidStateTransition(
                    f"Certification cannot go from {current.value} to {state.value}.",
                    current=current.value,
                    requested=state.value,
                )
            if not (owner_may or principal.is_admin):
                raise Forbidden(f"Only platform admins move certification to {state.value}.")
            row.certification = state.value
            row.updated_at = datetime.now(UTC)
            session.add(row)
            await _stage_listing_updated(session, row, ["certification"])
            await session.commit()
        await OUTBOX.relay(info.context.database, info.context.bus)
        return Listing.from_row(row)

    @_write("Review a listing as the calling workspace; one review per workspace and listing.")
    async def create_review(self, info: Info, input: CreateReviewInput) -> Review:
        principal = info.context.principal
        workspace_id = principal.workspace_id
        if workspace_id is None:
            raise Forbidden("Only a workspace can write a review.")
        if not 1 <= input.rating <= 5:
            raise BadUserInput("`input.rating` must be 1 to 5.", argument="input.rating")
        body = input.body.strip()
        if len(body) > MAX_REVIEW_BODY:
            raise BadUserInput(
                f"`input.body` must be at most {MAX_REVIEW_BODY} characters.",
                argument="input.body",
            )
        async with info.context.database.session() as session:
            listing = await _listing(session, str(input.listing_id))
            if listing.app_status != PUBLISHED:
                raise InvalidStateTransition(
                    "Only listings of published apps can be reviewed.", status=listing.app_status
                )
            if principal.app_id == listing.app_id:
                raise Forbidden("An app cannot review itself.")
            review = ReviewRow(
                id=f"rev_{secrets.token_hex(6)}",
                listing_id=listing.id,
                workspace_id=workspace_id,
                rating=input.rating,
                body=body,
                created_at=datetime.now(UTC),
            )
            session.add(review)
            try:
                await OUTBOX.add(
                    session,
                    EventType.REVIEW_CREATED,
                    {
                        "review_id": review.id,
                        "listing_id": listing.id,
                        "app_id": listing.app_id,
                        "workspace_id": workspace_id,
                        "rating": review.rating,
                    },
                    app_id=listing.app_id,
                    workspace_id=workspace_id,
                )
                await session.commit()
            except IntegrityError:
                # The duplicate review and its staged event roll back together.
                raise Conflict("This workspace has already reviewed the listing.") from None
        await OUTBOX.relay(info.context.database, info.context.bus)
        return Review.from_row(review)

    @_write("Delete a review: its author workspace or an admin. Returns the deleted review.")
    async def delete_review(self, info: Info, id: strawberry.ID) -> Review:
        principal = info.context.principal
        async with info.context.database.session() as session:
            review = await session.get(ReviewRow, str(id))
            if review is None:
                raise NotFound(f"No review {id}.", id=str(id))
            if not (principal.is_admin or principal.workspace_id == review.workspace_id):
                raise Forbidden("Only the review's author or an admin may delete it.")
            await session.delete(review)
            await session.commit()
        return Review.from_row(review)


def _owns(principal: Principal, listing: ListingRow) -> bool:
    return principal.may_see_app(listing.app_id, listing.organization_id)


async def _listing(session: AsyncSession, listing_id: str) -> ListingRow:
    row = await session.get(ListingRow, listing_id)
    if row is None:
        raise NotFound(f"No listing {listing_id}.", id=listing_id)
    return row


async def _replace_categories(session: AsyncSession, listing_id: str, slugs: list[str]) -> None:
    statement = select(CategoryRow.slug).where(col(CategoryRow.slug).in_(slugs))
    known = set((await session.exec(statement)).all())
    unknown = [slug for slug in slugs if slug not in known]
    if unknown:
        raise BadUserInput(
            f"Unknown categories: {', '.join(unknown)}.", argument="input.categories"
        )
    await session.exec(
        delete(ListingCategoryRow).where(col(ListingCategoryRow.listing_id) == listing_id)
    )
    session.add_all(
        ListingCategoryRow(listing_id=listing_id, category_slug=slug, position=position)
        for position, slug in enumerate(slugs)
    )


async def _stage_listing_updated(
    session: AsyncSession, row: ListingRow, changed: list[str]
) -> None:
    await OUTBOX.add(
        session,
        EventType.LISTING_UPDATED,
        {"listing_id": row.id, "app_id": row.app_id, "changed": changed},
        app_id=row.app_id,
    )
