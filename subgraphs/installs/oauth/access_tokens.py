"""Access tokens: JWTs in the RFC 9068 profile, as `docs/design/tokens.md` specifies them.

`issue` signs one; `verify` is the issuer's own check (introspection and revocation use it). It
reads the header before trusting anything: `typ` must be `at+jwt`, `alg` exactly ES256 (so
neither `none` nor an HMAC algorithm keyed with a public key can pass), and `kid` one of the
published keys; then the signature, and then `iss`, `aud`, `exp`, `nbf` with 30 s of leeway.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey

from subgraphs.installs.oauth.config import ACCESS_TOKEN_LIFETIME, LEEWAY
from subgraphs.installs.oauth.keys import ALGORITHM, SigningKey

TOKEN_TYPE = "at+jwt"
# Claims that only some tokens carry (docs/design/tokens.md).
OPTIONAL_CLAIMS = ("app", "installation", "workspace", "org")


class InvalidAccessToken(ValueError):
    """Why a presented access token is not honoured (for logs; clients only learn `invalid`)."""


@dataclass(frozen=True)
class Grantee:
    """Whom a token speaks for: the claims beyond the registered ones."""

    subject: str
    client_id: str
    scopes: tuple[str, ...]
    app: str | None = None
    installation: str | None = None
    workspace: str | None = None
    org: str | None = None


@dataclass(frozen=True)
class IssuedToken:
    token: str
    jti: str
    issued_at: datetime
    expires_at: datetime


def issue(
    signing: SigningKey, grantee: Grantee, *, issuer: str, audience: str, now: datetime
) -> IssuedToken:
    jti = secrets.token_urlsafe(16)
    expires_at = now + ACCESS_TOKEN_LIFETIME
    claims: dict[str, Any] = {
        "iss": issuer,
        "sub": grantee.subject,
        "aud": audience,
        "iat": int(now.timestamp()),
        "exp": int(expires_at.timestamp()),
        "jti": jti,
        "client_id": grantee.client_id,
        "scope": " ".join(grantee.scopes),
    }
    for name in OPTIONAL_CLAIMS:
        value = getattr(grantee, name)
        if value is not None:
            claims[name] = value
    header = {"alg": ALGORITHM, "typ": TOKEN_TYPE, "kid": signing.kid}
    token = jwt.encode(header, claims, signing.key, algorithms=[ALGORITHM])
    return IssuedToken(token=token, jti=jti, issued_at=now, expires_at=expires_at)


def verify(
    token: str, keys: Mapping[str, ECKey], *, issuer: str, audience: str, now: datetime
) -> dict[str, Any]:
    """The claims of a valid token; `InvalidAccessToken` for anything else."""
    try:
        header = jws.extract_compact(token.encode()).headers()
    except (JoseError, ValueError, UnicodeError) as error:
        raise InvalidAccessToken("not a compact JWS") from error
    if header.get("alg") != ALGORITHM:
        raise InvalidAccessToken(f"algorithm {header.get('alg')!r} is not accepted")
    if header.get("typ") != TOKEN_TYPE:
        raise InvalidAccessToken(f"type {header.get('typ')!r} is not {TOKEN_TYPE}")
    key = keys.get(str(header.get("kid")))
    if key is None:
        raise InvalidAccessToken(f"key {header.get('kid')!r} is not published")
    try:
        claims = jwt.decode(token, key, algorithms=[ALGORITHM]).claims
        registry = jwt.JWTClaimsRegistry(
            now=int(now.timestamp()),
            leeway=int(LEEWAY.total_seconds()),
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "value": audience},
            exp={"essential": True},
            jti={"essential": True},
            sub={"essential": True},
        )
        registry.validate(claims)
    except (JoseError, ValueError) as error:
        raise InvalidAccessToken(str(error)) from error
    return dict(claims)


def looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2
