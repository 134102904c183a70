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
from subgraphs.common.positions import ConsumerPositions


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
    """What this subgraph knows about an app of the apps subgraph: enough to validate installs
    and to act as the app's OAuth client (its client id, secret hash and redirect URIs)."""

    __tablename__ = "app_ref"

    id: str = Field(primary_key=True, max_length=64)
    status: str = Field(max_length=16)
    requested_scopes: list[str] = Field(sa_column=sa.Column(sa.JSON, nullable=False))
    updated_at: datetime = Field(sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False))
    slug: str = Field(default="", max_length=60, index=True)
    name: str = Field(default="", max_length=60)
    organization_id: str = Field(default="", max_length=64)
    publisher: str = Field(default="", max_length=120)
    # Seeded from the demo world; the marketplace owns it and announces no change of it yet.
    certification: str = Field(default="NONE", max_length=16)
    client_id: str | None = Field(default=None, max_length=64, unique=True, index=True)
    client_secret_hash: str | None = Field(default=None, max_length=128)
    redirect_uris: list[str] = Field(
        default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False)
    )


# --- The authorization server's tables (subgraphs/installs/oauth) -------------------------------


class SigningKeyRow(Base, table=True):
    """A key the issuer signs access tokens with. The private half is a JWE (`dir`, A256GCM)
    under the key-encryption key from the environment, never stored in the clear."""

    __tablename__ = "signing_key"

    kid: str = Field(primary_key=True, max_length=64)
    algorithm: str = Field(max_length=16)
    public_jwk: dict[str, str] = Field(sa_column=sa.Column(sa.JSON, nullable=False))
    private_jwe: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    created_at: datetime = Field(sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False))
    # Set when a newer key replaces it: published (and trusted) until then, gone after.
    retire_at: datetime | None = Field(
        default=None, sa_column=sa.Column(sa.DateTime(timezone=True), nullable=True)
    )


class UserRow(Base, table=True):
    """A person who signs in: a workspace member, a publisher's developer or platform staff."""

    __tablename__ = "user_account"

    id: str = Field(primary_key=True, max_length=64)
    email: str = Field(max_length=254, unique=True)
    name: str = Field(max_length=200)
    password_hash: str = Field(max_length=200)
    # The publisher organization (apps subgraph) the person works for, if any.
    organization_id: str | None = Field(default=None, max_length=64)
    staff_roles: list[str] = Field(
        default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False)
    )
    created_at: datetime = Field(sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False))


class WorkspaceMemberRow(Base, table=True):
    __tablename__ = "workspace_member"

    user_id: str = Field(foreign_key="user_account.id", primary_key=True, max_length=64)
    workspace_id: str = Field(
        foreign_key="workspace.id", primary_key=True, max_length=64, index=True
    )
    role: str = Field(max_length=16)  # "admin" or "member"


class AuthorizationCodeRow(Base, table=True):
    """An issued authorization code, by the SHA-256 of its value; used at most once."""

    __tablename__ = "authorization_code"

    code_hash: str = Field(primary_key=True, max_length=64)
    client_id: str = Field(max_length=64)
    redirect_uri: str = Field(max_length=2048)
    scope: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    code_challenge: str = Field(max_length=128)
    code_challenge_method: str = Field(max_length=8)
    user_id: str = Field(max_length=64)
    installation_id: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False))
    expires_at: datetime = Field(sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False))
    used_at: datetime | None = Field(
        default=None, sa_column=sa.Column(sa.DateTime(timezone=True), nullable=True)
    )


class RefreshTokenRow(Base, table=True):
    """A refresh token, by the SHA-256 of its value. Every use rotates it into a new row of the
    same family; presenting a rotated one again revokes the family."""

    __tablename__ = "refresh_token"

    token_hash: str = Field(primary_key=True, max_length=64)
    family_id: str = Field(max_length=64, index=True)
    client_id: str = Field(max_length=64)
    user_id: str = Field(max_length=64)
    installation_id: str | None = Field(default=None, max_length=64, index=True)
    scope: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    # The access token issued beside it: named in `grant.revoked` when the family is revoked.
    access_jti: str = Field(max_length=64)
    access_expires_at: datetime = Field(
        sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False)
    )
    created_at: datetime = Field(sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False))
    expires_at: datetime = Field(sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False))
    rotated_at: datetime | None = Field(
        default=None, sa_column=sa.Column(sa.DateTime(timezone=True), nullable=True)
    )
    revoked_at: datetime | None = Field(
        default=None, sa_column=sa.Column(sa.DateTime(timezone=True), nullable=True)
    )


class RevokedAccessTokenRow(Base, table=True):
    """An access token revoked before its expiry (kept until then, for introspection)."""

    __tablename__ = "revoked_access_token"

    jti: str = Field(primary_key=True, max_length=64)
    expires_at: datetime = Field(sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False))


# The events this subgraph's mutations stage, committed with their changes.
OUTBOX = Outbox(Base.metadata)
# Where the app replica stopped reading the bus (`app_replica.consume`).
POSITIONS = ConsumerPositions(Base.metadata)

metadata = Base.metadata
