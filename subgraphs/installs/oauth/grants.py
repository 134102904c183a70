"""The grants the server speaks, as authlib grant classes reading the request's `Exchange`.

- authorization code, with PKCE S256 required for every client (OAuth 2.1): plain or missing
  challenges are refused before any code is issued; a code is used once, and presenting a used
  one again revokes what it produced (RFC 6749 §4.1.2);
- refresh token, rotated on every use; presenting a rotated one again revokes its whole family;
- client credentials, for an app's own calls: an app-level token with no installation.

Scopes never exceed what the subject holds now: a token's scopes are those asked for, cut down
to the installation's current grant or the person's current roles.
"""

from __future__ import annotations

import secrets
from typing import Any

import sqlalchemy as sa
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6749.errors import InvalidRequestError, InvalidScopeError
from authlib.oauth2.rfc7636 import CodeChallenge
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from subgraphs.common.clock import as_utc
from subgraphs.installs.models import AuthorizationCodeRow, RefreshTokenRow
from subgraphs.installs.oauth import access_tokens
from subgraphs.installs.oauth.clients import Client
from subgraphs.installs.oauth.config import (
    ACCESS_TOKEN_LIFETIME,
    CODE_LIFETIME,
    REFRESH_TOKEN_LIFETIME,
)
from subgraphs.installs.oauth.exchange import (
    StaleGrant,
    StoredCode,
    StoredRefreshToken,
    Subject,
    current,
    digest,
)
from subgraphs.installs.oauth.revocation import revoke_family
from subgraphs.installs.oauth.scopes import ALL_SCOPES

TOKEN_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]


