"""Read access to the registry: apps by id, slug or filtered list, and organizations."""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy import func, or_
from sqlmodel import col, select

from subgraphs.apps import validation
from subgraphs.apps.lifecycle import AppStatus
from subgraphs.apps.loaders import APP_ORDER
from subgraphs.apps.models import AppRow, OrganizationRow
from subgraphs.apps.types import App, Organization
from subgraphs.common.context import Info
from subgraphs.common.pagination import PAGE_SIZE, Connection, PageRequest, paginate


@strawberry.type
class Query:
    @strawberry.field(description="An app by id; null if there is none.")
    async def app(self, info: Info, id: strawberry.ID) -> App | None:
        app: App | None = await info.context.loaders.app.load(str(id))
        return app

    @strawberry.field(description="An app by its URL slug; null if there is none.")
    async def app_by_slug(self, info: Info, slug: str) -> App | None:
        app: App | None = await info.context.loaders.app_by_slug.load(slug)
        return app

    @strawberry.field(
        description="Apps ordered by name, optionally filtered by status, owner and a search "
        "text matched against name, slug and description (case-insensitive).",
        directives=[PAGE_SIZE],
    )
    async def apps(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        status: AppStatus | None = None,
        organization_id: strawberry.ID | None = None,
        search: str | None = None,
    ) -> Connection[App]:
        page = PageRequest.of(first, after)
        text = validation.search(search)
        statement: Any = select(AppRow)
        if status is not None:
            statement = statement.where(col(AppRow.status) == status.value)
        if organization_id is not None:
            statement = statement.where(col(AppRow.organization_id) == str(organization_id))
        if text is not None:
            statement = statement.where(
                or_(
                    *(
                        func.lower(column).contains(text, autoescape=True)
                        for column in (AppRow.name, AppRow.slug, AppRow.description)
                    )
                )
            )
        async with info.context.database.session() as session:
            return await paginate(session, statement.order_by(*APP_ORDER), page, App.from_row)

    @strawberry.field(description="An organization by id; null if there is none.")
    async def organization(self, info: Info, id: strawberry.ID) -> Organization | None:
        organization: Organization | None = await info.context.loaders.organization.load(str(id))
        return organization

    @strawberry.field(description="Organizations ordered by name.", directives=[PAGE_SIZE])
    async def organizations(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Organization]:
        page = PageRequest.of(first, after)
        statement = select(OrganizationRow).order_by(
            col(OrganizationRow.name), col(OrganizationRow.id)
        )
        async with info.context.database.session() as session:
            return await paginate(session, statement, page, Organization.from_row)
