"""The plan cache: repeated operations reuse their plan; the cache stays bounded."""

from __future__ import annotations

from gateway.operation import prepare
from gateway.planning import PlanCache
from tests.planning.harness import supergraph


def _prepared(query: str, name: str | None = None):
    graph = supergraph("basics")
    return prepare(query, name, graph.api_schema)


def test_repeated_operation_returns_the_cached_plan() -> None:
    cache = PlanCache(supergraph("basics"))
    first = cache.get(_prepared("{ topProducts { name } }"))
    again = cache.get(_prepared("{ topProducts { name } }"))
    assert again is first
    assert len(cache) == 1


def test_cache_evicts_least_recently_used_beyond_capacity() -> None:
    cache = PlanCache(supergraph("basics"), capacity=2)
    kept = cache.get(_prepared("{ topProducts { name } }"))
    cache.get(_prepared("{ me { name } }"))
    cache.get(_prepared("{ topProducts { name } }"))
    cache.get(_prepared("{ topProducts { upc } }"))
    assert len(cache) == 2
    assert cache.get(_prepared("{ topProducts { name } }")) is kept
