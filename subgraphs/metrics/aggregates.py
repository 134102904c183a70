"""Rollup rows in, usage answers out: series, summaries and top-N lists.

Counters are summed and histograms merged in Python, so the same code answers on SQLite and
PostgreSQL (neither can add JSON arrays portably); the rows are already hourly rollups, so even a
platform-wide month is tens of thousands of small rows, not millions of requests.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from subgraphs.metrics import histogram
from subgraphs.metrics.ranges import UsageGranularity, as_utc, bucket_start
from subgraphs.metrics.types import FieldUsage, OperationUsage, UsageBucket, UsageSummary


class Counters(NamedTuple):
    """One rollup row, as read for aggregation (`key` is its subject or operation)."""

    key: str
    hour_start: datetime
    requests: int
    errors: int
    total_duration_ms: float
    latency_histogram: list[int]


class OperationCounters(NamedTuple):
    subject: str
    operation_hash: str
    operation_name: str | None
    requests: int
    errors: int
    latency_histogram: list[int]


@dataclass
class Totals:
    """Counters being summed; histograms are collected and merged once, when asked for."""

    requests: int = 0
    errors: int = 0
    total_duration_ms: float = 0.0
    _histograms: list[Sequence[int]] = field(default_factory=list)

    def add(self, requests: int, errors: int, duration_ms: float, latency: Sequence[int]) -> None:
        self.requests += requests
        self.errors += errors
        self.total_duration_ms += duration_ms
        self._histograms.append(latency)

    @property
    def latency(self) -> list[int]:
        if len(self._histograms) != 1:
            self._histograms = [histogram.merged(self._histograms)]
        return list(self._histograms[0])

    def p50(self) -> float | None:
        return histogram.quantile(self.latency, 0.5)

    def p95(self) -> float | None:
        return histogram.quantile(self.latency, 0.95)


def series(rows: Iterable[Counters], granularity: UsageGranularity) -> list[UsageBucket]:
    buckets: dict[datetime, Totals] = defaultdict(Totals)
    for row in rows:
        start = bucket_start(as_utc(row.hour_start), granularity)
        buckets[start].add(row.requests, row.errors, row.total_duration_ms, row.latency_histogram)
    return [
        UsageBucket(
            start=start,
            requests=totals.requests,
            errors=totals.errors,
            error_rate=round(totals.errors / totals.requests, 5) if totals.requests else 0.0,
            p50_ms=totals.p50(),
            p95_ms=totals.p95(),
            avg_ms=round(totals.total_duration_ms / totals.requests, 1)
            if totals.requests
            else None,
        )
        for start, totals in sorted(buckets.items())
    ]


def summary(rows: Iterable[Counters]) -> UsageSummary:
    totals = Totals()
    for row in rows:
        totals.add(row.requests, row.errors, row.total_duration_ms, row.latency_histogram)
    return UsageSummary(
        requests=totals.requests, errors=totals.errors, p50_ms=totals.p50(), p95_ms=totals.p95()
    )


def top_operations(rows: Iterable[OperationCounters], limit: int) -> list[OperationUsage]:
    """The `limit` most requested operations (ties broken by hash, so the order is stable)."""
    totals: dict[str, Totals] = defaultdict(Totals)
    names: dict[str, str | None] = {}
    for row in rows:
        totals[row.operation_hash].add(row.requests, row.errors, 0.0, row.latency_histogram)
        names[row.operation_hash] = row.operation_name or names.get(row.operation_hash)
    ranked = sorted(totals.items(), key=lambda item: (-item[1].requests, item[0]))[:limit]
    return [
        OperationUsage(
            name=names[operation_hash],
            hash=operation_hash,
            requests=totals.requests,
            errors=totals.errors,
            p95_ms=totals.p95(),
        )
        for operation_hash, totals in ranked
    ]


def top_fields(counts: Iterable[tuple[str, int]], limit: int) -> list[FieldUsage]:
    ranked = sorted(counts, key=lambda item: (-item[1], item[0]))[:limit]
    return [FieldUsage(coordinate=coordinate, requests=requests) for coordinate, requests in ranked]
