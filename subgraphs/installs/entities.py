"""The GraphQL types of the installs subgraph: `Workspace`, `Installation`, and its part of `App`.

Rows become these objects in `from_row` constructors; relations resolve through the request's
dataloaders (`info.context.loaders`), so a page of N objects costs a constant number of queries.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Self

import strawberry

from subgraphs.common.clock import as_utc
from subgraphs.common.context import Info
from subgraphs.common.pagination import PAGE_SIZE, Connection, PageRequest
from subgraphs.installs.models import InstallationRow, WorkspaceRow

READ = [["installs:read"]]


@dataclass(frozen=True)
class InstallationListKey:
    """One page of one owner's (a workspace's or an app's) installations: a dataloader key."""

    owner_id: str
    page: PageRequest
    status: InstallationStatus | None


@strawberry.enum(description="What a workspace pays for.")
class WorkspacePlan(enum.Enum):
    FREE = "FREE"
    TEAM = "TEAM"
    BUSINESS = "BUSINESS"
    ENTERPRISE = "ENTERPRISE"


@strawberry.enum(description="An installation's lifecycle: ACTIVE ⇄ SUSPENDED, either → REMOVED.")
class InstallationStatus(enum.Enum):
    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"
    REMOVED = "REMOVED"


@strawberry.federation.type(keys=["id"], description="A customer's workspace, where apps run.")
class Workspace:
    id: strawberry.ID
    slug: str
    name: str
    plan: WorkspacePlan
    created_at: datetime

    @classmethod
    def from_row(cls, row: WorkspaceRow) -> Self:
        return cls(
            id=strawberry.ID(row.id),
            slug=row.slug,
            name=row.name,
            plan=WorkspacePlan(row.plan),
            created_at=as_utc(row.created_at),
        )

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Workspace | None:
        workspace: Workspace | None = await info.context.loaders.workspace.load(str(id))
        return workspace

    @strawberry.federation.field(
        requires_scopes=READ,
        authenticated=True,
        description="The installations in this workspace the caller may see, newest first.",
        directives=[PAGE_SIZE],
    )
    async def installations(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        status: InstallationStatus | None = None,
    ) -> Connection[Installation]:
        key = InstallationListKey(str(self.id), PageRequest.of(first, after), status)
        loader = info.context.loaders.workspace_installations
        connection: Connection[Installation] = await loader.load(key)
        return connection


# Described by the apps subgraph, which owns it; a second description only makes composition hint.
@strawberry.federation.type(keys=["id"])
class App:
    id: strawberry.ID

    # No `resolve_reference` through a loader: an App here is nothing but its id, and every
    # field below batches on its own.
    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> App:
        return cls(id=id)

    @strawberry.federation.field(
        requires_scopes=READ,
        authenticated=True,
        description="The installations of this app the caller may see, newest first.",
        directives=[PAGE_SIZE],
    )
    async def installations(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        status: InstallationStatus | None = None,
    ) -> Connection[Installation]:
        key = InstallationListKey(str(self.id), PageRequest.of(first, after), status)
        loader = info.context.loaders.app_installations
        connection: Connection[Installation] = await loader.load(key)
        return connection

    @strawberry.field(description="How many workspaces have this app installed and active.")
    async def install_count(self, info: Info) -> int:
        count: int = await info.context.loaders.install_count.load(str(self.id))
        return count


@strawberry.federation.type(keys=["id"], description="One app installed in one workspace.")
class Installation:
    id: strawberry.ID
    granted_scopes: list[str]
    status: InstallationStatus
    installed_by: str
    installed_at: datetime
    updated_at: datetime
    removed_at: datetime | None
    app_id: strawberry.Private[str]
    workspace_id: strawberry.Private[str]

    @classmethod
    def from_row(cls, row: InstallationRow) -> Self:
        return cls(
            id=strawberry.ID(row.id),
            granted_scopes=list(row.granted_scopes),
            status=InstallationStatus(row.status),
            installed_by=row.installed_by,
            installed_at=as_utc(row.installed_at),
            updated_at=as_utc(row.updated_at),
            removed_at=as_utc(row.removed_at) if row.removed_at is not None else None,
            app_id=row.app_id,
            workspace_id=row.workspace_id,
        )

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Installation | None:
        """`null` for an installation the caller may not see, as for one that does not exist."""
        installation: Installation | None = await info.context.loaders.installation.load(str(id))
        return installation

    @strawberry.field(description="The installed app (resolved by the apps subgraph).")
    def app(self) -> App:
        return App(id=strawberry.ID(self.app_id))

    @strawberry.field
    async def workspace(self, info: Info) -> Workspace:
        workspace: Workspace = await info.context.loaders.workspace.load(self.workspace_id)
        return workspace
