"""Revocation (RFC 7009) and introspection (RFC 7662) on tokens the request loaded beforehand.

`find_token` looks at a presented token once, asynchronously: an access token is verified as a
resource server would (`access_tokens.verify`) and checked against the revoked `jti`s and its
installation's status; a refresh token is looked up by its hash. authlib's endpoints then
authenticate the caller and decide, through the synchronous methods below.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7662 import IntrospectionEndpoint
from sqlmodel.ext.asyncio.session import AsyncSession

from subgraphs.common.clock import as_utc
from subgraphs.installs.models import InstallationRow, RefreshTokenRow
from subgraphs.installs.oauth import access_tokens
from subgraphs.installs.oauth.clients import Client
from subgraphs.installs.oauth.exchange import Exchange, current, digest
from subgraphs.installs.oauth.keys import Keyring
from subgraphs.installs.oauth.revocation import (
    is_revoked,
    revoke_access_tokens,
    revoke_family,
)


@dataclass
class FoundToken:
    """A presented token this server issued, with whether it still holds."""

    kind: str  # "access_token" or "refresh_token"
    client_id: str
    expires_at: datetime
    revoked: bool
    claims: dict[str, Any]
    refresh_row: RefreshTokenRow | None = None

    def check_client(self, client: Client) -> bool:
        return client.kind == "resource_server" or client.client_id == self.client_id

    def is_expired(self) -> bool:
        return self.expires_at <= current().now

    def is_revoked(self) -> bool:
        return self.revoked


async def find_token(
    session: AsyncSession, exchange: Exchange, keyring: Keyring, token: str
) -> FoundToken | None:
    if access_tokens.looks_like_jwt(token):
        try:
            claims = access_tokens.verify(
                token,
                await keyring.public_keys(),
                issuer=exchange.config.issuer,
                audience=exchange.config.audience,
                now=exchange.now,
            )
        except access_tokens.InvalidAccessToken:
            return None
        revoked = await is_revoked(session, str(claims["jti"]))
        installation_id = claims.get("installation")
        if installation_id is not None and not revoked:
            installation = await session.get(InstallationRow, str(installation_id))
            revoked = installation is None or installation.status != "ACTIVE"
        return FoundToken(
            kind="access_token",
            client_id=str(claims["client_id"]),
            expires_at=datetime.fromtimestamp(int(claims["exp"]), UTC),
            revoked=revoked,
            claims=claims,
        )
    row = await session.get(RefreshTokenRow, digest(token))
    if row is None:
        return None
    return FoundToken(
        kind="refresh_token",
        client_id=row.client_id,
        expires_at=as_utc(row.expires_at),
        revoked=row.revoked_at is not None or row.rotated_at is not None,
        claims={"scope": row.scope, "sub": row.user_id},
        refresh_row=row,
    )


class Revocation(RevocationEndpoint):  # type: ignore[misc]
    CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]

    def query_token(self, token_string: str, token_type_hint: str | None) -> FoundToken | None:
        found: FoundToken | None = current().found
        return found

    def revoke_token(self, token: FoundToken, request: Any) -> None:
        exchange = current()
        now, client_id = exchange.now, token.client_id
        if token.refresh_row is not None:
            family = token.refresh_row.family_id

            async def revoke(session: AsyncSession) -> None:
                await revoke_family(session, family, client_id, now)

        else:
            jti, expires_at = str(token.claims["jti"]), token.expires_at

            async def revoke(session: AsyncSession) -> None:
                await revoke_access_tokens(
                    session, {jti: expires_at}, client_id, installation_id=None
                )

        exchange.write(revoke, stages_events=True)


class Introspection(IntrospectionEndpoint):  # type: ignore[misc]
    CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def query_token(self, token_string: str, token_type_hint: str | None) -> FoundToken | None:
        found: FoundToken | None = current().found
        return found

    def check_permission(self, token: FoundToken, client: Client, request: Any) -> bool:
        # Resource servers may introspect any token; an app only its own (RFC 7662 §4).
        return token.check_client(client)

    def introspect_token(self, token: FoundToken) -> dict[str, Any]:
        exchange = current()
        body: dict[str, Any] = {
            "active": True,
            "client_id": token.client_id,
            "exp": int(token.expires_at.timestamp()),
            "iss": exchange.config.issuer,
        }
        if token.kind == "access_token":
            body["token_type"] = "Bearer"
        for claim in ("scope", "sub", "aud", "iat", "jti", *access_tokens.OPTIONAL_CLAIMS):
            if claim in token.claims:
                body[claim] = token.claims[claim]
        return body
