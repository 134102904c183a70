"""Mutations: create workspaces; install, rescope, suspend, resume and uninstall apps.

Each mutation validates, commits the change with its domain event (staged in the outbox), relays
the event to the bus, and returns the changed object. An installation's lifecycle:

    ACTIVE ──suspend──▶ SUSPENDED ──resume──▶ ACTIVE
    ACTIVE | SUSPENDED ──uninstall──▶ REMOVED      (final; the app may be installed again)
"""

from __future__ import annotations

import re
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import strawberry
from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from subgraphs.common.clock import utc_now
from subgraphs.common.context import Info
from subgraphs.common.errors import (
    BadUserInput,
    Conflict,
    Forbidden,
    InvalidStateTransition,
    NotFound,
)
from subgraphs.common.events import EventType
from subgraphs.installs.entities import Installation, InstallationStatus, Workspace, WorkspacePlan
from subgraphs.installs.models import OUTBOX, AppReferenceRow, InstallationRow, WorkspaceRow
from subgraphs.installs.oauth.revocation import revoke_installation_tokens
from subgraphs.installs.visibility import require_reach

WRITE = [["installs:write"]]
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_SLUG_LENGTH = 64
MAX_NAME_LENGTH = 200
# Apps whose installations may no longer run, whatever their own status says.
HALTED_APP_STATUSES = frozenset({"SUSPENDED", "REMOVED"})


@strawberry.input
class CreateWorkspaceInput:
    slug: str
    name: str
    plan: WorkspacePlan = WorkspacePlan.FREE


@strawberry.input
class InstallAppInput:
    app_id: strawberry.ID
    workspace_id: strawberry.ID
    scopes: list[str]
    installed_by: str | None = strawberry.field(
        default=None, description="Who installed it; defaults to the calling principal."
    )


@strawberry.type
class Mutation:
    @strawberry.federation.field(authenticated=True)
    async def create_workspace(self, info: Info, input: CreateWorkspaceInput) -> Workspace:
        principal = info.context.principal
        if principal.is_anonymous:
            # The gateway refuses this already (@authenticated); a caller that reached the
            # subgraph directly is refused here too.
            raise Forbidden("Sign in to create a workspace.")
        if principal.is_integration:
            raise Forbidden("Integrations cannot create workspaces.")
        slug, name = input.slug.strip(), input.name.strip()
        if len(slug) > MAX_SLUG_LENGTH or not SLUG.fullmatch(slug):
            raise BadUserInput(
                "A slug is lowercase letters and digits separated by single hyphens, "
                f"at most {MAX_SLUG_LENGTH} characters.",
                argument="input.slug",
            )
        if not name or len(name) > MAX_NAME_LENGTH:
            raise BadUserInput(
                f"A name has 1 to {MAX_NAME_LENGTH} characters.", argument="input.name"
            )
        row = WorkspaceRow(
            id=f"ws_{secrets.token_hex(6)}",
            slug=slug,
            name=name,
            plan=input.plan.value,
            created_at=utc_now(),
        )
        async with info.context.database.session() as session:
            same_slug = select(WorkspaceRow.id).where(WorkspaceRow.slug == slug)
            if (await session.exec(same_slug)).first() is not None:
                raise Conflict(f"The slug {slug!r} is taken.", slug=slug)
            session.add(row)
            async with _raising_on_duplicate(
                session, Conflict(f"The slug {slug!r} is taken.", slug=slug)
            ):
                await session.commit()
        return Workspace.from_row(row)

    @strawberry.federation.field(requires_scopes=WRITE, authenticated=True)
    async def install_app(self, info: Info, input: InstallAppInput) -> Installation:
        principal = info.context.principal
        app_id, workspace_id = str(input.app_id), str(input.workspace_id)
        require_reach(principal, app_id=app_id, workspace_id=workspace_id)
        async with info.context.database.session() as session:
            if await session.get(WorkspaceRow, workspace_id) is None:
                raise NotFound(f"No workspace {workspace_id!r}.", workspaceId=workspace_id)
            app = await _app(session, app_id)
            if app.status != "PUBLISHED":
                raise InvalidStateTransition(
                    f"Only published apps can be installed; this app is {app.status}.",
                    appId=app_id,
                    appStatus=app.status,
                )
            scopes = _granted_scopes(input.scopes, app)
            live = (
                await session.exec(
                    select(InstallationRow).where(
                        InstallationRow.app_id == app_id,
                        InstallationRow.workspace_id == workspace_id,
                        InstallationRow.status != InstallationStatus.REMOVED.value,
                    )
                )
            ).first()
            conflict = Conflict(
                "This app is already installed in this workspace.",
                installationId=live.id if live else None,
            )
            if live is not None:
                raise conflict
            now = utc_now()
            row = InstallationRow(
                id=f"inst_{secrets.token_hex(6)}",
                app_id=app_id,
                workspace_id=workspace_id,
                granted_scopes=scopes,
                status=InstallationStatus.ACTIVE.value,
                installed_by=input.installed_by or _describe(info),
                installed_at=now,
                updated_at=now,
            )
            session.add(row)
            async with _raising_on_duplicate(session, conflict):
                await stage_installation_event(
                    session,
                    EventType.INSTALLATION_CREATED,
                    row,
                    scopes=scopes,
                    installed_by=row.installed_by,
                )
                await session.commit()
        await OUTBOX.relay(info.context.database, info.context.bus)
        return Installation.from_row(row)

    @strawberry.federation.field(requires_scopes=WRITE, authenticated=True)
    async def update_installation_scopes(
        self, info: Info, id: strawberry.ID, scopes: list[str]
    ) -> Installation:
        async with info.context.database.session() as session:
            row = await _installation(session, info, str(id))
            if row.status == InstallationStatus.REMOVED.value:
                raise InvalidStateTransition(
                    "A removed installation's scopes cannot change.", status=row.status
                )
            granted = _granted_scopes(scopes, await _app(session, row.app_id))
            old_scopes = list(row.granted_scopes)
            if granted == old_scopes:
                return Installation.from_row(row)
            row.granted_scopes = granted
            row.updated_at = utc_now()
            session.add(row)
            await stage_installation_event(
                session,
                EventType.INSTALLATION_SCOPES_CHANGED,
                row,
                old_scopes=old_scopes,
                new_scopes=granted,
            )
            await session.commit()
        await OUTBOX.relay(info.context.database, info.context.bus)
        return Installation.from_row(row)

    @strawberry.federation.field(requires_scopes=WRITE, authenticated=True)
    async def uninstall_app(self, info: Info, id: strawberry.ID) -> Installation:
        async with info.context.database.session() as session:
            row = await _installation(session, info, str(id))
            previous = row.status
            _transition(row, {"ACTIVE", "SUSPENDED"}, InstallationStatus.REMOVED)
            row.removed_at = row.updated_at
            session.add(row)
            # Its refresh tokens die with it; the event below ends its access tokens.
            await revoke_installation_tokens(session, row.id, row.updated_at)
            await stage_installation_event(
                session,
                EventType.INSTALLATION_REMOVED,
                row,
                previous_status=previous,
                scopes=list(row.granted_scopes),
            )
            await session.commit()
        await OUTBOX.relay(info.context.database, info.context.bus)
        return Installation.from_row(row)

    @strawberry.federation.field(
        requires_scopes=WRITE,
        authenticated=True,
        description="Stop an active installation without removing it. Publishes no event.",
    )
    async def suspend_installation(self, info: Info, id: strawberry.ID) -> Installation:
        async with info.context.database.session() as session:
            row = await _installation(session, info, str(id))
            _transition(row, {"ACTIVE"}, InstallationStatus.SUSPENDED)
            session.add(row)
            await session.commit()
        return Installation.from_row(row)

    @strawberry.federation.field(
        requires_scopes=WRITE,
        authenticated=True,
        description="Reactivate a suspended installation, unless its app is suspended or removed.",
    )
    async def resume_installation(self, info: Info, id: strawberry.ID) -> Installation:
        async with info.context.database.session() as session:
            row = await _installation(session, info, str(id))
            app = await session.get(AppReferenceRow, row.app_id)
            if app is not None and app.status in HALTED_APP_STATUSES:
                raise InvalidStateTransition(
                    f"The app is {app.status}; its installations cannot resume.",
                    appStatus=app.status,
                )
            _transition(row, {"SUSPENDED"}, InstallationStatus.ACTIVE)
            session.add(row)
            await session.commit()
        return Installation.from_row(row)


