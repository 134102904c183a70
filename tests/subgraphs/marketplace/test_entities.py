"""Federation: the SDL the gateway composes, and `_entities` for every entity this subgraph
owns or extends."""

from __future__ import annotations

from subgraphs.demo.world import World
from tests.subgraphs.harness import SubgraphHarness
from tests.subgraphs.marketplace.conftest import app_named, listing_of

ENTITIES = """query($r: [_Any!]!) { _entities(representations: $r) {
    __typename
    ... on Listing { id tagline reviewCount app { id } }
    ... on Category { slug name listingCount }
    ... on Review { id rating listing { id } author { id } }
    ... on App { id listingUrl appListing: listing { id visible } }
    ... on Workspace { id reviews(first: 2) { totalCount nodes { id } } }
} }"""


async def test_sdl_declares_the_contracted_entities(marketplace: SubgraphHarness) -> None:
    sdl = await marketplace.sdl()
    for declaration in (
        'type App @key(fields: "id")',
        "slug: String! @external",
        'listingUrl: String! @requires(fields: "slug")',
        'type Workspace @key(fields: "id")',
        'type Listing @key(fields: "id")',
        'type Category @key(fields: "slug")',
        'type Review @key(fields: "id")',
        "type PageInfo @shareable",
        '@requiresScopes(scopes: [["marketplace:write"]])',
    ):
        assert declaration in sdl
    # Types owned by other subgraphs are not redeclared here.
    assert "AppStatus" not in sdl
    assert "InstallationStatus" not in sdl


async def test_entities_resolve_owned_and_extended_types(
    marketplace: SubgraphHarness, demo: World
) -> None:
    app = app_named("Poll Party")
    draft = app_named("Sprint Board Sync")
    review = next(review for review in demo.reviews if review.app_id == app.id)
    author_reviews = [r for r in demo.reviews if r.workspace_id == review.workspace_id]
    representations = [
        {"__typename": "Listing", "id": listing_of("Poll Party")},
        {"__typename": "Category", "slug": "hr"},
        {"__typename": "Review", "id": review.id},
        {"__typename": "App", "id": app.id, "slug": app.slug},
        {"__typename": "App", "id": draft.id, "slug": draft.slug},
        {"__typename": "Workspace", "id": review.workspace_id},
        {"__typename": "Listing", "id": "lst_unknown"},
    ]
    entities = (await marketplace.data(ENTITIES, {"r": representations}))["_entities"]
    assert entities[0] == {
        "__typename": "Listing",
        "id": listing_of("Poll Party"),
        "tagline": "Quick polls with anonymous voting.",
        "reviewCount": 10,
        "app": {"id": app.id},
    }
    assert entities[1] == {
        "__typename": "Category",
        "slug": "hr",
        "name": "People & HR",
        "listingCount": 7,
    }
    assert entities[2] == {
        "__typename": "Review",
        "id": review.id,
        "rating": review.rating,
        "listing": {"id": listing_of("Poll Party")},
        "author": {"id": review.workspace_id},
    }
    assert entities[3] == {
        "__typename": "App",
        "id": app.id,
        "listingUrl": "https://marketplace.switchboard.dev/apps/poll-party",
        "appListing": {"id": listing_of("Poll Party"), "visible": True},
    }
    # A draft app has a marketplace URL (its future page) but no listing yet.
    assert entities[4]["appListing"] is None
    assert entities[5]["reviews"]["totalCount"] == len(author_reviews)
    assert len(entities[5]["reviews"]["nodes"]) == 2
    assert entities[6] is None
