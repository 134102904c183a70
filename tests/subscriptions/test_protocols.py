"""Subscriptions through the gateway over real processes, with real clients of each protocol:
graphql-transport-ws (`graphql-ws` from npm), SSE (`graphql-sse` from npm, and raw with httpx for
`id:` and `Last-Event-ID`) and multipart HTTP (Apollo's format, read with httpx).

Events are produced by real mutations through the gateway; each carries fields of another
subgraph (`app { name }` from apps under `installationEvents` of installs). One platform (four
subgraphs and the gateway on a Redis stream of their own) serves the whole module.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import httpx
import pytest
import redis.asyncio as redis

from subgraphs.common.events import EventType
from subgraphs.common.redis_bus import RedisEventBus
from subgraphs.demo.world import Installation
from tests.conftest import REDIS_URL
from tests.subscriptions.clients import (
    MULTIPART,
    JavaScriptClient,
    install_clients,
    multipart_parts,
    sse_events,
)
from tests.subscriptions.platform import (
    SUBSCRIBE,
    Platform,
    change_scopes,
    platform_running,
    subscribing_installations,
)

pytestmark = [pytest.mark.e2e, pytest.mark.redis]

EVENTS = """
subscription Events($after: ID) {
  installationEvents(after: $after) {
    id type grantedScopes
    installation { id }
    app { name webhookUrl }
  }
}
"""
UNAUTHORIZED = "UNAUTHORIZED_FIELD_OR_TYPE"


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    install_clients()
    yield from platform_running(tmp_path_factory.mktemp("subscriptions"))


@pytest.fixture(scope="module")
def installations() -> tuple[Installation, Installation]:
    return subscribing_installations()


async def latest_id(platform: Platform) -> str:
    """The bus id of the newest event: subscribing `after` it misses nothing from now on."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        return str(int(await client.get(f"{platform.stream}:last-id") or 0))
    finally:
        await client.aclose()


async def produce(platform: Platform, installation: Installation, events: int) -> list[list[str]]:
    """`events` scope changes of `installation`, through the gateway: the scopes each granted."""
    return [await asyncio.to_thread(change_scopes, platform, installation) for _ in range(events)]


def app_name(installation: Installation) -> str:
    from subgraphs.demo.world import world

    return next(app.name for app in world().apps if app.id == installation.app_id)


async def test_websocket_events_are_the_callers_own_with_fields_of_another_subgraph(
    platform: Platform, installations: tuple[Installation, Installation]
) -> None:
    mine, theirs = installations
    after = await latest_id(platform)
    # Neither token has `apps:read`, which `App.webhookUrl` needs.
    clients = [
        await JavaScriptClient.start(
            "ws",
            platform.ws_url,
            EVENTS,
            token=platform.integration(installation),
            variables={"after": after},
            count=2,
            extra_ms=700,
        )
        for installation in (mine, theirs)
    ]
    # Interleaved: theirs, mine, theirs, mine.
    for _ in range(2):
        await produce(platform, theirs, 1)
        await produce(platform, mine, 1)
    received = [await client.finished() for client in clients]

    for installation, got in zip((mine, theirs), received, strict=True):
        assert (got.error, got.timeout) == (None, False), got
        assert len(got.events) == 2, got.events  # the other's two never arrive
        for event in got.events:
            payload = event["data"]["installationEvents"]
            assert payload["installation"] == {"id": installation.id}
            assert payload["type"] == "SCOPES_CHANGED"
            # Resolved by the apps subgraph, for every event.
            assert payload["app"] == {"name": app_name(installation), "webhookUrl": None}
            assert event["errors"] == [
                {
                    "message": "Unauthorized field or type",
                    "path": ["installationEvents", "app", "webhookUrl"],
                    "extensions": {"code": UNAUTHORIZED},
                }
            ]
            assert event["extensions"]["eventId"] == payload["id"]
        ids = [int(event_id) for event_id in got.ids]
        assert ids == sorted(ids)
        assert ids[0] > int(after)
    # Each saw its own two, which interleave with the other's.
    assert sorted(int(i) for i in received[0].ids + received[1].ids) == list(
        range(int(after) + 1, int(after) + 5)
    )


async def resume_after_five(platform: Platform, installation: Installation) -> None:
    """Receive 3 events, disconnect, 5 more are produced, reconnect after the last id seen:
    exactly those 5 arrive, in order."""
    token = platform.integration(installation)
    first = await JavaScriptClient.start(
        "ws",
        platform.ws_url,
        EVENTS,
        token=token,
        variables={"after": await latest_id(platform)},
        count=3,
    )
    await produce(platform, installation, 3)
    seen = await first.finished()
    assert len(seen.events) == 3, seen
    last = seen.ids[-1]

    granted = await produce(platform, installation, 5)
    produced = await latest_id(platform)
    again = await JavaScriptClient.start(
        "ws",
        platform.ws_url,
        EVENTS,
        token=token,
        variables={"after": last},
        count=5,
        extra_ms=700,
    )
    resumed = await again.finished()
    assert (resumed.error, resumed.timeout) == (None, False), resumed
    assert resumed.ids == [str(number) for number in range(int(last) + 1, int(produced) + 1)]
    assert [
        sorted(event["data"]["installationEvents"]["grantedScopes"]) for event in resumed.events
    ] == granted


