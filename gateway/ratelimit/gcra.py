"""GCRA (the generic cell rate algorithm): a leaky bucket kept as one number per key.

A bucket of `limit` units refilled over `window` seconds lets one unit through every
`interval = window / limit` seconds, with a burst of `limit` at once. It stores only the
theoretical arrival time (TAT): when the bucket would be full again. Taking `n` units moves
the TAT `n * interval` later; the take is refused when that would put the TAT more than
`window` ahead of now. Remaining units are how far the TAT is from that edge, in intervals.

`take` is all or nothing over several buckets (a request spends from its installation's
request bucket, its cost bucket and its app's buckets at once, or from none); `give_back`
returns units (the part of an estimated cost the operation did not spend).

`MemoryBuckets` keeps the TATs in this process; `gateway.ratelimit.redis_store` keeps them in
Redis, where one Lua script does the same arithmetic atomically for every replica.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

# Float rounding in `tat + amount * interval` must not refuse an exactly full take.
EPSILON = 1e-6
# Past this many keys, expired ones (full buckets) are dropped on the next take.
PRUNE_ABOVE = 10_000


@dataclass(frozen=True, slots=True)
class Take:
    """`amount` units from the bucket at `key`."""

    key: str
    limit: int
    window_seconds: float
    amount: int

    @property
    def interval(self) -> float:
        return self.window_seconds / self.limit


@dataclass(frozen=True, slots=True)
class BucketState:
    remaining: int
    # Seconds until the bucket is full again.
    reset_seconds: float


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    # Seconds to wait before the same take can succeed (0 when allowed).
    retry_after: float
    # One per take, in order: after this take when allowed, as it was when refused.
    states: tuple[BucketState, ...]


class BucketStore(Protocol):
    async def take(self, takes: Sequence[Take]) -> Verdict: ...

    async def give_back(self, takes: Sequence[Take]) -> tuple[BucketState, ...]: ...

    async def close(self) -> None: ...


def state_of(take: Take, tat: float, now: float) -> BucketState:
    ahead = max(tat - now, 0.0)
    remaining = math.floor((take.window_seconds - ahead) / take.interval + 1e-9)
    return BucketState(max(remaining, 0), ahead)


class MemoryBuckets:
    """Buckets in this process: right for one gateway process, not shared by replicas."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._tats: dict[str, float] = {}

    async def take(self, takes: Sequence[Take]) -> Verdict:
        now = self.clock()
        if len(self._tats) > PRUNE_ABOVE:
            self._tats = {key: tat for key, tat in self._tats.items() if tat > now}
        current = [max(self._tats.get(take.key, now), now) for take in takes]
        proposed = [
            tat + take.amount * take.interval for tat, take in zip(current, takes, strict=True)
        ]
        retry = max(
            (
                new - now - take.window_seconds
                for new, take in zip(proposed, takes, strict=True)
                if new - now > take.window_seconds + EPSILON
            ),
            default=0.0,
        )
        if retry > 0:
            states = tuple(state_of(t, tat, now) for t, tat in zip(takes, current, strict=True))
            return Verdict(False, retry, states)
        for take, new in zip(takes, proposed, strict=True):
            self._tats[take.key] = new
        states = tuple(state_of(t, new, now) for t, new in zip(takes, proposed, strict=True))
        return Verdict(True, 0.0, states)

    async def give_back(self, takes: Sequence[Take]) -> tuple[BucketState, ...]:
        now = self.clock()
        states = []
        for take in takes:
            tat = max(self._tats.get(take.key, now) - take.amount * take.interval, now)
            self._tats[take.key] = tat
            states.append(state_of(take, tat, now))
        return tuple(states)

    async def close(self) -> None:
        return None
