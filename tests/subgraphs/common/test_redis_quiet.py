"""The Redis bus keeps a subscription through quiet stretches and between reads."""

from __future__ import annotations

import asyncio
from typing import Any

import redis.asyncio as redis

from subgraphs.common.events import EventType
from subgraphs.common.redis_bus import DEFAULT_BLOCK_MS, RedisEventBus
from tests.conftest import REDIS_URL


async def test_a_quiet_stream_longer_than_a_blocking_read_keeps_the_subscription(
    redis_stream: str,
) -> None:
    # The default blocking read (5 s) runs out once with nothing to read: with redis-py's
    # default socket timeout, also 5 s, that quiet read ended the subscription in a TimeoutError.
    bus = RedisEventBus.from_url(REDIS_URL, stream=redis_stream)
    publisher = RedisEventBus.from_url(REDIS_URL, stream=redis_stream)
    try:
        events = bus.subscribe()
        first = asyncio.ensure_future(anext(events))
        await asyncio.sleep(DEFAULT_BLOCK_MS / 1000 + 0.5)
        assert not first.done()
        published = await publisher.publish(EventType.APP_PUBLISHED, {"n": 1})
        received = await asyncio.wait_for(first, 5)
        assert (received.id, received.payload) == (published.id, {"n": 1})
        await events.aclose()
    finally:
        await bus.close()
        await publisher.close()


class _PublishAfterFirstRead:
    """A Redis client whose first (empty) XREAD is followed by a publication before the next
    one starts: the moment a subscription reading from `$` loses an event."""

    def __init__(self, client: redis.Redis, publish: Any) -> None:
        self._client = client
        self._publish = publish
        self.reads = 0

    def register_script(self, script: str) -> Any:
        return self._client.register_script(script)

    async def get(self, key: str) -> Any:
        return await self._client.get(key)

    async def xread(self, streams: dict[str, str], block: int) -> Any:
        self.reads += 1
        answer = await self._client.xread(streams, block=block)
        if self.reads == 1:
            assert not answer
            await self._publish()
        return answer

    async def aclose(self) -> None:
        await self._client.aclose()


async def test_an_event_published_between_two_reads_is_not_lost(redis_stream: str) -> None:
    publisher = RedisEventBus.from_url(REDIS_URL, stream=redis_stream)
    published: list[int] = []

    async def publish() -> None:
        published.append((await publisher.publish(EventType.APP_PUBLISHED, {})).id)

    client = _PublishAfterFirstRead(redis.Redis.from_url(REDIS_URL), publish)
    bus = RedisEventBus(client, stream=redis_stream, block_ms=100)  # type: ignore[arg-type]
    try:
        events = bus.subscribe()
        received = await asyncio.wait_for(anext(events), 5)
        assert received.id == published[0]
        await events.aclose()
    finally:
        await bus.close()
        await publisher.close()


async def test_a_cancelled_subscription_ends(redis_stream: str) -> None:
    """Cancelling a read made redis-py drop the connection and, at times, report a connection
    error that its retry answered by reading again: the task read on forever and a server's
    shutdown, which cancels its consumers, hung until it was killed."""
    bus = RedisEventBus.from_url(REDIS_URL, stream=redis_stream, block_ms=200)
    publisher = RedisEventBus.from_url(REDIS_URL, stream=redis_stream)
    try:
        for attempt in range(20):

            async def follow() -> None:
                async for _event in bus.subscribe():
                    pass

            task = asyncio.create_task(follow())
            await asyncio.sleep(attempt % 7 * 0.05)  # cancelled at different points of a read
            if attempt % 2:
                await publisher.publish(EventType.APP_UPDATED, {})
            task.cancel()
            done, _ = await asyncio.wait({task}, timeout=3)
            assert done == {task}, f"attempt {attempt}: the cancelled subscription still reads"
            assert task.cancelled()
    finally:
        await bus.close()
        await publisher.close()
