"""`switchboard token` and `switchboard keys rotate`: the same tokens as the endpoint's, minted
from the issuer's database."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.cli import main
from subgraphs.demo.world import World
from subgraphs.installs.oauth.config import SECRET_VARIABLE
from subgraphs.installs.oauth.dev_tokens import TokenRequestError, mint
from tests.subgraphs.installs.oauth.conftest import Issuer, published


async def test_an_installation_token_carries_its_installation(issuer: Issuer, demo: World) -> None:
    installation = next(i for i in demo.installations if i.status == "ACTIVE")
    app = next(a for a in demo.apps if a.id == installation.app_id)
    workspace = next(w for w in demo.workspaces if w.id == installation.workspace_id)
    token = await mint(
        issuer.harness.database, issuer.config, app_slug=app.slug, workspace_slug=workspace.slug
    )
    claims = await issuer.verify(token)
    assert claims["installation"] == installation.id
    assert claims["workspace"] == workspace.id
    assert claims["scope"].split() == sorted(installation.granted_scopes)
    assert (await issuer.introspect(token))["active"] is True


async def test_a_person_token_carries_role_scopes(issuer: Issuer) -> None:
    token = await mint(issuer.harness.database, issuer.config, user_email="rex@example.com")
    claims = await issuer.verify(token)
    assert claims["sub"] == "user_rex"
    assert claims["scope"] == "apps:read apps:write platform:admin"


async def test_scopes_not_held_are_an_error(issuer: Issuer, demo: World) -> None:
    with pytest.raises(TokenRequestError):
        await mint(
            issuer.harness.database,
            issuer.config,
            app_slug=published(demo).slug,
            scopes="platform:admin",
        )
    with pytest.raises(TokenRequestError):
        await mint(issuer.harness.database, issuer.config, user_email="nobody@example.com")


def test_the_commands_mint_and_rotate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(SECRET_VARIABLE, raising=False)
    url = f"sqlite:///{tmp_path}/installs.db"
    # An empty database: the app does not exist; the command says so and fails.
    assert main(["token", "--app", "nope", "--database-url", url]) == 1
    assert "no app 'nope'" in capsys.readouterr().err
    # Rotating real keys needs the secret from the environment, never the dev default.
    assert main(["keys", "rotate", "--database-url", url]) == 1
    assert SECRET_VARIABLE in capsys.readouterr().err
    monkeypatch.setenv(SECRET_VARIABLE, "x" * 40)
    assert main(["keys", "rotate", "--database-url", url]) == 0
    assert capsys.readouterr().out.startswith("new signing key: ")
