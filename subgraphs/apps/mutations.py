"""Changes to the registry. Each one checks ownership, validates, then commits the change with
its event (staged in the outbox) and relays the event to the bus.

Owners are the organization named by the principal; `platform:admin` may act on any app.
Suspension and reinstatement are platform decisions, so only an admin may make them. Events
carry the app's current state as an `AppSnapshot` (with its status before the change), never a
secret.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import strawberry
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from subgraphs.apps import credentials, lifecycle, validation
from subgraphs.apps.lifecycle import AppStatus, Transition
from subgraphs.apps.models import OUTBOX, AppRow, OrganizationRow
from subgraphs.apps.snapshots import app_snapshot
from subgraphs.apps.types import WRITE, App, ClientSecret
from subgraphs.common.context import Info
from subgraphs.common.errors import BadUserInput, Conflict, Forbidden, NotFound
from subgraphs.common.events import EventType


@strawberry.input(description="A new app; it starts as a DRAFT.")
class CreateAppInput:
    name: str
    slug: str
    organization_id: strawberry.ID | None = strawberry.field(
        default=None, description="Defaults to the caller's organization; required for admins."
    )
    description: str = ""
    homepage: str | None = None
    redirect_uris: list[str] = strawberry.field(default_factory=list)
    requested_scopes: list[str] = strawberry.field(default_factory=list)


@strawberry.input(description="Fields to change; omitted fields keep their value.")
class UpdateAppInput:
    name: str | None = strawberry.UNSET
    slug: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    homepage: str | None = strawberry.field(
        default=strawberry.UNSET, description="null removes the homepage."
    )
    redirect_uris: list[str] | None = strawberry.UNSET
    requested_scopes: list[str] | None = strawberry.UNSET


def now() -> datetime:
    return datetime.now(UTC)


def require_owner(info: Info, organization_id: str, *, admin_only: bool = False) -> None:
    principal = info.context.principal
    if principal.is_admin:
        return
    if admin_only:
        raise Forbidden("Only a platform admin may do this.")
    if principal.organization_id is None or principal.organization_id != organization_id:
        raise Forbidden("Only the organization that owns the app may change it.")


async def owned_app(
    session: AsyncSession, info: Info, id: strawberry.ID, *, admin_only: bool = False
) -> AppRow:
    row = await session.get(AppRow, str(id))
    if row is None:
        raise NotFound(f"No app with id {id!r}.", id=str(id))
    require_owner(info, row.organization_id, admin_only=admin_only)
    return row


async def ensure_slug_free(session: AsyncSession, slug: str, app_id: str | None = None) -> None:
    statement = select(AppRow.id).where(col(AppRow.slug) == slug)
    if app_id is not None:
        statement = statement.where(col(AppRow.id) != app_id)
    if (await session.exec(statement)).first() is not None:
        raise Conflict(f"The slug {slug!r} is taken.", field="slug")


async def save(
    session: AsyncSession,
    row: AppRow,
    type: EventType,
    *,
    old_status: str | None,
    change: str,
    **details: Any,
) -> None:
    """Commit the change to `row` with its event; a unique index losing a race to a concurrent
    writer is still a CONFLICT (and rolls the event back with the change)."""
    snapshot = await app_snapshot(session, row, old_status=old_status, change=change)
    session.add(row)
    try:
        await OUTBOX.add(session, type, snapshot.payload(**details), app_id=row.id)
        await session.commit()
    except IntegrityError:
        await session.rollback()
        raise Conflict("The slug or client id is taken.") from None


async def announce(info: Info, row: AppRow) -> App:
    """Relay the committed change's event and return the app as it now is."""
    await OUTBOX.relay(info.context.database, info.context.bus)
    app = App.from_row(row)
    info.context.loaders.remember(app)
    return app


async def move(
    info: Info,
    id: strawberry.ID,
    transition: Transition,
    *,
    admin_only: bool = False,
    reason: str | None = None,
) -> App:
    """Apply one lifecycle transition (all but reinstatement, whose target varies)."""
    async with info.context.database.session() as session:
        row = await owned_app(session, info, id, admin_only=admin_only)
        old_status = AppStatus(row.status)
        transition.check(old_status)
        moment = now()
        row.status = transition.target
        row.updated_at = moment
        if transition is lifecycle.SUSPEND:
            row.status_before_suspension = old_status
            row.suspension_reason = reason
        if transition is lifecycle.PUBLISH and row.published_at is None:
            row.published_at = moment
        details = {"reason": reason} if reason is not None else {}
        await save(
            session,
            row,
            transition.event,
            old_status=old_status,
            change=transition.name,
            **details,
        )
    return await announce(info, row)


