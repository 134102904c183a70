"""A client alias equal to a field the planner adds for itself, on the platform graph.

The planner adds entity keys (`App.id`, `Installation.id`), `@requires` fields (`App.slug` for
`listingUrl`) and `__typename` beside the client's fields. A client field holding one of those
names as its response key (`id: name`, `slug: name`, `__typename: name`, `id: status`) must get
its own value, and the entity fetches must still get the real key: each case is checked against
the owning subgraphs asked directly, at the root, in an entity fetch and in a list.
"""

from __future__ import annotations

from typing import Any

import pytest

from subgraphs.demo.world import world
from tests.platform.conftest import Platform

pytestmark = pytest.mark.asyncio(loop_scope="package")


async def entity(
    platform: Platform, service: str, representation: dict[str, Any], selection: str
) -> dict[str, Any]:
    """One entity as `service` answers it for `representation`."""
    data = await platform.ask_subgraph(
        service,
        "query($r: [_Any!]!) { _entities(representations: $r) { ... on "
        f"{representation['__typename']} {{ {selection} }} }} }}",
        {"r": [representation]},
    )
    found: dict[str, Any] = data["_entities"][0]
    return found


async def app_expected(platform: Platform, app_id: str) -> dict[str, Any]:
    """What the owning subgraphs say of an app: name and slug (apps), install count
    (installs), listing URL (marketplace, from the real slug)."""
    own = (await platform.ask_subgraph("apps", f'{{ app(id: "{app_id}") {{ name slug }} }}', {}))[
        "app"
    ]
    installs = await entity(
        platform, "installs", {"__typename": "App", "id": app_id}, "installCount"
    )
    listing = await entity(
        platform,
        "marketplace",
        {"__typename": "App", "id": app_id, "slug": own["slug"]},
        "listingUrl",
    )
    return {**own, **installs, **listing}


async def test_a_key_alias_at_the_root(platform: Platform) -> None:
    app = world().apps[0]
    expected = await app_expected(platform, app.id)
    body = await platform.query(f'{{ app(id: "{app.id}") {{ id: name installCount }} }}')
    assert body == {
        "data": {"app": {"id": expected["name"], "installCount": expected["installCount"]}}
    }


async def test_a_required_field_alias_at_the_root(platform: Platform) -> None:
    app = world().apps[1]
    expected = await app_expected(platform, app.id)
    body = await platform.query(f'{{ app(id: "{app.id}") {{ slug: name listingUrl }} }}')
    assert body == {
        "data": {"app": {"slug": expected["name"], "listingUrl": expected["listingUrl"]}}
    }


async def test_a_typename_alias_at_the_root(platform: Platform) -> None:
    app = world().apps[2]
    expected = await app_expected(platform, app.id)
    body = await platform.query(
        f'{{ app(id: "{app.id}") {{ __typename: name installCount listingUrl }} }}'
    )
    assert body == {
        "data": {
            "app": {
                "__typename": expected["name"],
                "installCount": expected["installCount"],
                "listingUrl": expected["listingUrl"],
            }
        }
    }


async def test_key_and_required_aliases_in_an_entity_fetch_of_a_list(platform: Platform) -> None:
    # Marketplace answers the listings with app stubs; every app field below is an entity
    # fetch from there (apps, installs, then marketplace again for `listingUrl`).
    query = (
        "{ listings(first: 4, sort: NAME) { nodes { app { "
        "id: slug slug: name __typename: installCount listingUrl } } } }"
    )
    body = await platform.query(query)
    stubs = await platform.ask_subgraph(
        "marketplace", "{ listings(first: 4, sort: NAME) { nodes { app { id } } } }", {}
    )
    expected = []
    for node in stubs["listings"]["nodes"]:
        app = await app_expected(platform, node["app"]["id"])
        expected.append(
            {
                "app": {
                    "id": app["slug"],
                    "slug": app["name"],
                    "__typename": app["installCount"],
                    "listingUrl": app["listingUrl"],
                }
            }
        )
    assert body == {"data": {"listings": {"nodes": expected}}}


async def test_an_installation_key_alias_in_a_list(platform: Platform) -> None:
    body = await platform.query(
        "{ installations(first: 3) { nodes { id: status usageSummary { requests } } } }"
    )
    own = await platform.ask_subgraph(
        "installs", "{ installations(first: 3) { nodes { id status } } }", {}
    )
    expected = [
        {
            "id": node["status"],
            **await entity(
                platform,
                "metrics",
                {"__typename": "Installation", "id": node["id"]},
                "usageSummary { requests }",
            ),
        }
        for node in own["installations"]["nodes"]
    ]
    assert body == {"data": {"installations": {"nodes": expected}}}