async def test_websocket_resume_after_the_last_id_gets_exactly_what_was_missed(
    platform: Platform, installations: tuple[Installation, Installation]
) -> None:
    await resume_after_five(platform, installations[0])


async def test_sse_with_the_graphql_sse_client(
    platform: Platform, installations: tuple[Installation, Installation]
) -> None:
    mine, _ = installations
    client = await JavaScriptClient.start(
        "sse",
        platform.http_url,
        EVENTS,
        token=platform.integration(mine, "apps:read"),
        variables={"after": await latest_id(platform)},
        count=1,
    )
    await produce(platform, mine, 1)
    received = await client.finished()
    assert (received.error, received.timeout) == (None, False), received
    [event] = received.events
    assert "errors" not in event  # the token holds `apps:read` this time
    assert event["data"]["installationEvents"]["app"]["name"] == app_name(mine)


async def test_sse_ids_and_last_event_id_resume(
    platform: Platform, installations: tuple[Installation, Installation]
) -> None:
    mine, _ = installations
    start = await latest_id(platform)
    await produce(platform, mine, 3)
    headers = {
        "Authorization": f"Bearer {platform.integration(mine)}",
        "Accept": "text/event-stream",
        # Resume after the first of the three: the other two arrive, with their ids.
        "Last-Event-ID": str(int(start) + 1),
    }
    body = {"query": EVENTS}
    events = []
    async with (
        httpx.AsyncClient(timeout=20) as http,
        http.stream("POST", platform.http_url, json=body, headers=headers) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        async for event in sse_events(response):
            events.append(event)
            if len(events) == 2:
                break
    assert [event.event for event in events] == ["next", "next"]
    assert [event.id for event in events] == [str(int(start) + 2), str(int(start) + 3)]
    for event in events:
        assert event.payload is not None
        assert event.payload["data"]["installationEvents"]["id"] == event.id


async def test_multipart_http_as_apollo_clients_read_it(
    platform: Platform, installations: tuple[Installation, Installation]
) -> None:
    mine, _ = installations
    headers = {"Authorization": f"Bearer {platform.integration(mine)}", "Accept": MULTIPART}
    body = {"query": EVENTS, "variables": {"after": await latest_id(platform)}}
    async with (
        httpx.AsyncClient(timeout=20) as http,
        http.stream("POST", platform.http_url, json=body, headers=headers) as response,
    ):
        assert response.status_code == 200
        await produce(platform, mine, 1)
        async for part in multipart_parts(response):
            assert part.payload is not None
            event = part.payload["data"]["installationEvents"]
            assert event["installation"] == {"id": mine.id}
            assert event["app"]["name"] == app_name(mine)
            break


async def test_an_id_older_than_retention_is_an_error(
    platform: Platform, installations: tuple[Installation, Installation]
) -> None:
    mine, _ = installations
    await produce(platform, mine, 2)
    client = redis.Redis.from_url(REDIS_URL)
    try:
        # The stream keeps only its newest entry, as if retention had passed over the rest.
        await client.xtrim(platform.stream, maxlen=1, approximate=False)
    finally:
        await client.aclose()
    subscriber = await JavaScriptClient.start(
        "ws",
        platform.ws_url,
        EVENTS,
        token=platform.integration(mine),
        variables={"after": "1"},
    )
    received = await subscriber.finished()
    codes = [
        error["extensions"]["code"]
        for event in received.events
        for error in event.get("errors", [])
    ]
    if received.error is not None:
        codes += [error["extensions"]["code"] for error in received.error.get("errors", [])]
    assert "EVENT_ID_TOO_OLD" in codes, received


async def test_token_expiry_ends_the_stream_with_a_code(
    platform: Platform, installations: tuple[Installation, Installation]
) -> None:
    mine, _ = installations
    client = await JavaScriptClient.start(
        "ws", platform.ws_url, EVENTS, token=platform.integration(mine, lifetime=3)
    )
    received = await client.finished()
    assert received.complete, received
    assert received.events[-1]["errors"][0]["extensions"]["code"] == "TOKEN_EXPIRED"


async def test_revocation_ends_the_stream_with_a_code(
    platform: Platform, installations: tuple[Installation, Installation]
) -> None:
    mine, _ = installations
    jti = "revoked-subscriber"
    client = await JavaScriptClient.start(
        "ws", platform.ws_url, EVENTS, token=platform.integration(mine, jti=jti)
    )
    await asyncio.sleep(1)  # subscribed upstream by now
    bus = RedisEventBus.from_url(REDIS_URL, stream=platform.stream)
    try:
        await bus.publish(
            EventType.GRANT_REVOKED, {"installation_id": None, "jtis": [jti], "client_id": "c"}
        )
    finally:
        await bus.close()
    received = await client.finished()
    assert received.complete, received
    assert received.events[-1]["errors"][0]["extensions"]["code"] == "TOKEN_REVOKED"


async def test_resume_across_a_gateway_restart(
    platform: Platform, installations: tuple[Installation, Installation]
) -> None:
    """The same as the websocket resume test, with the gateway replaced in between: nothing
    about a subscription lives in the gateway but the client's last id. A client connected
    during the restart is told why its stream ends."""
    _, theirs = installations
    token = platform.integration(theirs)
    first = await JavaScriptClient.start(
        "ws",
        platform.ws_url,
        EVENTS,
        token=token,
        variables={"after": await latest_id(platform)},
        count=3,
    )
    await produce(platform, theirs, 3)
    seen = await first.finished()
    assert len(seen.events) == 3, seen
    # A subscriber still connected when the gateway stops is told so before the socket closes.
    connected = await JavaScriptClient.start("ws", platform.ws_url, EVENTS, token=token)
    await asyncio.sleep(0.5)
    await asyncio.to_thread(platform.restart_gateway)
    told = await connected.finished()
    assert told.complete, told
    assert told.events[-1]["errors"][0]["extensions"]["code"] == "SHUTTING_DOWN"
    await produce(platform, theirs, 5)
    produced = await latest_id(platform)
    again = await JavaScriptClient.start(
        "ws",
        platform.ws_url,
        EVENTS,
        token=token,
        variables={"after": seen.ids[-1]},
        count=5,
        extra_ms=700,
    )
    resumed = await again.finished()
    assert resumed.ids == [
        str(number) for number in range(int(seen.ids[-1]) + 1, int(produced) + 1)
    ], resumed


APP_EVENTS = """
subscription($after: ID) {
  appEvents(types: [REVIEW_CREATED], after: $after) {
    type app { slug } review { rating body } listing { tagline }
  }
}
"""
REVIEWS = """
subscription($listing: ID!, $after: ID) {
  reviewCreated(listing: $listing, after: $after) { rating review { body } app { name } }
}
"""
CREATE_REVIEW = """
mutation($listing: ID!) {
  createReview(input: {listingId: $listing, rating: 4, body: "Solid"}) { id }
}
"""


async def test_a_review_reaches_its_apps_owner_and_the_listings_front_end(
    platform: Platform,
) -> None:
    from subgraphs.demo.world import world

    app = next(app for app in world().apps if app.status == "PUBLISHED")
    query = "query($slug: String!) { appBySlug(slug: $slug) { listing { id tagline } } }"
    listing = platform.post(query, slug=app.slug)["data"]["appBySlug"]["listing"]
    after = await latest_id(platform)
    owner = platform.issuer.token(sub="user_owner", org=app.organization_id, scopes={SUBSCRIBE})
    outsider = platform.issuer.token(sub="user_other", org="org_other", scopes={SUBSCRIBE})
    front_end = platform.issuer.token(sub="user_visitor", scopes={SUBSCRIBE})
    clients = [
        await JavaScriptClient.start(
            "ws", platform.ws_url, APP_EVENTS, token=token, variables={"after": after},
            count=1, extra_ms=500, timeout_ms=timeout,
        )
        for token, timeout in ((owner, 60_000), (outsider, 15_000))
    ] + [
        await JavaScriptClient.start(
            "sse", platform.http_url, REVIEWS, token=front_end,
            variables={"listing": listing["id"], "after": after}, count=1,
        )
    ]  # fmt: skip
    author = platform.issuer.token(
        sub="user_author", workspace=f"ws_{uuid.uuid4().hex[:12]}", scopes={"marketplace:write"}
    )
    created = await asyncio.to_thread(platform.post, CREATE_REVIEW, author, listing=listing["id"])
    assert "errors" not in created, created
    owners, outsiders, front_ends = [await client.finished() for client in clients]
    # Review and listing fields come from marketplace; the app from apps.
    assert [event["data"] for event in owners.events] == [
        {
            "appEvents": {
                "type": "REVIEW_CREATED",
                "app": {"slug": app.slug},
                "review": {"rating": 4, "body": "Solid"},
                "listing": {"tagline": listing["tagline"]},
            }
        }
    ]
    assert outsiders.events == []  # another organization's app: nothing, until it gives up
    assert outsiders.timeout
    assert [event["data"] for event in front_ends.events] == [
        {"reviewCreated": {"rating": 4, "review": {"body": "Solid"}, "app": {"name": app.name}}}
    ]
