"""The authorization server's HTTP endpoints, beside `/graphql` on the installs subgraph.

GET  /.well-known/oauth-authorization-server   RFC 8414 metadata
GET  /.well-known/jwks.json                     the published signing keys
POST /oauth/token                               authorization_code, refresh_token,
                                                client_credentials
POST /oauth/revoke                              RFC 7009
POST /oauth/introspect                          RFC 7662
GET  /oauth/authorize, POST /oauth/authorize    sign-in, consent, code (authorize.py)
GET  /signin, POST /signin, POST /signout       the session (signin.py)
"""

from __future__ import annotations

import base64
import binascii
import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from authlib.oauth2.rfc8414 import AuthorizationServerMetadata
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from subgraphs.common.clock import utc_now
from subgraphs.common.database import Database
from subgraphs.common.events import EventBus
from subgraphs.installs.models import OUTBOX
from subgraphs.installs.oauth.authorize import Authorize
from subgraphs.installs.oauth.config import IdentityConfig
from subgraphs.installs.oauth.endpoints import find_token
from subgraphs.installs.oauth.exchange import (
    Exchange,
    StaleGrant,
    load_clients,
    load_code,
    load_refresh_token,
    running,
)
from subgraphs.installs.oauth.keys import KeyDecryptionError, Keyring
from subgraphs.installs.oauth.revocation import prune
from subgraphs.installs.oauth.scopes import ALL_SCOPES
from subgraphs.installs.oauth.server import (
    FormTooLarge,
    SwitchboardAuthorizationServer,
    is_form,
    read_form,
)
from subgraphs.installs.oauth.signin import SignIn
from subgraphs.installs.oauth.throttle import Throttle

logger = logging.getLogger(__name__)

# Failed client authentications per client id (or address) before a pause.
CLIENT_FAILURES, CLIENT_WINDOW = 10, 300.0
PRUNE_INTERVAL = 3600.0  # seconds between two clean-ups of expired codes and tokens
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def oauth_error(status: int, error: str, description: str, **headers: str) -> JSONResponse:
    """An RFC 6749 §5.2 error body."""
    return JSONResponse(
        {"error": error, "error_description": description},
        status_code=status,
        headers={**NO_STORE, **headers},
    )


