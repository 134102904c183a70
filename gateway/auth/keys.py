"""Where a verifier finds an issuer's public keys: a `KeySource`.

`JwksKeys` fetches `{issuer}/.well-known/jwks.json` over HTTP and keeps it. A `kid` it has not
seen triggers one refetch (rotation), but at most one per `refetch_interval`: a flood of tokens
with random `kid`s costs the issuer one request per interval, not one per token. Concurrent
misses share that one fetch. The set is also refreshed after `max_age`, so a retired key stops
verifying. `StaticKeys` serves a fixed set (tests; an issuer verifying its own tokens).

Only asymmetric public keys are kept: an `oct` (HMAC) key or a private key in a JWKS is
dropped, so no token can be verified with a shared secret (docs/design/tokens.md).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

import httpx
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, JWKRegistry, OKPKey, RSAKey

logger = logging.getLogger("gateway.auth")

PublicKey = ECKey | RSAKey | OKPKey
Clock = Callable[[], float]
MAX_JWKS_BYTES = 256 * 1024


class KeySource(Protocol):
    async def key(self, kid: str) -> PublicKey | None:
        """The public key with this id, or None when the issuer has none."""
        ...


def public_keys(jwks: Mapping[str, Any]) -> dict[str, PublicKey]:
    """The usable keys of a JWKS document, by `kid`; anything else is skipped."""
    keys: dict[str, PublicKey] = {}
    entries = jwks.get("keys")
    if not isinstance(entries, list):
        return keys
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("kid"), str):
            continue
        if entry.get("kty") not in ("EC", "RSA", "OKP") or "d" in entry:
            continue
        if entry.get("use", "sig") != "sig":
            continue
        try:
            key = JWKRegistry.import_key(entry)
        except (JoseError, ValueError, TypeError):
            logger.warning("skipping an unreadable key %r in a JWKS", entry.get("kid"))
            continue
        if isinstance(key, ECKey | RSAKey | OKPKey):
            keys[entry["kid"]] = key
    return keys


class StaticKeys:
    def __init__(self, keys: Iterable[PublicKey]) -> None:
        self._keys = {key.kid: key for key in keys if key.kid is not None}

    @classmethod
    def from_jwks(cls, jwks: Mapping[str, Any]) -> StaticKeys:
        return cls(public_keys(jwks).values())

    async def key(self, kid: str) -> PublicKey | None:
        return self._keys.get(kid)


class JwksKeys:
    def __init__(
        self,
        url: str,
        *,
        client: httpx.AsyncClient | None = None,
        refetch_interval: float = 10.0,
        max_age: float = 300.0,
        clock: Clock = time.monotonic,
    ) -> None:
        self.url = url
        self.refetch_interval = refetch_interval
        self.max_age = max_age
        self.fetches = 0
        self._client = client
        self._clock = clock
        self._keys: dict[str, PublicKey] = {}
        self._fetched_at: float | None = None
        self._lock = asyncio.Lock()

    async def key(self, kid: str) -> PublicKey | None:
        found = self._keys.get(kid)
        now = self._clock()
        stale = self._fetched_at is None or now - self._fetched_at >= self.max_age
        if found is not None and not stale:
            return found
        if self._lock.locked():
            # A fetch is in flight (its `_fetched_at` already set): its answer decides.
            async with self._lock:
                return self._keys.get(kid)
        if stale or self._may_refetch(now):
            async with self._lock:
                # Another request may have fetched while this one waited.
                if self._fetched_at is None or self._may_refetch(self._clock()):
                    await self._fetch()
        return self._keys.get(kid)

    def _may_refetch(self, now: float) -> bool:
        return self._fetched_at is None or now - self._fetched_at >= self.refetch_interval

    async def _fetch(self) -> None:
        self.fetches += 1
        # Whatever happens, the next attempt waits for the interval: a failing issuer is not
        # retried once per request either.
        self._fetched_at = self._clock()
        try:
            response = await self._get()
            if response.status_code != 200 or len(response.content) > MAX_JWKS_BYTES:
                raise ValueError(f"HTTP {response.status_code}, {len(response.content)} bytes")
            document = response.json()
            if not isinstance(document, dict):
                raise ValueError("not a JSON object")
        except (httpx.HTTPError, ValueError) as error:
            # Keep the keys we had: the issuer being briefly down must not refuse every token.
            logger.warning("cannot fetch the JWKS at %s: %s", self.url, error)
            return
        self._keys = public_keys(document)

    async def _get(self) -> httpx.Response:
        headers = {"accept": "application/json"}
        if self._client is not None:
            return await self._client.get(self.url, headers=headers)
        # Fetches are rare (once per interval at most): a client per fetch, so no pooled
        # connection outlives the event loop that opened it.
        async with httpx.AsyncClient(timeout=httpx.Timeout(5.0)) as client:
            return await client.get(self.url, headers=headers)
