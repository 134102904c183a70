"""The `listings` root field's statement: visible listings, filtered, searched and sorted.

Every order ends with the listing id, so pages never overlap or skip rows between requests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from subgraphs.marketplace import search
from subgraphs.marketplace.models import PUBLISHED, ListingCategoryRow, ListingRow, ReviewRow
from subgraphs.marketplace.types import CertificationState, ListingSort, PricingModel


@dataclass(frozen=True)
class ListingFilters:
    search: str | None = None
    category: str | None = None
    pricing: PricingModel | None = None
    featured: bool | None = None
    certified: bool | None = None


def visible_listings(filters: ListingFilters, sort: ListingSort, *, postgres: bool) -> Any:
    """A `select(ListingRow)` of the visible listings matching `filters`, ordered by `sort`.
    `postgres` picks the full-text engine (`search.py`)."""
    statement = select(ListingRow).where(col(ListingRow.app_status) == PUBLISHED)
    query_terms = search.terms(filters.search)
    searched = search.Search(query_terms, postgres=postgres) if query_terms else None
    if searched is not None:
        statement = searched.matches(statement)
    if filters.category is not None:
        in_category = select(ListingCategoryRow.listing_id).where(
            col(ListingCategoryRow.category_slug) == filters.category
        )
        statement = statement.where(col(ListingRow.id).in_(in_category))
    if filters.pricing is not None:
        statement = statement.where(col(ListingRow.pricing_model) == filters.pricing.value)
    if filters.featured is not None:
        statement = statement.where(col(ListingRow.featured) == filters.featured)
    if filters.certified is not None:
        certified = col(ListingRow.certification) == CertificationState.CERTIFIED.value
        statement = statement.where(certified if filters.certified else ~certified)
    return _ordered(statement, sort, searched)


def _ordered(statement: Any, sort: ListingSort, searched: search.Search | None) -> Any:
    by_name = (col(ListingRow.search_name), col(ListingRow.id))
    if sort is ListingSort.NAME:
        return statement.order_by(*by_name)
    if sort is ListingSort.NEWEST:
        return statement.order_by(col(ListingRow.published_at).desc(), col(ListingRow.id))
    if sort is ListingSort.RATING:
        ratings = (
            select(
                ReviewRow.listing_id,
                func.avg(ReviewRow.rating).label("average"),
                func.count().label("reviews"),
            )
            .group_by(col(ReviewRow.listing_id))
            .subquery()
        )
        # Unrated listings last on both backends (SQLite and PostgreSQL sort NULLs differently).
        return statement.outerjoin(ratings, ratings.c.listing_id == col(ListingRow.id)).order_by(
            func.coalesce(ratings.c.average, 0).desc(),
            func.coalesce(ratings.c.reviews, 0).desc(),
            *by_name,
        )
    if searched is not None:
        by_name_match, by_engine_rank = searched.relevance()
        return statement.order_by(
            by_name_match.desc(),
            col(ListingRow.featured).desc(),
            by_engine_rank.desc(),
            *by_name,
        )
    return statement.order_by(col(ListingRow.featured).desc(), *by_name)
