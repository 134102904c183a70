"""Root query fields: workspaces (public) and installations (scoped and ownership-filtered)."""

from __future__ import annotations

import strawberry
from sqlmodel import col, select

from subgraphs.common.context import Info
from subgraphs.common.pagination import PAGE_SIZE, Connection, PageRequest, paginate
from subgraphs.installs.entities import READ, Installation, InstallationStatus, Workspace
from subgraphs.installs.loaders import INSTALLATION_ORDER
from subgraphs.installs.models import InstallationRow, WorkspaceRow
from subgraphs.installs.visibility import visible_installations


@strawberry.type
class Query:
    @strawberry.field
    async def workspace(self, info: Info, id: strawberry.ID) -> Workspace | None:
        workspace: Workspace | None = await info.context.loaders.workspace.load(str(id))
        return workspace

    @strawberry.field
    async def workspace_by_slug(self, info: Info, slug: str) -> Workspace | None:
        statement = select(WorkspaceRow).where(WorkspaceRow.slug == slug)
        async with info.context.database.session() as session:
            row = (await session.exec(statement)).first()
        return Workspace.from_row(row) if row is not None else None

    @strawberry.field(description="All workspaces, by slug.", directives=[PAGE_SIZE])
    async def workspaces(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Workspace]:
        page = PageRequest.of(first, after)
        statement = select(WorkspaceRow).order_by(col(WorkspaceRow.slug), col(WorkspaceRow.id))
        async with info.context.database.session() as session:
            return await paginate(session, statement, page, Workspace.from_row)

    @strawberry.federation.field(
        requires_scopes=READ,
        authenticated=True,
        description="`null` when it does not exist or the caller may not see it.",
    )
    async def installation(self, info: Info, id: strawberry.ID) -> Installation | None:
        installation: Installation | None = await info.context.loaders.installation.load(str(id))
        return installation

    @strawberry.federation.field(
        requires_scopes=READ,
        authenticated=True,
        description="The installations the caller may see, newest first, optionally filtered.",
        directives=[PAGE_SIZE],
    )
    async def installations(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        app_id: strawberry.ID | None = None,
        workspace_id: strawberry.ID | None = None,
        status: InstallationStatus | None = None,
    ) -> Connection[Installation]:
        page = PageRequest.of(first, after)
        statement = select(InstallationRow).where(visible_installations(info.context.principal))
        if app_id is not None:
            statement = statement.where(InstallationRow.app_id == str(app_id))
        if workspace_id is not None:
            statement = statement.where(InstallationRow.workspace_id == str(workspace_id))
        if status is not None:
            statement = statement.where(InstallationRow.status == status.value)
        async with info.context.database.session() as session:
            return await paginate(
                session, statement.order_by(*INSTALLATION_ORDER), page, Installation.from_row
            )
