"""The authorization server in process, on both backends: an `Issuer` harness around the
seeded installs subgraph, configured through the environment as a deployment is."""

from __future__ import annotations

import base64
from dataclasses import dataclass, replace
from typing import Any

import httpx
import pytest

from subgraphs.apps.credentials import hash_client_secret
from subgraphs.demo.world import App, World, world
from subgraphs.installs import app_replica
from subgraphs.installs.oauth import access_tokens
from subgraphs.installs.oauth.config import (
    ISSUER_VARIABLE,
    RESOURCE_SERVER_CLIENT_ID,
    RESOURCE_SERVER_SECRET_VARIABLE,
    SECRET_VARIABLE,
    IdentityConfig,
)
from subgraphs.installs.oauth.keys import Keyring
from subgraphs.installs.subgraph import SUBGRAPH
from tests.subgraphs.app_events import snapshot_of
from tests.subgraphs.conftest import MakeHarness
from tests.subgraphs.harness import SubgraphHarness

ISSUER = "http://127.0.0.1:4999"
SECRET = "test-identity-secret-with-at-least-32-characters"
RESOURCE_SERVER_SECRET = "test-resource-server-secret"


def basic(client_id: str, secret: str) -> dict[str, str]:
    credentials = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {credentials}"}


@dataclass
class Issuer:
    harness: SubgraphHarness
    config: IdentityConfig

    @property
    def http(self) -> httpx.AsyncClient:
        return self.harness.http

    @property
    def keyring(self) -> Keyring:
        return Keyring(self.harness.database, self.config.key_encryption_key)

    async def give_secret(self, app: App, secret: str, **changes: Any) -> None:
        """The apps subgraph's event after the owner rotated the client secret."""
        snapshot = replace(
            snapshot_of(app),
            client_id=app.client_id,
            client_secret_hash=hash_client_secret(secret),
            redirect_uris=app.redirect_uris,
            change="rotate client secret",
        )
        await app_replica.apply(self.harness.database, replace(snapshot, **changes))

    async def token(self, data: dict[str, str], **headers: str) -> httpx.Response:
        return await self.http.post("/oauth/token", data=data, headers=headers)

    async def introspect(self, token: str) -> dict[str, Any]:
        response = await self.http.post(
            "/oauth/introspect",
            data={"token": token},
            headers=basic(RESOURCE_SERVER_CLIENT_ID, RESOURCE_SERVER_SECRET),
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def verify(self, token: str) -> dict[str, Any]:
        from subgraphs.common.clock import utc_now

        return access_tokens.verify(
            token,
            await self.keyring.public_keys(),
            issuer=ISSUER,
            audience="switchboard",
            now=utc_now(),
        )


@pytest.fixture
def demo() -> World:
    return world()


@pytest.fixture
def identity_environment(monkeypatch: pytest.MonkeyPatch) -> IdentityConfig:
    monkeypatch.setenv(SECRET_VARIABLE, SECRET)
    monkeypatch.setenv(ISSUER_VARIABLE, ISSUER)
    monkeypatch.setenv(RESOURCE_SERVER_SECRET_VARIABLE, RESOURCE_SERVER_SECRET)
    config = IdentityConfig.from_environment()
    assert config is not None
    return config


@pytest.fixture
async def issuer(make_harness: MakeHarness, identity_environment: IdentityConfig) -> Issuer:
    return Issuer(await make_harness(SUBGRAPH, seed=True), identity_environment)


def published(demo: World, index: int = 0) -> App:
    return [app for app in demo.apps if app.status == "PUBLISHED"][index]
