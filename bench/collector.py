"""The gateway's Python cycle collections during the measured window, from its `/metrics`
(`python_gc_collections_total`, prometheus_client's collector of `gc.get_stats()`).

A collection pauses the whole process, and every request in flight waits through it: per-request
reference cycles once made one collection of ~160,000 objects every ~7,000 requests, a ~200 ms
pause that was the gateway's p99 (docs/benchmarks.md, "The p99 tail"). Reported so that cycles
coming back show as collections, not only as a worse p99. Other gateways, and a gateway with
several worker processes (each collects on its own), report nothing.
"""

from __future__ import annotations

import re

import httpx

_COLLECTIONS = re.compile(r'^python_gc_collections_total\{generation="(\d)"\} ([0-9.e+]+)$', re.M)


def parse_collections(exposition: str) -> tuple[int, ...] | None:
    """Collections so far by generation (0, 1, 2); None when the text has none."""
    found = {
        int(generation): float(count) for generation, count in _COLLECTIONS.findall(exposition)
    }
    if not found:
        return None
    return tuple(round(found.get(generation, 0.0)) for generation in range(max(found) + 1))


def collections(graphql_url: str) -> tuple[int, ...] | None:
    """The collections the gateway serving `graphql_url` reports; None when it reports none."""
    url = graphql_url.rsplit("/", 1)[0] + "/metrics"
    try:
        answer = httpx.get(url, timeout=10)
    except httpx.HTTPError:
        return None
    if answer.status_code != 200:
        return None
    return parse_collections(answer.text)


def during(before: tuple[int, ...] | None, after: tuple[int, ...] | None) -> tuple[int, ...] | None:
    if before is None or after is None or len(before) != len(after):
        return None
    return tuple(later - earlier for earlier, later in zip(before, after, strict=True))
