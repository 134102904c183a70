"""`TokenVerifier`: a Bearer access token → its verified claims, or `AuthenticationError`.

The checks of docs/design/tokens.md, in the order that costs an attacker the most and us the
least: the header's `alg` must be on the allow-list (asymmetric algorithms only, so never
`none` and never HMAC keyed with a public key) and its `kid` known to the token's issuer (one
of the configured issuers, read from the unverified payload only to choose the keys); then the
signature; then `iss`, `aud`, `exp`, `nbf` and `iat` with a small leeway.

Every request with a token pays for this, so the token is decoded once: the header and payload
read to choose the key are the ones whose signature is then checked (the signature covers
their encoded bytes as sent), and the claims are that payload. The signature itself is joserfc's
algorithm (key type, curve, `use` and `key_ops` checks, the raw `r || s` form of ECDSA); what is
skipped is `jwt.decode` parsing the same three segments again and building a registry per call.
A header with `crit` (or `b64`, RFC 7797) is refused: no extension is understood here.

A verifier may remember the tokens it verified (`remember`, off unless asked: the subgraphs ask,
since every client request brings them the same token several times, once per fetch). A token
is remembered by its exact text, so what was verified is byte for byte what arrives again; on
each use its time claims are checked again against the clock, and its key must still be the one
the issuer's key source hands out for its `kid` (a key that left the JWKS, or a refetched set,
sends the token through full verification again). Revocation is not the verifier's business:
the `Authenticator` checks it on every request, remembered or not.
"""

from __future__ import annotations

import binascii
import time
from collections import OrderedDict
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from joserfc.errors import JoseError
from joserfc.jws import JWSRegistry
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
        remember: int = 0,
    ) -> None:
        """`remember`: how many verified tokens to keep (0: none, every use is verified)."""
        check_settings(algorithms, leeway_seconds)
        if not issuers:
            raise AuthConfigError("at least one issuer must be trusted")
        self.issuers: Mapping[str, Issuer] = {issuer.issuer: issuer for issuer in issuers}
        self.audience = audience
        self.algorithms = frozenset(algorithms)
        self.leeway_seconds = leeway_seconds
        # Built once: checks header member types and knows only the allowed algorithms.
        self._registry = JWSRegistry(algorithms=sorted(self.algorithms))
        self.remember = remember
        # token text → (its claims, its issuer, the key that verified it), oldest first
        self._verified: OrderedDict[str, tuple[dict[str, Any], Issuer, str, Any]] = OrderedDict()

    async def verify(self, token: str) -> dict[str, Any]:
        if len(token) > MAX_TOKEN_LENGTH:
            raise AuthenticationError("token too long")
        if self.remember:
            remembered = await self._remembered(token)
            if remembered is not None:
                return remembered
        header_segment, payload_segment, signature_segment = _segments(token)
        header, unverified = _decoded(header_segment), _decoded(payload_segment)
        algorithm = header.get("alg")
        if algorithm not in self.algorithms:
            raise AuthenticationError(f"algorithm {algorithm!r} is not allowed")
        if str(header.get("typ", "")).lower() not in ACCESS_TOKEN_TYPES:
            # RFC 9068 §4: an ID token or any other JWT from the same issuer is not an
            # access token, however valid its signature.
            raise AuthenticationError("typ is not at+jwt")
        if "crit" in header or "b64" in header:
            raise AuthenticationError("header extensions are not accepted")
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise AuthenticationError("no kid in the header")
        issuer = self.issuers.get(unverified.get("iss"))  # type: ignore[arg-type]
        if issuer is None:
            raise AuthenticationError("untrusted issuer")
        key = await issuer.keys.key(kid)
        if key is None:
            raise AuthenticationError(f"unknown kid {kid!r}")
        self._check_signature(
            header, algorithm, key, header_segment, payload_segment, signature_segment
        )
        self._check_claims(unverified, issuer.issuer)
        if self.remember:
            self._verified[token] = (unverified, issuer, kid, key)
            if len(self._verified) > self.remember:
                self._verified.popitem(last=False)
            return dict(unverified)
        return unverified

    async def _remembered(self, token: str) -> dict[str, Any] | None:
        """The claims of a token verified before, checked again for time and key; None when
        it must be verified in full."""
        entry = self._verified.get(token)
        if entry is None:
            return None
        claims, issuer, kid, key = entry
        if await issuer.keys.key(kid) is not key:
            self._verified.pop(token, None)
            return None
        try:
            self._check_claims(claims, issuer.issuer)
        except AuthenticationError:
            self._verified.pop(token, None)
            raise
        return dict(claims)  # a copy: the caller may change its own

    def _check_signature(
        self,
        header: dict[str, Any],
        algorithm: str,
        key: Any,
        header_segment: str,
        payload_segment: str,
        signature_segment: str,
    ) -> None:
        try:
            self._registry.check_header(header)
            model = self._registry.get_alg(algorithm)
            model.check_key(key)
            signature = urlsafe_b64decode(signature_segment.encode("ascii"))
            signing_input = f"{header_segment}.{payload_segment}".encode("ascii")
            valid = model.verify(signing_input, signature, key)
        except (JoseError, ValueError, UnicodeError) as error:
            raise AuthenticationError(f"bad signature or payload: {error}") from None
        if not valid:
            raise AuthenticationError("bad signature or payload: the signature does not verify")

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


def _segments(token: str) -> tuple[str, str, str]:
    parts = token.split(".")
    if len(parts) != 3:
        raise AuthenticationError("not a compact JWS")
    header, payload, signature = parts
    return header, payload, signature


def _decoded(segment: str) -> dict[str, Any]:
    """A header or payload segment as a JSON object (canonical base64url only)."""
    try:
        value = orjson.loads(urlsafe_b64decode(segment.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error) as error:
        raise AuthenticationError(f"undecodable: {error}") from None
    if not isinstance(value, dict):
        raise AuthenticationError("header or payload is not an object")
    return value


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
