"""The consumer of app events keeps listings in step with the apps subgraph."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from subgraphs.common.app_events import AppSnapshot
from subgraphs.common.events import EventBus, EventType
from subgraphs.common.principal import Principal
from subgraphs.marketplace.consumer import consume
from subgraphs.marketplace.models import listing_id_for
from subgraphs.marketplace.subgraph import SUBGRAPH
from tests.subgraphs.app_events import announce, snapshot_of
from tests.subgraphs.conftest import MakeHarness
from tests.subgraphs.harness import SubgraphHarness
from tests.subgraphs.marketplace.conftest import app_named, listing_of, workspace
from tests.waiting import eventually

COFFEE_ROSTER = AppSnapshot(
    app_id="app_0000c0ffee00",
    slug="coffee-roster",
    name="Coffee Roster",
    description="Who makes the coffee today.",
    requested_scopes=("apps:read",),
    organization_id="org_coffee",
    old_status="IN_REVIEW",
    new_status="PUBLISHED",
    change="publish",
)
NEW_APP = COFFEE_ROSTER.app_id
LISTING = """query($app: ID!) { listingByApp(appId: $app) {
    id visible description certification app { listingUrl } } }"""


@pytest.fixture
async def marketplace(make_harness: MakeHarness, bus: EventBus) -> SubgraphHarness:
    """The seeded subgraph on each bus, in memory and Redis."""
    return await make_harness(SUBGRAPH, seed=True, bus=bus)


@pytest.fixture
async def consuming(marketplace: SubgraphHarness) -> AsyncIterator[SubgraphHarness]:
    """The seeded marketplace with its consumer running on the harness's bus. Events published
    before it reads are not lost: it reads after its stored position."""
    consumer = asyncio.create_task(consume(marketplace.database, marketplace.bus))
    yield marketplace
    consumer.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await consumer


async def visible_ids(marketplace: SubgraphHarness, search: str) -> list[str]:
    data = await marketplace.data(
        "query($q: String) { listings(search: $q) { nodes { id } } }", {"q": search}
    )
    return [node["id"] for node in data["listings"]["nodes"]]


async def test_publishing_an_app_creates_its_listing_and_status_changes_hide_it(
    consuming: SubgraphHarness,
) -> None:
    marketplace = consuming
    bus = marketplace.bus
    await announce(bus, EventType.APP_PUBLISHED, COFFEE_ROSTER)

    async def listed() -> bool:
        return await visible_ids(marketplace, "coffee") == [listing_id_for(NEW_APP)]

    await eventually(listed)
    data = await marketplace.data(LISTING, {"app": NEW_APP})
    assert data["listingByApp"] == {
        "id": listing_id_for(NEW_APP),
        "visible": True,
        "description": "Who makes the coffee today.",
        "certification": "NONE",
        "app": {"listingUrl": "https://marketplace.switchboard.dev/apps/coffee-roster"},
    }

    # The app's organization, named by the event, owns the new listing.
    owner = Principal(organization_id="org_coffee", scopes=frozenset({"marketplace:write"}))
    updated = await marketplace.data(
        """mutation($id: ID!) { updateListing(id: $id, input: {tagline: "Fresh pots"}) {
            tagline } }""",
        {"id": listing_id_for(NEW_APP)},
        principal=owner,
    )
    assert updated["updateListing"]["tagline"] == "Fresh pots"

    suspended = replace(COFFEE_ROSTER, old_status="PUBLISHED", new_status="SUSPENDED")
    await announce(bus, EventType.APP_STATUS_CHANGED, suspended)

    async def hidden() -> bool:
        return await visible_ids(marketplace, "coffee") == []

    await eventually(hidden)
    assert (await marketplace.data(LISTING, {"app": NEW_APP}))["listingByApp"]["visible"] is False

    # Published again: the same listing comes back rather than a second one.
    await announce(bus, EventType.APP_PUBLISHED, COFFEE_ROSTER)
    await eventually(listed)


async def test_deprecation_hides_a_seeded_listing_and_renames_follow(
    consuming: SubgraphHarness,
) -> None:
    marketplace = consuming
    renamed_app = snapshot_of(
        app_named("Deploy Herald"), name="Release Herald", slug="release-herald"
    )
    await announce(marketplace.bus, EventType.APP_UPDATED, renamed_app)

    async def renamed() -> bool:
        return listing_of("Deploy Herald") in await visible_ids(marketplace, "release herald")

    await eventually(renamed)
    deprecated = replace(renamed_app, new_status="DEPRECATED", change="deprecate")
    await announce(marketplace.bus, EventType.APP_DEPRECATED, deprecated)

    async def hidden() -> bool:
        return await visible_ids(marketplace, "release herald") == []

    await eventually(hidden)
    errors = await marketplace.errors(
        "mutation($id: ID!) { createReview(input: {listingId: $id, rating: 5}) { id } }",
        {"id": listing_of("Deploy Herald")},
        principal=workspace("ws_new"),
    )
    assert errors[0]["extensions"]["code"] == "INVALID_STATE_TRANSITION"


async def test_unpublished_apps_get_no_listing_and_malformed_events_are_skipped(
    consuming: SubgraphHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="subgraphs.common.app_events")
    marketplace = consuming
    bus = marketplace.bus
    in_review = replace(COFFEE_ROSTER, old_status="DRAFT", new_status="IN_REVIEW")
    await announce(bus, EventType.APP_STATUS_CHANGED, in_review)
    unexpected = await bus.publish(EventType.APP_PUBLISHED, {"unexpected": True})
    # A published app without its name was once listed under its id; now it is refused.
    nameless = COFFEE_ROSTER.payload()
    del nameless["name"]
    without_name = await bus.publish(EventType.APP_PUBLISHED, nameless, app_id=NEW_APP)
    after_the_noise = replace(
        COFFEE_ROSTER, app_id="app_1", name="After The Noise", slug="after-the-noise"
    )
    await announce(bus, EventType.APP_PUBLISHED, after_the_noise)

    async def caught_up() -> bool:
        return await visible_ids(marketplace, "after the noise") == [listing_id_for("app_1")]

    await eventually(caught_up)
    assert (await marketplace.data(LISTING, {"app": NEW_APP}))["listingByApp"] is None
    total = await marketplace.data("{ listings { totalCount } }")
    assert total["listings"]["totalCount"] == 39
    assert f"event {unexpected.id}: the payload has no 'app_id'" in caplog.text
    assert f"event {without_name.id}: the payload has no 'name'" in caplog.text