async def _installation(session: AsyncSession, info: Info, id: str) -> InstallationRow:
    row = await session.get(InstallationRow, id)
    if row is None:
        raise NotFound(f"No installation {id!r}.", installationId=id)
    require_reach(info.context.principal, app_id=row.app_id, workspace_id=row.workspace_id)
    return row


async def _app(session: AsyncSession, app_id: str) -> AppReferenceRow:
    app = await session.get(AppReferenceRow, app_id)
    if app is None:
        raise NotFound(f"No app {app_id!r}.", appId=app_id)
    return app


def _granted_scopes(scopes: list[str], app: AppReferenceRow) -> list[str]:
    """A non-empty subset of the app's requested scopes, deduplicated, in sorted order."""
    granted = sorted(set(scopes))
    if not granted:
        raise BadUserInput("Grant at least one scope.", argument="scopes")
    unrequested = [scope for scope in granted if scope not in app.requested_scopes]
    if unrequested:
        raise BadUserInput(
            f"The app does not request {', '.join(unrequested)}.",
            argument="scopes",
            unrequestedScopes=unrequested,
            requestedScopes=list(app.requested_scopes),
        )
    return granted


def _transition(row: InstallationRow, allowed: set[str], target: InstallationStatus) -> None:
    if row.status not in allowed:
        raise InvalidStateTransition(
            f"An installation that is {row.status} cannot become {target.value}.",
            status=row.status,
            targetStatus=target.value,
        )
    row.status = target.value
    row.updated_at = utc_now()


@asynccontextmanager
async def _raising_on_duplicate(session: AsyncSession, conflict: Conflict) -> AsyncIterator[None]:
    """A unique index violated by a concurrent writer is the same conflict; the change and its
    staged event roll back together."""
    try:
        yield
    except IntegrityError:
        await session.rollback()
        raise conflict from None


async def stage_installation_event(
    session: AsyncSession, type: EventType, row: InstallationRow, **details: Any
) -> None:
    """Stage an installation event: the installation's identity, then `details` of the change."""
    identity = {"installation_id": row.id, "app_id": row.app_id, "workspace_id": row.workspace_id}
    await OUTBOX.add(
        session,
        type,
        {**identity, **details},
        app_id=row.app_id,
        installation_id=row.id,
        workspace_id=row.workspace_id,
    )


def _describe(info: Info) -> str:
    """Who acted, as far as the subgraph knows (the gateway forwards no user)."""
    principal = info.context.principal
    if principal.workspace_id is not None:
        return f"workspace:{principal.workspace_id}"
    if principal.app_id is not None:
        return f"app:{principal.app_id}"
    return "platform"
