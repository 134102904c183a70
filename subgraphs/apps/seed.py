"""The demo world's organizations and apps, as `subgraphs.demo.world` gives them.

The world records when each app was created and where it is now; the steps in between get
fixed offsets (a week in review, published the day review ended), so the timestamps are stable
and in lifecycle order. Seeded apps have no client secret until their owner rotates one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import select

from subgraphs.apps.lifecycle import AppStatus
from subgraphs.apps.models import AppRow, OrganizationRow
from subgraphs.apps.webhooks.endpoint import WebhookStatus
from subgraphs.common.database import Database
from subgraphs.demo import world as demo

REVIEW_TIME = timedelta(days=7)
# How long after publication a later step (deprecation, suspension, removal) happened.
LATER_STEP = timedelta(days=60)
WAS_PUBLISHED = {AppStatus.PUBLISHED, AppStatus.DEPRECATED, AppStatus.SUSPENDED, AppStatus.REMOVED}
SUSPENSION_REASON = "Suspended pending a security review of its webhook handling."


def published_at(app: demo.App) -> datetime | None:
    return app.created_at + REVIEW_TIME if app.status in WAS_PUBLISHED else None


def updated_at(app: demo.App) -> datetime:
    published = published_at(app)
    if app.status == AppStatus.PUBLISHED and published is not None:
        return published
    if published is not None:
        return published + LATER_STEP
    if app.status == AppStatus.IN_REVIEW:
        return app.created_at + timedelta(days=1)
    return app.created_at


def app_row(app: demo.App) -> AppRow:
    suspended = app.status == AppStatus.SUSPENDED
    return AppRow(
        id=app.id,
        slug=app.slug,
        name=app.name,
        description=app.description,
        organization_id=app.organization_id,
        homepage=app.homepage,
        redirect_uris=list(app.redirect_uris),
        requested_scopes=list(app.requested_scopes),
        client_id=app.client_id,
        webhook_url=app.webhook_url,
        webhook_secret=app.webhook_secret,
        webhook_status=WebhookStatus.ENABLED if app.webhook_url else None,
        status=app.status,
        status_before_suspension=AppStatus.PUBLISHED if suspended else None,
        suspension_reason=SUSPENSION_REASON if suspended else None,
        created_at=app.created_at,
        updated_at=updated_at(app),
        published_at=published_at(app),
    )


async def seed(database: Database) -> None:
    """Load the demo organizations and apps, unless the database already has organizations."""
    world = demo.world()
    async with database.session() as session:
        if (await session.exec(select(OrganizationRow.id).limit(1))).first() is not None:
            return
        session.add_all(
            OrganizationRow(id=organization.id, name=organization.name, slug=organization.slug)
            for organization in world.organizations
        )
        # Organizations first: apps reference them and PostgreSQL checks the key per statement.
        await session.flush()
        session.add_all(app_row(app) for app in world.apps)
        await session.commit()
