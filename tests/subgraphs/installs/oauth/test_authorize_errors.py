"""Bad authorization requests: never redirected to an unverified place, otherwise answered with
the RFC 6749 §4.1.2.1 error at the client's redirect URI; sign-in and consent form checks; and
people's tokens through the first-party console client."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from subgraphs.demo.world import World
from subgraphs.installs.oauth.config import CONSOLE_CLIENT_ID, DEFAULT_CONSOLE_REDIRECT_URIS
from tests.subgraphs.installs.oauth.conftest import Issuer
from tests.subgraphs.installs.oauth.flow import (
    approve,
    authorize_params,
    installable,
    pkce,
    redirect_query,
    sign_in,
)

ADA = "ada@example.com"


async def test_without_a_session_the_user_signs_in_first(issuer: Issuer, demo: World) -> None:
    app = installable(demo)
    params = authorize_params(app, [app.requested_scopes[0]], pkce()[1])
    response = await issuer.http.get("/oauth/authorize", params=params)
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith("/signin?next=")
    next_url = parse_qs(urlsplit(location).query)["next"][0]
    signed_in = await sign_in(issuer.http, ADA, next_url=next_url)
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == next_url
    cookie = signed_in.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie


@pytest.mark.parametrize(
    ("override", "why"),
    [
        ({"client_id": "client_nobody"}, "unknown client"),
        ({"redirect_uri": "https://attacker.example/cb"}, "unregistered redirect URI"),
        ({"redirect_uri": ""}, "no redirect URI"),
    ],
)
async def test_an_unverified_redirect_gets_an_error_page_not_a_redirect(
    issuer: Issuer, demo: World, override: dict[str, str], why: str
) -> None:
    app = installable(demo)
    await sign_in(issuer.http, ADA)
    params = authorize_params(app, [app.requested_scopes[0]], pkce()[1], **override)
    response = await issuer.http.get("/oauth/authorize", params=params)
    assert response.status_code == 400, why
    assert "location" not in response.headers
    assert "href" not in response.text  # nothing on the page leads there either


@pytest.mark.parametrize(
    ("override", "error"),
    [
        ({"code_challenge": "", "code_challenge_method": ""}, "invalid_request"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge_method": ""}, "invalid_request"),
        ({"scope": "platform:admin"}, "invalid_scope"),
        ({"response_type": "token"}, "unsupported_response_type"),
    ],
)
async def test_errors_after_the_redirect_is_verified_go_back_with_state(
    issuer: Issuer, demo: World, override: dict[str, str], error: str
) -> None:
    app = installable(demo)
    await sign_in(issuer.http, ADA)
    params = authorize_params(app, [app.requested_scopes[0]], pkce()[1], **override)
    response = await issuer.http.get("/oauth/authorize", params=params)
    query = redirect_query(response)
    assert response.headers["location"].startswith(app.redirect_uris[0])
    assert query["error"] == error
    assert query["state"] == params["state"]


async def test_a_draft_app_installs_only_in_its_own_organization(
    issuer: Issuer, demo: World
) -> None:
    draft = demo.app("sprint-board-sync")
    params = authorize_params(draft, [draft.requested_scopes[0]], pkce()[1])
    await sign_in(issuer.http, ADA)
    refused = redirect_query(await issuer.http.get("/oauth/authorize", params=params))
    assert refused["error"] == "access_denied"
    await issuer.http.post("/signout")
    await sign_in(issuer.http, "dana@example.com")  # a member of the app's organization
    page = await issuer.http.get("/oauth/authorize", params=params)
    assert page.status_code == 200, page.text
    assert "not published" in page.text


async def test_the_consent_form_needs_its_csrf_token(issuer: Issuer, demo: World) -> None:
    app = installable(demo)
    await sign_in(issuer.http, ADA)
    params = authorize_params(app, [app.requested_scopes[0]], pkce()[1])
    forged = await issuer.http.post(
        "/oauth/authorize",
        data={**params, "workspace_id": demo.workspaces[0].id, "decision": "approve"},
    )
    assert forged.status_code == 403
    assert "location" not in forged.headers


@pytest.mark.parametrize("problem", ["foreign workspace", "unrequested scope", "no scope"])
async def test_approving_what_was_not_offered_is_refused(
    issuer: Issuer, demo: World, problem: str
) -> None:
    app = installable(demo)
    await sign_in(issuer.http, ADA)
    params = authorize_params(app, [app.requested_scopes[0]], pkce()[1])
    page = await issuer.http.get("/oauth/authorize", params=params)
    workspace, granted = demo.workspaces[0].id, [app.requested_scopes[0]]
    if problem == "foreign workspace":
        workspace = demo.workspaces[5].id  # Ada administers only the first two
    elif problem == "unrequested scope":
        granted = [*granted, "platform:admin"]
    else:
        granted = []
    response = await approve(issuer.http, page, workspace, granted)
    assert response.status_code == 400
    assert "location" not in response.headers


async def test_wrong_passwords_are_refused_then_throttled(issuer: Issuer) -> None:
    for _ in range(5):
        assert (await sign_in(issuer.http, ADA, password="guess")).status_code == 401
    throttled = await sign_in(issuer.http, ADA)  # even the right password waits now
    assert throttled.status_code == 429
    assert int(throttled.headers["retry-after"]) > 0


@pytest.mark.parametrize(
    ("email", "scopes", "org"),
    [
        ("ana@example.com", "metrics:read platform:admin", False),
        ("dana@example.com", "apps:read apps:write", True),
    ],
)
async def test_people_get_tokens_through_the_console(
    issuer: Issuer, demo: World, email: str, scopes: str, org: bool
) -> None:
    await sign_in(issuer.http, email)
    verifier, challenge = pkce()
    redirect_uri = DEFAULT_CONSOLE_REDIRECT_URIS[0]
    params = {
        "response_type": "code",
        "client_id": CONSOLE_CLIENT_ID,
        "redirect_uri": redirect_uri,
        "scope": scopes,
        "state": "console",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    query = redirect_query(await issuer.http.get("/oauth/authorize", params=params))
    tokens = await issuer.token(
        {
            "grant_type": "authorization_code",
            "code": query["code"],
            "redirect_uri": redirect_uri,
            "client_id": CONSOLE_CLIENT_ID,
            "code_verifier": verifier,
        }
    )
    assert tokens.status_code == 200, tokens.text
    claims = await issuer.verify(tokens.json()["access_token"])
    assert claims["sub"] == f"user_{email.split('@')[0]}"
    assert claims["scope"] == scopes
    assert "app" not in claims
    assert ("org" in claims) is org
    assert "refresh_token" in tokens.json()
