"""Mutations: their results, their events, and their coded errors."""

from __future__ import annotations

from typing import Any

from subgraphs.common.events import EventType
from subgraphs.demo.world import World
from tests.subgraphs.harness import SubgraphHarness
from tests.subgraphs.installs.conftest import ADMIN, not_installed, with_status
from tests.subgraphs.installs.operations import (
    CREATE_WORKSPACE,
    INSTALL,
    RESUME,
    SUSPEND,
    UNINSTALL,
    UPDATE_SCOPES,
)


def code(errors: list[dict[str, Any]]) -> str:
    return str(errors[0]["extensions"]["code"])


async def test_create_workspace(installs: SubgraphHarness) -> None:
    data = await installs.data(
        CREATE_WORKSPACE,
        {"input": {"slug": "orchid-labs", "name": " Orchid Labs ", "plan": "BUSINESS"}},
        principal=ADMIN,
    )
    created = data["createWorkspace"]
    assert created["id"].startswith("ws_")
    assert created | {"id": None} == {
        "id": None,
        "slug": "orchid-labs",
        "name": "Orchid Labs",
        "plan": "BUSINESS",
    }
    found = await installs.data('{ workspaceBySlug(slug: "orchid-labs") { id plan } }')
    assert found["workspaceBySlug"] == {"id": created["id"], "plan": "BUSINESS"}
    total = await installs.data("{ workspaces { totalCount } }")
    assert total["workspaces"]["totalCount"] == 31


async def test_create_workspace_errors(installs: SubgraphHarness) -> None:
    taken = {"input": {"slug": "atlas-robotics", "name": "Atlas Again"}}
    assert code(await installs.errors(CREATE_WORKSPACE, taken, principal=ADMIN)) == "CONFLICT"
    for slug in ("Has Spaces", "-leading", "double--hyphen", "x" * 65):
        bad = {"input": {"slug": slug, "name": "Fine"}}
        errors = await installs.errors(CREATE_WORKSPACE, bad, principal=ADMIN)
        assert code(errors) == "BAD_USER_INPUT", slug
    blank = {"input": {"slug": "blank-name", "name": "   "}}
    errors = await installs.errors(CREATE_WORKSPACE, blank, principal=ADMIN)
    assert code(errors) == "BAD_USER_INPUT"
    anonymous = {"input": {"slug": "no-one", "name": "No One"}}
    assert code(await installs.errors(CREATE_WORKSPACE, anonymous)) == "FORBIDDEN"


async def test_install_app(installs: SubgraphHarness, demo: World) -> None:
    app, workspace_id = not_installed(demo)
    before = sum(1 for i in demo.installations if i.app_id == app.id and i.status == "ACTIVE")
    scopes = list(reversed(app.requested_scopes))  # any order, stored sorted
    data = await installs.data(
        INSTALL,
        {
            "input": {
                "appId": app.id,
                "workspaceId": workspace_id,
                "scopes": scopes,
                "installedBy": "user_0000beef",
            }
        },
        principal=ADMIN,
    )
    installation = data["installApp"]
    assert installation["id"].startswith("inst_")
    assert installation | {"id": None} == {
        "id": None,
        "status": "ACTIVE",
        "grantedScopes": sorted(app.requested_scopes),
        "installedBy": "user_0000beef",
        "app": {"id": app.id, "installCount": before + 1},
        "workspace": {"id": workspace_id},
        "removedAt": None,
    }
    [event] = installs.bus.published
    assert event.type == EventType.INSTALLATION_CREATED
    assert (event.app_id, event.workspace_id, event.installation_id) == (
        app.id,
        workspace_id,
        installation["id"],
    )
    assert event.payload["scopes"] == sorted(app.requested_scopes)
    assert event.payload["installation_id"] == installation["id"]

    again = {"input": {"appId": app.id, "workspaceId": workspace_id, "scopes": scopes[:1]}}
    assert code(await installs.errors(INSTALL, again, principal=ADMIN)) == "CONFLICT"
    assert len(installs.bus.published) == 1


async def test_install_app_errors(installs: SubgraphHarness, demo: World) -> None:
    app, workspace_id = not_installed(demo)
    draft = next(a for a in demo.apps if a.status == "DRAFT")
    deprecated = next(a for a in demo.apps if a.status == "DEPRECATED")

    def install(app_id: str, scopes: list[str], workspace: str = workspace_id) -> dict[str, Any]:
        return {"input": {"appId": app_id, "workspaceId": workspace, "scopes": scopes}}

    cases = {
        "NOT_FOUND": [
            install("app_unknown", ["apps:read"]),
            install(app.id, list(app.requested_scopes), "ws_unknown"),
        ],
        "INVALID_STATE_TRANSITION": [
            install(draft.id, list(draft.requested_scopes)),
            install(deprecated.id, list(deprecated.requested_scopes)),
        ],
        "BAD_USER_INPUT": [
            install(app.id, []),
            install(app.id, [*app.requested_scopes, "platform:admin"]),
        ],
    }
    for expected, variables in cases.items():
        for case in variables:
            assert code(await installs.errors(INSTALL, case, principal=ADMIN)) == expected, case
    bad = await installs.errors(INSTALL, install(app.id, ["platform:admin"]), principal=ADMIN)
    assert bad[0]["extensions"]["unrequestedScopes"] == ["platform:admin"]
    assert installs.bus.published == []


