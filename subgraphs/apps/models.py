"""The apps subgraph's tables.

Lists (redirect URIs, scopes) are JSON and timestamps timezone-aware so SQLite and PostgreSQL
store the same values. The client secret is kept only as a hash; the webhook secret is kept in
the clear because the webhook sender needs it to sign deliveries.
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
    status: str = Field(max_length=20, index=True)
    # Where `reinstateApp` returns a suspended app to.
    status_before_suspension: str | None = Field(default=None, max_length=20)
    suspension_reason: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False))
    updated_at: datetime = Field(sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False))
    published_at: datetime | None = Field(
        default=None, sa_column=sa.Column(sa.DateTime(timezone=True), nullable=True)
    )


# The events this subgraph's mutations stage, committed with their changes.
OUTBOX = Outbox(Base.metadata)

metadata = Base.metadata
