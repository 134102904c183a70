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
from itertools import repeat
from typing import NamedTuple, Protocol

# Float rounding in `tat + amount * interval` must not refuse an exactly full take.
EPSILON = 1e-6
# Past this many keys, expired ones (full buckets) are dropped on the next take.
PRUNE_ABOVE = 10_000


# Named tuples rather than dataclasses: a request makes several of each, and a tuple is built
# in a third of the time a frozen dataclass takes.
class Take(NamedTuple):
    """`amount` units from the bucket at `key`."""

    key: str
    limit: int
    window_seconds: float
    amount: int
    # `window_seconds / limit`, the seconds one unit stands for: worked out with the caller's
    # buckets (`CallerLimits`), not divided again at each use (a field is read in less than half
    # the time the division takes, measured with timeit).
    interval: float


class BucketState(NamedTuple):
    remaining: int
    # Seconds until the bucket is full again.
    reset_seconds: float


class Verdict(NamedTuple):
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
        tats = self._tats
        current = []
        proposed = []
        retry = 0.0
        for take in takes:
            tat = tats.get(take.key, now)
            if tat < now:
                tat = now
            new = tat + take.amount * take.interval
            late = new - now - take.window_seconds
            if late > EPSILON and late > retry:
                retry = late
            current.append(tat)
            proposed.append(new)
        if retry > 0:
            states = tuple(map(state_of, takes, current, repeat(now)))
            return Verdict(False, retry, states)
        for take, new in zip(takes, proposed, strict=True):
            tats[take.key] = new
        return Verdict(True, 0.0, tuple(map(state_of, takes, proposed, repeat(now))))

    async def give_back(self, takes: Sequence[Take]) -> tuple[BucketState, ...]:
        now = self.clock()
        tats = self._tats
        given = []
        for take in takes:
            tat = tats.get(take.key, now) - take.amount * take.interval
            if tat < now:
                tat = now
            tats[take.key] = tat
            given.append(tat)
        return tuple(map(state_of, takes, given, repeat(now)))

    async def close(self) -> None:
        return None
