"""Reading workspaces and installations seeded from the demo world."""

from __future__ import annotations

from collections import Counter

from subgraphs.demo.world import World
from tests.subgraphs.harness import SubgraphHarness
from tests.subgraphs.installs.conftest import ADMIN

WORKSPACES = """
query($first: Int, $after: String) {
  workspaces(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    nodes { id slug name plan createdAt }
  }
}
"""

INSTALLATIONS = """
query($first: Int, $after: String, $appId: ID, $workspaceId: ID, $status: InstallationStatus) {
  installations(first: $first, after: $after, appId: $appId, workspaceId: $workspaceId,
                status: $status) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id status grantedScopes installedBy installedAt removedAt app { id }
            workspace { id } }
  }
}
"""


def newest_first(demo: World) -> list[str]:
    ordered = sorted(demo.installations, key=lambda i: (-i.installed_at.timestamp(), i.id))
    return [installation.id for installation in ordered]


async def test_all_thirty_workspaces_are_seeded_in_slug_order(
    installs: SubgraphHarness, demo: World
) -> None:
    data = await installs.data(WORKSPACES, {"first": 30})
    workspaces = data["workspaces"]
    assert workspaces["totalCount"] == 30
    assert [w["slug"] for w in workspaces["nodes"]] == sorted(w.slug for w in demo.workspaces)
    atlas = next(w for w in workspaces["nodes"] if w["slug"] == "atlas-robotics")
    assert atlas == {
        "id": "ws_6fdb0e0e11e5",
        "slug": "atlas-robotics",
        "name": "Atlas Robotics",
        "plan": "TEAM",
        "createdAt": "2026-01-07T00:00:00+00:00",
    }
    assert workspaces["pageInfo"]["hasNextPage"] is False


async def test_workspaces_page_forward_without_gaps_or_overlap(installs: SubgraphHarness) -> None:
    slugs: list[str] = []
    after = None
    pages = 0
    while True:
        page = (await installs.data(WORKSPACES, {"first": 12, "after": after}))["workspaces"]
        pages += 1
        slugs += [node["slug"] for node in page["nodes"]]
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert pages == 3
    assert len(slugs) == len(set(slugs)) == 30
    assert slugs == sorted(slugs)


async def test_workspace_by_id_and_by_slug(installs: SubgraphHarness) -> None:
    data = await installs.data(
        """{ byId: workspace(id: "ws_6fdb0e0e11e5") { slug name }
             bySlug: workspaceBySlug(slug: "atlas-robotics") { id plan }
             missing: workspace(id: "ws_000000000000") { id }
             missingSlug: workspaceBySlug(slug: "nowhere") { id } }"""
    )
    assert data == {
        "byId": {"slug": "atlas-robotics", "name": "Atlas Robotics"},
        "bySlug": {"id": "ws_6fdb0e0e11e5", "plan": "TEAM"},
        "missing": None,
        "missingSlug": None,
    }


async def test_installations_are_newest_first_across_pages(
    installs: SubgraphHarness, demo: World
) -> None:
    ids: list[str] = []
    after = None
    while True:
        variables = {"first": 100, "after": after}
        page = (await installs.data(INSTALLATIONS, variables, principal=ADMIN))["installations"]
        assert page["totalCount"] == 341
        ids += [node["id"] for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert ids == newest_first(demo)


async def test_installation_fields_come_from_the_world(
    installs: SubgraphHarness, demo: World
) -> None:
    first = demo.installations[0]
    data = await installs.data(
        "query($id: ID!) { installation(id: $id) { id app { id } workspace { slug }"
        " grantedScopes status installedBy installedAt updatedAt removedAt } }",
        {"id": first.id},
        principal=ADMIN,
    )
    assert data["installation"] == {
        "id": "inst_51f0e0f9b71b",
        "app": {"id": "app_c8cb082a5b63"},
        "workspace": {"slug": "atlas-robotics"},
        "grantedScopes": ["installs:write", "marketplace:write", "metrics:read"],
        "status": "ACTIVE",
        "installedBy": "user_e48b4a85",
        "installedAt": "2026-02-16T19:31:00+00:00",
        "updatedAt": "2026-02-16T19:31:00+00:00",
        "removedAt": None,
    }


async def test_installations_filter_by_app_workspace_and_status(
    installs: SubgraphHarness, demo: World
) -> None:
    app_id = demo.installations[0].app_id
    workspace_id = demo.workspaces[3].id
    by_app = await installs.data(INSTALLATIONS, {"appId": app_id, "first": 100}, principal=ADMIN)
    expected = [i for i in demo.installations if i.app_id == app_id]
    assert by_app["installations"]["totalCount"] == len(expected)
    assert {n["app"]["id"] for n in by_app["installations"]["nodes"]} == {app_id}

    by_workspace = await installs.data(
        INSTALLATIONS, {"workspaceId": workspace_id, "status": "ACTIVE"}, principal=ADMIN
    )
    expected = [
        i for i in demo.installations if i.workspace_id == workspace_id and i.status == "ACTIVE"
    ]
    nodes = by_workspace["installations"]["nodes"]
    assert by_workspace["installations"]["totalCount"] == len(expected)
    assert sorted(n["id"] for n in nodes) == sorted(i.id for i in expected)

    statuses = Counter(i.status for i in demo.installations)
    for status in ("ACTIVE", "SUSPENDED", "REMOVED"):
        data = await installs.data(INSTALLATIONS, {"status": status, "first": 1}, principal=ADMIN)
        assert data["installations"]["totalCount"] == statuses[status]


async def test_removed_installations_say_when(installs: SubgraphHarness) -> None:
    data = await installs.data(INSTALLATIONS, {"status": "REMOVED", "first": 100}, principal=ADMIN)
    nodes = data["installations"]["nodes"]
    assert len(nodes) == 35
    assert all(node["removedAt"] > node["installedAt"] for node in nodes)


async def test_workspace_installations_by_status(installs: SubgraphHarness, demo: World) -> None:
    workspace = demo.workspaces[0]
    data = await installs.data(
        """query($id: ID!) { workspace(id: $id) {
             all: installations(first: 100) { totalCount nodes { id } }
             active: installations(status: ACTIVE, first: 2) { totalCount pageInfo { hasNextPage }
                                                              nodes { status } } } }""",
        {"id": workspace.id},
        principal=ADMIN,
    )
    mine = [i for i in demo.installations if i.workspace_id == workspace.id]
    active = [i for i in mine if i.status == "ACTIVE"]
    assert data["workspace"]["all"]["totalCount"] == len(mine)
    assert [n["id"] for n in data["workspace"]["all"]["nodes"]] == [
        i for i in newest_first(demo) if i in {m.id for m in mine}
    ]
    assert data["workspace"]["active"]["totalCount"] == len(active)
    assert data["workspace"]["active"]["nodes"] == [{"status": "ACTIVE"}] * 2
    assert data["workspace"]["active"]["pageInfo"]["hasNextPage"] is True


async def test_out_of_range_pages_are_bad_user_input(installs: SubgraphHarness) -> None:
    too_many = await installs.errors(INSTALLATIONS, {"first": 101}, principal=ADMIN)
    bad_cursor = await installs.errors(WORKSPACES, {"after": "not-a-cursor"})
    assert too_many[0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert bad_cursor[0]["extensions"]["code"] == "BAD_USER_INPUT"
