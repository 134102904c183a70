"""`Principal`: who is calling, mapped once per request from a verified token's claims
(docs/design/tokens.md, "Principal"). No token is `ANONYMOUS`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Principal:
    app_id: str | None = None
    installation_id: str | None = None
    workspace_id: str | None = None
    organization_id: str | None = None
    user_id: str | None = None
    scopes: frozenset[str] = frozenset()
    token_id: str | None = None
    client_id: str | None = None
    issuer: str | None = None
    # `iat` of the token, in seconds since the epoch: revocation refuses tokens issued before it.
    issued_at: float = 0.0
    expires_at: float = 0.0
    authenticated: bool = False

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any]) -> Principal:
        app = _text(claims.get("app"))
        scope = claims.get("scope")
        return cls(
            app_id=app,
            installation_id=_text(claims.get("installation")),
            workspace_id=_text(claims.get("workspace")),
            organization_id=_text(claims.get("org")),
            user_id=None if app is not None else _text(claims.get("sub")),
            scopes=frozenset(scope.split()) if isinstance(scope, str) else frozenset(),
            token_id=_text(claims.get("jti")),
            client_id=_text(claims.get("client_id")),
            issuer=_text(claims.get("iss")),
            issued_at=_number(claims.get("iat")),
            expires_at=_number(claims.get("exp")),
            authenticated=True,
        )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _number(value: object) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return 0.0


ANONYMOUS = Principal()
