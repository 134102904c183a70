"""The metrics tables: raw usage records as the gateway sends them, and hourly rollups.

Queries never scan raw records: every usage question is answered from the rollups, which are
updated in the same transaction as the raw rows. Rollups key "no installation" (app-level calls
made with client credentials) and "no app" (anonymous callers, people's tokens) as the empty
string rather than NULL, because a NULL never conflicts in a unique key and the upserts would
then insert duplicates instead of adding up. Raw records keep NULL for both.

Each rollup row covers `span_hours` hours from `hour_start`: recorded usage is always hourly (1);
seeded history older than a week is stored coarser (24 or 168 hours, see `seed.py`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from subgraphs.common.outbox import Outbox
from subgraphs.common.positions import ConsumerPositions

NO_INSTALLATION = ""
NO_APP = ""


class Base(SQLModel, registry=registry()):
    pass


def _timestamp(**options: Any) -> Any:
    return Field(sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False, **options))


def _json() -> Any:
    return Field(sa_column=sa.Column(sa.JSON, nullable=False))


class UsageRecordRow(Base, table=True):
    """One client request as the gateway saw it."""

    __tablename__ = "usage_record"
    __table_args__ = (sa.Index("ix_usage_record_app_time", "app_id", "occurred_at"),)

    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = _timestamp()
    app_id: str | None = Field(default=None, max_length=64)
    installation_id: str | None = Field(default=None, max_length=64)
    workspace_id: str | None = Field(default=None, max_length=64)
    operation_name: str | None = Field(default=None, max_length=200)
    operation_hash: str = Field(max_length=128)
    operation_kind: str | None = Field(default=None, max_length=16)
    fields: list[str] = _json()
    estimated_cost: int | None = None
    actual_cost: int | None = None
    duration_ms: float
    error_count: int = 0
    error_codes: list[str] = Field(
        default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False, server_default="[]")
    )
    subgraph_timings: dict[str, float] = _json()
    http_status: int = 200


class AppOwnerRow(Base, table=True):
    """Which organization owns each app, replicated from the apps subgraph's events: its
    members read their apps' usage."""

    __tablename__ = "app_owner"

    app_id: str = Field(primary_key=True, max_length=64)
    organization_id: str = Field(max_length=64, index=True)


class UsageHourlyRow(Base, table=True):
    """Requests, errors and latency of one app installation over one hour."""

    __tablename__ = "usage_hourly"
    __table_args__ = (
        sa.Index("ix_usage_hourly_installation", "installation_id", "hour_start"),
        sa.Index("ix_usage_hourly_hour", "hour_start"),
    )

    app_id: str = Field(primary_key=True, max_length=64)
    installation_id: str = Field(primary_key=True, max_length=64)
    hour_start: datetime = _timestamp(primary_key=True)
    span_hours: int = 1
    requests: int
    errors: int
    total_duration_ms: float
    latency_histogram: list[int] = _json()


class UsageOperationHourlyRow(Base, table=True):
    """The same counters per operation, for `topOperations`."""

    __tablename__ = "usage_operation_hourly"
    __table_args__ = (
        sa.Index("ix_usage_operation_hourly_installation", "installation_id", "hour_start"),
    )

    app_id: str = Field(primary_key=True, max_length=64)
    installation_id: str = Field(primary_key=True, max_length=64)
    hour_start: datetime = _timestamp(primary_key=True)
    operation_hash: str = Field(primary_key=True, max_length=128)
    operation_name: str | None = Field(default=None, max_length=200)
    span_hours: int = 1
    requests: int
    errors: int
    total_duration_ms: float
    latency_histogram: list[int] = _json()


class UsageFieldHourlyRow(Base, table=True):
    """How many requests touched each schema coordinate ("Type.field"), for `topFields`."""

    __tablename__ = "usage_field_hourly"
    __table_args__ = (
        sa.Index("ix_usage_field_hourly_installation", "installation_id", "hour_start"),
    )

    app_id: str = Field(primary_key=True, max_length=64)
    installation_id: str = Field(primary_key=True, max_length=64)
    hour_start: datetime = _timestamp(primary_key=True)
    coordinate: str = Field(primary_key=True, max_length=200)
    span_hours: int = 1
    requests: int


# The events this subgraph's mutations stage, committed with their changes.
OUTBOX = Outbox(Base.metadata)
# Where the owners' consumer of app events stopped reading the bus (`owners.consume`).
POSITIONS = ConsumerPositions(Base.metadata)

metadata = Base.metadata
