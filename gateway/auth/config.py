"""`AuthConfig`: the `auth:` section of switchboard.yaml.

    auth:
      issuers:                       # trusted token issuers; several may be listed
        - issuer: http://127.0.0.1:4102
          # default: {issuer}/.well-known/jwks.json
          jwks_url: http://127.0.0.1:4102/.well-known/jwks.json
      audience: switchboard
      algorithms: [ES256, RS256]     # asymmetric only: none and HMAC are refused at start-up
      leeway_seconds: 10             # for exp, nbf, iat; at most 30
      jwks_refetch_seconds: 10       # at most one refetch per issuer this often on an unknown kid
      reject_unauthorized: false     # true: refuse a whole operation that selects a denied field
      policy_hook: mypackage.policies:decide   # @policy; without it every policy is denied
      events_url: redis://127.0.0.1:6379/0     # revocation events from Redis Streams (replicas)
      events_stream: switchboard:events

With no issuer every caller is anonymous and any token is refused: nothing is trusted unverified.
"""

from __future__ import annotations

from pydantic import Field, NonNegativeInt, PositiveFloat, field_validator

from gateway.auth.errors import AuthConfigError
from gateway.auth.keys import JwksKeys
from gateway.auth.policy import load_policy_hook
from gateway.auth.verify import (
    ASYMMETRIC_ALGORITHMS,
    DEFAULT_ALGORITHMS,
    MAX_LEEWAY_SECONDS,
    Issuer,
    TokenVerifier,
)
from gateway.config import Section

JWKS_PATH = "/.well-known/jwks.json"


class IssuerConfig(Section):
    """A token issuer the gateway trusts."""

    issuer: str
    """The issuer's `iss` value: its base URL (e.g. `http://127.0.0.1:4102`)."""
    jwks_url: str | None = None
    """Where its public keys are; default `{issuer}/.well-known/jwks.json`."""

    @classmethod
    def of(cls, issuer: str, jwks_url: str | None = None) -> IssuerConfig:
        return cls(issuer=issuer, jwks_url=jwks_url)

    @property
    def keys_url(self) -> str:
        return self.jwks_url or self.issuer.rstrip("/") + JWKS_PATH


class AuthConfig(Section):
    """Access tokens (docs/design/auth.md): who the gateway trusts and how it enforces scopes."""

    issuers: tuple[IssuerConfig, ...] = ()
    """Trusted issuers. With none, every caller is anonymous and any token is refused."""
    audience: str = "switchboard"
    """The `aud` every token must name."""
    algorithms: tuple[str, ...] = DEFAULT_ALGORITHMS
    """Signature algorithms accepted; asymmetric ones only (never `none`, never HMAC)."""
    leeway_seconds: NonNegativeInt = Field(default=10, le=MAX_LEEWAY_SECONDS)
    """Clock skew allowed for `exp`, `nbf` and `iat`, in seconds (at most 30)."""
    jwks_refetch_seconds: PositiveFloat = 10.0
    """At most one JWKS refetch per issuer this often when a token names an unknown `kid`."""
    reject_unauthorized: bool = False
    """Refuse a whole operation (HTTP 403) that selects a field the caller may not read,
    instead of answering that field null with an error at its path."""
    policy_hook: str | None = None
    """`package.module:function` deciding `@policy` (principal, policies) → granted policies.
    Without one every policy is denied."""
    events_url: str | None = None
    """A Redis URL whose event stream carries revocations (`grant.revoked`,
    `installation.removed`), so every replica refuses revoked tokens."""
    events_stream: str = "switchboard:events"
    """The Redis stream the platform's events are on."""

    @field_validator("algorithms")
    @classmethod
    def _asymmetric_only(cls, algorithms: tuple[str, ...]) -> tuple[str, ...]:
        unsafe = sorted(set(algorithms) - ASYMMETRIC_ALGORITHMS)
        if unsafe or not algorithms:
            raise ValueError(
                f"only asymmetric signature algorithms ({', '.join(sorted(ASYMMETRIC_ALGORITHMS))})"
                f" may be accepted, not {unsafe or 'none at all'}"
            )
        return algorithms

    @field_validator("policy_hook")
    @classmethod
    def _importable(cls, reference: str | None) -> str | None:
        try:
            load_policy_hook(reference)
        except AuthConfigError as error:
            raise ValueError(str(error)) from None
        return reference

    def verifier(self, *, remember: int = 0) -> TokenVerifier | None:
        """`remember`: verified tokens kept by their text (`TokenVerifier`; the subgraphs')."""
        if not self.issuers:
            return None
        return TokenVerifier(
            [
                Issuer(
                    entry.issuer,
                    JwksKeys(entry.keys_url, refetch_interval=self.jwks_refetch_seconds),
                )
                for entry in self.issuers
            ],
            audience=self.audience,
            algorithms=self.algorithms,
            leeway_seconds=self.leeway_seconds,
            remember=remember,
        )
