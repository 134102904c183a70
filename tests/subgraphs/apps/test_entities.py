"""Entity references: how the gateway asks this subgraph for apps and organizations."""

from __future__ import annotations

from subgraphs.demo.world import World
from tests.subgraphs.harness import SubgraphHarness

ENTITIES = """query($r: [_Any!]!) { _entities(representations: $r) {
    __typename
    ... on App { id slug name status organization { name } }
    ... on Organization { id name apps(first: 1) { totalCount } }
} }"""


async def test_entities_resolve_apps_and_organizations_in_order(
    harness: SubgraphHarness, demo: World
) -> None:
    first, second = demo.apps[0], demo.apps[1]
    organization = demo.organizations[1]
    representations = [
        {"__typename": "App", "id": second.id},
        {"__typename": "Organization", "id": organization.id},
        {"__typename": "App", "id": "app_missing"},
        {"__typename": "App", "id": first.id},
    ]
    entities = (await harness.data(ENTITIES, {"r": representations}))["_entities"]
    first_owner = next(o for o in demo.organizations if o.id == first.organization_id)
    assert entities[0]["slug"] == second.slug
    assert entities[1] == {
        "__typename": "Organization",
        "id": organization.id,
        "name": organization.name,
        "apps": {"totalCount": sum(1 for a in demo.apps if a.organization_id == organization.id)},
    }
    assert entities[2] is None
    assert entities[3] == {
        "__typename": "App",
        "id": first.id,
        "slug": first.slug,
        "name": first.name,
        "status": first.status,
        "organization": {"name": first_owner.name},
    }


async def test_sdl_declares_the_owned_entities(harness: SubgraphHarness) -> None:
    sdl = await harness.sdl()
    assert 'type App @key(fields: "id")' in sdl
    assert 'type Organization @key(fields: "id")' in sdl
    assert 'webhookSecret: String @authenticated @requiresScopes(scopes: [["apps:write"]])' in sdl
    assert 'clientId: String! @authenticated @requiresScopes(scopes: [["apps:read"]])' in sdl
    assert (
        'publishApp(id: ID!): App! @authenticated @requiresScopes(scopes: [["apps:write"]])' in sdl
    )