@strawberry.type
class AppMutation:
    @strawberry.federation.mutation(requires_scopes=WRITE, authenticated=True)
    async def create_app(self, info: Info, input: CreateAppInput) -> App:
        organization_id = str(input.organization_id or info.context.principal.organization_id or "")
        if not organization_id:
            raise BadUserInput("Say which organization owns the app.", field="organizationId")
        require_owner(info, organization_id)
        name = validation.name(input.name)
        slug = validation.slug(input.slug)
        description = validation.description(input.description)
        homepage = validation.homepage(input.homepage)
        redirect_uris = validation.redirect_uris(input.redirect_uris)
        scopes = validation.scopes(input.requested_scopes)
        moment = now()
        async with info.context.database.session() as session:
            if await session.get(OrganizationRow, organization_id) is None:
                raise NotFound(f"No organization with id {organization_id!r}.", id=organization_id)
            await ensure_slug_free(session, slug)
            row = AppRow(
                id=credentials.new_app_id(),
                slug=slug,
                name=name,
                description=description,
                organization_id=organization_id,
                homepage=homepage,
                redirect_uris=redirect_uris,
                requested_scopes=scopes,
                client_id=credentials.new_client_id(),
                status=AppStatus.DRAFT,
                created_at=moment,
                updated_at=moment,
            )
            await save(session, row, EventType.APP_UPDATED, old_status=None, change="create")
        return await announce(info, row)

    @strawberry.federation.mutation(requires_scopes=WRITE, authenticated=True)
    async def update_app(self, info: Info, id: strawberry.ID, input: UpdateAppInput) -> App:
        changes: dict[str, Any] = {}
        if input.name:
            changes["name"] = validation.name(input.name)
        if input.slug:
            changes["slug"] = validation.slug(input.slug)
        if input.description is not None and input.description is not strawberry.UNSET:
            changes["description"] = validation.description(input.description)
        if input.homepage is not strawberry.UNSET:
            changes["homepage"] = validation.homepage(input.homepage)
        if input.redirect_uris is not None and input.redirect_uris is not strawberry.UNSET:
            changes["redirect_uris"] = validation.redirect_uris(input.redirect_uris)
        if input.requested_scopes is not None and input.requested_scopes is not strawberry.UNSET:
            changes["requested_scopes"] = validation.scopes(input.requested_scopes)
        async with info.context.database.session() as session:
            row = await owned_app(session, info, id)
            lifecycle.check_editable(AppStatus(row.status))
            if "slug" in changes:
                await ensure_slug_free(session, changes["slug"], row.id)
            changed = sorted(
                field for field, value in changes.items() if getattr(row, field) != value
            )
            if not changed:
                return App.from_row(row)
            for field in changed:
                setattr(row, field, changes[field])
            row.updated_at = now()
            await save(
                session,
                row,
                EventType.APP_UPDATED,
                old_status=row.status,
                change="update",
                changed_fields=changed,
            )
        return await announce(info, row)

    @strawberry.federation.mutation(requires_scopes=WRITE, authenticated=True)
    async def submit_app_for_review(self, info: Info, id: strawberry.ID) -> App:
        return await move(info, id, lifecycle.SUBMIT)

    @strawberry.federation.mutation(requires_scopes=WRITE, authenticated=True)
    async def publish_app(self, info: Info, id: strawberry.ID) -> App:
        return await move(info, id, lifecycle.PUBLISH)

    @strawberry.federation.mutation(requires_scopes=WRITE, authenticated=True)
    async def deprecate_app(self, info: Info, id: strawberry.ID) -> App:
        return await move(info, id, lifecycle.DEPRECATE)

    @strawberry.federation.mutation(requires_scopes=WRITE, authenticated=True)
    async def remove_app(self, info: Info, id: strawberry.ID) -> App:
        return await move(info, id, lifecycle.REMOVE)

    @strawberry.federation.mutation(
        requires_scopes=WRITE, authenticated=True, description="Platform admins only."
    )
    async def suspend_app(self, info: Info, id: strawberry.ID, reason: str) -> App:
        cleaned = validation.suspension_reason(reason)
        return await move(info, id, lifecycle.SUSPEND, admin_only=True, reason=cleaned)

    @strawberry.federation.mutation(
        requires_scopes=WRITE,
        authenticated=True,
        description="Return a suspended app to the status it had. Platform admins only.",
    )
    async def reinstate_app(self, info: Info, id: strawberry.ID) -> App:
        async with info.context.database.session() as session:
            row = await owned_app(session, info, id, admin_only=True)
            old_status = AppStatus(row.status)
            lifecycle.REINSTATE.check(old_status)
            row.status = row.status_before_suspension or AppStatus.PUBLISHED
            row.status_before_suspension = None
            row.suspension_reason = None
            row.updated_at = now()
            await save(
                session,
                row,
                EventType.APP_STATUS_CHANGED,
                old_status=old_status,
                change="reinstate",
            )
        return await announce(info, row)

    @strawberry.federation.mutation(
        requires_scopes=WRITE,
        authenticated=True,
        description="Issue a new client secret, invalidating the old one. The plaintext is "
        "returned only here.",
    )
    async def rotate_client_secret(self, info: Info, id: strawberry.ID) -> ClientSecret:
        secret = credentials.new_client_secret()
        async with info.context.database.session() as session:
            row = await owned_app(session, info, id)
            lifecycle.check_editable(AppStatus(row.status))
            row.client_secret_hash = credentials.hash_client_secret(secret)
            row.updated_at = now()
            await save(
                session,
                row,
                EventType.APP_UPDATED,
                old_status=row.status,
                change="rotate client secret",
                changed_fields=["client_secret"],
            )
        app = await announce(info, row)
        return ClientSecret(
            app=app, client_id=row.client_id, client_secret=secret, issued_at=row.updated_at
        )
