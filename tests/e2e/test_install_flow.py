"""Installing an app over real HTTP, with authlib's OAuth 2 client and PKCE.

The apps and installs subgraphs run as their own processes, sharing a Redis stream of their
own: the app's owner issues a client secret in the apps subgraph, whose event gives the
authorization server (installs) the secret's hash. Then a workspace admin signs in, approves two
of three scopes, and the app exchanges the code, refreshes, finds the old refresh token dead,
revokes, and the token is inactive; between those steps it calls the installs subgraph, which
verifies the token itself. The same app also gets an app-level token by client
credentials.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from authlib.common.security import generate_token
from authlib.deprecate import AuthlibDeprecationWarning
from authlib.integrations.base_client.errors import OAuthError

with warnings.catch_warnings():
    # authlib's client warns that it will move from httpx (the project's HTTP client) to its
    # fork httpx2 in a later release; on this release it runs on httpx, as used here.
    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    from authlib.integrations.httpx_client import AsyncOAuth2Client

from subgraphs.demo.world import world
from subgraphs.installs.oauth.config import (
    CONSOLE_CLIENT_ID,
    DEFAULT_CONSOLE_REDIRECT_URIS,
    RESOURCE_SERVER_CLIENT_ID,
)
from tests.conftest import REDIS_URL, unavailable
from tests.e2e.test_processes import wait_healthy
from tests.subgraphs.installs.oauth.flow import approve, installable, sign_in
from tests.waiting import eventually, free_port

pytestmark = [pytest.mark.e2e, pytest.mark.redis]

ROOT = Path(__file__).resolve().parents[2]
IDENTITY_SECRET = "e2e-identity-secret-with-at-least-32-characters"
RESOURCE_SERVER_SECRET = "e2e-resource-server-secret"
ROTATE = """
mutation($id: ID!) { rotateClientSecret(id: $id) { clientId clientSecret } }
"""


@dataclass
class Platform:
    apps: str
    installs: str

    def introspect(self, token: str) -> dict[str, Any]:
        response = httpx.post(
            f"{self.installs}/oauth/introspect",
            data={"token": token},
            auth=(RESOURCE_SERVER_CLIENT_ID, RESOURCE_SERVER_SECRET),
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError as error:
        unavailable("Redis", error)
    directory = tmp_path_factory.mktemp("identity")
    stream = f"test:identity:{uuid.uuid4().hex}"
    ports = {"apps": free_port(), "installs": free_port()}
    environment = {
        **os.environ,
        "SWITCHBOARD_DATA_DIR": str(directory),
        "EVENT_BUS": "redis",
        "REDIS_URL": REDIS_URL,
        "EVENT_STREAM": stream,
        "SWITCHBOARD_IDENTITY_SECRET": IDENTITY_SECRET,
        "SWITCHBOARD_RESOURCE_SERVER_SECRET": RESOURCE_SERVER_SECRET,
        "SWITCHBOARD_ISSUER": f"http://127.0.0.1:{ports['installs']}",
    }
    environment.pop("DATABASE_URL", None)
    processes = {
        name: subprocess.Popen(
            [sys.executable, "-m", f"subgraphs.{name}", "--port", str(port), "--seed"],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for name, port in ports.items()
    }
    try:
        for name, port in ports.items():
            wait_healthy(f"http://127.0.0.1:{port}/health", processes[name])
        yield Platform(*(f"http://127.0.0.1:{ports[name]}" for name in ("apps", "installs")))
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        client = redis.Redis.from_url(REDIS_URL)
        client.delete(stream, f"{stream}:last-id")
        client.close()


INSTALLATIONS = "{ installations(status: ACTIVE) { nodes { id } } }"


async def installations_seen(platform: Platform, token: str | None) -> list[str] | int:
    """The installation ids the installs subgraph shows the bearer; the status if refused."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient() as http:
        response = await http.post(
            f"{platform.installs}/graphql", json={"query": INSTALLATIONS}, headers=headers
        )
    if response.status_code != 200:
        return response.status_code
    return [node["id"] for node in response.json()["data"]["installations"]["nodes"]]


async def person_token(platform: Platform, email: str, scope: str) -> str:
    """A person's token through the first-party console client: sign in, code, exchange."""
    verifier = generate_token(64)
    async with AsyncOAuth2Client(
        client_id=CONSOLE_CLIENT_ID,
        token_endpoint_auth_method="none",
        redirect_uri=DEFAULT_CONSOLE_REDIRECT_URIS[0],
        scope=scope,
        code_challenge_method="S256",
    ) as console:
        url, state = console.create_authorization_url(
            f"{platform.installs}/oauth/authorize", code_verifier=verifier
        )
        async with httpx.AsyncClient(base_url=platform.installs) as browser:
            await sign_in(browser, email)
            callback = (await browser.get(url)).headers["location"]
        token = await console.fetch_token(
            f"{platform.installs}/oauth/token",
            authorization_response=callback,
            state=state,
            code_verifier=verifier,
        )
    return str(token["access_token"])


