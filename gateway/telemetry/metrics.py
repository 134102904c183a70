"""The gateway's Prometheus metrics and the `/metrics` answer.

With `switchboard serve --workers N` every worker is its own process; prometheus-client's
multi-process mode (`PROMETHEUS_MULTIPROC_DIR`, set by `serve` before the workers start) has
each write its samples to files there, and whichever worker answers `/metrics` adds them all up.

Label values a client chooses (operation names) are bounded: past `MAX_OPERATION_NAMES`
distinct names, new ones are counted as `other`, so a client sending random names cannot grow
the gateway's memory, or the metrics store's, without bound.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from typing import Protocol

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

MULTIPROCESS_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
MAX_OPERATION_NAMES = 256
ANONYMOUS = "anonymous"
OTHER = "other"
UNKNOWN_APP = "unknown"
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)

REQUESTS = Counter(
    "switchboard_requests",
    "GraphQL operations answered, by operation name, outcome "
    "(success, partial, request_error, internal_error) and calling app",
    ["operation", "status", "app"],
)
OPEN_SUBSCRIPTIONS = Gauge(
    "switchboard_open_subscriptions",
    "Subscriptions being streamed to clients now (websocket, SSE and multipart)",
    multiprocess_mode="livesum",
)
STALLED_CONNECTIONS = Counter(
    "switchboard_stalled_connections",
    "Connections aborted because their client read nothing for subscriptions.write_timeout_ms "
    "while the gateway had data for it, by kind (http: SSE, multipart; websocket)",
    ["kind"],
)
REQUEST_DURATION = Histogram(
    "switchboard_request_duration_seconds",
    "Time to answer a GraphQL operation, from its text to the shaped response",
    ["operation"],
    buckets=LATENCY_BUCKETS,
)
SUBGRAPH_FETCH_DURATION = Histogram(
    "switchboard_subgraph_fetch_duration_seconds",
    "Time of one fetch to a subgraph, failed ones included",
    ["subgraph"],
    buckets=LATENCY_BUCKETS,
)
SUBGRAPH_FETCH_ERRORS = Counter(
    "switchboard_subgraph_fetch_errors",
    "Subgraph fetches that gave no usable response, by error code",
    ["subgraph", "code"],
)
CACHE_LOOKUPS = Counter(
    "switchboard_cache_lookups",
    "Operation and query-plan cache lookups, by cache and result (hit, miss)",
    ["cache", "result"],
)
REFUSALS = Counter(
    "switchboard_refusals",
    "Requests refused before execution, by reason (limit, auth, rate_limit, ...) and error code",
    ["reason", "code"],
)

RATE_LIMIT_REFUSALS = Counter(
    "switchboard_rate_limited",
    "Requests refused by a rate limit, by the bucket that was empty "
    "(installation-requests, installation-cost, app-requests, app-cost)",
    ["bucket"],
)
RATE_LIMIT_STORE_ERRORS = Counter(
    "switchboard_rate_limit_store_errors",
    "Rate-limit checks the bucket store (Redis) did not answer; those requests were let through",
)
OPERATION_COST = Histogram(
    "switchboard_operation_cost",
    "Estimated cost of the operations demand control let run",
    buckets=(0, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 10000),
)
USAGE_RECORDS = Counter(
    "switchboard_usage_records",
    "Usage records by what became of them: sent (accepted by the ingestion) or dropped "
    "(buffer_full, ingestion_failed, shutdown)",
    ["result"],
)


def count_refusal(reason: str, code: str) -> None:
    """For the stages that refuse requests (limits, auth, rate limits)."""
    REFUSALS.labels(reason, code).inc()


class OperationNames:
    """The label to record an operation name under, with at most `capacity` distinct ones."""

    def __init__(self, capacity: int = MAX_OPERATION_NAMES) -> None:
        self.capacity = capacity
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def label(self, name: str | None) -> str:
        if not name:
            return ANONYMOUS
        if name in self._seen:
            return name
        with self._lock:
            if len(self._seen) >= self.capacity:
                return OTHER
            self._seen.add(name)
        return name


def exposition() -> tuple[bytes, str]:
    """The text `/metrics` answers, and its content type."""
    if os.environ.get(MULTIPROCESS_VARIABLE):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


class CountingCache(Protocol):
    @property
    def hits(self) -> int: ...

    @property
    def misses(self) -> int: ...


class CacheCounts:
    """Carries the caches' own hit and miss counts into `switchboard_cache_lookups`.

    The caches count with plain integers (the lookup is on every request's path); this adds
    what they counted since the last call to the Prometheus counter. A reload replaces the
    caches, whose counts then start again from zero."""

    def __init__(self) -> None:
        self._seen: dict[str, tuple[CountingCache, int, int]] = {}

    def sync(self, caches: Mapping[str, CountingCache | None]) -> None:
        for name, cache in caches.items():
            if cache is None:
                continue
            previous = self._seen.get(name)
            hits, misses = (0, 0) if previous is None or previous[0] is not cache else previous[1:]
            if cache.hits > hits:
                CACHE_LOOKUPS.labels(name, "hit").inc(cache.hits - hits)
            if cache.misses > misses:
                CACHE_LOOKUPS.labels(name, "miss").inc(cache.misses - misses)
            self._seen[name] = (cache, cache.hits, cache.misses)
