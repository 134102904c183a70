"""The marketplace's tables.

A listing is the storefront page of one app. The apps subgraph owns the app itself; the listing
keeps a copy of what the marketplace needs without asking it: the app's name and slug (search,
sorting, URLs), its owner organization (who may edit the listing) and its status (a listing is
visible only while its app is PUBLISHED), kept in step by the event consumer.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from subgraphs.common.outbox import Outbox
from subgraphs.common.positions import ConsumerPositions

PUBLISHED = "PUBLISHED"


class Base(SQLModel, registry=registry()):
    pass


def _timestamp() -> Any:
    return Field(sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False))


def listing_id_for(app_id: str) -> str:
    """Listing ids derive from app ids (`app_x` → `lst_x`), so every subgraph and every reseed
    agrees on them without a lookup."""
    return "lst_" + app_id.removeprefix("app_")


class CategoryRow(Base, table=True):
    __tablename__ = "category"

    slug: str = Field(primary_key=True)
    name: str
    description: str
    position: int = Field(index=True)


class ListingRow(Base, table=True):
    __tablename__ = "listing"

    id: str = Field(primary_key=True)
    app_id: str = Field(unique=True)
    app_slug: str
    app_name: str
    app_status: str = Field(index=True)
    organization_id: str | None = None
    tagline: str
    description: str
    pricing_model: str
    monthly_price_cents: int
    # [{"url": ..., "caption": ...}, ...] in display order.
    screenshots: list[dict[str, str]] = Field(sa_column=sa.Column(sa.JSON, nullable=False))
    certification: str
    featured: bool = Field(index=True)
    published_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()
    # Lowercase, punctuation-free text that `search.py` matches terms against.
    search_name: str
    search_document: str


class ListingCategoryRow(Base, table=True):
    __tablename__ = "listing_category"

    listing_id: str = Field(foreign_key="listing.id", primary_key=True)
    category_slug: str = Field(foreign_key="category.slug", primary_key=True, index=True)
    # The primary category comes first.
    position: int


class ReviewRow(Base, table=True):
    __tablename__ = "review"
    __table_args__ = (sa.UniqueConstraint("listing_id", "workspace_id"),)

    id: str = Field(primary_key=True)
    listing_id: str = Field(foreign_key="listing.id", index=True)
    workspace_id: str = Field(index=True)
    rating: int
    body: str
    created_at: datetime = _timestamp()


# The events this subgraph's mutations stage, committed with their changes.
OUTBOX = Outbox(Base.metadata)
# Where the listings' consumer of app events stopped reading the bus (`consumer.consume`).
POSITIONS = ConsumerPositions(Base.metadata)

metadata = Base.metadata
