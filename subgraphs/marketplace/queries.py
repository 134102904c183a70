"""The marketplace's root query fields: browsing, searching and looking up the catalog.

Catalog data is public, so none of these need a scope. Lists show only visible listings (apps
that are PUBLISHED); looking a listing up by id or app still finds a hidden one, so the
installers of a deprecated app keep its page and reviews.
"""

from __future__ import annotations

import strawberry
from sqlmodel import col, select
from strawberry.federation.schema_directives import ListSize

from subgraphs.common.context import Info
from subgraphs.common.errors import BadUserInput
from subgraphs.common.pagination import MAX_PAGE_SIZE, PAGE_SIZE, Connection, PageRequest, paginate
from subgraphs.marketplace.catalog import ListingFilters, visible_listings
from subgraphs.marketplace.models import PUBLISHED, CategoryRow, ListingRow
from subgraphs.marketplace.types import (
    Category,
    Listing,
    ListingSort,
    PricingModel,
    Review,
)

DEFAULT_FEATURED = 6


@strawberry.type
class Query:
    @strawberry.field(
        description="Visible listings. `search` (at most 200 characters and 10 words) matches "
        "listings containing every word, or a word starting with it, in the app's name, slug, "
        "tagline or description; RELEVANCE puts name matches first.",
        directives=[PAGE_SIZE],
    )
    async def listings(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        search: str | None = None,
        category: str | None = None,
        pricing: PricingModel | None = None,
        featured: bool | None = None,
        certified: bool | None = None,
        sort: ListingSort = ListingSort.RELEVANCE,
    ) -> Connection[Listing]:
        page = PageRequest.of(first, after)
        filters = ListingFilters(search, category, pricing, featured, certified)
        database = info.context.database
        statement = visible_listings(filters, sort, postgres=database.is_postgres)
        async with database.session() as session:
            listings = await paginate(session, statement, page, Listing.from_row)
        for edge in listings.edges:
            # Their reviews' `listing` fields will ask for these very listings.
            info.context.loaders.listing.prime(str(edge.node.id), edge.node)
        return listings

    @strawberry.field
    async def listing(self, info: Info, id: strawberry.ID) -> Listing | None:
        listing: Listing | None = await info.context.loaders.listing.load(str(id))
        return listing

    @strawberry.field
    async def listing_by_app(self, info: Info, app_id: strawberry.ID) -> Listing | None:
        listing: Listing | None = await info.context.loaders.listing_by_app.load(str(app_id))
        return listing

    @strawberry.field(
        description="Visible featured listings, by name.",
        directives=[ListSize(slicing_arguments=["first"], require_one_slicing_argument=False)],
    )
    async def featured_listings(self, info: Info, first: int = DEFAULT_FEATURED) -> list[Listing]:
        if not 0 <= first <= MAX_PAGE_SIZE:
            raise BadUserInput(
                f"`first` must be between 0 and {MAX_PAGE_SIZE}, got {first}.", argument="first"
            )
        statement = (
            select(ListingRow)
            .where(col(ListingRow.app_status) == PUBLISHED, col(ListingRow.featured))
            .order_by(col(ListingRow.search_name), col(ListingRow.id))
            .limit(first)
        )
        async with info.context.database.session() as session:
            rows = (await session.exec(statement)).all()
        return [Listing.from_row(row) for row in rows]

    @strawberry.field(description="Every category, in the marketplace's menu order.")
    async def categories(self, info: Info) -> list[Category]:
        async with info.context.database.session() as session:
            rows = (
                await session.exec(select(CategoryRow).order_by(col(CategoryRow.position)))
            ).all()
        return [Category.from_row(row) for row in rows]

    @strawberry.field
    async def category(self, info: Info, slug: str) -> Category | None:
        category: Category | None = await info.context.loaders.category.load(slug)
        return category

    @strawberry.field
    async def review(self, info: Info, id: strawberry.ID) -> Review | None:
        review: Review | None = await info.context.loaders.review.load(str(id))
        return review
