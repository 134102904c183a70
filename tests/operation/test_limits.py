"""Operation limits count what the operation asks for wherever it asks for it: aliases and depth
at every level, through inline fragments and named fragments alike, so moving a selection down a
level or into a fragment does not get around them."""

from __future__ import annotations

import pytest

from gateway.operation import OperationError, OperationLimits, prepare
from tests.operation.test_prepare import SCHEMA

NESTED_ALIASES = {
    "root": '{ a: product(upc: "1") { upc } }',
    "second level": "{ products { b: upc } }",
    "third level": "{ products { reviews { c: body } } }",
    "fourth level": "{ products { reviews { product { d: upc } } } }",
    "inline fragment": '{ node(id: "1") { ... on Product { e: upc } } }',
    "named fragment": "{ products { ...F } } fragment F on Product { reviews { f: id } }",
}


def refused(source: str, **limits: int) -> str | None:
    """The code of the limit the operation exceeds, or None when it passes."""
    try:
        prepare(source, None, SCHEMA, OperationLimits(**limits))
    except OperationError as error:
        return error.code
    return None


@pytest.mark.parametrize("source", NESTED_ALIASES.values(), ids=NESTED_ALIASES.keys())
def test_an_alias_is_counted_at_any_depth(source: str) -> None:
    assert refused(source, max_aliases=0) == "MAX_ALIASES_LIMIT"
    assert refused(source, max_aliases=1) is None


def test_aliases_add_up_across_levels() -> None:
    source = "{ a: products { b: reviews { c: body d: id } } }"

    assert refused(source, max_aliases=3) == "MAX_ALIASES_LIMIT"
    assert refused(source, max_aliases=4) is None


def test_a_fragment_spread_twice_counts_its_aliases_twice() -> None:
    source = """
        { products { ...F } other: products { ...F } }
        fragment F on Product { x: upc }
    """

    # `other` plus `x` under each of the two fields.
    assert refused(source, max_aliases=2) == "MAX_ALIASES_LIMIT"
    assert refused(source, max_aliases=3) is None


def test_depth_counts_through_inline_fragments() -> None:
    source = '{ node(id: "1") { ... on Product { reviews { product { upc } } } } }'

    assert refused(source, max_depth=3) == "MAX_DEPTH_LIMIT"
    assert refused(source, max_depth=4) is None


def test_root_fields_count_through_inline_fragments() -> None:
    source = '{ ... on Query { products { upc } } product(upc: "1") { upc } }'

    assert refused(source, max_root_fields=1) == "MAX_ROOT_FIELDS_LIMIT"
    assert refused(source, max_root_fields=2) is None


def test_nested_fields_are_not_root_fields() -> None:
    assert refused("{ products { upc name id } }", max_root_fields=1) is None


def test_the_first_limit_exceeded_is_the_one_reported() -> None:
    # Depth is checked before aliases, aliases before root fields.
    source = '{ a: products { reviews { body } } b: product(upc: "1") { upc } }'

    assert refused(source, max_depth=1, max_aliases=0, max_root_fields=0) == "MAX_DEPTH_LIMIT"
    assert refused(source, max_aliases=0, max_root_fields=0) == "MAX_ALIASES_LIMIT"
