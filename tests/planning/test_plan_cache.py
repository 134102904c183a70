"""The plan cache: repeated operations reuse their plan; the cache stays bounded; the enabled
progressive-override labels are part of the key, but only those the supergraph uses."""

from __future__ import annotations

from gateway.operation import prepare
from gateway.operation.prepared import PreparedOperation
from gateway.planning import PlanCache, print_plan
from tests.planning.harness import supergraph


def _prepared(query: str, name: str | None = None, feature: str = "basics") -> PreparedOperation:
    graph = supergraph(feature)
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


def test_without_labels_in_the_supergraph_labels_do_not_split_the_cache() -> None:
    cache = PlanCache(supergraph("basics"))
    operation = _prepared("query Top { topProducts { name } }", "Top")
    assert cache.key(operation) == (operation.hash, "Top", frozenset())
    assert cache.key(operation, frozenset({"percent(50)"})) == cache.key(operation)
    first = cache.get(operation)
    assert cache.get(operation, frozenset({"percent(50)", "beta"})) is first
    assert len(cache) == 1


def test_labels_the_supergraph_uses_are_part_of_the_key() -> None:
    cache = PlanCache(supergraph("override"))
    operation = _prepared("{ invoices { discount } }", feature="override")
    on = frozenset({"percent(50)", "percent(100)"})
    assert cache.key(operation, on | {"not-in-the-supergraph"}) == (operation.hash, None, on)
    planned_on = cache.get(operation, on)
    planned_off = cache.get(operation, frozenset({"percent(100)"}))
    assert cache.get(operation, on | {"not-in-the-supergraph"}) is planned_on
    assert len(cache) == 2
    assert 'Fetch(service: "legacy")' not in print_plan(planned_on)
    assert 'Fetch(service: "legacy")' in print_plan(planned_off)
