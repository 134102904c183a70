"""Per-request dataloaders: each relation of a page of entities costs one round of SQL.

Paged relations (a listing's reviews, a category's listings) are keyed by (parent, page): keys
asking for the same page are answered together by `paginate_partitions`, two statements for any
number of parents.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from subgraphs.common.database import Database
from subgraphs.common.dataloader import DataLoader
from subgraphs.common.pagination import Connection, PageRequest, paginate_partitions
from subgraphs.common.principal import Principal
from subgraphs.marketplace.models import (
    PUBLISHED,
    CategoryRow,
    ListingCategoryRow,
    ListingRow,
    ReviewRow,
)
from subgraphs.marketplace.types import Category, Listing, RatingSummary, Review

PageKey = tuple[str, PageRequest]

# Newest first; the id keeps reviews written in the same instant in a stable order.
REVIEW_ORDER = (col(ReviewRow.created_at).desc(), col(ReviewRow.id).desc())
# Within a category: featured listings first, then by name.
CATEGORY_LISTING_ORDER = (
    col(ListingRow.featured).desc(),
    col(ListingRow.search_name),
    col(ListingRow.id),
)


class Loaders:
    def __init__(self, database: Database, principal: Principal, *, batch: bool = True) -> None:
        self.database = database
        self.principal = principal

        def loader(load: Callable[[list[Any]], Awaitable[list[Any]]]) -> DataLoader[Any, Any]:
            return DataLoader(load, batch=batch)

        self.listing = loader(self._listings)
        self.listing_by_app = loader(self._listings_by_app)
        self.listing_categories = loader(self._listing_categories)
        self.rating_summary = loader(self._rating_summaries)
        self.listing_reviews = loader(self._listing_reviews)
        self.category = loader(self._categories)
        self.category_listings = loader(self._category_listings)
        self.category_listing_count = loader(self._category_listing_counts)
        self.review = loader(self._reviews)
        self.workspace_reviews = loader(self._workspace_reviews)

    async def _listings(self, ids: list[str]) -> list[Listing | None]:
        async with self.database.session() as session:
            rows = (await session.exec(select(ListingRow).where(col(ListingRow.id).in_(ids)))).all()
        found = {row.id: Listing.from_row(row) for row in rows}
        return [found.get(listing_id) for listing_id in ids]

    async def _listings_by_app(self, app_ids: list[str]) -> list[Listing | None]:
        async with self.database.session() as session:
            statement = select(ListingRow).where(col(ListingRow.app_id).in_(app_ids))
            rows = (await session.exec(statement)).all()
        found = {row.app_id: Listing.from_row(row) for row in rows}
        for listing in found.values():
            self.listing.prime(str(listing.id), listing)
        return [found.get(app_id) for app_id in app_ids]

    async def _listing_categories(self, listing_ids: list[str]) -> list[list[Category]]:
        statement = (
            select(ListingCategoryRow.listing_id, CategoryRow)
            .join(CategoryRow, col(CategoryRow.slug) == col(ListingCategoryRow.category_slug))
            .where(col(ListingCategoryRow.listing_id).in_(listing_ids))
            .order_by(col(ListingCategoryRow.listing_id), col(ListingCategoryRow.position))
        )
        async with self.database.session() as session:
            rows = (await session.exec(statement)).all()
        grouped: dict[str, list[Category]] = defaultdict(list)
        for listing_id, category in rows:
            grouped[listing_id].append(Category.from_row(category))
        return [grouped.get(listing_id, []) for listing_id in listing_ids]

    async def _rating_summaries(self, listing_ids: list[str]) -> list[RatingSummary]:
        statement = (
            select(ReviewRow.listing_id, ReviewRow.rating, func.count())
            .where(col(ReviewRow.listing_id).in_(listing_ids))
            .group_by(col(ReviewRow.listing_id), col(ReviewRow.rating))
        )
        async with self.database.session() as session:
            rows = (await session.exec(statement)).all()
        counts: dict[str, dict[int, int]] = defaultdict(dict)
        for listing_id, rating, count in rows:
            counts[listing_id][rating] = count
        return [RatingSummary(counts.get(listing_id, {})) for listing_id in listing_ids]

    async def _listing_reviews(self, keys: list[PageKey]) -> list[Connection[Review]]:
        return await self._pages(
            keys,
            ReviewRow,
            select(ReviewRow),
            partition_by=col(ReviewRow.listing_id),
            order_by=REVIEW_ORDER,
            to_node=Review.from_row,
        )

    async def _workspace_reviews(self, keys: list[PageKey]) -> list[Connection[Review]]:
        return await self._pages(
            keys,
            ReviewRow,
            select(ReviewRow),
            partition_by=col(ReviewRow.workspace_id),
            order_by=REVIEW_ORDER,
            to_node=Review.from_row,
        )

    async def _category_listings(self, keys: list[PageKey]) -> list[Connection[Listing]]:
        visible_in_categories = (
            select(ListingRow, ListingCategoryRow.category_slug)
            .join(ListingCategoryRow, col(ListingCategoryRow.listing_id) == col(ListingRow.id))
            .where(col(ListingRow.app_status) == PUBLISHED)
        )
        return await self._pages(
            keys,
            ListingRow,
            visible_in_categories,
            partition_by=col(ListingCategoryRow.category_slug),
            order_by=CATEGORY_LISTING_ORDER,
            to_node=Listing.from_row,
        )

    async def _category_listing_counts(self, slugs: list[str]) -> list[int]:
        statement = (
            select(ListingCategoryRow.category_slug, func.count())
            .join(ListingRow, col(ListingRow.id) == col(ListingCategoryRow.listing_id))
            .where(
                col(ListingCategoryRow.category_slug).in_(slugs),
                col(ListingRow.app_status) == PUBLISHED,
            )
            .group_by(col(ListingCategoryRow.category_slug))
        )
        async with self.database.session() as session:
            counts = dict((await session.exec(statement)).all())
        return [counts.get(slug, 0) for slug in slugs]

    async def _categories(self, slugs: list[str]) -> list[Category | None]:
        statement = select(CategoryRow).where(col(CategoryRow.slug).in_(slugs))
        async with self.database.session() as session:
            rows = (await session.exec(statement)).all()
        found = {row.slug: Category.from_row(row) for row in rows}
        return [found.get(slug) for slug in slugs]

    async def _reviews(self, ids: list[str]) -> list[Review | None]:
        async with self.database.session() as session:
            rows = (await session.exec(select(ReviewRow).where(col(ReviewRow.id).in_(ids)))).all()
        found = {row.id: Review.from_row(row) for row in rows}
        return [found.get(review_id) for review_id in ids]

    async def _pages(
        self,
        keys: list[PageKey],
        model: type[Any],
        statement: Any,
        *,
        partition_by: Any,
        order_by: Sequence[Any],
        to_node: Callable[[Any], Any],
    ) -> list[Connection[Any]]:
        """Answer (parent, page) keys, one `paginate_partitions` call per distinct page."""
        parents_by_page: dict[PageRequest, list[str]] = defaultdict(list)
        for parent, page in keys:
            parents_by_page[page].append(parent)
        answers: dict[PageKey, Connection[Any]] = {}
        async with self.database.session() as session:
            for page, parents in parents_by_page.items():
                connections = await paginate_partitions(
                    session,
                    model,
                    statement,
                    partition_by=partition_by,
                    order_by=order_by,
                    keys=parents,
                    page=page,
                    to_node=to_node,
                )
                for parent, connection in connections.items():
                    answers[(str(parent), page)] = connection
        return [answers[key] for key in keys]
