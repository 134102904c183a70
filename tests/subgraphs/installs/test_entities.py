"""Entity resolution (`_entities`) and the federation SDL the gateway composes."""

from __future__ import annotations

from collections import Counter

from subgraphs.common.principal import ANONYMOUS
from subgraphs.demo.world import World
from tests.subgraphs.harness import SubgraphHarness
from tests.subgraphs.installs.conftest import ADMIN

APPS = """
query($r: [_Any!]!) {
  _entities(representations: $r) {
    ... on App { id installCount installations(status: ACTIVE, first: 1) { totalCount } }
  }
}
"""


async def test_apps_resolve_with_their_install_counts(
    installs: SubgraphHarness, demo: World
) -> None:
    active = Counter(i.app_id for i in demo.installations if i.status == "ACTIVE")
    representations = [{"__typename": "App", "id": app.id} for app in demo.apps]
    entities = (await installs.data(APPS, {"r": representations}, principal=ADMIN))["_entities"]
    assert [entity["id"] for entity in entities] == [app.id for app in demo.apps]
    for entity in entities:
        assert entity["installCount"] == active[entity["id"]]
        assert entity["installations"]["totalCount"] == active[entity["id"]]
    assert sum(entity["installCount"] for entity in entities) == 293
    # Apps nobody may install (drafts) still resolve, with nothing installed.
    draft = next(app for app in demo.apps if app.status == "DRAFT")
    assert next(e for e in entities if e["id"] == draft.id)["installCount"] == 0


async def test_install_count_is_public_but_installations_are_not(
    installs: SubgraphHarness, demo: World
) -> None:
    app = demo.apps[1]
    entities = (
        await installs.data(APPS, {"r": [{"__typename": "App", "id": app.id}]}, principal=ANONYMOUS)
    )["_entities"]
    active = sum(1 for i in demo.installations if i.app_id == app.id and i.status == "ACTIVE")
    assert active > 0
    assert entities == [{"id": app.id, "installCount": active, "installations": {"totalCount": 0}}]


async def test_workspaces_and_installations_resolve_by_id(
    installs: SubgraphHarness, demo: World
) -> None:
    installation = demo.installations[5]
    workspace = demo.workspaces[7]
    data = await installs.data(
        """query($r: [_Any!]!) { _entities(representations: $r) {
             ... on Workspace { id name plan }
             ... on Installation { id status workspace { id } app { id } } } }""",
        {
            "r": [
                {"__typename": "Workspace", "id": workspace.id},
                {"__typename": "Installation", "id": installation.id},
                {"__typename": "Workspace", "id": "ws_unknown"},
            ]
        },
        principal=ADMIN,
    )
    assert data["_entities"] == [
        {"id": workspace.id, "name": workspace.name, "plan": workspace.plan},
        {
            "id": installation.id,
            "status": installation.status,
            "workspace": {"id": installation.workspace_id},
            "app": {"id": installation.app_id},
        },
        None,
    ]


async def test_an_installation_the_caller_may_not_see_resolves_to_null(
    installs: SubgraphHarness, demo: World
) -> None:
    installation = demo.installations[0]
    data = await installs.data(
        "query($r: [_Any!]!) { _entities(representations: $r) { ... on Installation { id } } }",
        {"r": [{"__typename": "Installation", "id": installation.id}]},
        principal=ANONYMOUS,
    )
    assert data["_entities"] == [None]


async def test_sdl_declares_the_contract(installs: SubgraphHarness) -> None:
    sdl = await installs.sdl()
    assert 'type App @key(fields: "id")' in sdl
    assert 'type Workspace @key(fields: "id")' in sdl
    assert 'type Installation @key(fields: "id")' in sdl
    assert "installCount: Int!" in sdl
    assert (
        "installations(first: Int = null, after: String = null, status: InstallationStatus = null)"
        ": InstallationConnection!"
        ' @listSize(assumedSize: 20, slicingArguments: ["first"], sizedFields: ["edges", "nodes"],'
        " requireOneSlicingArgument: false)"
        ' @authenticated @requiresScopes(scopes: [["installs:read"]])'
    ) in sdl
    assert (
        "installApp(input: InstallAppInput!): Installation!"
        ' @authenticated @requiresScopes(scopes: [["installs:write"]])'
    ) in sdl
    # Types of other subgraphs are never redeclared here.
    assert "AppStatus" not in sdl
    assert "slug: String! @external" not in sdl
