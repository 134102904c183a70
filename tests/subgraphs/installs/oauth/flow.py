"""Driving the browser side of the authorization code flow with plain HTTP: PKCE values, signing
in, reading the consent page's form, approving."""

from __future__ import annotations

import base64
import hashlib
import html
import re
import secrets
from urllib.parse import parse_qs, urlsplit

import httpx

from subgraphs.demo.world import App, World
from subgraphs.installs.oauth.people import DEMO_PASSWORD

HIDDEN = re.compile(r'<input type=hidden name="([^"]+)" value="([^"]*)">')


def pkce() -> tuple[str, str]:
    """(verifier, S256 challenge)"""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def hidden_fields(page: str) -> list[tuple[str, str]]:
    return [(name, html.unescape(value)) for name, value in HIDDEN.findall(page)]


async def sign_in(
    http: httpx.AsyncClient, email: str, password: str = DEMO_PASSWORD, next_url: str = ""
) -> httpx.Response:
    form = await http.get("/signin", params={"next": next_url} if next_url else None)
    fields = dict(hidden_fields(form.text))
    return await http.post(
        "/signin",
        data={**fields, "email": email, "password": password},
    )


def authorize_params(
    app: App, scopes: list[str], challenge: str, **overrides: str
) -> dict[str, str]:
    params = {
        "response_type": "code",
        "client_id": app.client_id,
        "redirect_uri": app.redirect_uris[0],
        "scope": " ".join(scopes),
        "state": "state-" + secrets.token_hex(4),
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    params.update(overrides)
    return {key: value for key, value in params.items() if value != ""}


async def approve(
    http: httpx.AsyncClient,
    consent: httpx.Response,
    workspace_id: str,
    granted: list[str],
    decision: str = "approve",
) -> httpx.Response:
    fields = hidden_fields(consent.text)
    data = [*fields, ("workspace_id", workspace_id), ("decision", decision)]
    data += [("granted_scope", scope) for scope in granted]
    return await http.post(
        "/oauth/authorize",
        content=httpx.QueryParams(data).__str__().encode(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )


def redirect_query(response: httpx.Response) -> dict[str, str]:
    assert response.status_code in (302, 303), (response.status_code, response.text)
    location = response.headers["location"]
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def installable(demo: World, workspace_index: int = 0, scopes: int = 3) -> App:
    """A published app with at least `scopes` requested scopes, not live in that workspace."""
    workspace = demo.workspaces[workspace_index]
    live = {
        i.app_id
        for i in demo.installations
        if i.workspace_id == workspace.id and i.status != "REMOVED"
    }
    return next(
        app
        for app in demo.apps
        if app.status == "PUBLISHED" and len(app.requested_scopes) >= scopes and app.id not in live
    )
