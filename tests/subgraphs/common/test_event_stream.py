"""`follow`: the replay-then-live event stream every subscription field reads, over the
in-memory bus (the Redis bus runs the same contract in tests/subscriptions)."""

from __future__ import annotations

import asyncio

import pytest

from subgraphs.common.errors import BadUserInput
from subgraphs.common.event_stream import EventIdTooOld, follow
from subgraphs.common.events import Event, EventType, InMemoryEventBus

CHANGED = EventType.INSTALLATION_SCOPES_CHANGED


async def everything(_: Event) -> bool:
    return True


async def take(count: int, bus: InMemoryEventBus, **options: object) -> list[int]:
    ids: list[int] = []
    stream = follow(bus, types={CHANGED}, visible=everything, **options)  # type: ignore[arg-type]
    async with asyncio.timeout(5):
        async for event in stream:
            ids.append(event.id)
            if len(ids) == count:
                break
    return ids


async def test_after_replays_what_is_retained_then_follows_live_events() -> None:
    bus = InMemoryEventBus()
    for _ in range(4):
        await bus.publish(CHANGED, {})
    reader = asyncio.create_task(take(4, bus, after="2"))
    await asyncio.sleep(0.05)
    await bus.publish(EventType.APP_PUBLISHED, {})  # another type: not for this stream
    await bus.publish(CHANGED, {})
    await bus.publish(CHANGED, {})
    assert await reader == [3, 4, 6, 7]


async def test_an_id_past_retention_is_an_error_not_a_gap() -> None:
    bus = InMemoryEventBus(retention=3)
    for _ in range(6):
        await bus.publish(CHANGED, {})
    # Events 4-6 are retained: resuming after 3 misses nothing, after 2 would miss event 3.
    assert await take(3, bus, after="3") == [4, 5, 6]
    with pytest.raises(EventIdTooOld) as raised:
        await take(1, bus, after="2")
    assert raised.value.extensions == {
        "code": "EVENT_ID_TOO_OLD",
        "after": "2",
        "oldestRetained": "4",
    }


@pytest.mark.parametrize("after", ["-1", "abc", "1.5", "٣"])
async def test_after_must_be_an_event_id(after: str) -> None:
    with pytest.raises(BadUserInput):
        await take(1, InMemoryEventBus(), after=after)


async def test_only_what_the_caller_may_see() -> None:
    bus = InMemoryEventBus()
    for installation in ("mine", "theirs", "mine"):
        await bus.publish(CHANGED, {}, installation_id=installation)

    async def mine(event: Event) -> bool:
        return event.installation_id == "mine"

    stream = follow(bus, types={CHANGED}, after="0", visible=mine)
    seen = [await anext(stream), await anext(stream)]
    assert [event.id for event in seen] == [1, 3]