class S256Challenge(CodeChallenge):  # type: ignore[misc]
    """PKCE for every authorization request, S256 only."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError(
                "PKCE is required: send 'code_challenge' with 'code_challenge_method=S256'."
            )
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("Only 'code_challenge_method=S256' is accepted.")
        super().validate_code_challenge(grant, redirect_uri)


class _KnownScopes:
    """A requested scope the client may never hold is `invalid_scope`, not silently dropped."""

    request: Any

    def validate_requested_scope(self) -> None:
        scope = self.request.payload.scope
        client: Client = self.request.client
        ceiling = ALL_SCOPES if client.kind == "console" else client.allowed_scopes
        unknown = set((scope or "").split()) - ceiling
        if unknown:
            raise InvalidScopeError(f"Not available to this client: {' '.join(sorted(unknown))}.")


class AuthorizationCodeGrant(_KnownScopes, grants.AuthorizationCodeGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = TOKEN_AUTH_METHODS

    def save_authorization_code(self, code: str, request: Any) -> None:
        exchange = current()
        data = request.payload.data
        approval = request.user
        row = AuthorizationCodeRow(
            code_hash=digest(code),
            client_id=request.client.client_id,
            redirect_uri=request.payload.redirect_uri,
            scope=" ".join(approval.scopes),
            code_challenge=data["code_challenge"],
            code_challenge_method=data["code_challenge_method"],
            user_id=approval.user_id,
            created_at=exchange.now,
            expires_at=exchange.now + CODE_LIFETIME,
        )
        exchange.write(lambda session: approval.record(session, row), stages_events=True)

    def query_authorization_code(self, code: str, client: Client) -> StoredCode | None:
        exchange = current()
        stored = exchange.code
        if stored is None or stored.row.client_id != client.client_id:
            return None
        if stored.row.used_at is not None:
            family, now = stored.row.code_hash, exchange.now

            async def revoke(session: AsyncSession) -> None:
                await revoke_family(session, family, client.client_id, now)

            exchange.write(revoke, stages_events=True)
            return None
        if as_utc(stored.row.expires_at) <= exchange.now or exchange.subject is None:
            return None
        return stored

    def delete_authorization_code(self, authorization_code: StoredCode) -> None:
        exchange = current()
        code_hash, now = authorization_code.row.code_hash, exchange.now

        async def use(session: AsyncSession) -> None:
            result = await session.exec(  # type: ignore[call-overload]
                sa.update(AuthorizationCodeRow)
                .where(
                    col(AuthorizationCodeRow.code_hash) == code_hash,
                    col(AuthorizationCodeRow.used_at).is_(None),
                )
                .values(used_at=now)
            )
            if result.rowcount != 1:
                raise StaleGrant(code_hash)

        # Before the refresh token's insert: a lost race rolls back before anything is kept.
        exchange.writes.insert(0, use)

    def authenticate_user(self, authorization_code: StoredCode) -> Subject | None:
        return current().subject


class RefreshTokenGrant(_KnownScopes, grants.RefreshTokenGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = TOKEN_AUTH_METHODS
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token: str) -> StoredRefreshToken | None:
        exchange = current()
        stored = exchange.refresh_token
        if stored is None:
            return None
        row = stored.row
        if row.rotated_at is not None and row.revoked_at is None:
            # A rotated token presented again: it leaked, or its holder was replayed. Either
            # way the family can no longer be trusted (RFC 9700 §4.14.2).
            family, client_id, now = row.family_id, row.client_id, exchange.now

            async def revoke(session: AsyncSession) -> None:
                await revoke_family(session, family, client_id, now)

            exchange.write(revoke, stages_events=True)
            return None
        if stored.is_revoked() or stored.is_expired() or exchange.subject is None:
            return None
        return stored

    def authenticate_user(self, refresh_token: StoredRefreshToken) -> Subject | None:
        return current().subject

    def revoke_old_credential(self, refresh_token: StoredRefreshToken) -> None:
        exchange = current()
        token_hash, now = refresh_token.row.token_hash, exchange.now

        async def rotate(session: AsyncSession) -> None:
            result = await session.exec(  # type: ignore[call-overload]
                sa.update(RefreshTokenRow)
                .where(
                    col(RefreshTokenRow.token_hash) == token_hash,
                    col(RefreshTokenRow.rotated_at).is_(None),
                    col(RefreshTokenRow.revoked_at).is_(None),
                )
                .values(rotated_at=now)
            )
            if result.rowcount != 1:
                raise StaleGrant(token_hash)

        exchange.writes.insert(0, rotate)


class ClientCredentialsGrant(_KnownScopes, grants.ClientCredentialsGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]


def generate_token(
    grant_type: str,
    client: Client,
    user: Subject | None = None,
    scope: str | None = None,
    expires_in: int | None = None,
    include_refresh_token: bool = True,
) -> dict[str, Any]:
    """authlib's token generator: an RFC 9068 access token, and a refresh token beside it."""
    exchange = current()
    asked = set((scope or "").split())
    if user is None:  # client credentials: the app itself; no scope asked is all it requested
        scopes = tuple(client.get_allowed_scope(scope).split())
        grantee = access_tokens.Grantee(
            subject=client.app_id or client.client_id,
            client_id=client.client_id,
            scopes=scopes,
            app=client.app_id,
        )
    else:
        scopes = tuple(sorted(asked & user.scopes))
        grantee = access_tokens.Grantee(
            subject=user.app_id if user.installation_id else user.user_id,
            client_id=client.client_id,
            scopes=scopes,
            app=user.app_id,
            installation=user.installation_id,
            workspace=user.workspace_id,
            org=None if user.installation_id else user.organization_id,
        )
    assert exchange.signing_key is not None, "the token endpoint loads the signing key"
    issued = access_tokens.issue(
        exchange.signing_key,
        grantee,
        issuer=exchange.config.issuer,
        audience=exchange.config.audience,
        now=exchange.now,
    )
    exchange.found = issued
    token: dict[str, Any] = {
        "token_type": "Bearer",
        "access_token": issued.token,
        "expires_in": int(ACCESS_TOKEN_LIFETIME.total_seconds()),
        "scope": " ".join(scopes),
    }
    if include_refresh_token and user is not None:
        token["refresh_token"] = secrets.token_urlsafe(32)
    return token


def save_token(token: dict[str, Any], request: Any) -> None:
    """Keep the refresh token (hashed) in its family; access tokens are not stored."""
    refresh = token.get("refresh_token")
    if refresh is None:
        return
    exchange = current()
    issued: access_tokens.IssuedToken = exchange.found
    if exchange.refresh_token is not None and request.payload.grant_type == "refresh_token":
        family = exchange.refresh_token.row.family_id
    else:
        assert exchange.code is not None
        family = exchange.code.row.code_hash
    subject: Subject = request.user
    row = RefreshTokenRow(
        token_hash=digest(refresh),
        family_id=family,
        client_id=request.client.client_id,
        user_id=subject.user_id,
        installation_id=subject.installation_id,
        scope=token["scope"],
        access_jti=issued.jti,
        access_expires_at=issued.expires_at,
        created_at=exchange.now,
        expires_at=exchange.now + REFRESH_TOKEN_LIFETIME,
    )

    async def insert(session: AsyncSession) -> None:
        session.add(row)

    exchange.write(insert)
