"""Verifying the caller's access token in a subgraph: the gateway's own verifier
(`gateway.auth`), so the gateway and every subgraph apply the same checks to the same token.

`TokenAuthentication` takes any key source: JWKS over HTTP (every subgraph, the default), or
keys in hand (the installs subgraph verifying tokens it issued itself; tests). It also follows
the bus's revocation events, so a revoked token is refused here as at the gateway.

    SWITCHBOARD_ISSUER    the trusted issuer (default http://127.0.0.1:4102, `switchboard dev`)
    SWITCHBOARD_JWKS_URL  its keys (default {issuer}/.well-known/jwks.json)
    SWITCHBOARD_AUDIENCE  the audience tokens must name (default switchboard)

A client request reaches a subgraph once per fetch of its plan, each time with the same token,
so a subgraph remembers the tokens it verified (`REMEMBERED_TOKENS`, by their exact text): the
signature is checked once per token, while expiry, the key still being the issuer's, and
revocation are checked on every request (`gateway.auth.verify`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from gateway.auth import (
    AuthConfig,
    Authenticator,
    EventSource,
    Issuer,
    IssuerConfig,
    KeySource,
    Revocations,
    TokenVerifier,
)
from gateway.auth.errors import INVALID_TOKEN_CHALLENGE, AuthenticationError
from subgraphs.common.principal import Principal

DEV_ISSUER = "http://127.0.0.1:4102"
# About 2 KB each (the token and its claims): a few MB at most.
REMEMBERED_TOKENS = 4096
__all__ = ["INVALID_TOKEN_CHALLENGE", "AuthenticationError", "TokenAuthentication"]


class TokenAuthentication:
    def __init__(self, authenticator: Authenticator) -> None:
        self.authenticator = authenticator

    @classmethod
    def with_keys(
        cls, issuer: str, keys: KeySource, *, audience: str = "switchboard"
    ) -> TokenAuthentication:
        verifier = TokenVerifier(
            [Issuer(issuer, keys)], audience=audience, remember=REMEMBERED_TOKENS
        )
        return cls(Authenticator(verifier, Revocations()))

    @classmethod
    def from_environment(cls) -> TokenAuthentication:
        issuer = os.environ.get("SWITCHBOARD_ISSUER", DEV_ISSUER)
        config = AuthConfig(
            issuers=(IssuerConfig.of(issuer, os.environ.get("SWITCHBOARD_JWKS_URL")),),
            audience=os.environ.get("SWITCHBOARD_AUDIENCE", "switchboard"),
        )
        return cls(Authenticator(config.verifier(remember=REMEMBERED_TOKENS), Revocations()))

    async def principal(self, headers: Mapping[str, str]) -> Principal:
        """The caller; raises `AuthenticationError` for a token that cannot be trusted."""
        return Principal.verified(await self.authenticator.principal(headers))

    async def follow_revocations(self, bus: EventSource) -> None:
        await self.authenticator.revocations.follow(bus)