async def issue_secret(platform: Platform, app_id: str) -> str:
    """A platform reviewer rotates the app's client secret in the apps subgraph, which owns it;
    its event gives the installs subgraph the secret's hash."""
    reviewer = await person_token(platform, "rex@example.com", "apps:write platform:admin")
    # The apps subgraph verifies the token against the issuer's JWKS: no other header counts.
    headers = {"Authorization": f"Bearer {reviewer}"}
    async with httpx.AsyncClient() as http:
        for _attempt in range(3):
            response = await http.post(
                f"{platform.apps}/graphql",
                json={"query": ROTATE, "variables": {"id": app_id}},
                headers=headers,
            )
            issued = response.json()["data"]["rotateClientSecret"]
            client_id, secret = issued["clientId"], issued["clientSecret"]

            async def accepted(client_id: str = client_id, secret: str = secret) -> bool:
                answer = await http.post(
                    f"{platform.installs}/oauth/token",
                    data={"grant_type": "client_credentials"},
                    auth=(client_id, secret),
                )
                return answer.status_code == 200

            try:
                await eventually(accepted, seconds=5, interval=0.2)
            except AssertionError:
                continue  # the event raced the consumer's first read: issue another
            return str(secret)
    raise AssertionError("the installs subgraph never learned the client secret")


async def test_install_with_pkce_then_refresh_and_revoke(platform: Platform) -> None:
    demo = world()
    app = installable(demo)
    secret = await issue_secret(platform, app.id)
    scopes = list(app.requested_scopes[:3])
    async with AsyncOAuth2Client(
        client_id=app.client_id,
        client_secret=secret,
        scope=" ".join(scopes),
        redirect_uri=app.redirect_uris[0],
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
    ) as oauth:
        await install_and_use(platform, oauth, app, scopes)


async def install_and_use(
    platform: Platform, oauth: AsyncOAuth2Client, app: Any, scopes: list[str]
) -> None:
    demo = world()
    verifier = generate_token(64)
    url, state = oauth.create_authorization_url(
        f"{platform.installs}/oauth/authorize", code_verifier=verifier
    )

    # The workspace admin's browser: sign in, read the consent page, approve two of three.
    async with httpx.AsyncClient(base_url=platform.installs) as browser:
        to_signin = await browser.get(url)
        assert to_signin.status_code == 303
        back = await sign_in(
            browser,
            "ada@example.com",
            next_url=httpx.URL(to_signin.headers["location"]).params["next"],
        )
        consent = await browser.get(back.headers["location"])
        assert consent.status_code == 200
        assert app.name in consent.text
        granted = sorted(scopes[:2])
        approved = await approve(browser, consent, demo.workspaces[0].id, granted)
        assert approved.status_code == 302
        callback = approved.headers["location"]
        assert callback.startswith(app.redirect_uris[0])

    token = await oauth.fetch_token(
        f"{platform.installs}/oauth/token",
        authorization_response=callback,
        state=state,
        code_verifier=verifier,
    )
    assert token["scope"] == " ".join(granted)
    # The token works: the authorization server vouches for it to a resource server.
    active = platform.introspect(token["access_token"])
    assert active["active"] is True
    assert active["app"] == app.id
    assert active["workspace"] == demo.workspaces[0].id
    assert active["scope"] == " ".join(granted)

    # ... and the installs subgraph, verifying it, shows the app its installation and no other.
    assert await installations_seen(platform, token["access_token"]) == [active["installation"]]
    assert await installations_seen(platform, None) == []

    old_refresh = token["refresh_token"]
    # The client asks for what was granted: a refresh may not widen the grant (RFC 6749 §6).
    refreshed = await oauth.refresh_token(
        f"{platform.installs}/oauth/token", refresh_token=old_refresh, scope=token["scope"]
    )
    assert refreshed["refresh_token"] != old_refresh
    assert platform.introspect(refreshed["access_token"])["active"] is True
    assert platform.introspect(old_refresh)["active"] is False

    await oauth.revoke_token(
        f"{platform.installs}/oauth/revoke",
        token=refreshed["access_token"],
        token_type_hint="access_token",
    )
    assert platform.introspect(refreshed["access_token"])["active"] is False
    # The subgraph hears of the revocation on the bus and refuses the token too.
    await eventually(
        lambda: installations_seen(platform, refreshed["access_token"]),
        lambda seen: seen == 401,
        seconds=10,
        interval=0.1,
    )

    # The rotated refresh token, presented again, is refused (and takes its family with it).
    with pytest.raises(OAuthError) as refused:
        await oauth.refresh_token(
            f"{platform.installs}/oauth/token", refresh_token=old_refresh, scope=token["scope"]
        )
    assert refused.value.error == "invalid_grant"
    assert platform.introspect(refreshed["refresh_token"])["active"] is False


async def test_client_credentials_over_http(platform: Platform) -> None:
    demo = world()
    app = installable(demo, workspace_index=1)
    secret = await issue_secret(platform, app.id)
    async with AsyncOAuth2Client(
        client_id=app.client_id, client_secret=secret, scope=app.requested_scopes[0]
    ) as oauth:
        token = await oauth.fetch_token(
            f"{platform.installs}/oauth/token", grant_type="client_credentials"
        )
    assert "refresh_token" not in token
    introspected = platform.introspect(token["access_token"])
    assert introspected["active"] is True
    assert introspected["app"] == app.id
    assert "installation" not in introspected
    assert introspected["scope"] == app.requested_scopes[0]
