"""The apps subgraph's tables.

Lists (redirect URIs, scopes) are JSON and timestamps timezone-aware so SQLite and PostgreSQL
store the same values. The client secret is kept only as a hash; the webhook secret is kept in
the clear because the webhook sender needs it to sign deliveries. The webhook delivery queue
and its log (`webhook_delivery`, `webhook_attempt`) and the sender's position on the event bus
(`webhook_cursor`) live here too: `docs/design/webhooks.md`.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from subgraphs.common.outbox import Outbox


class Base(SQLModel, registry=registry()):
    pass


class OrganizationRow(Base, table=True):
    __tablename__ = "organization"

    id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=120)
    slug: str = Field(max_length=120, unique=True)


class AppRow(Base, table=True):
    __tablename__ = "app"
    __table_args__ = (sa.Index("ix_app_name_id", "name", "id"),)

    id: str = Field(primary_key=True, max_length=64)
    slug: str = Field(max_length=60, unique=True)
    name: str = Field(max_length=60)
    description: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False))
    organization_id: str = Field(foreign_key="organization.id", index=True, max_length=64)
    homepage: str | None = Field(default=None, max_length=2048)
    redirect_uris: list[str] = Field(
        default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False)
    )
    requested_scopes: list[str] = Field(
        default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False)
    )
    client_id: str = Field(max_length=64, unique=True)
    client_secret_hash: str | None = Field(default=None, max_length=128)
    webhook_url: str | None = Field(default=None, max_length=2048)
    webhook_secret: str | None = Field(default=None, max_length=128)
    # The secret replaced by the last rotation: deliveries are signed with both until it expires.
    webhook_previous_secret: str | None = Field(default=None, max_length=128)
    webhook_previous_secret_expires_at: datetime | None = Field(
        default=None, sa_column=sa.Column(sa.DateTime(timezone=True), nullable=True)
    )
    # Event types the endpoint receives; empty means every type.
    webhook_event_types: list[str] = Field(
        default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False, server_default="[]")
    )
    # ENABLED or DISABLED (null without an endpoint); see subgraphs/apps/webhooks/endpoint.py.
    webhook_status: str | None = Field(default=None, max_length=20)
    # The first failed attempt since the last success: persistent failure disables the endpoint.
    webhook_failing_since: datetime | None = Field(
        default=None, sa_column=sa.Column(sa.DateTime(timezone=True), nullable=True)
    )
    webhook_disabled_at: datetime | None = Field(
        default=None, sa_column=sa.Column(sa.DateTime(timezone=True), nullable=True)
    )
    status: str = Field(max_length=20, index=True)
    # Where `reinstateApp` returns a suspended app to.
    status_before_suspension: str | None = Field(default=None, max_length=20)
    suspension_reason: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False))
    updated_at: datetime = Field(sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False))
    published_at: datetime | None = Field(
        default=None, sa_column=sa.Column(sa.DateTime(timezone=True), nullable=True)
    )


class WebhookDeliveryRow(Base, table=True):
    """One event for one app's endpoint: the queue entry and the head of its log."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        # The senders' claim: due pending deliveries, oldest due first.
        sa.Index("ix_webhook_delivery_due", "status", "next_attempt_at"),
        # The log: an app's deliveries, newest first.
        sa.Index("ix_webhook_delivery_app_log", "app_id", "created_at", "id"),
    )

    # The `webhook-id` header: stable across retries and redeliveries.
    id: str = Field(primary_key=True, max_length=64)
    app_id: str = Field(foreign_key="app.id", max_length=64)
    # The bus id of the event delivered; null for test deliveries.
    event_id: int | None = Field(default=None, sa_column=sa.Column(sa.BigInteger, nullable=True))
    event_type: str = Field(max_length=64)
    # The exact bytes signed and sent, fixed when the delivery is queued.
    body: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    status: str = Field(max_length=20)  # PENDING, SUCCEEDED or FAILED
    attempt_count: int = 0
    # Where the current round is in the retry schedule (a redelivery starts a new round).
    schedule_step: int = 0
    next_attempt_at: datetime | None = Field(
        default=None, sa_column=sa.Column(sa.DateTime(timezone=True), nullable=True)
    )
    # The sender holding the delivery while it sends it; its claim lapses at `next_attempt_at`.
    claimed_by: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False))
    last_attempt_at: datetime | None = Field(
        default=None, sa_column=sa.Column(sa.DateTime(timezone=True), nullable=True)
    )


class WebhookAttemptRow(Base, table=True):
    """One HTTP request of a delivery and what came of it."""

    __tablename__ = "webhook_attempt"

    id: int | None = Field(default=None, primary_key=True)
    delivery_id: str = Field(foreign_key="webhook_delivery.id", index=True, max_length=64)
    attempted_at: datetime = Field(sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False))
    status_code: int | None = None
    latency_ms: float = 0.0
    error: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    # The start of the response body, bounded (subgraphs/apps/webhooks/http.py).
    response_body: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))


class WebhookCursorRow(Base, table=True):
    """How far a webhook sender has read the event bus: it resumes after `last_event_id`."""

    __tablename__ = "webhook_cursor"

    consumer: str = Field(primary_key=True, max_length=64)
    last_event_id: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False))


# The events this subgraph's mutations stage, committed with their changes.
OUTBOX = Outbox(Base.metadata)

metadata = Base.metadata
