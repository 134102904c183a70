"""The subscriptions stage in one process: the gateway app over the platform supergraph, its
subgraphs mocked (`tests/auth/mock_subgraphs.py`) and the upstream websocket replaced by a pool
the test feeds, so buffer overflow, reloads, revocation and shutdown can be driven exactly."""

from __future__ import annotations

import asyncio
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
    stream = subscriptions.stream(await planned(gateway, subscriptions), None, resume_after="7")
    task = asyncio.ensure_future(anext(stream))
    await asyncio.sleep(0)
    [request] = pool.requests
    # The event id is selected whatever the client asked; the resume position binds `after`.
    assert request["variables"] == {"sb_after": "7"}
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


async def test_a_client_that_falls_behind_is_ended_with_its_last_id(gateway: AuthGateway) -> None:
    subscriptions, pool = stage(gateway)
    stream = subscriptions.stream(await planned(gateway, subscriptions), None)
    task = asyncio.ensure_future(anext(stream))
    await asyncio.sleep(0)
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
    await asyncio.sleep(0)
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


async def test_revocation_and_shutdown_end_streams_with_their_codes(gateway: AuthGateway) -> None:
    subscriptions, _ = stage(gateway)
    revoked = subscriptions.stream(await planned(gateway, subscriptions, jti="gone"), None)
    other = subscriptions.stream(await planned(gateway, subscriptions, jti="kept"), None)
    pending = [asyncio.ensure_future(anext(revoked)), asyncio.ensure_future(anext(other))]
    await asyncio.sleep(0)

    @dataclass
    class Revoked:
        type: str = "grant.revoked"
        payload: dict[str, Any] = field(
            default_factory=lambda: {"jtis": ["gone"], "installation_id": None}
        )
        occurred_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    gateway.revocations.apply(Revoked())
    subscriptions.check()
    assert (await pending[0])[0]["errors"][0]["extensions"]["code"] == "TOKEN_REVOKED"
    with pytest.raises(StopAsyncIteration):
        await anext(revoked)
    assert subscriptions.shut_down() == 1
    assert (await pending[1])[0]["errors"][0]["extensions"]["code"] == "SHUTTING_DOWN"
