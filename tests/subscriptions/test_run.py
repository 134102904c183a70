"""The subscriptions stage in one process: the gateway app over the platform supergraph, its
subgraphs mocked (`tests/auth/mock_subgraphs.py`) and the upstream websocket replaced by a pool
the test feeds, so buffer overflow, reloads, revocation and shutdown can be driven exactly."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from graphql import parse

from gateway.server.app import serving_state
from gateway.server.config import GatewayConfig
from gateway.server.pipeline import Outcome, Planned
from gateway.subscriptions.run import JsonObject
from gateway.subscriptions.service import Subscriptions
from gateway.supergraph import Supergraph
from tests.auth.harness import SUPERGRAPH, AuthGateway, auth_gateway, platform_supergraph

OPEN_GAUGE = "switchboard_open_subscriptions"
EVENTS = "subscription { installationEvents { type app { name } } }"


@dataclass
class Upstream:
    closed: bool = False

    async def close(self) -> None:
        self.closed = True


@dataclass
class FeedPool:
    """Stands for the upstream websockets: records what was asked, lets the test deliver."""

    requests: list[JsonObject] = field(default_factory=list)
    deliveries: list[Any] = field(default_factory=list)
    upstreams: list[Upstream] = field(default_factory=list)

    async def subscribe(
        self, url: str, headers: Any, request: JsonObject, delivery: Any
    ) -> Upstream:
        self.requests.append(request)
        self.deliveries.append(delivery)
        self.upstreams.append(Upstream())
        return self.upstreams[-1]

    def event(self, number: int) -> None:
        self.deliveries[-1].next(
            {
                "data": {
                    "installationEvents": {
                        "sb_eventId": str(number),
                        "type": "CREATED",
                        "app": {"__typename": "App", "id": "app_1"},
                    }
                }
            }
        )


@pytest.fixture
async def gateway() -> AsyncIterator[AuthGateway]:
    config = GatewayConfig.model_validate({"subscriptions": {"buffer_events": 3}})
    async with auth_gateway(config) as gateway:
        yield gateway


def stage(gateway: AuthGateway) -> tuple[Subscriptions, FeedPool]:
    subscriptions: Subscriptions = gateway.app.state.subscriptions
    pool = FeedPool()
    subscriptions.pool = pool  # type: ignore[assignment]
    return subscriptions, pool


async def subscribed(pool: FeedPool, count: int) -> None:
    """Until `count` upstream operations were asked for (each opens on a task of its own)."""
    for _ in range(100):
        if len(pool.requests) >= count:
            return
        await asyncio.sleep(0)
    raise AssertionError(f"{len(pool.requests)} upstream operations, expected {count}")


async def open_subscriptions(gateway: AuthGateway) -> float:
    """The open-subscriptions gauge, as Prometheus scrapes it from /metrics."""
    text = (await gateway.client.get("/metrics")).text
    [line] = [line for line in text.splitlines() if line.startswith(OPEN_GAUGE + " ")]
    return float(line.split()[1])


async def planned(gateway: AuthGateway, subscriptions: Subscriptions, **claims: Any) -> Planned:
    token = gateway.issuer.token(app="app_1", scopes={"events:subscribe"}, **claims)
    result = await subscriptions.plan(EVENTS, None, None, {"authorization": f"Bearer {token}"})
    assert not isinstance(result, Outcome), result
    return result


async def test_events_run_the_rest_of_the_plan_and_carry_their_ids(gateway: AuthGateway) -> None:
    subscriptions, pool = stage(gateway)
    before = await open_subscriptions(gateway)
    stream = subscriptions.stream(await planned(gateway, subscriptions), None)
    task = asyncio.ensure_future(anext(stream))
    await subscribed(pool, 1)
    [request] = pool.requests
    # The event id is selected whatever the client asked; `after` is always `$sb_after`,
    # null for the live stream.
    assert request["variables"] == {"sb_after": None}
    root = parse(request["query"]).definitions[0].selection_set.selections[0]  # type: ignore[attr-defined]
    assert [argument.name.value for argument in root.arguments] == ["after"]
    assert root.arguments[0].value.name.value == "sb_after"
    assert [
        (field.alias and field.alias.value, field.name.value)
        for field in root.selection_set.selections
    ][-1] == ("sb_eventId", "id")
    pool.event(8)
    shaped, event_id = await task
    assert event_id == "8"
    # `app.name` came from the (mocked) apps subgraph through an `_entities` fetch.
    assert shaped["data"]["installationEvents"]["type"] == "CREATED"
    assert isinstance(shaped["data"]["installationEvents"]["app"]["name"], str)
    assert "sb_eventId" not in shaped["data"]["installationEvents"]
    assert await open_subscriptions(gateway) == before + 1
    await stream.aclose()
    assert pool.upstreams[0].closed
    assert await open_subscriptions(gateway) == before


def feed(pool: FeedPool, index: int, number: int) -> None:
    pool.deliveries[index].next(
        {
            "data": {
                "installationEvents": {
                    "sb_eventId": str(number),
                    "type": "CREATED",
                    "app": {"__typename": "App", "id": "app_1"},
                }
            }
        }
    )


async def test_identical_subscriptions_share_one_upstream_operation_and_one_shaping(
    gateway: AuthGateway,
) -> None:
    subscriptions, pool = stage(gateway)
    first = await planned(gateway, subscriptions)
    streams = [subscriptions.stream(first, None), subscriptions.stream(first, None)]
    pending = [asyncio.ensure_future(anext(stream)) for stream in streams]
    await subscribed(pool, 1)
    assert len(pool.requests) == 1
    pool.event(1)
    (one, one_id), (two, two_id) = await asyncio.gather(*pending)
    assert one_id == two_id == "1"
    assert one is two  # shaped once, the same result (and bytes) for both
    # Another token (another principal, or the same one's other token) never shares.
    other = subscriptions.stream(await planned(gateway, subscriptions, jti="other"), None)
    waiting = asyncio.ensure_future(anext(other))
    await subscribed(pool, 2)
    assert len(pool.requests) == 2
    # The first one leaving keeps the upstream operation for the second.
    await streams[0].aclose()
    assert not pool.upstreams[0].closed
    await streams[1].aclose()
    assert pool.upstreams[0].closed
    waiting.cancel()  # the client went away while waiting
    with contextlib.suppress(asyncio.CancelledError):
        await waiting
    assert pool.upstreams[1].closed


async def test_a_slow_subscriber_overflows_alone(gateway: AuthGateway) -> None:
    subscriptions, pool = stage(gateway)
    first = await planned(gateway, subscriptions)
    slow, fast = subscriptions.stream(first, None), subscriptions.stream(first, None)
    pending = [asyncio.ensure_future(anext(slow)), asyncio.ensure_future(anext(fast))]
    await subscribed(pool, 1)
    pool.event(1)
    await asyncio.gather(*pending)
    received = []
    for number in range(2, 8):  # the buffer holds 3: the slow one reads nothing
        pool.event(number)
        received.append((await anext(fast))[1])
    assert received == ["2", "3", "4", "5", "6", "7"]
    shaped, _ = await anext(slow)
    assert shaped["errors"][0]["extensions"] == {
        "code": "SUBSCRIPTION_BUFFER_OVERFLOW",
        "lastEventId": "1",
    }
    await slow.aclose()
    assert not pool.upstreams[0].closed
    await fast.aclose()


async def test_a_resuming_subscriber_reads_its_gap_then_joins_the_shared_stream(
    gateway: AuthGateway,
) -> None:
    subscriptions, pool = stage(gateway)
    first = await planned(gateway, subscriptions)
    live = subscriptions.stream(first, None)
    waiting = asyncio.ensure_future(anext(live))
    await subscribed(pool, 1)
    resumed = subscriptions.stream(first, None, resume_after="7")
    task = asyncio.ensure_future(anext(resumed))
    await subscribed(pool, 2)
    # Its own operation from its position; the live one is the one already open.
    assert [request["variables"] for request in pool.requests] == [
        {"sb_after": None},
        {"sb_after": "7"},
    ]
    own, shared = 1, 0
    feed(pool, own, 8)  # its gap
    feed(pool, shared, 10)  # live, before its own stream got there: pending
    assert (await task)[1] == "8"
    assert (await waiting)[1] == "10"
    feed(pool, own, 9)
    feed(pool, own, 10)  # its own stream reached the shared one: it switches
    feed(pool, shared, 11)
    got = [(await anext(resumed))[1] for _ in range(3)]
    assert got == ["9", "10", "11"]  # no gap, no duplicate
    assert (await anext(live))[1] == "11"
    assert pool.upstreams[own].closed  # its own operation was stopped at the switch
    await resumed.aclose()
    await live.aclose()
    assert pool.upstreams[shared].closed


async def test_a_client_that_falls_behind_is_ended_with_its_last_id(gateway: AuthGateway) -> None:
    subscriptions, pool = stage(gateway)
    stream = subscriptions.stream(await planned(gateway, subscriptions), None)
    task = asyncio.ensure_future(anext(stream))
    await subscribed(pool, 1)
    pool.event(1)
    assert (await task)[1] == "1"
    for number in range(2, 7):  # the buffer holds 3
        pool.event(number)
    shaped, event_id = await anext(stream)
    assert event_id is None
    assert shaped == {
        "errors": [
            {
                "message": "The client did not keep up with its events; resume after the last "
                "event it received.",
                "extensions": {"code": "SUBSCRIPTION_BUFFER_OVERFLOW", "lastEventId": "1"},
            }
        ]
    }
    with pytest.raises(StopAsyncIteration):
        await anext(stream)
    assert len(subscriptions.runs) == 0


async def ending_code(stream: AsyncIterator[tuple[JsonObject, str | None]]) -> str:
    shaped, _ = await anext(stream)
    return str(shaped["errors"][0]["extensions"]["code"])


async def test_a_reload_keeps_streams_whose_field_remains(gateway: AuthGateway) -> None:
    subscriptions, pool = stage(gateway)
    stream = subscriptions.stream(await planned(gateway, subscriptions), None)
    task = asyncio.ensure_future(anext(stream))
    await subscribed(pool, 1)
    pipeline = subscriptions.pipeline
    config = GatewayConfig()
    pipeline.swap(serving_state(platform_supergraph(), config))
    subscriptions.check()
    pool.event(1)
    assert (await task)[1] == "1"  # still going

    # A supergraph whose installs subgraph no longer has the field (nor its description).
    text = SUPERGRAPH.read_text(encoding="utf-8")
    field = text.index("  installationEvents(")
    start = text.rindex('  """\n  Events of', 0, field)
    end = text.index("\n\n", field)
    pipeline.swap(serving_state(Supergraph.from_sdl(text[:start] + text[end + 2 :]), config))
    subscriptions.check()
    assert await ending_code(stream) == "SUBSCRIPTION_FIELD_REMOVED"


@dataclass
class Revoked:
    """The issuer's `grant.revoked` event for the token with `jti` "gone"."""

    type: str = "grant.revoked"
    payload: dict[str, Any] = field(
        default_factory=lambda: {"jtis": ["gone"], "installation_id": None}
    )
    occurred_at: datetime = field(default_factory=lambda: datetime.now(UTC))


async def test_revocation_and_shutdown_end_streams_with_their_codes(gateway: AuthGateway) -> None:
    subscriptions, pool = stage(gateway)
    revoked = subscriptions.stream(await planned(gateway, subscriptions, jti="gone"), None)
    other = subscriptions.stream(await planned(gateway, subscriptions, jti="kept"), None)
    pending = [asyncio.ensure_future(anext(revoked)), asyncio.ensure_future(anext(other))]
    await subscribed(pool, 2)

    gateway.revocations.apply(Revoked())
    subscriptions.check()
    assert (await pending[0])[0]["errors"][0]["extensions"]["code"] == "TOKEN_REVOKED"
    with pytest.raises(StopAsyncIteration):
        await anext(revoked)
    assert subscriptions.shut_down() == 1
    assert (await pending[1])[0]["errors"][0]["extensions"]["code"] == "SHUTTING_DOWN"
