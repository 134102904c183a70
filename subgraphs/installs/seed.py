"""The installs subgraph's part of the demo world: workspaces, installations, the app replica,
and the people who sign in (subgraphs/installs/oauth/people.py)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from subgraphs.common.database import Database
from subgraphs.demo.world import DEMO_NOW, world
from subgraphs.installs.models import AppReferenceRow, InstallationRow, WorkspaceRow
from subgraphs.installs.oauth.people import demo_rows

# The world says which installations were removed, not when; this keeps the story plausible.
REMOVED_AFTER = timedelta(days=21)


async def seed(database: Database) -> None:
    """Load the demo world unless a workspace already exists (idempotent)."""
    demo = world()
    publishers = {organization.id: organization.name for organization in demo.organizations}
    async with database.session() as session:
        if (await session.exec(select(WorkspaceRow.id).limit(1))).first() is not None:
            return
        session.add_all(
            AppReferenceRow(
                id=app.id,
                status=app.status,
                requested_scopes=list(app.requested_scopes),
                updated_at=app.created_at,
                slug=app.slug,
                name=app.name,
                organization_id=app.organization_id,
                publisher=publishers[app.organization_id],
                certification=app.certification,
                client_id=app.client_id,
                redirect_uris=list(app.redirect_uris),
            )
            for app in demo.apps
        )
        session.add_all(
            WorkspaceRow(
                id=workspace.id,
                slug=workspace.slug,
                name=workspace.name,
                plan=workspace.plan,
                created_at=workspace.created_at,
            )
            for workspace in demo.workspaces
        )
        await session.flush()
        users, members = demo_rows(demo)
        session.add_all(users)
        await session.flush()
        session.add_all(members)
        for installation in demo.installations:
            removed_at = None
            if installation.status == "REMOVED":
                removed_at = min(installation.installed_at + REMOVED_AFTER, DEMO_NOW)
            session.add(
                InstallationRow(
                    id=installation.id,
                    app_id=installation.app_id,
                    workspace_id=installation.workspace_id,
                    granted_scopes=list(installation.granted_scopes),
                    status=installation.status,
                    installed_by=installation.installed_by,
                    installed_at=installation.installed_at,
                    updated_at=removed_at or installation.installed_at,
                    removed_at=removed_at,
                )
            )
        await session.commit()
