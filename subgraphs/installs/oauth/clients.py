"""The OAuth clients the server knows, as authlib sees them.

- **App clients**: every app of the apps subgraph, from the installs subgraph's replica of it
  (`app_ref`): its client id, the SHA-256 hash of its client secret, its redirect URIs, all
  announced by the apps subgraph's events, which own them. Confidential: they authenticate with
  `client_secret_basic` or `client_secret_post`.
- **The console** (`switchboard-console`): the platform's own public client, through which people
  sign in (authorization code + PKCE, no secret).
- **The resource server** (`switchboard-resource-server`): the gateway and the subgraphs, which
  may introspect any token; it exists when `SWITCHBOARD_RESOURCE_SERVER_SECRET` is set. With the
  client credentials grant it gets a token for `metrics:ingest` only: the gateway writes usage
  records with it.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from authlib.oauth2.rfc6749 import ClientMixin

from subgraphs.apps.credentials import hash_client_secret, verify_client_secret
from subgraphs.installs.models import AppReferenceRow
from subgraphs.installs.oauth.config import (
    CONSOLE_CLIENT_ID,
    RESOURCE_SERVER_CLIENT_ID,
    IdentityConfig,
)
from subgraphs.installs.oauth.scopes import ALL_SCOPES

SECRET_METHODS = frozenset({"client_secret_basic", "client_secret_post"})
# What the resource server's own tokens may carry (client credentials).
RESOURCE_SERVER_SCOPES = frozenset({"metrics:ingest"})
# An app in these states gets no new tokens, whatever it asks.
HALTED_APP_STATUSES = frozenset({"SUSPENDED", "REMOVED"})


@dataclass(frozen=True)
class Client(ClientMixin):  # type: ignore[misc]
    client_id: str
    name: str
    kind: str  # "app", "console" or "resource_server"
    redirect_uris: tuple[str, ...] = ()
    allowed_scopes: frozenset[str] = frozenset()
    secret_hash: str | None = None
    app_id: str | None = None
    app_status: str | None = None
    organization_id: str | None = None
    publisher: str = ""
    certification: str = "NONE"

    @classmethod
    def of_app(cls, app: AppReferenceRow) -> Client:
        return cls(
            client_id=app.client_id or "",
            name=app.name,
            kind="app",
            redirect_uris=tuple(app.redirect_uris),
            allowed_scopes=frozenset(app.requested_scopes),
            secret_hash=app.client_secret_hash,
            app_id=app.id,
            app_status=app.status,
            organization_id=app.organization_id,
            publisher=app.publisher,
            certification=app.certification,
        )

    @property
    def halted(self) -> bool:
        return self.app_status in HALTED_APP_STATUSES

    # authlib's ClientMixin

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        # OAuth 2.1: the redirect URI is always named and matched exactly, never implied.
        return None

    def get_allowed_scope(self, scope: str | None) -> str:
        if not scope:
            return " ".join(sorted(self.allowed_scopes))
        return " ".join(sorted(set(scope.split()) & self.allowed_scopes))

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris  # exact string match, RFC 9700 §4.1.3

    def check_client_secret(self, client_secret: str) -> bool:
        return verify_client_secret(client_secret, self.secret_hash)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        if self.kind == "console":
            return method == "none" and endpoint in ("token", "revocation")
        return method in SECRET_METHODS

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code" and self.kind in ("app", "console")

    def check_grant_type(self, grant_type: str) -> bool:
        if self.kind == "console":
            return grant_type in ("authorization_code", "refresh_token")
        if self.kind == "app" and not self.halted:
            return grant_type in ("authorization_code", "refresh_token", "client_credentials")
        return self.kind == "resource_server" and grant_type == "client_credentials"


def console_client(config: IdentityConfig) -> Client:
    return Client(
        client_id=CONSOLE_CLIENT_ID,
        name="Switchboard console",
        kind="console",
        redirect_uris=config.console_redirect_uris,
        allowed_scopes=ALL_SCOPES,
    )


def resource_server_client(config: IdentityConfig) -> Client | None:
    if config.resource_server_secret is None:
        return None
    return Client(
        client_id=RESOURCE_SERVER_CLIENT_ID,
        name="Switchboard resource servers",
        kind="resource_server",
        allowed_scopes=RESOURCE_SERVER_SCOPES,
        secret_hash=hash_client_secret(config.resource_server_secret),
    )


def first_party(config: IdentityConfig, client_id: str) -> Client | None:
    if hmac.compare_digest(client_id, CONSOLE_CLIENT_ID):
        return console_client(config)
    if hmac.compare_digest(client_id, RESOURCE_SERVER_CLIENT_ID):
        return resource_server_client(config)
    return None
