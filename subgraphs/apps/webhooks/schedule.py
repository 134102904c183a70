"""When a failed delivery is tried again: the Standard Webhooks schedule, with jitter.

Attempt 1 goes at once; after each failure the next waits the schedule's next delay (5 s, 5 min,
30 min, 2 h, 5 h, 10 h, 10 h), spread by ±`jitter` so that an endpoint coming back from an
outage is not hit by every retry in the same second. After the last attempt fails the delivery
is FAILED; `redeliverWebhook` starts a new round.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

STANDARD_DELAYS: tuple[timedelta, ...] = (
    timedelta(0),
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)


@dataclass(frozen=True)
class RetrySchedule:
    """`delays[n]` is the wait before attempt n+1 (the first is normally zero)."""

    delays: Sequence[timedelta] = STANDARD_DELAYS
    jitter: float = 0.1  # a fraction of the delay
    random: random.Random = field(default_factory=random.Random, compare=False)

    @property
    def attempts(self) -> int:
        return len(self.delays)

    def delay_after(self, failed_attempts: int) -> timedelta | None:
        """The wait after the `failed_attempts`-th failure of a round; None when it was the last."""
        if failed_attempts >= len(self.delays):
            return None
        base = self.delays[failed_attempts]
        spread = base.total_seconds() * self.jitter
        return base + timedelta(seconds=self.random.uniform(-spread, spread))

    @classmethod
    def of_seconds(cls, *seconds: float, jitter: float = 0.0) -> RetrySchedule:
        """A short schedule, for tests and benchmarks that cannot wait minutes."""
        return cls(delays=tuple(timedelta(seconds=value) for value in seconds), jitter=jitter)
