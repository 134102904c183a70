"""Who sees and changes which installations: integrations, workspaces, admins, everyone else."""

from __future__ import annotations

from subgraphs.common.principal import ANONYMOUS, Principal
from subgraphs.demo.world import World
from tests.subgraphs.harness import SubgraphHarness
from tests.subgraphs.installs.conftest import (
    ADMIN,
    integration_principal,
    not_installed,
    workspace_principal,
)
from tests.subgraphs.installs.operations import INSTALL, UNINSTALL

VISIBLE = """
query($app: ID!, $ws: ID!, $id: ID!) {
  installations(first: 100) { totalCount nodes { app { id } workspace { id } } }
  app: _entities(representations: [{__typename: "App", id: $app}]) {
    ... on App { installCount installations(first: 100) { totalCount } }
  }
  workspace(id: $ws) { name installations(first: 100) { totalCount } }
  installation(id: $id) { id }
}
"""


async def test_a_workspace_sees_only_its_own_installations(
    installs: SubgraphHarness, demo: World
) -> None:
    mine, theirs = demo.workspaces[0], demo.workspaces[1]
    own = [i for i in demo.installations if i.workspace_id == mine.id]
    foreign = next(i for i in demo.installations if i.workspace_id == theirs.id)
    variables = {"app": foreign.app_id, "ws": theirs.id, "id": foreign.id}
    data = await installs.data(VISIBLE, variables, principal=workspace_principal(mine.id))
    assert data["installations"]["totalCount"] == len(own)
    assert {n["workspace"]["id"] for n in data["installations"]["nodes"]} == {mine.id}
    # The other workspace is public; its installations are not.
    assert data["workspace"] == {"name": theirs.name, "installations": {"totalCount": 0}}
    assert data["installation"] is None
    app_installations = sum(1 for i in own if i.app_id == foreign.app_id)
    assert data["app"][0]["installations"]["totalCount"] == app_installations


async def test_an_integration_sees_only_its_own_apps_installations(
    installs: SubgraphHarness, demo: World
) -> None:
    app_id = demo.installations[0].app_id
    own = [i for i in demo.installations if i.app_id == app_id]
    foreign = next(i for i in demo.installations if i.app_id != app_id)
    variables = {"app": foreign.app_id, "ws": foreign.workspace_id, "id": own[0].id}
    data = await installs.data(VISIBLE, variables, principal=integration_principal(app_id))
    assert data["installations"]["totalCount"] == len(own)
    assert {n["app"]["id"] for n in data["installations"]["nodes"]} == {app_id}
    assert data["app"][0]["installations"]["totalCount"] == 0
    assert data["app"][0]["installCount"] > 0  # public whoever asks
    assert data["installation"] == {"id": own[0].id}


async def test_an_integration_token_for_one_workspace_sees_one_installation(
    installs: SubgraphHarness, demo: World
) -> None:
    installation = demo.installations[0]
    principal = Principal(
        app_id=installation.app_id,
        workspace_id=installation.workspace_id,
        installation_id=installation.id,
        scopes=frozenset({"installs:read"}),
    )
    data = await installs.data("{ installations { nodes { id } } }", principal=principal)
    assert data["installations"]["nodes"] == [{"id": installation.id}]


async def test_anonymous_and_admin(installs: SubgraphHarness, demo: World) -> None:
    installation = demo.installations[0]
    variables = {"app": installation.app_id, "ws": installation.workspace_id, "id": installation.id}
    anonymous = await installs.data(VISIBLE, variables, principal=ANONYMOUS)
    assert anonymous["installations"]["totalCount"] == 0
    assert anonymous["installation"] is None
    admin = await installs.data(VISIBLE, variables, principal=ADMIN)
    assert admin["installations"]["totalCount"] == 341
    assert admin["installation"] == {"id": installation.id}


async def test_mutations_only_on_what_the_principal_owns(
    installs: SubgraphHarness, demo: World
) -> None:
    app, workspace_id = not_installed(demo)
    other_workspace = next(w.id for w in demo.workspaces if w.id != workspace_id)
    install = {
        "input": {
            "appId": app.id,
            "workspaceId": workspace_id,
            "scopes": list(app.requested_scopes),
        }
    }
    for stranger in (
        workspace_principal(other_workspace),
        integration_principal("app_other"),
        ANONYMOUS,
    ):
        errors = await installs.errors(INSTALL, install, principal=stranger)
        assert errors[0]["extensions"]["code"] == "FORBIDDEN"

    owner = workspace_principal(workspace_id)
    installed = (await installs.data(INSTALL, install, principal=owner))["installApp"]
    assert installed["installedBy"] == f"workspace:{workspace_id}"

    for stranger in (workspace_principal(other_workspace), integration_principal("app_other")):
        errors = await installs.errors(UNINSTALL, {"id": installed["id"]}, principal=stranger)
        assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    removed = await installs.data(
        UNINSTALL, {"id": installed["id"]}, principal=integration_principal(app.id)
    )
    assert removed["uninstallApp"]["status"] == "REMOVED"
    assert [event.type for event in installs.bus.published] == [
        "installation.created",
        "installation.removed",
    ]
