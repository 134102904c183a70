"""The GraphQL types this subgraph owns: `App`, `Organization`, `ClientSecret`, `AppStatus`.

Types are built from table rows (`from_row`) and never hold a session. Owner-only values ride
along as private attributes and are revealed by resolvers that check the principal.
"""

from __future__ import annotations

from datetime import datetime

import strawberry

from subgraphs.apps.lifecycle import AppStatus
from subgraphs.apps.models import AppRow, OrganizationRow
from subgraphs.apps.webhook_types import (
    WebhookDelivery,
    WebhookEndpoint,
    may_manage_webhooks,
)
from subgraphs.apps.webhooks.endpoint import DeliveryStatus
from subgraphs.common.clock import as_utc
from subgraphs.common.context import Info
from subgraphs.common.pagination import PAGE_SIZE, Connection, PageRequest

# Registers the domain enum with Strawberry in place; the class stays the one `lifecycle` uses.
strawberry.enum(AppStatus, description="Where an app is in its lifecycle.")

READ = [["apps:read"]]
WRITE = [["apps:write"]]


@strawberry.federation.type(keys=["id"], description="A developer organization that owns apps.")
class Organization:
    id: strawberry.ID
    name: str
    slug: str

    @classmethod
    def from_row(cls, row: OrganizationRow) -> Organization:
        return cls(id=strawberry.ID(row.id), name=row.name, slug=row.slug)

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Organization | None:
        organization: Organization | None = await info.context.loaders.organization.load(id)
        return organization

    @strawberry.field(
        description="The organization's apps, ordered by name.", directives=[PAGE_SIZE]
    )
    async def apps(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        status: AppStatus | None = None,
    ) -> Connection[App]:
        key = (str(self.id), PageRequest.of(first, after), status)
        connection: Connection[App] = await info.context.loaders.organization_apps.load(key)
        return connection


@strawberry.federation.type(keys=["id"], description="An app registered on the platform.")
class App:
    id: strawberry.ID
    slug: str
    name: str
    description: str
    status: AppStatus
    homepage: str | None
    redirect_uris: list[str] = strawberry.federation.field(
        requires_scopes=READ, authenticated=True, description="Where OAuth may send users back."
    )
    requested_scopes: list[str]
    client_id: str = strawberry.federation.field(
        requires_scopes=READ, authenticated=True, description="The app's public OAuth client id."
    )
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None = strawberry.field(
        description="When the app was first published; null if it never was."
    )
    organization_id: strawberry.Private[str]
    stored_webhook_url: strawberry.Private[str | None]
    stored_webhook_secret: strawberry.Private[str | None]
    stored_suspension_reason: strawberry.Private[str | None]
    stored_webhook_endpoint: strawberry.Private[WebhookEndpoint | None]

    @classmethod
    def from_row(cls, row: AppRow) -> App:
        return cls(
            id=strawberry.ID(row.id),
            slug=row.slug,
            name=row.name,
            description=row.description,
            status=AppStatus(row.status),
            homepage=row.homepage,
            redirect_uris=list(row.redirect_uris),
            requested_scopes=list(row.requested_scopes),
            client_id=row.client_id,
            created_at=as_utc(row.created_at),
            updated_at=as_utc(row.updated_at),
            published_at=as_utc(row.published_at) if row.published_at else None,
            organization_id=row.organization_id,
            stored_webhook_url=row.webhook_url,
            stored_webhook_secret=row.webhook_secret,
            stored_suspension_reason=row.suspension_reason,
            stored_webhook_endpoint=WebhookEndpoint.from_row(row),
        )

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> App | None:
        app: App | None = await info.context.loaders.app.load(id)
        return app

    def visible_to_owner(self, info: Info) -> bool:
        return bool(info.context.principal.may_see_app(str(self.id), self.organization_id))

    @strawberry.field(description="The organization that owns the app.")
    async def organization(self, info: Info) -> Organization:
        organization: Organization = await info.context.loaders.organization.load(
            self.organization_id
        )
        return organization

    @strawberry.federation.field(
        requires_scopes=READ,
        authenticated=True,
        description="Where events are delivered; null unless you own the app.",
    )
    def webhook_url(self, info: Info) -> str | None:
        return self.stored_webhook_url if self.visible_to_owner(info) else None

    @strawberry.federation.field(
        requires_scopes=WRITE,
        authenticated=True,
        description="The key webhook deliveries are signed with; null unless you own the app.",
    )
    def webhook_secret(self, info: Info) -> str | None:
        return self.stored_webhook_secret if self.visible_to_owner(info) else None

    def may_manage_webhooks(self, info: Info) -> bool:
        return may_manage_webhooks(info.context.principal, str(self.id), self.organization_id)

    @strawberry.federation.field(
        requires_scopes=READ,
        authenticated=True,
        description="Where and how events are delivered; null without an endpoint, or unless "
        "you own the app (or are the app, with an app-level token).",
    )
    def webhook_endpoint(self, info: Info) -> WebhookEndpoint | None:
        return self.stored_webhook_endpoint if self.may_manage_webhooks(info) else None

    @strawberry.federation.field(
        requires_scopes=READ,
        authenticated=True,
        description="The webhook deliveries to the app, newest first, each with its attempts; "
        "null unless you own the app (or are the app, with an app-level token).",
        directives=[PAGE_SIZE],
    )
    async def webhook_deliveries(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        status: DeliveryStatus | None = None,
        event_type: str | None = None,
    ) -> Connection[WebhookDelivery] | None:
        if not self.may_manage_webhooks(info):
            return None
        key = (str(self.id), PageRequest.of(first, after), status, event_type)
        connection: Connection[
            WebhookDelivery
        ] = await info.context.loaders.webhook_deliveries.load(key)
        return connection

    @strawberry.federation.field(
        requires_scopes=READ,
        authenticated=True,
        description="Why the app was suspended; null unless suspended and you own the app.",
    )
    def suspension_reason(self, info: Info) -> str | None:
        if self.status != AppStatus.SUSPENDED or not self.visible_to_owner(info):
            return None
        return self.stored_suspension_reason


@strawberry.type(description="A newly issued client secret: shown this once, stored only hashed.")
class ClientSecret:
    app: App
    client_id: str
    client_secret: str
    issued_at: datetime
