"""Latency histograms in fixed buckets, so percentiles of any time range can be computed.

A percentile cannot be averaged across hours, but bucket counts can be added: each rollup row
stores how many requests fell into each bucket, and p50/p95 over any range come from the sum.

Buckets (upper bounds in milliseconds, inclusive; the last bucket is everything slower):

    ≤5 ≤10 ≤25 ≤50 ≤75 ≤100 ≤150 ≤250 ≤400 ≤600 ≤1000 ≤1500 ≤2500 ≤5000 ≤10000 >10000

A quantile is found as Prometheus' `histogram_quantile` does: take the bucket holding the
requested rank and interpolate linearly between its lower and upper bound (the first bucket
starts at 0 ms). A rank in the overflow bucket answers 10000 ms, its lower bound, since the
bucket has no upper one. The error is at most one bucket's width.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence

# fmt: off
BUCKET_BOUNDS_MS: tuple[float, ...] = (
    5, 10, 25, 50, 75, 100, 150, 250, 400, 600, 1000, 1500, 2500, 5000, 10000,
)
# fmt: on
BUCKET_COUNT = len(BUCKET_BOUNDS_MS) + 1


def empty() -> list[int]:
    return [0] * BUCKET_COUNT


def bucket_of(duration_ms: float) -> int:
    """The index of the bucket holding a request that took `duration_ms`."""
    return bisect.bisect_left(BUCKET_BOUNDS_MS, duration_ms)


def add(into: list[int], other: Sequence[int]) -> list[int]:
    """Add `other`'s counts to `into` (in place) and return it."""
    for index, count in enumerate(other):
        into[index] += count
    return into


def merged(histograms: Iterable[Sequence[int]]) -> list[int]:
    """The bucket-wise sum (transposing with `zip` keeps the loop in C: ranges merge tens of
    thousands of rows)."""
    total = [sum(column) for column in zip(*histograms, strict=True)]
    return total or empty()


def quantile(histogram: Sequence[int], q: float) -> float | None:
    """The `q` quantile (0 < q ≤ 1) in milliseconds, or None for an empty histogram."""
    total = sum(histogram)
    if total == 0:
        return None
    rank = q * total
    seen = 0
    for index, count in enumerate(histogram):
        if count and seen + count >= rank:
            if index == len(BUCKET_BOUNDS_MS):
                return BUCKET_BOUNDS_MS[-1]
            lower = BUCKET_BOUNDS_MS[index - 1] if index else 0.0
            upper = BUCKET_BOUNDS_MS[index]
            return round(lower + (upper - lower) * (rank - seen) / count, 1)
        seen += count
    return BUCKET_BOUNDS_MS[-1]
