"""How the authorization server is configured: from the environment, with no default secret.

`SWITCHBOARD_IDENTITY_SECRET` (at least 32 characters) is the root of every secret the server
keeps: the key that encrypts signing keys at rest and the key that signs session cookies are
derived from it (HMAC-SHA256 with a purpose label), so one value in a secret store is enough.
Without it the server does not run; only `switchboard dev` and `switchboard token` fall back to
`DEV_SECRET`, which is public and so protects nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from authlib.common.security import is_secure_transport
from joserfc.jwk import OctKey

SECRET_VARIABLE = "SWITCHBOARD_IDENTITY_SECRET"
ISSUER_VARIABLE = "SWITCHBOARD_ISSUER"
RESOURCE_SERVER_SECRET_VARIABLE = "SWITCHBOARD_RESOURCE_SERVER_SECRET"
CONSOLE_REDIRECTS_VARIABLE = "SWITCHBOARD_CONSOLE_REDIRECT_URIS"

DEV_SECRET = "switchboard-dev-only-identity-secret-never-in-production"
DEV_RESOURCE_SERVER_SECRET = "switchboard-dev-resource-server-secret"
DEFAULT_ISSUER = "http://127.0.0.1:4102"
DEFAULT_CONSOLE_REDIRECT_URIS = ("http://127.0.0.1:4000/oauth/callback",)
AUDIENCE = "switchboard"
MIN_SECRET_LENGTH = 32

# The first-party clients: people sign in through the console; resource servers introspect.
CONSOLE_CLIENT_ID = "switchboard-console"
RESOURCE_SERVER_CLIENT_ID = "switchboard-resource-server"

ACCESS_TOKEN_LIFETIME = timedelta(minutes=15)  # the longest any access token lives
REFRESH_TOKEN_LIFETIME = timedelta(days=30)
CODE_LIFETIME = timedelta(minutes=5)
SESSION_LIFETIME = timedelta(hours=8)
# Resource servers accept this much clock skew; a retired key stays published this much longer.
LEEWAY = timedelta(seconds=30)


class ConfigurationError(ValueError):
    """The environment names no usable secret."""


@dataclass(frozen=True)
class IdentityConfig:
    issuer: str
    secret: bytes
    audience: str = AUDIENCE
    resource_server_secret: str | None = None
    console_redirect_uris: tuple[str, ...] = DEFAULT_CONSOLE_REDIRECT_URIS

    def __post_init__(self) -> None:
        if len(self.secret) < MIN_SECRET_LENGTH:
            raise ConfigurationError(
                f"{SECRET_VARIABLE} must have at least {MIN_SECRET_LENGTH} characters."
            )
        # OAuth needs TLS; plain http only on this machine's loopback (RFC 8252 §7.3).
        if not is_secure_transport(self.issuer + "/"):
            raise ConfigurationError(
                f"{ISSUER_VARIABLE} must be an https URL (http only on loopback): {self.issuer}"
            )

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> IdentityConfig | None:
        """The configured server, or None when no secret is set (the server then stays off)."""
        secret = environ.get("SWITCHBOARD_IDENTITY_SECRET")
        if not secret:
            return None
        redirects = environ.get("SWITCHBOARD_CONSOLE_REDIRECT_URIS", "").split()
        return cls(
            issuer=environ.get("SWITCHBOARD_ISSUER", DEFAULT_ISSUER).rstrip("/"),
            secret=secret.encode(),
            resource_server_secret=environ.get("SWITCHBOARD_RESOURCE_SERVER_SECRET") or None,
            console_redirect_uris=tuple(redirects) or DEFAULT_CONSOLE_REDIRECT_URIS,
        )

    def derive(self, purpose: str) -> bytes:
        return hmac.new(self.secret, purpose.encode(), hashlib.sha256).digest()

    @property
    def key_encryption_key(self) -> OctKey:
        return OctKey.import_key(self.derive("signing-key-encryption"))

    @property
    def session_key(self) -> bytes:
        return self.derive("session-cookie")

    @property
    def secure_cookies(self) -> bool:
        return self.issuer.startswith("https://")
