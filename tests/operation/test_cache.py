from __future__ import annotations

import gc
import threading
import tracemalloc

import pytest
from graphql import build_schema

from gateway.operation import OperationCache, OperationError, OperationLimits
from gateway.operation.cache import OFF_LOOP_SOURCE_BYTES

SCHEMA = build_schema("type Query { hello: String, other: Int }")


def test_a_repeated_operation_is_prepared_once() -> None:
    cache = OperationCache()

    first = cache.prepare("{ hello }", None, SCHEMA)

    assert cache.prepare("{ hello }", None, SCHEMA) is first


def test_the_schema_is_part_of_the_key() -> None:
    cache = OperationCache()
    other_schema = build_schema("type Query { hello: String }")

    first = cache.prepare("{ hello }", None, SCHEMA)

    assert cache.prepare("{ hello }", None, other_schema) is not first


def test_the_operation_name_is_part_of_the_key() -> None:
    cache = OperationCache()
    source = "query A { hello } query B { other }"

    assert cache.prepare(source, "A", SCHEMA).name == "A"
    assert cache.prepare(source, "B", SCHEMA).name == "B"


def test_the_least_recently_used_entry_is_evicted() -> None:
    cache = OperationCache(capacity=2)
    hello = cache.prepare("{ hello }", None, SCHEMA)
    cache.prepare("{ other }", None, SCHEMA)
    cache.prepare("{ hello }", None, SCHEMA)
    cache.prepare("{ __typename }", None, SCHEMA)

    assert len(cache) == 2
    assert cache.prepare("{ hello }", None, SCHEMA) is hello


@pytest.mark.parametrize(
    ("source", "code"),
    [
        ("{ hello other }", "MAX_ROOT_FIELDS_LIMIT"),
        ("{ nope }", "GRAPHQL_VALIDATION_FAILED"),
        ("{ hello", "GRAPHQL_PARSE_FAILED"),
    ],
)
def test_refusals_are_raised_each_time_and_never_cached(source: str, code: str) -> None:
    cache = OperationCache(limits=OperationLimits(max_root_fields=1))

    for _ in range(2):
        with pytest.raises(OperationError) as raised:
            cache.prepare(source, None, SCHEMA)
        assert raised.value.code == code
    assert len(cache) == 0
    assert cache.bytes == 0


def large_operation(index: int, fields: int = 400) -> str:
    """About 5 KB of text: distinct per index, so each is its own cache entry."""
    return "{ " + " ".join(f"a{index}_{n}: hello" for n in range(fields)) + " }"


def test_the_cache_counts_the_bytes_its_operations_hold() -> None:
    cache = OperationCache()
    cache.prepare("{ hello }", None, SCHEMA)
    small = cache.bytes
    cache.prepare(large_operation(0), None, SCHEMA)

    assert 0 < small < 50_000
    # Every node, and through the locations every token, of 400 aliased fields.
    assert cache.bytes - small > 400 * 500


def test_the_byte_bound_evicts_the_least_recently_used() -> None:
    cache = OperationCache(max_bytes=2_000_000)
    for index in range(12):
        cache.prepare(large_operation(index), None, SCHEMA)
        assert cache.bytes <= 2_000_000

    assert 0 < len(cache) < 12


def test_an_operation_larger_than_the_whole_budget_is_not_kept() -> None:
    cache = OperationCache(max_bytes=100_000)

    prepared = cache.prepare(large_operation(0), None, SCHEMA)

    assert prepared.name is None
    assert len(cache) == 0


def test_the_bytes_counted_cover_what_python_allocated() -> None:
    """The cache's own count is checked against tracemalloc: what the cached operations pin
    is never more than the cache thinks it holds (plus interpreter slack), so the byte
    bound really bounds memory."""
    cache = OperationCache(max_bytes=10**9)
    sources = [large_operation(index) for index in range(5)]
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for source in sources:
            cache.prepare(source, None, SCHEMA)
        gc.collect()
        pinned = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()

    assert len(cache) == 5
    assert pinned <= cache.bytes * 1.2 + 100_000


async def test_a_large_text_is_prepared_off_the_event_loop() -> None:
    cache = OperationCache()
    loop_thread = threading.get_ident()
    threads: list[int] = []
    original = cache._prepare

    def recording(*arguments: object) -> object:
        threads.append(threading.get_ident())
        return original(*arguments)  # type: ignore[arg-type]

    cache._prepare = recording  # type: ignore[method-assign]
    await cache.prepare_async("{ hello }", None, SCHEMA)
    await cache.prepare_async(large_operation(0), None, SCHEMA)

    assert threads[0] == loop_thread
    assert threads[1] != loop_thread


def test_a_named_operation_is_found_again_under_its_name() -> None:
    cache = OperationCache()
    source = "query A { hello } query B { other }"
    first = cache.prepare(source, "A", SCHEMA)

    assert cache.prepare(source, "A", SCHEMA) is first
    assert cache.prepare(source, "B", SCHEMA) is not first
    assert (cache.hits, cache.misses) == (1, 2)


async def test_the_request_path_uses_the_same_cache() -> None:
    cache = OperationCache()
    source = "query A { hello } query B { other }"
    first = await cache.prepare_async(source, "A", SCHEMA)
    assert await cache.prepare_async(source, "A", SCHEMA) is first
    assert cache.prepare(source, "A", SCHEMA) is first
    other = build_schema("type Query { hello: String, other: Int }")
    assert await cache.prepare_async(source, "A", other) is not first

    large = large_operation(0)
    named = f"query Large {large} query Small {{ hello }}"
    prepared = await cache.prepare_async(named, "Large", SCHEMA)
    assert prepared.name == "Large"
    assert await cache.prepare_async(named, "Large", SCHEMA) is prepared


async def test_a_text_of_exactly_the_threshold_stays_on_the_event_loop() -> None:
    cache = OperationCache()
    threads: list[int] = []
    original = cache._prepare

    def recording(*arguments: object) -> object:
        threads.append(threading.get_ident())
        return original(*arguments)  # type: ignore[arg-type]

    cache._prepare = recording  # type: ignore[method-assign]
    at_threshold = "{ hello }".ljust(OFF_LOOP_SOURCE_BYTES)
    await cache.prepare_async(at_threshold, None, SCHEMA)
    await cache.prepare_async(at_threshold + " ", None, SCHEMA)

    assert threads == [threading.get_ident(), threads[1]]
    assert threads[1] != threading.get_ident()


def test_introspection_is_allowed_unless_the_cache_turns_it_off() -> None:
    assert OperationCache().prepare("{ __schema { queryType { name } } }", None, SCHEMA)
    closed = OperationCache(introspection=False)
    with pytest.raises(OperationError) as refused:
        closed.prepare("{ __schema { queryType { name } } }", None, SCHEMA)
    assert refused.value.code == "GRAPHQL_VALIDATION_FAILED"
