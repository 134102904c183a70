"""The retry schedule: Standard Webhooks' delays, spread by jitter, then give up."""

from __future__ import annotations

import random
from datetime import timedelta

from subgraphs.apps.webhooks.schedule import STANDARD_DELAYS, RetrySchedule


def test_the_standard_schedule_has_eight_attempts() -> None:
    assert [delay.total_seconds() for delay in STANDARD_DELAYS] == [
        0,
        5,
        300,
        1800,
        7200,
        18000,
        36000,
        36000,
    ]
    assert RetrySchedule().attempts == 8


def test_delays_are_jittered_within_bounds_and_end() -> None:
    schedule = RetrySchedule(jitter=0.1, random=random.Random(7))
    for failed in range(1, 8):
        base = STANDARD_DELAYS[failed]
        delays = {schedule.delay_after(failed) for _ in range(20)}
        assert all(base * 0.9 <= delay <= base * 1.1 for delay in delays if delay is not None)
        assert len(delays) > 1 or base == timedelta(0)
    assert schedule.delay_after(8) is None


def test_a_short_schedule_for_tests() -> None:
    schedule = RetrySchedule.of_seconds(0, 0.05)
    assert schedule.delay_after(1) == timedelta(seconds=0.05)
    assert schedule.delay_after(2) is None
