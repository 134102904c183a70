"""The GCRA buckets, the same suite over both stores: in memory and in Redis (one Lua script).

Redis keeps its own time, so the suite checks what holds whatever the clock: a burst of
`limit` passes, the next take is refused with the wait one unit takes, a refused take spends
nothing, several buckets are all-or-nothing, and units given back can be spent again."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as redis

from gateway.ratelimit.gcra import BucketStore, MemoryBuckets, Take
from gateway.ratelimit.redis_store import RedisBuckets
from tests.conftest import REDIS_URL, unavailable


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[BucketStore]:
    if request.param == "memory":
        yield MemoryBuckets()
        return
    client = redis.Redis.from_url(REDIS_URL)
    try:
        await client.ping()
    except (OSError, redis.RedisError) as error:
        await client.aclose()
        unavailable("Redis", error)
    prefix = f"test:ratelimit:{uuid.uuid4().hex}"
    yield RedisBuckets(client, prefix)
    keys = [key async for key in client.scan_iter(f"{prefix}:*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


def take(key: str = "a", amount: int = 1, limit: int = 5, window: float = 60) -> Take:
    return Take(key, limit, window, amount, window / limit)


async def test_a_burst_of_the_limit_passes_then_the_next_waits_one_interval(
    store: BucketStore,
) -> None:
    remaining = []
    for _ in range(5):
        verdict = await store.take([take()])
        assert verdict.allowed
        remaining.append(verdict.states[0].remaining)
    assert remaining == [4, 3, 2, 1, 0]
    refused = await store.take([take()])
    assert not refused.allowed
    assert refused.states[0].remaining == 0
    # One unit of a 5-per-60-s bucket comes back every 12 s.
    assert 11.5 < refused.retry_after <= 12
    assert 59 < refused.states[0].reset_seconds <= 60


async def test_a_take_of_several_buckets_is_all_or_nothing(store: BucketStore) -> None:
    assert (await store.take([take("small", amount=2, limit=2)])).allowed
    both = await store.take([take("big", amount=3, limit=10), take("small", amount=1, limit=2)])
    assert not both.allowed
    # The refused take spent nothing from the bucket that had room.
    assert [state.remaining for state in both.states] == [10, 0]
    alone = await store.take([take("big", amount=3, limit=10)])
    assert alone.allowed
    assert alone.states[0].remaining == 7


async def test_units_given_back_can_be_spent_again(store: BucketStore) -> None:
    cost = take("cost", amount=800, limit=1000, window=100_000)
    assert (await store.take([cost])).states[0].remaining == 200
    [after] = await store.give_back([take("cost", amount=700, limit=1000, window=100_000)])
    assert after.remaining == 900
    # Never more than full.
    [full] = await store.give_back([take("cost", amount=5000, limit=1000, window=100_000)])
    assert full.remaining == 1000
    assert full.reset_seconds == 0


async def test_more_than_a_bucket_holds_is_never_allowed(store: BucketStore) -> None:
    verdict = await store.take([take("huge", amount=1001, limit=1000, window=20)])
    assert not verdict.allowed
    assert verdict.states[0].remaining == 1000


async def test_memory_buckets_refill_with_time() -> None:
    now = [100.0]
    buckets = MemoryBuckets(clock=lambda: now[0])
    for _ in range(5):
        assert (await buckets.take([take()])).allowed
    assert not (await buckets.take([take()])).allowed
    now[0] += 12
    verdict = await buckets.take([take()])
    assert verdict.allowed
    assert verdict.states[0].remaining == 0
    now[0] += 60
    assert (await buckets.take([take()])).states[0].remaining == 4
