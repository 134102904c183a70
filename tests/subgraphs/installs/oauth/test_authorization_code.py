"""Installing an app through the authorization code flow with PKCE: sign-in, consent, code,
tokens, refresh with rotation, revocation; and each way a request can be wrong."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select

from subgraphs.common.clock import utc_now
from subgraphs.common.events import EventType
from subgraphs.demo.world import World
from subgraphs.installs.models import (
    AuthorizationCodeRow,
    InstallationRow,
    RefreshTokenRow,
    RevokedAccessTokenRow,
)
from subgraphs.installs.oauth.config import ConfigurationError, IdentityConfig
from subgraphs.installs.oauth.grants import AuthorizationCodeGrant
from subgraphs.installs.oauth.revocation import prune
from tests.subgraphs.installs.conftest import ADMIN
from tests.subgraphs.installs.oauth.conftest import Issuer, basic
from tests.subgraphs.installs.oauth.flow import (
    approve,
    authorize_params,
    installable,
    pkce,
    redirect_query,
    sign_in,
)
from tests.subgraphs.installs.operations import UNINSTALL

SECRET = "cs_installing-apps-secret-0123456789abcdef"
ADA = "ada@example.com"


async def consent_for(issuer: Issuer, demo: World) -> tuple[Any, Any, dict[str, str], str]:
    app = installable(demo)
    await issuer.give_secret(app, SECRET)
    assert (await sign_in(issuer.http, ADA)).status_code == 200
    verifier, challenge = pkce()
    params = authorize_params(app, list(app.requested_scopes[:3]), challenge)
    page = await issuer.http.get("/oauth/authorize", params=params)
    return app, page, params, verifier


async def exchange(issuer: Issuer, app: Any, code: str, verifier: str) -> Any:
    return await issuer.token(
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": app.redirect_uris[0],
            "code_verifier": verifier,
        },
        **basic(app.client_id, SECRET),
    )


async def test_install_approve_two_of_three_exchange_refresh_revoke(
    issuer: Issuer, demo: World
) -> None:
    app, page, params, verifier = await consent_for(issuer, demo)
    assert page.status_code == 200, page.text
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert app.name in page.text
    workspace = demo.workspaces[0]
    granted = sorted(app.requested_scopes[:2])
    approved = await approve(issuer.http, page, workspace.id, granted)
    query = redirect_query(approved)
    assert approved.headers["location"].startswith(app.redirect_uris[0] + "?")
    assert query["state"] == params["state"]

    async with issuer.harness.database.session() as session:
        [installation] = (
            await session.exec(
                select(InstallationRow).where(
                    InstallationRow.app_id == app.id,
                    InstallationRow.workspace_id == workspace.id,
                )
            )
        ).all()
    assert installation.granted_scopes == granted
    assert installation.installed_by == "user_ada"
    [created] = [
        e for e in issuer.harness.bus.published if e.type == EventType.INSTALLATION_CREATED
    ]
    assert created.payload["installation_id"] == installation.id
    assert created.payload["scopes"] == granted

    tokens = await exchange(issuer, app, query["code"], verifier)
    assert tokens.status_code == 200, tokens.text
    body = tokens.json()
    assert body["scope"] == " ".join(granted)
    claims = await issuer.verify(body["access_token"])
    assert claims["sub"] == app.id
    assert claims["app"] == app.id
    assert claims["installation"] == installation.id
    assert claims["workspace"] == workspace.id
    assert claims["scope"] == " ".join(granted)

    refreshed = await issuer.token(
        {"grant_type": "refresh_token", "refresh_token": body["refresh_token"]},
        **basic(app.client_id, SECRET),
    )
    assert refreshed.status_code == 200, refreshed.text
    newer = refreshed.json()
    assert newer["refresh_token"] != body["refresh_token"]
    assert (await issuer.introspect(newer["access_token"]))["active"] is True

    # The rotated refresh token is dead, and presenting it revokes the whole family.
    replayed = await issuer.token(
        {"grant_type": "refresh_token", "refresh_token": body["refresh_token"]},
        **basic(app.client_id, SECRET),
    )
    assert replayed.status_code == 400
    assert replayed.json()["error"] == "invalid_grant"
    assert (await issuer.introspect(newer["refresh_token"]))["active"] is False
    assert (await issuer.introspect(newer["access_token"]))["active"] is False
    [revoked] = [e for e in issuer.harness.bus.published if e.type == EventType.GRANT_REVOKED]
    assert claims["jti"] in revoked.payload["jtis"]
    assert revoked.payload["client_id"] == app.client_id


async def test_revoking_a_refresh_token_ends_its_access_tokens(issuer: Issuer, demo: World) -> None:
    app, page, _params, verifier = await consent_for(issuer, demo)
    query = redirect_query(
        await approve(
            issuer.http,
            page,
            demo.workspaces[0].id,
            ["installs:read"]
            if "installs:read" in app.requested_scopes
            else [app.requested_scopes[0]],
        )
    )
    body = (await exchange(issuer, app, query["code"], verifier)).json()
    revoked = await issuer.http.post(
        "/oauth/revoke",
        data={"token": body["refresh_token"], "token_type_hint": "refresh_token"},
        headers=basic(app.client_id, SECRET),
    )
    assert revoked.status_code == 200
    assert (await issuer.introspect(body["access_token"]))["active"] is False
    again = await issuer.token(
        {"grant_type": "refresh_token", "refresh_token": body["refresh_token"]},
        **basic(app.client_id, SECRET),
    )
    assert again.json()["error"] == "invalid_grant"


async def test_a_code_is_used_once_and_a_second_use_revokes_its_tokens(
    issuer: Issuer, demo: World
) -> None:
    app, page, _params, verifier = await consent_for(issuer, demo)
    query = redirect_query(
        await approve(issuer.http, page, demo.workspaces[0].id, [app.requested_scopes[0]])
    )
    first = await exchange(issuer, app, query["code"], verifier)
    assert first.status_code == 200
    second = await exchange(issuer, app, query["code"], verifier)
    assert second.status_code == 400
    assert second.json()["error"] == "invalid_grant"
    assert (await issuer.introspect(first.json()["access_token"]))["active"] is False


async def test_a_wrong_code_verifier_is_invalid_grant(issuer: Issuer, demo: World) -> None:
    app, page, _params, _verifier = await consent_for(issuer, demo)
    query = redirect_query(
        await approve(issuer.http, page, demo.workspaces[0].id, [app.requested_scopes[0]])
    )
    wrong, _ = pkce()
    response = await exchange(issuer, app, query["code"], wrong)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


async def test_denying_redirects_access_denied_with_state(issuer: Issuer, demo: World) -> None:
    _app, page, params, _verifier = await consent_for(issuer, demo)
    denied = redirect_query(await approve(issuer.http, page, demo.workspaces[0].id, [], "deny"))
    assert denied["error"] == "access_denied"
    assert denied["state"] == params["state"]


async def test_uninstalling_revokes_the_installations_tokens(issuer: Issuer, demo: World) -> None:
    app, page, _params, verifier = await consent_for(issuer, demo)
    query = redirect_query(
        await approve(issuer.http, page, demo.workspaces[0].id, [app.requested_scopes[0]])
    )
    body = (await exchange(issuer, app, query["code"], verifier)).json()
    claims = await issuer.verify(body["access_token"])
    await issuer.harness.data(UNINSTALL, {"id": claims["installation"]}, principal=ADMIN)
    assert (await issuer.introspect(body["access_token"]))["active"] is False
    refreshed = await issuer.token(
        {"grant_type": "refresh_token", "refresh_token": body["refresh_token"]},
        **basic(app.client_id, SECRET),
    )
    assert refreshed.json()["error"] == "invalid_grant"
    [removed] = [
        e for e in issuer.harness.bus.published if e.type == EventType.INSTALLATION_REMOVED
    ]
    assert removed.payload["installation_id"] == claims["installation"]
    assert removed.payload["app_id"] == app.id
    assert removed.payload["workspace_id"] == demo.workspaces[0].id


async def test_expired_codes_and_tokens_are_pruned(issuer: Issuer, demo: World) -> None:
    app, page, _params, verifier = await consent_for(issuer, demo)
    granted = [app.requested_scopes[0]]
    query = redirect_query(await approve(issuer.http, page, demo.workspaces[0].id, granted))
    body = (await exchange(issuer, app, query["code"], verifier)).json()
    await issuer.http.post(
        "/oauth/revoke", data={"token": body["access_token"]}, headers=basic(app.client_id, SECRET)
    )
    tables = (AuthorizationCodeRow, RefreshTokenRow, RevokedAccessTokenRow)
    database = issuer.harness.database
    async with database.session() as session:
        assert all([(await session.exec(select(table))).all() for table in tables])
        await prune(session, utc_now())  # nothing has expired yet
        await session.commit()
        assert all([(await session.exec(select(table))).all() for table in tables])
        await prune(session, utc_now() + timedelta(days=31))
        await session.commit()
        assert not any([(await session.exec(select(table))).all() for table in tables])


async def test_an_approval_that_fails_writes_nothing(
    issuer: Issuer, demo: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The installation and its code commit together: when the code cannot be stored (here a
    code value that is already taken), no installation and no event remain."""
    monkeypatch.setattr(
        AuthorizationCodeGrant, "generate_authorization_code", lambda _self: "the-same-code"
    )
    app, page, _params, _verifier = await consent_for(issuer, demo)
    first = await approve(issuer.http, page, demo.workspaces[0].id, [app.requested_scopes[0]])
    assert first.status_code == 302
    events = len(issuer.harness.bus.published)
    before = await installations_of(issuer, app.id, demo.workspaces[1].id)
    page = await issuer.http.get("/oauth/authorize", params=_params)
    second = await approve(issuer.http, page, demo.workspaces[1].id, [app.requested_scopes[0]])
    assert second.status_code == 409
    assert "location" not in second.headers
    assert await installations_of(issuer, app.id, demo.workspaces[1].id) == before
    assert len(issuer.harness.bus.published) == events


async def installations_of(issuer: Issuer, app_id: str, workspace_id: str) -> list[Any]:
    async with issuer.harness.database.session() as session:
        rows = (
            await session.exec(
                select(InstallationRow).where(
                    InstallationRow.app_id == app_id, InstallationRow.workspace_id == workspace_id
                )
            )
        ).all()
    return sorted((row.id, row.status, tuple(row.granted_scopes)) for row in rows)


def test_an_issuer_without_tls_off_loopback_is_refused() -> None:
    with pytest.raises(ConfigurationError):
        IdentityConfig(issuer="http://installs.internal:4102", secret=b"x" * 40)
    assert IdentityConfig(issuer="https://id.example.com", secret=b"x" * 40).secure_cookies
