"""Believable demo traffic, generated deterministically from the demo world.

Each app gets a popularity, a typical latency and three of the `OPERATIONS`; each installation
scales its app's traffic and adds its own error rate. Traffic follows a business-hours curve (UTC)
and quiets down at weekends; latencies are log-normal. Every installation draws from its own
`random.Random` seeded with its id, so any slice of the world generates the same numbers for the
same installation as the full seed does.

Stored resolution ages like a real retention policy, to keep the seed fast (SQLite inserts some
70k rows a second; 30 days x 24 hours x 293 installations would take three seconds alone):

- usage rollups: hourly for the newest `HOURLY_DAYS` days, one row per day (span 24 h) before;
- operation and field counters: daily for the newest `HOURLY_DAYS` days, weekly before.

Hours without traffic are skipped. Recorded usage (`recordUsage`) is always hourly.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from subgraphs.demo.world import Installation
from subgraphs.metrics import histogram

HOURLY_DAYS = 7
BASE_REQUESTS_PER_HOUR = 40

# name, schema coordinates the operation touches
OPERATIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "InstallationContext",
        (
            "Query.installation",
            "Installation.grantedScopes",
            "Installation.workspace",
            "Workspace.name",
        ),
    ),
    ("AppProfile", ("Query.app", "App.name", "App.status", "App.listing")),
    ("ListingDetails", ("Query.listing", "Listing.tagline", "Listing.categories", "Category.name")),
    ("RecentReviews", ("Query.app", "App.listing", "Listing.reviews", "Review.rating")),
    (
        "WorkspaceInstallations",
        ("Query.workspace", "Workspace.installations", "Installation.status"),
    ),
    ("UsageDashboard", ("Query.app", "App.usageSummary", "App.topOperations")),
    ("SearchListings", ("Query.searchListings", "Listing.app", "App.name")),
    ("FeaturedApps", ("Query.featuredListings", "Listing.app", "App.slug")),
)
OPERATIONS_PER_APP = 3

# Relative traffic by UTC hour (Europe and the Americas at work) and by weekday (Monday first).
# fmt: off
DIURNAL = (
    0.25, 0.2, 0.18, 0.18, 0.2, 0.25, 0.35, 0.5, 0.7, 0.85, 0.95, 1.0,
    1.05, 1.1, 1.15, 1.15, 1.1, 1.0, 0.9, 0.75, 0.6, 0.5, 0.4, 0.3,
)
# fmt: on
WEEKLY = (1.0, 1.05, 1.05, 1.0, 0.9, 0.4, 0.35)
LATENCY_SIGMA = 0.6
SLOW_HOUR_CHANCE = 0.08
SLOW_HOUR_FACTOR = 1.8


def operation_hash(name: str) -> str:
    return hashlib.sha256(f"query {name}".encode()).hexdigest()


@dataclass(frozen=True)
class LatencyShape:
    """The share of requests per histogram bucket, and the mean, of one log-normal latency."""

    shares: tuple[float, ...]
    mean_ms: float
    modal_bucket: int

    @classmethod
    def log_normal(cls, median_ms: float, sigma: float = LATENCY_SIGMA) -> LatencyShape:
        def below(bound: float) -> float:
            return 0.5 * (1 + math.erf((math.log(bound) - math.log(median_ms)) / (sigma * 2**0.5)))

        cumulative = [below(bound) for bound in histogram.BUCKET_BOUNDS_MS] + [1.0]
        shares = [cumulative[0]] + [b - a for a, b in itertools.pairwise(cumulative)]
        modal = max(range(len(shares)), key=shares.__getitem__)
        return cls(tuple(shares), median_ms * math.exp(sigma**2 / 2), modal)

    def counts(self, requests: int) -> list[int]:
        """`requests` spread over the buckets; the rounding remainder goes to the modal one."""
        counts = [int(requests * share) for share in self.shares]
        counts[self.modal_bucket] += requests - sum(counts)
        return counts


@dataclass(frozen=True)
class AppProfile:
    popularity: float
    median_ms: float
    operations: tuple[tuple[str, tuple[str, ...], float, float], ...]  # name, fields, share, speed

    @classmethod
    def of(cls, app_id: str) -> AppProfile:
        rng = random.Random(f"metrics:app:{app_id}")
        chosen = rng.sample(OPERATIONS, OPERATIONS_PER_APP)
        weights = sorted((rng.uniform(0.2, 1.0) for _ in chosen), reverse=True)
        total = sum(weights)
        return cls(
            popularity=rng.lognormvariate(0, 0.7),
            median_ms=rng.lognormvariate(math.log(70), 0.4),
            operations=tuple(
                (name, fields, weight / total, rng.uniform(0.6, 1.6))
                for (name, fields), weight in zip(chosen, weights, strict=True)
            ),
        )


@dataclass
class SeedRows:
    usage: list[dict[str, Any]]
    operations: list[dict[str, Any]]
    fields: list[dict[str, Any]]


def generate(installations: Iterable[Installation], *, days: int, now: datetime) -> SeedRows:
    rows = SeedRows([], [], [])
    profiles: dict[str, AppProfile] = {}
    calendar = Calendar.of(now - timedelta(days=days), days)
    for installation in installations:
        profile = profiles.get(installation.app_id) or profiles.setdefault(
            installation.app_id, AppProfile.of(installation.app_id)
        )
        _generate_installation(rows, installation, profile, calendar, now)
    return rows


@dataclass(frozen=True)
class Calendar:
    """The seeded hours, computed once for all installations: datetime arithmetic is the
    slowest part of generating a month of traffic per installation."""

    start: datetime
    days: int
    hour_factors: tuple[float, ...]  # expected share of traffic, per hour since `start`

    @classmethod
    def of(cls, start: datetime, days: int) -> Calendar:
        hours = (start + timedelta(hours=index) for index in range(days * 24))
        return cls(start, days, tuple(DIURNAL[h.hour] * WEEKLY[h.weekday()] for h in hours))


def _generate_installation(
    rows: SeedRows,
    installation: Installation,
    profile: AppProfile,
    calendar: Calendar,
    now: datetime,
) -> None:
    rng = random.Random(f"metrics:installation:{installation.id}")
    noise = rng.random
    volume = BASE_REQUESTS_PER_HOUR * profile.popularity * rng.lognormvariate(0, 0.8)
    error_rate = rng.uniform(0.005, 0.03)
    median_ms = profile.median_ms * rng.uniform(0.8, 1.25)
    normal = LatencyShape.log_normal(median_ms)
    slow = LatencyShape.log_normal(median_ms * SLOW_HOUR_FACTOR)
    hourly_from = now - timedelta(days=HOURLY_DAYS)
    first_hour = math.ceil((installation.installed_at - calendar.start) / timedelta(hours=1))
    keys = {"app_id": installation.app_id, "installation_id": installation.id}

    def add_row(start: datetime, span: int, requests: int, slow_requests: int) -> int:
        errors = min(requests, int(requests * error_rate * (0.5 + noise()) + noise()))
        if slow_requests == 0:
            latency = normal.counts(requests)
        elif slow_requests == requests:
            latency = slow.counts(requests)
        else:
            latency = histogram.add(
                normal.counts(requests - slow_requests), slow.counts(slow_requests)
            )
        mean_ms = (requests - slow_requests) * normal.mean_ms + slow_requests * slow.mean_ms
        rows.usage.append(
            {
                **keys,
                "hour_start": start,
                "span_hours": span,
                "requests": requests,
                "errors": errors,
                "total_duration_ms": round(mean_ms * (0.95 + 0.1 * noise()), 1),
                "latency_histogram": latency,
            }
        )
        return errors

    # (counter period start, span in hours) → requests, errors
    per_period: dict[tuple[datetime, int], list[int]] = defaultdict(lambda: [0, 0])
    for day in range(calendar.days):
        day_start = calendar.start + timedelta(days=day)
        hourly = day_start >= hourly_from
        totals = per_period[_counter_period(day_start, calendar.start, hourly_from, now)]
        day_requests = day_slow = 0
        for hour in range(max(day * 24, first_hour), day * 24 + 24):
            expected = volume * calendar.hour_factors[hour] * (0.75 + 0.5 * noise())
            requests = int(expected + noise())
            if requests == 0:
                continue
            slow_requests = requests if noise() < SLOW_HOUR_CHANCE else 0
            if hourly:
                start = calendar.start + timedelta(hours=hour)
                totals[0] += requests
                totals[1] += add_row(start, 1, requests, slow_requests)
            else:
                day_requests += requests
                day_slow += slow_requests
        if day_requests:
            totals[0] += day_requests
            totals[1] += add_row(day_start, 24, day_requests, day_slow)
    operation_shapes = [
        LatencyShape.log_normal(median_ms * speed) for _, _, _, speed in profile.operations
    ]
    for (period, span), (requests, errors) in per_period.items():
        if requests:
            _generate_operations(
                rows, rng, keys, profile, operation_shapes, period, span, requests, errors
            )


def _generate_operations(
    rows: SeedRows,
    rng: random.Random,
    keys: dict[str, str],
    profile: AppProfile,
    shapes: list[LatencyShape],
    period: datetime,
    span: int,
    requests: int,
    errors: int,
) -> None:
    fields: dict[str, int] = defaultdict(int)
    remaining_requests, remaining_errors = requests, errors
    for index, ((name, coordinates, share, _speed), shape) in enumerate(
        zip(profile.operations, shapes, strict=True)
    ):
        last = index == len(profile.operations) - 1
        count = (
            remaining_requests
            if last
            else min(remaining_requests, int(requests * share * rng.uniform(0.9, 1.1)))
        )
        failed = remaining_errors if last else min(remaining_errors, round(errors * share))
        remaining_requests -= count
        remaining_errors -= failed
        if count == 0:
            continue
        rows.operations.append(
            {
                **keys,
                "hour_start": period,
                "operation_hash": operation_hash(name),
                "operation_name": name,
                "span_hours": span,
                "requests": count,
                "errors": min(failed, count),
                "total_duration_ms": round(count * shape.mean_ms, 1),
                "latency_histogram": shape.counts(count),
            }
        )
        for coordinate in coordinates:
            fields[coordinate] += count
    rows.fields.extend(
        {**keys, "hour_start": period, "coordinate": coordinate, "span_hours": span, "requests": n}
        for coordinate, n in fields.items()
    )


def _counter_period(
    hour: datetime, start: datetime, hourly_from: datetime, now: datetime
) -> tuple[datetime, int]:
    """The (start, span in hours) of the operation and field counter row holding `hour`: days
    in the newest week, weeks before it (the oldest clipped to where the seed starts)."""
    if hour >= hourly_from:
        return _period_start(hour, now, days=1), 24
    week = _period_start(hour, hourly_from, days=7)
    clipped = max(week, start)
    return clipped, int((min(week + timedelta(days=7), hourly_from) - clipped) / timedelta(hours=1))


def _period_start(hour: datetime, now: datetime, *, days: int) -> datetime:
    """The start of the `days`-long period holding `hour`, counting back from `now`."""
    periods_back = math.ceil((now - hour) / timedelta(days=days))
    return now - periods_back * timedelta(days=days)