def presented_client_id(request: Request, params: dict[str, str]) -> str:
    """Who claims to call: HTTP Basic's user, else the `client_id` parameter, else the address."""
    authorization = request.headers.get("authorization", "")
    if authorization[:6].lower() == "basic ":
        try:
            user = base64.b64decode(authorization[6:].strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            user = ""
        if ":" in user:
            return unquote(user.split(":", 1)[0])[:64]
    if params.get("client_id"):
        return params["client_id"][:64]
    return f"address:{request.client.host if request.client else 'unknown'}"


@dataclass
class Identity:
    """The authorization server's state shared by its endpoints."""

    config: IdentityConfig
    database: Database
    bus: EventBus
    keyring: Keyring = field(init=False)
    server: SwitchboardAuthorizationServer = field(init=False)
    client_throttle: Throttle = field(
        default_factory=lambda: Throttle(CLIENT_FAILURES, CLIENT_WINDOW)
    )
    _pruned_at: float | None = None

    def __post_init__(self) -> None:
        self.keyring = Keyring(self.database, self.config.key_encryption_key)
        self.server = SwitchboardAuthorizationServer(self.config)
        self.authorize = Authorize(self)
        self.signin = SignIn(self)

    def metadata(self) -> dict[str, Any]:
        issuer = self.config.issuer
        metadata = AuthorizationServerMetadata(
            {
                "issuer": issuer,
                "authorization_endpoint": f"{issuer}/oauth/authorize",
                "token_endpoint": f"{issuer}/oauth/token",
                "jwks_uri": f"{issuer}/.well-known/jwks.json",
                "revocation_endpoint": f"{issuer}/oauth/revoke",
                "introspection_endpoint": f"{issuer}/oauth/introspect",
                "scopes_supported": sorted(ALL_SCOPES),
                "response_types_supported": ["code"],
                "response_modes_supported": ["query"],
                "grant_types_supported": [
                    "authorization_code",
                    "refresh_token",
                    "client_credentials",
                ],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": [
                    "client_secret_basic",
                    "client_secret_post",
                    "none",
                ],
                "revocation_endpoint_auth_methods_supported": [
                    "client_secret_basic",
                    "client_secret_post",
                    "none",
                ],
                "introspection_endpoint_auth_methods_supported": [
                    "client_secret_basic",
                    "client_secret_post",
                ],
            }
        )
        metadata.validate()
        return dict(metadata)

    # --- endpoints ---------------------------------------------------------------------------

    async def metadata_endpoint(self, _request: Request) -> JSONResponse:
        return JSONResponse(self.metadata(), headers={"Cache-Control": "public, max-age=300"})

    async def jwks_endpoint(self, _request: Request) -> JSONResponse:
        return JSONResponse(
            await self.keyring.jwks(), headers={"Cache-Control": "public, max-age=60"}
        )

    async def token_endpoint(self, request: Request) -> Response:
        return await self._protocol(request, "token")

    async def revoke_endpoint(self, request: Request) -> Response:
        return await self._protocol(request, "revocation")

    async def introspect_endpoint(self, request: Request) -> Response:
        return await self._protocol(request, "introspection")

    async def _protocol(self, request: Request, endpoint: str) -> Response:
        if not is_form(request):
            return oauth_error(
                400, "invalid_request", "Send the parameters as application/x-www-form-urlencoded."
            )
        try:
            items = await read_form(request)
        except FormTooLarge:
            return oauth_error(
                400, "invalid_request", "The request body is malformed or too large."
            )
        params = dict(reversed(items))  # the first value of each parameter
        caller = presented_client_id(request, params)
        wait = self.client_throttle.retry_after(caller)
        if wait is not None:
            return oauth_error(
                429,
                "slow_down",
                "Too many failed client authentications; try again later.",
                **{"Retry-After": str(math.ceil(wait))},
            )
        exchange = Exchange(self.config, now=utc_now())
        try:
            await self._load(exchange, endpoint, params, caller)
        except KeyDecryptionError:
            logger.exception("the signing keys do not decrypt")
            return oauth_error(503, "temporarily_unavailable", "The issuer cannot sign now.")
        oauth_request = self.server.request(request, items)
        with running(exchange):
            if endpoint == "token":
                response: Response = self.server.create_token_response(oauth_request)
            else:
                response = self.server.create_endpoint_response(endpoint, oauth_request)
        return await self._finish(exchange, response, caller)

    async def _load(
        self, exchange: Exchange, endpoint: str, params: dict[str, str], caller: str
    ) -> None:
        async with self.database.session() as session:
            await load_clients(session, exchange, {caller})
            if endpoint == "token":
                grant_type = params.get("grant_type")
                if grant_type == "authorization_code" and params.get("code"):
                    await load_code(session, exchange, params["code"])
                elif grant_type == "refresh_token" and params.get("refresh_token"):
                    await load_refresh_token(session, exchange, params["refresh_token"])
            elif params.get("token"):
                exchange.found = await find_token(session, exchange, self.keyring, params["token"])
        if endpoint == "token":
            exchange.signing_key = await self.keyring.signing_key()

    async def _finish(self, exchange: Exchange, response: Response, caller: str) -> Response:
        try:
            await exchange.commit(self.database)
        except StaleGrant:
            response = oauth_error(400, "invalid_grant", "The grant was used by another request.")
        if exchange.staged_events:
            await OUTBOX.relay(self.database, self.bus)
        if self._pruned_at is None or time.monotonic() - self._pruned_at > PRUNE_INTERVAL:
            self._pruned_at = time.monotonic()
            async with self.database.session() as session:
                await prune(session, exchange.now)
                await session.commit()
        if response.status_code == 401 or b'"invalid_client"' in bytes(response.body):
            self.client_throttle.failed(caller)
        return response

    def routes(self) -> Sequence[BaseRoute]:
        return [
            Route(
                "/.well-known/oauth-authorization-server", self.metadata_endpoint, methods=["GET"]
            ),
            Route("/.well-known/jwks.json", self.jwks_endpoint, methods=["GET"]),
            Route("/oauth/token", self.token_endpoint, methods=["POST"]),
            Route("/oauth/revoke", self.revoke_endpoint, methods=["POST"]),
            Route("/oauth/introspect", self.introspect_endpoint, methods=["POST"]),
            Route("/oauth/authorize", self.authorize.show, methods=["GET"]),
            Route("/oauth/authorize", self.authorize.decide, methods=["POST"]),
            Route("/signin", self.signin.show, methods=["GET"]),
            Route("/signin", self.signin.submit, methods=["POST"]),
            Route("/signout", self.signin.sign_out, methods=["POST"]),
        ]


def identity_routes(database: Database, bus: EventBus) -> Sequence[BaseRoute]:
    """The authorization server's routes, when `SWITCHBOARD_IDENTITY_SECRET` configures it."""
    config = IdentityConfig.from_environment()
    if config is None:
        logger.warning(
            "SWITCHBOARD_IDENTITY_SECRET is not set: the OAuth authorization server is off"
        )
        return []
    return Identity(config, database, bus).routes()
