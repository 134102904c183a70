"""`TokenVerifier`: a Bearer access token → its verified claims, or `AuthenticationError`.

The checks of docs/design/tokens.md, in the order that costs an attacker the most and us the
least: the header's `alg` must be on the allow-list (asymmetric algorithms only, so never
`none` and never HMAC keyed with a public key) and its `kid` known to the token's issuer (one
of the configured issuers, read from the unverified payload only to choose the keys); then the
signature; then `iss`, `aud`, `exp`, `nbf` and `iat` with a small leeway.
"""

from __future__ import annotations

import json
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.util import urlsafe_b64decode

from gateway.auth.errors import AuthConfigError, AuthenticationError
from gateway.auth.keys import KeySource

ASYMMETRIC_ALGORITHMS = frozenset(
    {"ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "EdDSA"}
)
DEFAULT_ALGORITHMS = ("ES256", "RS256")
ACCESS_TOKEN_TYPES = frozenset({"at+jwt", "application/at+jwt"})
MAX_LEEWAY_SECONDS = 30
# A token longer than this is refused before any decoding: nothing legitimate comes close.
MAX_TOKEN_LENGTH = 8192


@dataclass(frozen=True)
class Issuer:
    """A trusted issuer: its `iss` value and where its keys come from."""

    issuer: str
    keys: KeySource


class TokenVerifier:
    def __init__(
        self,
        issuers: Collection[Issuer],
        *,
        audience: str = "switchboard",
        algorithms: Collection[str] = DEFAULT_ALGORITHMS,
        leeway_seconds: int = 30,
    ) -> None:
        check_settings(algorithms, leeway_seconds)
        if not issuers:
            raise AuthConfigError("at least one issuer must be trusted")
        self.issuers: Mapping[str, Issuer] = {issuer.issuer: issuer for issuer in issuers}
        self.audience = audience
        self.algorithms = frozenset(algorithms)
        self.leeway_seconds = leeway_seconds

    async def verify(self, token: str) -> dict[str, Any]:
        if len(token) > MAX_TOKEN_LENGTH:
            raise AuthenticationError("token too long")
        header, unverified = _unverified_parts(token)
        algorithm = header.get("alg")
        if algorithm not in self.algorithms:
            raise AuthenticationError(f"algorithm {algorithm!r} is not allowed")
        if str(header.get("typ", "")).lower() not in ACCESS_TOKEN_TYPES:
            # RFC 9068 §4: an ID token or any other JWT from the same issuer is not an
            # access token, however valid its signature.
            raise AuthenticationError("typ is not at+jwt")
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise AuthenticationError("no kid in the header")
        issuer = self.issuers.get(unverified.get("iss"))  # type: ignore[arg-type]
        if issuer is None:
            raise AuthenticationError("untrusted issuer")
        key = await issuer.keys.key(kid)
        if key is None:
            raise AuthenticationError(f"unknown kid {kid!r}")
        try:
            verified = jwt.decode(token, key, algorithms=[algorithm])
        except (JoseError, ValueError) as error:
            raise AuthenticationError(f"bad signature or payload: {error}") from None
        claims = verified.claims
        self._check_claims(claims, issuer.issuer)
        return claims

    def _check_claims(self, claims: dict[str, Any], issuer: str) -> None:
        now = time.time()
        leeway = self.leeway_seconds
        if claims.get("iss") != issuer:
            raise AuthenticationError("iss")
        audience = claims.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.audience not in audiences:
            raise AuthenticationError("aud")
        expires = claims.get("exp")
        if not isinstance(expires, int | float) or expires <= now - leeway:
            raise AuthenticationError("expired or no exp")
        for name in ("nbf", "iat"):
            value = claims.get(name)
            if value is not None and (not isinstance(value, int | float) or value > now + leeway):
                raise AuthenticationError(f"{name} in the future")
        scope = claims.get("scope", "")
        if not isinstance(scope, str):
            raise AuthenticationError("scope is not a string")


def check_settings(algorithms: Collection[str], leeway_seconds: int) -> None:
    unsafe = set(algorithms) - ASYMMETRIC_ALGORITHMS
    if unsafe or not algorithms:
        raise AuthConfigError(
            f"algorithms must be asymmetric signature algorithms, not {sorted(unsafe)}"
        )
    if not 0 <= leeway_seconds <= MAX_LEEWAY_SECONDS:
        raise AuthConfigError(f"leeway is 0 to {MAX_LEEWAY_SECONDS} seconds")


def _unverified_parts(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and payload before verification: only to pick the algorithm, key and issuer."""
    parts = token.split(".")
    if len(parts) != 3:
        raise AuthenticationError("not a compact JWS")
    try:
        header = json.loads(urlsafe_b64decode(parts[0].encode("ascii")))
        payload = json.loads(urlsafe_b64decode(parts[1].encode("ascii")))
    except (ValueError, UnicodeError) as error:
        raise AuthenticationError(f"undecodable: {error}") from None
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise AuthenticationError("header or payload is not an object")
    return header, payload


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer …` header; None when there is no header.
    Any other scheme, or an empty token, is refused rather than read as anonymous."""
    if authorization is None:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        raise AuthenticationError("not a Bearer token")
    return token
