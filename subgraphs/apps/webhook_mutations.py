"""Changes to an app's webhooks: the endpoint, its secret, and deliveries on request.

The endpoint's settings are the owners' (as every app setting is). Redelivering and sending a
test are open to the app itself too, with an app-level token, as reading the log is. Changes to
the endpoint announce themselves as `app.updated` events like every other app setting, never
with the secret.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
import strawberry
from sqlmodel.ext.asyncio.session import AsyncSession

from subgraphs.apps import credentials, lifecycle, validation
from subgraphs.apps.lifecycle import AppStatus
from subgraphs.apps.models import AppRow, WebhookDeliveryRow
from subgraphs.apps.mutations import announce, now, owned_app, save
from subgraphs.apps.types import WRITE, App
from subgraphs.apps.webhook_types import WebhookDelivery, may_manage_webhooks
from subgraphs.apps.webhooks import queue
from subgraphs.apps.webhooks.endpoint import (
    ROTATION_GRACE,
    TEST_EVENT_TYPE,
    DeliveryStatus,
    WebhookStatus,
)
from subgraphs.common.context import Info
from subgraphs.common.errors import Forbidden, InvalidStateTransition, NotFound
from subgraphs.common.events import EventType


@strawberry.input(description="Endpoint settings to change; omitted fields keep their value.")
class UpdateWebhookEndpointInput:
    url: str | None = strawberry.UNSET
    event_types: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="The event types to deliver; empty means all."
    )
    enabled: bool | None = strawberry.field(
        default=strawberry.UNSET,
        description="true re-enables a disabled endpoint (its waiting deliveries resume).",
    )


def issue_secret(row: AppRow, grace: timedelta = ROTATION_GRACE) -> None:
    """A new signing secret; the one it replaces keeps signing (beside it) for `grace`."""
    if row.webhook_secret:
        row.webhook_previous_secret = row.webhook_secret
        row.webhook_previous_secret_expires_at = now() + grace
    row.webhook_secret = credentials.new_webhook_secret()


def enable(row: AppRow) -> None:
    row.webhook_status = WebhookStatus.ENABLED
    row.webhook_failing_since = None
    row.webhook_disabled_at = None


async def endpoint_owned(session: AsyncSession, info: Info, app_id: strawberry.ID) -> AppRow:
    row = await owned_app(session, info, app_id)
    lifecycle.check_editable(AppStatus(row.status))
    require_endpoint(row, "change webhook")
    return row


def require_endpoint(row: AppRow, transition: str) -> None:
    if not row.webhook_url:
        raise InvalidStateTransition(
            "The app has no webhook endpoint; set one with setAppWebhook.",
            status=str(row.status),
            transition=transition,
        )


async def managed_app(session: AsyncSession, info: Info, app_id: str) -> AppRow:
    """The app, if the principal may act on its deliveries."""
    row = await session.get(AppRow, app_id)
    if row is None:
        raise NotFound(f"No app with id {app_id!r}.", id=app_id)
    if not may_manage_webhooks(info.context.principal, row.id, row.organization_id):
        raise Forbidden("Only the app's owners or the app itself may do this.")
    return row


async def changed(
    info: Info, session: AsyncSession, row: AppRow, change: str, fields: list[str]
) -> App:
    row.updated_at = now()
    await save(
        session,
        row,
        EventType.APP_UPDATED,
        old_status=row.status,
        change=change,
        changed_fields=fields,
    )
    return await announce(info, row)


@strawberry.type
class WebhookMutation:
    @strawberry.federation.mutation(
        requires_scopes=WRITE,
        authenticated=True,
        description="Point webhooks at an https URL and enable them; a new signing secret is "
        "issued (the previous one keeps signing beside it for 24 hours).",
    )
    async def set_app_webhook(self, info: Info, id: strawberry.ID, url: str) -> App:
        webhook_url = validation.webhook_url(url)
        async with info.context.database.session() as session:
            row = await owned_app(session, info, id)
            lifecycle.check_editable(AppStatus(row.status))
            row.webhook_url = webhook_url
            issue_secret(row)
            enable(row)
            return await changed(
                info, session, row, "set webhook", ["webhook_secret", "webhook_url"]
            )

    @strawberry.federation.mutation(
        requires_scopes=WRITE,
        authenticated=True,
        description="Change the endpoint's URL, subscribed event types, or re-enable it.",
    )
    async def update_webhook_endpoint(
        self, info: Info, app_id: strawberry.ID, input: UpdateWebhookEndpointInput
    ) -> App:
        async with info.context.database.session() as session:
            row = await endpoint_owned(session, info, app_id)
            fields: list[str] = []
            if input.url is not None and input.url is not strawberry.UNSET:
                url = validation.webhook_url(input.url)
                if url != row.webhook_url:
                    row.webhook_url = url
                    fields.append("webhook_url")
            if input.event_types is not None and input.event_types is not strawberry.UNSET:
                types = validation.event_types(input.event_types)
                if types != list(row.webhook_event_types):
                    row.webhook_event_types = types
                    fields.append("webhook_event_types")
            if input.enabled is not None and input.enabled is not strawberry.UNSET:
                if input.enabled and row.webhook_status != WebhookStatus.ENABLED:
                    enable(row)
                    fields.append("webhook_status")
                elif not input.enabled and row.webhook_status != WebhookStatus.DISABLED:
                    row.webhook_status = WebhookStatus.DISABLED
                    row.webhook_disabled_at = now()
                    fields.append("webhook_status")
            if not fields:
                return App.from_row(row)
            return await changed(info, session, row, "update webhook", sorted(fields))

    @strawberry.federation.mutation(
        requires_scopes=WRITE,
        authenticated=True,
        description="Issue a new webhook signing secret; deliveries carry signatures with both "
        "the new and the old one for 24 hours.",
    )
    async def rotate_webhook_secret(self, info: Info, app_id: strawberry.ID) -> App:
        async with info.context.database.session() as session:
            row = await endpoint_owned(session, info, app_id)
            issue_secret(row)
            return await changed(info, session, row, "rotate webhook secret", ["webhook_secret"])

    @strawberry.federation.mutation(
        requires_scopes=WRITE,
        authenticated=True,
        description="Send a delivery again, now, with its webhook-id: a new round of retries.",
    )
    async def redeliver_webhook(self, info: Info, id: strawberry.ID) -> WebhookDelivery:
        async with info.context.database.session() as session:
            delivery = await session.get(WebhookDeliveryRow, str(id))
            if delivery is None:
                raise NotFound(f"No webhook delivery with id {id!r}.", id=str(id))
            await managed_app(session, info, delivery.app_id)
            connection = await session.connection()
            await connection.execute(
                sa.update(queue.DELIVERIES)
                .where(queue.DELIVERIES.c.id == delivery.id)
                .values(
                    status=DeliveryStatus.PENDING.value,
                    schedule_step=0,
                    next_attempt_at=now(),
                    claimed_by=None,
                )
            )
            await session.commit()
            await session.refresh(delivery)
        return WebhookDelivery.from_row(delivery)

    @strawberry.federation.mutation(
        requires_scopes=WRITE,
        authenticated=True,
        description="Queue a `webhook.test` delivery to the app's endpoint.",
    )
    async def send_test_webhook(self, info: Info, app_id: strawberry.ID) -> WebhookDelivery:
        async with info.context.database.session() as session:
            row = await managed_app(session, info, str(app_id))
            require_endpoint(row, "send test webhook")
            moment = now()
            data = {"app_id": row.id, "message": "A test delivery from Switchboard."}
            values = queue.delivery_values(
                row.id,
                TEST_EVENT_TYPE,
                queue.body(TEST_EVENT_TYPE, moment, data, event_id=None),
                moment,
            )
            delivery = WebhookDeliveryRow(**values)
            session.add(delivery)
            await session.commit()
        return WebhookDelivery.from_row(delivery)
