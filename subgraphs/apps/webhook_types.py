"""The webhook part of the apps graph: an app's endpoint, its deliveries and their attempts.

Only the app's owners, the app itself calling with an app-level token (no installation), and
platform admins see them (`may_manage_webhooks`); everyone else gets null.
"""

from __future__ import annotations

from datetime import datetime

import strawberry

from subgraphs.apps.models import AppRow, WebhookAttemptRow, WebhookDeliveryRow
from subgraphs.apps.webhooks.endpoint import DeliveryStatus, WebhookStatus
from subgraphs.common.clock import as_utc
from subgraphs.common.context import Info
from subgraphs.common.principal import Principal

strawberry.enum(WebhookStatus, description="Whether an endpoint receives deliveries.")
strawberry.enum(DeliveryStatus, description="Where a delivery is: waiting, delivered, given up.")


def may_manage_webhooks(principal: Principal, app_id: str, organization_id: str) -> bool:
    """Owners, admins, and the app itself with an app-level token (an installation's token
    speaks for one workspace, not for the app's settings)."""
    if principal.is_admin:
        return True
    if principal.app_id is not None:
        return principal.app_id == app_id and principal.installation_id is None
    return principal.organization_id is not None and principal.organization_id == organization_id


def _utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else as_utc(moment)


@strawberry.type(description="Where an app's events are delivered, and how that is going.")
class WebhookEndpoint:
    url: str
    status: WebhookStatus
    event_types: list[str] = strawberry.field(
        description="The event types delivered; empty means every type."
    )
    failing_since: datetime | None = strawberry.field(
        description="The first failed attempt since the last success; after 5 days of failures "
        "the endpoint is disabled."
    )
    disabled_at: datetime | None
    previous_secret_expires_at: datetime | None = strawberry.field(
        description="Until then deliveries carry a second signature, with the secret the last "
        "rotation replaced."
    )

    @classmethod
    def from_row(cls, row: AppRow) -> WebhookEndpoint | None:
        if not row.webhook_url:
            return None
        return cls(
            url=row.webhook_url,
            status=WebhookStatus(row.webhook_status or WebhookStatus.ENABLED),
            event_types=list(row.webhook_event_types),
            failing_since=_utc(row.webhook_failing_since),
            disabled_at=_utc(row.webhook_disabled_at),
            previous_secret_expires_at=_utc(row.webhook_previous_secret_expires_at),
        )


@strawberry.type(description="One HTTP request of a delivery.")
class WebhookAttempt:
    attempted_at: datetime
    status_code: int | None = strawberry.field(description="null when no answer came.")
    latency_ms: float
    error: str | None = strawberry.field(description="Why the attempt failed; null on success.")
    response_body: str | None = strawberry.field(
        description="The start of the endpoint's answer (at most 1 KiB)."
    )

    @classmethod
    def from_row(cls, row: WebhookAttemptRow) -> WebhookAttempt:
        return cls(
            attempted_at=as_utc(row.attempted_at),
            status_code=row.status_code,
            latency_ms=row.latency_ms,
            error=row.error,
            response_body=row.response_body,
        )


@strawberry.type(description="One event for an app's endpoint, with every attempt to send it.")
class WebhookDelivery:
    id: strawberry.ID = strawberry.field(
        description="The `webhook-id` header: the same on every attempt and redelivery."
    )
    event_type: str
    event_id: strawberry.ID | None = strawberry.field(
        description="The bus id of the event; null for test deliveries."
    )
    status: DeliveryStatus
    attempt_count: int
    payload: str = strawberry.field(description="The JSON body sent, exactly as signed.")
    created_at: datetime
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None = strawberry.field(
        description="When the next attempt is due; null once delivered or given up."
    )
    app_id: strawberry.Private[str]

    @classmethod
    def from_row(cls, row: WebhookDeliveryRow) -> WebhookDelivery:
        pending = row.status == DeliveryStatus.PENDING
        return cls(
            id=strawberry.ID(row.id),
            event_type=row.event_type,
            event_id=None if row.event_id is None else strawberry.ID(str(row.event_id)),
            status=DeliveryStatus(row.status),
            attempt_count=row.attempt_count,
            payload=row.body,
            created_at=as_utc(row.created_at),
            last_attempt_at=_utc(row.last_attempt_at),
            next_attempt_at=_utc(row.next_attempt_at) if pending else None,
            app_id=row.app_id,
        )

    @strawberry.field(description="Every attempt, oldest first.")
    async def attempts(self, info: Info) -> list[WebhookAttempt]:
        attempts: list[WebhookAttempt] = await info.context.loaders.webhook_attempts.load(
            str(self.id)
        )
        return attempts
