"""Reading the registry: apps and organizations as the demo world seeded them."""

from __future__ import annotations

from collections import Counter

from subgraphs.common.principal import Principal
from subgraphs.demo.world import World
from tests.subgraphs.harness import SubgraphHarness

READER = Principal(scopes=frozenset({"apps:read"}))

APP_FIELDS = """
    id slug name description status homepage redirectUris requestedScopes clientId
    createdAt updatedAt publishedAt organization { id name slug }
"""


async def test_app_by_id_and_by_slug_return_the_world_values(
    harness: SubgraphHarness, demo: World
) -> None:
    expected = demo.app("deploy-herald")
    organization = next(o for o in demo.organizations if o.id == expected.organization_id)
    data = await harness.data(
        f"query($id: ID!, $slug: String!) {{ app(id: $id) {{ {APP_FIELDS} }}"
        f" appBySlug(slug: $slug) {{ id }} }}",
        {"id": expected.id, "slug": "deploy-herald"},
        principal=READER,
    )
    assert data["app"] == {
        "id": expected.id,
        "slug": "deploy-herald",
        "name": "Deploy Herald",
        "description": expected.description,
        "status": expected.status,
        "homepage": "https://deploy-herald.example.com",
        "redirectUris": ["https://deploy-herald.example.com/oauth/callback"],
        "requestedScopes": list(expected.requested_scopes),
        "clientId": expected.client_id,
        "createdAt": expected.created_at.isoformat(),
        "updatedAt": data["app"]["updatedAt"],
        "publishedAt": data["app"]["publishedAt"],
        "organization": {
            "id": organization.id,
            "name": organization.name,
            "slug": organization.slug,
        },
    }
    assert data["app"]["updatedAt"] >= data["app"]["createdAt"]
    assert data["appBySlug"] == {"id": expected.id}


async def test_unknown_app_and_organization_are_null(harness: SubgraphHarness) -> None:
    data = await harness.data(
        '{ app(id: "app_missing") { id } appBySlug(slug: "nope") { id }'
        ' organization(id: "org_missing") { id } }'
    )
    assert data == {"app": None, "appBySlug": None, "organization": None}


async def test_apps_are_ordered_by_name_and_paged_without_gaps(
    harness: SubgraphHarness, demo: World
) -> None:
    query = """query($after: String) {
        apps(first: 20, after: $after) {
            totalCount
            pageInfo { hasNextPage hasPreviousPage endCursor }
            nodes { name }
        }
    }"""
    names: list[str] = []
    after = None
    pages = []
    while True:
        page = (await harness.data(query, {"after": after}))["apps"]
        pages.append(page)
        names += [node["name"] for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert [len(page["nodes"]) for page in pages] == [20, 20, 8]
    assert all(page["totalCount"] == 48 for page in pages)
    assert [page["pageInfo"]["hasPreviousPage"] for page in pages] == [False, True, True]
    assert names == sorted(app.name for app in demo.apps)


async def test_apps_filter_by_status_organization_and_search(
    harness: SubgraphHarness, demo: World
) -> None:
    statuses = Counter(app.status for app in demo.apps)
    organization = demo.organizations[0]
    query = """query($status: AppStatus, $organizationId: ID, $search: String) {
        apps(first: 100, status: $status, organizationId: $organizationId, search: $search) {
            totalCount nodes { slug status }
        }
    }"""
    published = (await harness.data(query, {"status": "PUBLISHED"}))["apps"]
    assert published["totalCount"] == statuses["PUBLISHED"] == 38
    assert {node["status"] for node in published["nodes"]} == {"PUBLISHED"}

    owned = (await harness.data(query, {"organizationId": organization.id}))["apps"]
    assert sorted(node["slug"] for node in owned["nodes"]) == sorted(
        app.slug for app in demo.apps if app.organization_id == organization.id
    )

    # Case-insensitive, over name, slug and description ("by Northwind Labs").
    found = (await harness.data(query, {"search": "DEPLOY"}))["apps"]
    assert [node["slug"] for node in found["nodes"]] == ["deploy-herald"]
    by_owner = (await harness.data(query, {"search": organization.name.lower()}))["apps"]
    assert by_owner["totalCount"] == owned["totalCount"]
    # LIKE wildcards are matched literally.
    assert (await harness.data(query, {"search": "%"}))["apps"]["totalCount"] == 0


async def test_organizations_list_their_apps(harness: SubgraphHarness, demo: World) -> None:
    data = await harness.data(
        """{ organizations(first: 100) {
                totalCount
                nodes { name apps(first: 2) { totalCount pageInfo { hasNextPage } nodes { name } } }
        } }"""
    )
    organizations = data["organizations"]
    assert organizations["totalCount"] == len(demo.organizations) == 15
    names = [node["name"] for node in organizations["nodes"]]
    assert names == sorted(organization.name for organization in demo.organizations)
    for node in organizations["nodes"]:
        organization = next(o for o in demo.organizations if o.name == node["name"])
        owned = sorted(a.name for a in demo.apps if a.organization_id == organization.id)
        assert node["apps"]["totalCount"] == len(owned)
        assert [app["name"] for app in node["apps"]["nodes"]] == owned[:2]
        assert node["apps"]["pageInfo"]["hasNextPage"] == (len(owned) > 2)


async def test_organization_apps_page_on_and_filter(harness: SubgraphHarness, demo: World) -> None:
    organization = demo.organizations[0]
    owned = sorted(a.name for a in demo.apps if a.organization_id == organization.id)
    query = """query($id: ID!, $after: String) { organization(id: $id) {
        apps(first: 2, after: $after) { pageInfo { endCursor } nodes { name } }
        published: apps(status: PUBLISHED) { totalCount }
    } }"""
    first = (await harness.data(query, {"id": organization.id}))["organization"]
    cursor = first["apps"]["pageInfo"]["endCursor"]
    second = (await harness.data(query, {"id": organization.id, "after": cursor}))["organization"]
    names = [n["name"] for n in first["apps"]["nodes"] + second["apps"]["nodes"]]
    assert names == owned
    assert first["published"]["totalCount"] == sum(
        1 for a in demo.apps if a.organization_id == organization.id and a.status == "PUBLISHED"
    )


async def test_bad_page_arguments_are_bad_user_input(harness: SubgraphHarness) -> None:
    for arguments in ("first: 101", "first: -1", 'after: "not a cursor"'):
        errors = await harness.errors(f"{{ apps({arguments}) {{ totalCount }} }}")
        assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT", arguments


async def test_timestamps_follow_the_lifecycle(harness: SubgraphHarness, demo: World) -> None:
    data = await harness.data(
        "{ apps(first: 100) { nodes { slug status createdAt updatedAt publishedAt } } }"
    )
    for node in data["apps"]["nodes"]:
        assert node["createdAt"] == demo.app(node["slug"]).created_at.isoformat()
        assert node["createdAt"] <= node["updatedAt"]
        if node["status"] in ("DRAFT", "IN_REVIEW"):
            assert node["publishedAt"] is None
        else:
            assert node["createdAt"] < node["publishedAt"] <= node["updatedAt"]
