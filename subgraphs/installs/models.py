"""The installs subgraph's tables.

Enumerations (plan, status) are stored as plain strings so both backends migrate the same way;
scopes are JSON lists; timestamps are timezone-aware and always UTC.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from subgraphs.common.outbox import Outbox


class Base(SQLModel, registry=registry()):
    pass


class WorkspaceRow(Base, table=True):
    __tablename__ = "workspace"

    id: str = Field(primary_key=True, max_length=64)
    slug: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=200)
    plan: str = Field(max_length=16)
    created_at: datetime = Field(sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False))


class InstallationRow(Base, table=True):
    __tablename__ = "installation"
    __table_args__ = (
        # At most one live (not removed) installation of an app per workspace; a removed one
        # stays as history and the app may be installed again beside it.
        sa.Index(
            "ix_installation_live_app_workspace",
            "app_id",
            "workspace_id",
            unique=True,
            sqlite_where=sa.text("status != 'REMOVED'"),
            postgresql_where=sa.text("status != 'REMOVED'"),
        ),
        sa.Index("ix_installation_installed_at_id", "installed_at", "id"),
    )

    id: str = Field(primary_key=True, max_length=64)
    # No foreign key to `app_ref`: the replica may be rebuilt from events at any time.
    app_id: str = Field(max_length=64, index=True)
    workspace_id: str = Field(foreign_key="workspace.id", max_length=64, index=True)
    granted_scopes: list[str] = Field(sa_column=sa.Column(sa.JSON, nullable=False))
    status: str = Field(max_length=16)
    installed_by: str = Field(max_length=200)
    installed_at: datetime = Field(sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False))
    updated_at: datetime = Field(sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False))
    removed_at: datetime | None = Field(
        default=None, sa_column=sa.Column(sa.DateTime(timezone=True), nullable=True)
    )


class AppReferenceRow(Base, table=True):
    """What this subgraph knows about an app of the apps subgraph: enough to validate installs."""

    __tablename__ = "app_ref"

    id: str = Field(primary_key=True, max_length=64)
    status: str = Field(max_length=16)
    requested_scopes: list[str] = Field(sa_column=sa.Column(sa.JSON, nullable=False))
    updated_at: datetime = Field(sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False))


# The events this subgraph's mutations stage, committed with their changes.
OUTBOX = Outbox(Base.metadata)

metadata = Base.metadata
