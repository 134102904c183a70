"""`RedisBuckets`: the GCRA buckets of `gcra.py` in Redis, shared by every gateway replica.

One Lua script takes from (or gives back to) all of a request's buckets atomically: Redis runs
a script alone, so two replicas taking from the same bucket at once cannot both see it full.
Time comes from the Redis server (`TIME`), not from the replicas, whose clocks may differ.
TATs are kept in microseconds, with an expiry once the bucket is full again, so idle callers
cost no memory.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import redis.asyncio as redis

from gateway.ratelimit.errors import RateLimitStoreError
from gateway.ratelimit.gcra import BucketState, Take, Verdict

MICROSECONDS = 1_000_000

# KEYS: the buckets. ARGV[1]: "take" (all or nothing) or "give"; then per bucket its interval
# and tolerance (microseconds) and the units to take (negative to give back).
SCRIPT = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000000 + tonumber(now_parts[2])
local taking = ARGV[1] == 'take'
local allowed = 1
local retry = 0
local current = {}
local proposed = {}
for i, key in ipairs(KEYS) do
  local at = 2 + (i - 1) * 3
  local interval = tonumber(ARGV[at])
  local tolerance = tonumber(ARGV[at + 1])
  local amount = tonumber(ARGV[at + 2])
  local tat = tonumber(redis.call('GET', key) or now)
  if tat < now then tat = now end
  local new = tat + amount * interval
  if new < now then new = now end
  if taking and new - now > tolerance then
    allowed = 0
    if new - now - tolerance > retry then retry = new - now - tolerance end
  end
  current[i] = tat
  proposed[i] = new
end
local result = {allowed, string.format('%.0f', retry)}
for i, key in ipairs(KEYS) do
  local at = 2 + (i - 1) * 3
  local interval = tonumber(ARGV[at])
  local tolerance = tonumber(ARGV[at + 1])
  local tat = current[i]
  if allowed == 1 or not taking then
    tat = proposed[i]
    redis.call('SET', key, string.format('%.0f', tat), 'PX', math.ceil((tat - now) / 1000) + 1000)
  end
  local remaining = math.floor((tolerance - (tat - now)) / interval + 0.000001)
  if remaining < 0 then remaining = 0 end
  result[#result + 1] = remaining
  result[#result + 1] = string.format('%.0f', tat - now)
end
return result
"""


class RedisBuckets:
    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self.client = client
        self.prefix = prefix
        self._script = client.register_script(SCRIPT)

    @classmethod
    def from_url(cls, url: str, prefix: str, timeout_seconds: float) -> RedisBuckets:
        client = redis.Redis.from_url(
            url, socket_timeout=timeout_seconds, socket_connect_timeout=timeout_seconds
        )
        return cls(client, prefix)

    async def take(self, takes: Sequence[Take]) -> Verdict:
        reply = await self._run("take", takes, 1)
        allowed = int(reply[0]) == 1
        retry = int(reply[1]) / MICROSECONDS
        return Verdict(allowed, retry, _states(reply))

    async def give_back(self, takes: Sequence[Take]) -> tuple[BucketState, ...]:
        return _states(await self._run("give", takes, -1))

    async def _run(self, mode: str, takes: Sequence[Take], sign: int) -> list[Any]:
        arguments: list[str | float | int] = [mode]
        for take in takes:
            interval = take.interval * MICROSECONDS
            arguments += [repr(interval), repr(take.window_seconds * MICROSECONDS)]
            arguments.append(sign * take.amount)
        keys = [f"{self.prefix}:{take.key}" for take in takes]
        try:
            reply: list[Any] = await self._script(keys=keys, args=arguments)
        except (redis.RedisError, OSError) as error:
            raise RateLimitStoreError(str(error)) from error
        return reply

    async def close(self) -> None:
        await self.client.aclose()


def _states(reply: list[Any]) -> tuple[BucketState, ...]:
    values = reply[2:]
    return tuple(
        BucketState(int(values[i]), int(values[i + 1]) / MICROSECONDS)
        for i in range(0, len(values), 2)
    )
