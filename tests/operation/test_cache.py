from __future__ import annotations

import pytest
from graphql import build_schema

from gateway.operation import OperationCache, OperationError, OperationLimits

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


def test_refusals_are_cached_and_raised_each_time() -> None:
    cache = OperationCache(limits=OperationLimits(max_root_fields=1))

    for _ in range(2):
        with pytest.raises(OperationError) as raised:
            cache.prepare("{ hello other }", None, SCHEMA)
        assert raised.value.code == "MAX_ROOT_FIELDS_LIMIT"
    assert len(cache) == 1
