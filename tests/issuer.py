"""A test issuer: ES256 keys from joserfc, access tokens with the claims of
docs/design/tokens.md, and its JWKS — in memory (`key_source`) or served over real HTTP by a
small Starlette app on a free port (`serve`).

    issuer = TestIssuer()
    token = issuer.token(scopes={"metrics:read"}, app="app_1")
    headers = issuer.headers(app="app_1", scopes={"installs:read"})
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any
from urllib.parse import parse_qs, unquote

import uvicorn
from joserfc import jwt
from joserfc.jwk import ECKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from gateway.auth import Issuer, StaticKeys, TokenVerifier
from tests.waiting import free_port

AUDIENCE = "switchboard"


class TestIssuer:
    __test__ = False  # not a pytest test class

    def __init__(self, issuer: str = "https://issuer.test", *, kid: str | None = None) -> None:
        self.issuer = issuer
        self.key = ECKey.generate_key("P-256", parameters={"kid": kid or uuid.uuid4().hex[:12]})
        self.kid: str = self.key.kid  # type: ignore[assignment]
        # Confidential clients of the token endpoint: id → (secret, the scopes it may get).
        self.clients: dict[str, tuple[str, frozenset[str]]] = {}

    def claims(
        self,
        *,
        scopes: Iterable[str] = (),
        app: str | None = None,
        installation: str | None = None,
        workspace: str | None = None,
        org: str | None = None,
        sub: str | None = None,
        lifetime: int = 900,
        issued_at: float | None = None,
        jti: str | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        now = int(time.time() if issued_at is None else issued_at)
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": AUDIENCE,
            "iat": now,
            "nbf": now,
            "exp": now + lifetime,
            "jti": jti or uuid.uuid4().hex,
            "sub": sub or app or "user_test",
            "client_id": app or "switchboard-console",
            "scope": " ".join(sorted(scopes)),
        }
        for name, value in (
            ("app", app),
            ("installation", installation),
            ("workspace", workspace),
            ("org", org),
        ):
            if value is not None:
                claims[name] = value
        claims.update(extra)
        return claims

    def sign(self, claims: dict[str, Any], *, header: dict[str, Any] | None = None) -> str:
        return jwt.encode(
            {"alg": "ES256", "typ": "at+jwt", "kid": self.kid, **(header or {})},
            claims,
            self.key,
            algorithms=["ES256"],
        )

    def token(self, **claims: Any) -> str:
        return self.sign(self.claims(**claims))

    def headers(self, **claims: Any) -> dict[str, str]:
        return {"authorization": f"Bearer {self.token(**claims)}"}

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.key.as_dict(private=False, use="sig", alg="ES256")]}

    def key_source(self) -> StaticKeys:
        return StaticKeys.from_jwks(self.jwks())

    def verifier(self, **options: Any) -> TokenVerifier:
        return TokenVerifier([Issuer(self.issuer, self.key_source())], **options)

    @property
    def jwks_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/jwks.json"

    def app(self) -> Starlette:
        """The issuer's discovery routes, and a token endpoint for the client credentials of
        `clients`; `jwks_requests` counts what was asked of it, `jwks_accepted` the media
        types each JWKS request accepted."""
        self.jwks_requests = 0
        self.jwks_accepted: list[str | None] = []

        async def jwks(request: Request) -> JSONResponse:
            self.jwks_requests += 1
            self.jwks_accepted.append(request.headers.get("accept"))
            return JSONResponse(self.jwks())

        async def token(request: Request) -> JSONResponse:
            form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
            client_id, secret = _basic(request.headers.get("authorization", ""))
            client = self.clients.get(client_id)
            if client is None or client[0] != secret:
                return JSONResponse({"error": "invalid_client"}, status_code=401)
            if form.get("grant_type") != "client_credentials":
                return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
            asked = set(str(form.get("scope") or "").split())
            if not asked <= client[1]:
                return JSONResponse({"error": "invalid_scope"}, status_code=400)
            self.token_requests += 1
            access = self.token(sub=client_id, scopes=asked or client[1], client_id=client_id)
            return JSONResponse({"access_token": access, "token_type": "Bearer", "expires_in": 900})

        self.token_requests = 0
        return Starlette(
            routes=[
                Route("/.well-known/jwks.json", jwks),
                Route("/oauth/token", token, methods=["POST"]),
            ]
        )

    @contextlib.contextmanager
    def serve(self) -> Iterator[TestIssuer]:
        """Serve the JWKS on a free port in a thread; `issuer` becomes that URL meanwhile."""
        port = free_port()
        self.issuer = f"http://127.0.0.1:{port}"
        server = uvicorn.Server(
            uvicorn.Config(self.app(), host="127.0.0.1", port=port, log_level="warning")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("the test issuer did not start")
            time.sleep(0.01)
        try:
            yield self
        finally:
            server.should_exit = True
            thread.join(timeout=10)

    @contextlib.asynccontextmanager
    async def serving(self) -> AsyncIterator[TestIssuer]:
        """`serve` from async code, without blocking the running loop while it starts."""
        context = self.serve()
        await asyncio.to_thread(context.__enter__)
        try:
            yield self
        finally:
            await asyncio.to_thread(context.__exit__, None, None, None)


def _basic(header: str) -> tuple[str, str]:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return "", ""
    try:
        client_id, _, secret = base64.b64decode(encoded).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return "", ""
    return unquote(client_id), unquote(secret)
