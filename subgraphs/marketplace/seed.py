"""The marketplace's part of the demo world: categories, listings and reviews.

Every app that was ever published (PUBLISHED, DEPRECATED, SUSPENDED) has a listing; only the
PUBLISHED ones are visible. Ids come from the world (listing ids derive from app ids), so the
other subgraphs' references resolve here.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import insert, select

from subgraphs.common.database import Database
from subgraphs.demo.world import CATEGORIES, App, world
from subgraphs.marketplace import search
from subgraphs.marketplace.models import (
    CategoryRow,
    ListingCategoryRow,
    ListingRow,
    ReviewRow,
    listing_id_for,
)

PUBLISHED_EVER = ("PUBLISHED", "DEPRECATED", "SUSPENDED")
# Apps are published half a day after they are created, before anyone could install them.
PUBLISHING_DELAY = timedelta(hours=12)


async def seed(database: Database) -> None:
    """Load the demo data into an empty marketplace; a seeded one is left alone."""
    async with database.session() as session:
        if (await session.exec(select(CategoryRow.slug).limit(1))).first() is not None:
            return
        demo = world()
        apps = [app for app in demo.apps if app.status in PUBLISHED_EVER]
        await session.exec(
            insert(CategoryRow),
            params=[
                {"slug": slug, "name": name, "description": description, "position": position}
                for position, (slug, name, description) in enumerate(CATEGORIES)
            ],
        )
        await session.exec(insert(ListingRow), params=[_listing(app) for app in apps])
        await session.exec(
            insert(ListingCategoryRow),
            params=[
                {"listing_id": listing_id_for(app.id), "category_slug": slug, "position": position}
                for app in apps
                for position, slug in enumerate(app.category_slugs)
            ],
        )
        await session.exec(
            insert(ReviewRow),
            params=[
                {
                    "id": review.id,
                    "listing_id": listing_id_for(review.app_id),
                    "workspace_id": review.workspace_id,
                    "rating": review.rating,
                    "body": review.body,
                    "created_at": review.created_at,
                }
                for review in demo.reviews
            ],
        )
        await session.commit()


def _listing(app: App) -> dict[str, Any]:
    published_at = app.created_at + PUBLISHING_DELAY
    return {
        "id": listing_id_for(app.id),
        "app_id": app.id,
        "app_slug": app.slug,
        "app_name": app.name,
        "app_status": app.status,
        "organization_id": app.organization_id,
        "tagline": app.tagline,
        "description": app.description,
        "pricing_model": app.pricing,
        "monthly_price_cents": app.monthly_price_cents,
        "screenshots": [
            {
                "url": f"https://cdn.switchboard.dev/screenshots/{app.slug}/overview.png",
                "caption": f"{app.name} at a glance",
            },
            {
                "url": f"https://cdn.switchboard.dev/screenshots/{app.slug}/settings.png",
                "caption": "Settings and permissions",
            },
        ],
        "certification": app.certification,
        "featured": app.featured,
        "published_at": published_at,
        "updated_at": published_at,
        "search_name": search.normalize(app.name),
        "search_document": search.document(app.name, app.slug, app.tagline, app.description),
    }
