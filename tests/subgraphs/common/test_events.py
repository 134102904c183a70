"""The event bus contract, run over every implementation: in-memory and Redis Streams."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import redis.asyncio as redis

from subgraphs.common.events import (
    Event,
    EventBus,
    EventType,
    InMemoryEventBus,
    bus_from_environment,
)
from subgraphs.common.redis_bus import RedisEventBus
from tests.conftest import REDIS_URL, unavailable
from tests.waiting import eventually


@pytest.fixture(params=["memory", "redis"])
async def bus(request: pytest.FixtureRequest) -> AsyncIterator[EventBus]:
    if request.param == "memory":
        yield InMemoryEventBus()
        return
    client = redis.Redis.from_url(REDIS_URL)
    try:
        await client.ping()
    except (OSError, redis.RedisError) as error:
        await client.aclose()
        unavailable("Redis", error)
    stream = f"test:events:{uuid.uuid4().hex}"
    redis_bus = RedisEventBus(client, stream=stream, block_ms=200)
    yield redis_bus
    await client.delete(stream, f"{stream}:last-id")
    await redis_bus.close()


async def take(bus: EventBus, count: int, **options: object) -> list[Event]:
    events: list[Event] = []
    async for event in bus.subscribe(**options):  # type: ignore[arg-type]
        events.append(event)
        if len(events) == count:
            break
    return events


async def test_ids_increase_from_one_in_publication_order(bus: EventBus) -> None:
    published = [
        await bus.publish(EventType.APP_PUBLISHED, {"n": n}, app_id="app_1") for n in range(3)
    ]
    assert [event.id for event in published] == [1, 2, 3]
    assert published[0].app_id == "app_1"


async def test_an_event_arrives_with_everything_it_was_published_with(bus: EventBus) -> None:
    consumer = asyncio.create_task(take(bus, 1, after=0))
    sent = await bus.publish(
        EventType.INSTALLATION_CREATED,
        {"scopes": ["a"]},
        app_id="app_1",
        installation_id="inst_1",
        workspace_id="ws_1",
    )
    (received,) = await asyncio.wait_for(consumer, 5)
    assert received == sent
    assert (received.app_id, received.installation_id, received.workspace_id) == (
        "app_1",
        "inst_1",
        "ws_1",
    )
    assert received.payload == {"scopes": ["a"]}
    # When it happened, in UTC: consumers compare it with token times and retention windows.
    assert received.occurred_at.utcoffset() == timedelta(0)


async def test_replay_after_an_id_then_live_events(bus: EventBus) -> None:
    for n in range(4):
        await bus.publish(EventType.REVIEW_CREATED, {"n": n})
    consumer = asyncio.create_task(take(bus, 3, after=2))
    # Whether the consumer reads before or after this publication, `after` decides what it sees.
    await bus.publish(EventType.REVIEW_CREATED, {"n": 4})
    events = await asyncio.wait_for(consumer, 5)
    assert [event.id for event in events] == [3, 4, 5]
    assert [event.payload["n"] for event in events] == [2, 3, 4]


async def test_subscription_without_id_sees_only_new_events(bus: EventBus) -> None:
    await bus.publish(EventType.APP_PUBLISHED, {"old": True})
    received: list[Event] = []

    async def follow() -> None:
        async for event in bus.subscribe():
            received.append(event)

    consumer = asyncio.create_task(follow())

    async def publish_until_received() -> list[Event]:
        # The consumer's first event is the signal that it reads; until then, publish again.
        await bus.publish(EventType.APP_DEPRECATED, {"old": False})
        return received

    try:
        await eventually(publish_until_received)
    finally:
        consumer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await consumer
    assert received  # the old event was never among them:
    assert all(event.type is EventType.APP_DEPRECATED for event in received)
    assert all(event.payload == {"old": False} for event in received)


async def test_a_subscription_from_now_starts_after_the_latest_event() -> None:
    # Deterministic on the in-memory bus: one turn of the loop lets the subscription take its
    # first look (it finds nothing newer and waits) before the next event is published.
    bus = InMemoryEventBus()
    await bus.publish(EventType.APP_PUBLISHED, {"old": True})
    events = bus.subscribe()
    first = asyncio.ensure_future(anext(events))
    await asyncio.sleep(0)
    assert not first.done()
    await bus.publish(EventType.APP_DEPRECATED, {"old": False})
    received = await asyncio.wait_for(first, 5)
    assert (received.id, received.payload) == (2, {"old": False})
    await events.aclose()  # type: ignore[attr-defined]


async def test_type_filter_skips_other_events(bus: EventBus) -> None:
    await bus.publish(EventType.APP_PUBLISHED, {})
    await bus.publish(EventType.INSTALLATION_CREATED, {"installation": "i1"}, installation_id="i1")
    await bus.publish(EventType.APP_PUBLISHED, {})
    await bus.publish(EventType.INSTALLATION_REMOVED, {"installation": "i1"})
    events = await asyncio.wait_for(
        take(
            bus,
            2,
            after=0,
            types={EventType.INSTALLATION_CREATED, EventType.INSTALLATION_REMOVED},
        ),
        5,
    )
    assert [(event.id, event.type) for event in events] == [
        (2, EventType.INSTALLATION_CREATED),
        (4, EventType.INSTALLATION_REMOVED),
    ]
    assert events[0].installation_id == "i1"


async def test_concurrent_publishers_get_distinct_ordered_ids(bus: EventBus) -> None:
    published = await asyncio.gather(
        *(bus.publish(EventType.LISTING_UPDATED, {"n": n}) for n in range(20))
    )
    assert sorted(event.id for event in published) == list(range(1, 21))
    replayed = await asyncio.wait_for(take(bus, 20, after=0), 5)
    assert [event.id for event in replayed] == list(range(1, 21))


async def test_latest_and_oldest_ids_say_what_a_resume_can_replay(bus: EventBus) -> None:
    # Empty: nothing published, nothing retained; a consumer starting now misses nothing.
    assert (await bus.latest_id(), await bus.oldest_id()) == (0, 1)
    for n in range(3):
        await bus.publish(EventType.REVIEW_CREATED, {"n": n})
    assert (await bus.latest_id(), await bus.oldest_id()) == (3, 1)


async def test_the_in_memory_bus_keeps_only_its_retention() -> None:
    bus = InMemoryEventBus(retention=2)
    assert await bus.oldest_id() == 1
    for n in range(3):
        await bus.publish(EventType.REVIEW_CREATED, {"n": n})
    # The first event is gone: resuming after 0 would miss it, and `oldest_id` says so.
    assert (await bus.latest_id(), await bus.oldest_id()) == (3, 2)
    assert [event.id for event in await take(bus, 2, after=0)] == [2, 3]


def test_the_environment_chooses_the_bus(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EVENT_BUS", raising=False)
    assert isinstance(bus_from_environment(), InMemoryEventBus)
    monkeypatch.setenv("EVENT_BUS", "memory")
    assert isinstance(bus_from_environment(), InMemoryEventBus)


async def test_the_environment_names_the_redis_server_and_stream(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        await client.ping()
    except (OSError, redis.RedisError) as error:
        await client.aclose()
        unavailable("Redis", error)
    stream = f"test:events:{uuid.uuid4().hex}"
    monkeypatch.setenv("EVENT_BUS", "redis")
    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    monkeypatch.setenv("EVENT_STREAM", stream)
    bus = bus_from_environment()
    try:
        assert isinstance(bus, RedisEventBus)
        await bus.publish(EventType.REVIEW_CREATED, {"n": 1})
        assert await client.xlen(stream) == 1
        assert int(await client.get(f"{stream}:last-id") or 0) == 1
    finally:
        await bus.close()
        await client.delete(stream, f"{stream}:last-id")
        await client.aclose()


async def test_the_environment_defaults_to_the_local_redis_and_the_platform_stream(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Read from the client's settings: no connection is made until the bus is used.
    monkeypatch.setenv("EVENT_BUS", "redis")
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("EVENT_STREAM", raising=False)
    default = bus_from_environment()
    monkeypatch.setenv("REDIS_URL", "redis://redis.test:6390/3")
    monkeypatch.setenv("EVENT_STREAM", "replica:events")
    named = bus_from_environment()
    try:
        assert [server(bus) for bus in (default, named)] == [
            ("127.0.0.1", 6379, 0, "switchboard:events"),
            ("redis.test", 6390, 3, "replica:events"),
        ]
        # A blocking read waits 5 s: the socket 5 s longer, so a quiet stream is not a failure
        # and a dead connection is noticed.
        assert default._client.connection_pool.connection_kwargs["socket_timeout"] == 10.0  # type: ignore[attr-defined]
    finally:
        await default.close()  # type: ignore[attr-defined]
        await named.close()  # type: ignore[attr-defined]


def server(bus: EventBus) -> tuple[str, int, int, str]:
    assert isinstance(bus, RedisEventBus)
    settings = bus._client.connection_pool.connection_kwargs
    return (settings["host"], settings["port"], settings["db"], bus._stream)


async def test_a_client_decoding_answers_to_text_reads_the_oldest_id() -> None:
    client = redis.Redis.from_url(REDIS_URL, decode_responses=True)
    try:
        await client.ping()
    except (OSError, redis.RedisError) as error:
        await client.aclose()
        unavailable("Redis", error)
    stream = f"test:events:{uuid.uuid4().hex}"
    bus = RedisEventBus(client, stream=stream)
    try:
        for n in range(3):
            await bus.publish(EventType.REVIEW_CREATED, {"n": n})
        await client.xdel(stream, "1-0")
        assert (await bus.latest_id(), await bus.oldest_id()) == (3, 2)
    finally:
        await client.delete(stream, f"{stream}:last-id")
        await bus.close()
