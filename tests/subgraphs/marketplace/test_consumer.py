"""The consumer of app events keeps listings in step with the apps subgraph."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from subgraphs.common.events import EventType
from subgraphs.common.principal import Principal
from subgraphs.marketplace.consumer import consume
from subgraphs.marketplace.models import listing_id_for
from tests.subgraphs.harness import SubgraphHarness
from tests.subgraphs.marketplace.conftest import app_named, listing_of, workspace

NEW_APP = "app_0000c0ffee00"
LISTING = """query($app: ID!) { listingByApp(appId: $app) {
    id visible description certification app { listingUrl } } }"""


@pytest.fixture
async def consuming(marketplace: SubgraphHarness) -> AsyncIterator[SubgraphHarness]:
    """The seeded marketplace with its consumer running on the harness's bus."""
    consumer = asyncio.create_task(consume(marketplace.database, marketplace.bus))
    for _ in range(5):  # let the consumer reach its subscription before anything is published
        await asyncio.sleep(0)
    yield marketplace
    consumer.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await consumer


async def eventually(check: Callable[[], Awaitable[bool]], patience: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + patience
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "the consumer did not catch up"
        await asyncio.sleep(0.01)


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
    await bus.publish(
        EventType.APP_PUBLISHED,
        {
            "app_id": NEW_APP,
            "name": "Coffee Roster",
            "slug": "coffee-roster",
            "description": "Who makes the coffee today.",
            "organization_id": "org_coffee",
            "old_status": "IN_REVIEW",
            "new_status": "PUBLISHED",
        },
        app_id=NEW_APP,
    )

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

    await bus.publish(
        EventType.APP_STATUS_CHANGED,
        {"old_status": "PUBLISHED", "new_status": "SUSPENDED"},
        app_id=NEW_APP,
    )

    async def hidden() -> bool:
        return await visible_ids(marketplace, "coffee") == []

    await eventually(hidden)
    assert (await marketplace.data(LISTING, {"app": NEW_APP}))["listingByApp"]["visible"] is False

    # Published again: the same listing comes back rather than a second one.
    await bus.publish(EventType.APP_PUBLISHED, {"name": "Coffee Roster"}, app_id=NEW_APP)
    await eventually(listed)


async def test_deprecation_hides_a_seeded_listing_and_renames_follow(
    consuming: SubgraphHarness,
) -> None:
    marketplace = consuming
    deploy_herald = app_named("Deploy Herald")
    await marketplace.bus.publish(
        EventType.APP_UPDATED,
        {"name": "Release Herald", "slug": "release-herald"},
        app_id=deploy_herald.id,
    )

    async def renamed() -> bool:
        return listing_of("Deploy Herald") in await visible_ids(marketplace, "release herald")

    await eventually(renamed)
    await marketplace.bus.publish(EventType.APP_DEPRECATED, {}, app_id=deploy_herald.id)

    async def hidden() -> bool:
        return await visible_ids(marketplace, "release herald") == []

    await eventually(hidden)
    errors = await marketplace.errors(
        "mutation($id: ID!) { createReview(input: {listingId: $id, rating: 5}) { id } }",
        {"id": listing_of("Deploy Herald")},
        principal=workspace("ws_new"),
    )
    assert errors[0]["extensions"]["code"] == "INVALID_STATE_TRANSITION"


async def test_events_about_unlisted_apps_and_malformed_events_are_ignored(
    consuming: SubgraphHarness,
) -> None:
    marketplace = consuming
    bus = marketplace.bus
    await bus.publish(EventType.APP_STATUS_CHANGED, {"new_status": "IN_REVIEW"}, app_id=NEW_APP)
    await bus.publish(EventType.APP_PUBLISHED, {"unexpected": True})
    await bus.publish(
        EventType.APP_PUBLISHED,
        {"name": "After The Noise", "slug": "after-the-noise"},
        app_id="app_1",
    )

    async def caught_up() -> bool:
        return await visible_ids(marketplace, "after the noise") == [listing_id_for("app_1")]

    await eventually(caught_up)
    assert (await marketplace.data(LISTING, {"app": NEW_APP}))["listingByApp"] is None
    total = await marketplace.data("{ listings { totalCount } }")
    assert total["listings"]["totalCount"] == 39