async def test_a_removed_installation_may_be_reinstalled(
    installs: SubgraphHarness, demo: World
) -> None:
    removed = with_status(demo, "REMOVED")
    app = next(a for a in demo.apps if a.id == removed.app_id)
    data = await installs.data(
        INSTALL,
        {
            "input": {
                "appId": app.id,
                "workspaceId": removed.workspace_id,
                "scopes": list(app.requested_scopes),
            }
        },
        principal=ADMIN,
    )
    assert data["installApp"]["id"] != removed.id
    history = await installs.data(
        """query($app: ID!, $ws: ID!) { installations(appId: $app, workspaceId: $ws) {
             nodes { id status } } }""",
        {"app": app.id, "ws": removed.workspace_id},
        principal=ADMIN,
    )
    assert history["installations"]["nodes"] == [
        {"id": data["installApp"]["id"], "status": "ACTIVE"},
        {"id": removed.id, "status": "REMOVED"},
    ]


async def test_update_installation_scopes(installs: SubgraphHarness, demo: World) -> None:
    installation = next(
        i
        for i in demo.installations
        if i.status == "ACTIVE"
        and len(next(a for a in demo.apps if a.id == i.app_id).requested_scopes) >= 3
    )
    app = next(a for a in demo.apps if a.id == installation.app_id)
    narrowed = list(app.requested_scopes[:1])
    data = await installs.data(
        UPDATE_SCOPES, {"id": installation.id, "scopes": narrowed}, principal=ADMIN
    )
    updated = data["updateInstallationScopes"]
    assert updated["grantedScopes"] == narrowed
    assert updated["updatedAt"] > updated["installedAt"]
    [event] = installs.bus.published
    assert event.type == EventType.INSTALLATION_SCOPES_CHANGED
    assert event.payload["old_scopes"] == list(installation.granted_scopes)
    assert event.payload["new_scopes"] == narrowed
    assert event.installation_id == installation.id

    # Granting the same scopes again changes nothing and announces nothing.
    await installs.data(UPDATE_SCOPES, {"id": installation.id, "scopes": narrowed}, principal=ADMIN)
    assert len(installs.bus.published) == 1


async def test_update_installation_scopes_errors(installs: SubgraphHarness, demo: World) -> None:
    active = with_status(demo, "ACTIVE")
    removed = with_status(demo, "REMOVED")
    cases = [
        ({"id": "inst_unknown", "scopes": ["apps:read"]}, "NOT_FOUND"),
        ({"id": active.id, "scopes": []}, "BAD_USER_INPUT"),
        ({"id": active.id, "scopes": ["platform:admin"]}, "BAD_USER_INPUT"),
        ({"id": removed.id, "scopes": list(removed.granted_scopes)}, "INVALID_STATE_TRANSITION"),
    ]
    for variables, expected in cases:
        assert code(await installs.errors(UPDATE_SCOPES, variables, principal=ADMIN)) == expected
    assert installs.bus.published == []


async def test_uninstall_app(installs: SubgraphHarness, demo: World) -> None:
    for status in ("ACTIVE", "SUSPENDED"):
        installation = with_status(demo, status)
        data = await installs.data(UNINSTALL, {"id": installation.id}, principal=ADMIN)
        removed = data["uninstallApp"]
        assert removed["status"] == "REMOVED"
        assert removed["removedAt"] == removed["updatedAt"]
        event = installs.bus.published[-1]
        assert event.type == EventType.INSTALLATION_REMOVED
        assert event.installation_id == installation.id
        assert event.payload["previous_status"] == status
        again = await installs.errors(UNINSTALL, {"id": installation.id}, principal=ADMIN)
        assert code(again) == "INVALID_STATE_TRANSITION"
    assert len(installs.bus.published) == 2
    missing = await installs.errors(UNINSTALL, {"id": "inst_unknown"}, principal=ADMIN)
    assert code(missing) == "NOT_FOUND"


async def test_suspend_and_resume(installs: SubgraphHarness, demo: World) -> None:
    installation = with_status(demo, "ACTIVE")
    app_id = installation.app_id
    count = "query($r: [_Any!]!) { _entities(representations: $r) { ... on App { installCount } } }"
    representation = {"r": [{"__typename": "App", "id": app_id}]}
    before = (await installs.data(count, representation))["_entities"][0]["installCount"]

    suspended = await installs.data(SUSPEND, {"id": installation.id}, principal=ADMIN)
    assert suspended["suspendInstallation"]["status"] == "SUSPENDED"
    after = (await installs.data(count, representation))["_entities"][0]["installCount"]
    assert after == before - 1
    twice = await installs.errors(SUSPEND, {"id": installation.id}, principal=ADMIN)
    assert code(twice) == "INVALID_STATE_TRANSITION"

    resumed = await installs.data(RESUME, {"id": installation.id}, principal=ADMIN)
    assert resumed["resumeInstallation"]["status"] == "ACTIVE"
    twice = await installs.errors(RESUME, {"id": installation.id}, principal=ADMIN)
    assert code(twice) == "INVALID_STATE_TRANSITION"

    removed = with_status(demo, "REMOVED")
    for mutation in (SUSPEND, RESUME):
        errors = await installs.errors(mutation, {"id": removed.id}, principal=ADMIN)
        assert code(errors) == "INVALID_STATE_TRANSITION"


async def test_installations_of_a_suspended_app_cannot_resume(
    installs: SubgraphHarness, demo: World
) -> None:
    installation = with_status(demo, "ACTIVE", app_status="SUSPENDED")
    await installs.data(SUSPEND, {"id": installation.id}, principal=ADMIN)
    errors = await installs.errors(RESUME, {"id": installation.id}, principal=ADMIN)
    assert code(errors) == "INVALID_STATE_TRANSITION"
    assert errors[0]["extensions"]["appStatus"] == "SUSPENDED"
