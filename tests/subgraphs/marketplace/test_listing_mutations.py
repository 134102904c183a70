"""Editing and curating listings: who may, what is checked, and the `listing.updated` event."""

from __future__ import annotations

from typing import Any

import pytest

from subgraphs.common.events import EventType
from subgraphs.common.principal import Principal
from tests.subgraphs.harness import SubgraphHarness
from tests.subgraphs.marketplace.conftest import ADMIN, app_named, listing_of, owner_of

UPDATE = """mutation($id: ID!, $input: UpdateListingInput!) {
  updateListing(id: $id, input: $input) {
    id tagline description pricing { model monthlyPriceCents } screenshots { url caption }
    categories { slug } } }"""
FEATURE = """mutation($id: ID!, $featured: Boolean!) {
    setListingFeatured(id: $id, featured: $featured) { id featured } }"""
CERTIFY = """mutation($id: ID!, $state: CertificationState!) {
    setListingCertification(id: $id, state: $state) { id certification } }"""


async def test_owner_updates_the_storefront(marketplace: SubgraphHarness) -> None:
    listing_id = listing_of("Pager Relay")
    data = await marketplace.data(
        UPDATE,
        {
            "id": listing_id,
            "input": {
                "tagline": "  Wake the right person, fast.  ",
                "categories": ["security", "developer-tools"],
                "pricing": {"model": "FREEMIUM", "monthlyPriceCents": 1500},
                "screenshots": [{"url": "https://cdn.example.com/pager.png", "caption": "Rota"}],
            },
        },
        principal=owner_of("Pager Relay"),
    )
    assert data["updateListing"] == {
        "id": listing_id,
        "tagline": "Wake the right person, fast.",
        "description": app_named("Pager Relay").description,
        "pricing": {"model": "FREEMIUM", "monthlyPriceCents": 1500},
        "screenshots": [{"url": "https://cdn.example.com/pager.png", "caption": "Rota"}],
        "categories": [{"slug": "security"}, {"slug": "developer-tools"}],
    }
    [event] = marketplace.bus.published
    assert event.type is EventType.LISTING_UPDATED
    assert event.app_id == app_named("Pager Relay").id
    assert event.payload == {
        "listing_id": listing_id,
        "app_id": app_named("Pager Relay").id,
        "changed": ["categories", "monthly_price_cents", "pricing_model", "screenshots", "tagline"],
    }
    # The new tagline is searchable, and the category counts follow.
    found = await marketplace.data('{ listings(search: "wake right") { nodes { id } } }')
    assert found["listings"]["nodes"] == [{"id": listing_id}]


async def test_the_app_itself_may_update_its_listing(marketplace: SubgraphHarness) -> None:
    integration = Principal(
        app_id=app_named("Build Watch").id, scopes=frozenset({"marketplace:write"})
    )
    data = await marketplace.data(
        UPDATE,
        {"id": listing_of("Build Watch"), "input": {"description": "Flaky tests, found."}},
        principal=integration,
    )
    assert data["updateListing"]["description"] == "Flaky tests, found."


@pytest.mark.parametrize(
    ("update", "argument"),
    [
        ({"tagline": "x" * 121}, "input.tagline"),
        ({"tagline": "   "}, "input.tagline"),
        ({"screenshots": [{"url": "http://cdn.example.com/a.png"}]}, "input.screenshots[0].url"),
        ({"screenshots": [{"url": "javascript:alert(1)"}]}, "input.screenshots[0].url"),
        (
            {"pricing": {"model": "FREE", "monthlyPriceCents": 100}},
            "input.pricing.monthlyPriceCents",
        ),
        ({"pricing": {"model": "PAID", "monthlyPriceCents": 0}}, "input.pricing.monthlyPriceCents"),
        ({"categories": []}, "input.categories"),
        ({"categories": ["gardening"]}, "input.categories"),
    ],
)
async def test_invalid_updates_are_bad_user_input(
    marketplace: SubgraphHarness, update: dict[str, Any], argument: str
) -> None:
    errors = await marketplace.errors(
        UPDATE, {"id": listing_of("Pager Relay"), "input": update}, principal=ADMIN
    )
    assert errors[0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": argument}
    assert marketplace.bus.published == []


async def test_others_may_not_update_a_listing(marketplace: SubgraphHarness) -> None:
    variables = {"id": listing_of("Pager Relay"), "input": {"tagline": "Mine now"}}
    for stranger in (owner_of("Build Watch"), Principal(workspace_id="ws_x")):
        errors = await marketplace.errors(UPDATE, variables, principal=stranger)
        assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    errors = await marketplace.errors(
        UPDATE, {"id": "lst_missing", "input": {"tagline": "x"}}, principal=ADMIN
    )
    assert errors[0]["extensions"]["code"] == "NOT_FOUND"
    assert marketplace.bus.published == []


async def test_admins_feature_listings(marketplace: SubgraphHarness) -> None:
    listing_id = listing_of("Pager Relay")
    data = await marketplace.data(FEATURE, {"id": listing_id, "featured": True}, principal=ADMIN)
    assert data["setListingFeatured"] == {"id": listing_id, "featured": True}
    featured = await marketplace.data("{ featuredListings(first: 10) { id } }")
    assert {"id": listing_id} in featured["featuredListings"]
    [event] = marketplace.bus.published
    assert event.type is EventType.LISTING_UPDATED
    assert event.payload["changed"] == ["featured"]

    errors = await marketplace.errors(
        FEATURE, {"id": listing_id, "featured": False}, principal=owner_of("Pager Relay")
    )
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"


async def test_certification_moves_through_review(marketplace: SubgraphHarness) -> None:
    listing_id = listing_of("Pager Relay")  # NONE in the demo world
    owner = owner_of("Pager Relay")

    errors = await marketplace.errors(
        CERTIFY, {"id": listing_id, "state": "CERTIFIED"}, principal=ADMIN
    )
    assert errors[0]["extensions"]["code"] == "INVALID_STATE_TRANSITION"

    requested = await marketplace.data(
        CERTIFY, {"id": listing_id, "state": "PENDING"}, principal=owner
    )
    assert requested["setListingCertification"]["certification"] == "PENDING"

    errors = await marketplace.errors(
        CERTIFY, {"id": listing_id, "state": "CERTIFIED"}, principal=owner
    )
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"

    granted = await marketplace.data(
        CERTIFY, {"id": listing_id, "state": "CERTIFIED"}, principal=ADMIN
    )
    assert granted["setListingCertification"]["certification"] == "CERTIFIED"
    certified = await marketplace.data(
        '{ listings(first: 100, certified: true, search: "pager") { nodes { id } } }'
    )
    assert certified["listings"]["nodes"] == [{"id": listing_id}]
    assert [event.payload["changed"] for event in marketplace.bus.published] == [
        ["certification"],
        ["certification"],
    ]
