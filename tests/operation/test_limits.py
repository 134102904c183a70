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


def refusal(source: str, **limits: int) -> tuple[str, str] | None:
    """The code and message of the limit the operation exceeds, or None when it passes."""
    try:
        prepare(source, None, SCHEMA, OperationLimits(**limits))
    except OperationError as error:
        return error.code, error.errors[0].message
    return None


NESTED = "{ products { reviews { body } } }"  # three selection sets, as written and expanded
# Two selection sets deep as written, four once F is inlined (inside an inline fragment).
NESTED_IN_FRAGMENTS = """
    { products { ... on Product { ...F } } }
    fragment F on Product { reviews { body } }
"""


def test_the_parser_recursion_limit_refuses_one_level_past_it() -> None:
    assert refusal(NESTED, parser_max_recursion=3) is None
    assert refusal(NESTED, parser_max_recursion=2) == (
        "GRAPHQL_PARSE_FAILED",
        "Document is nested too deeply (parser recursion limit reached).",
    )


def test_nesting_added_by_fragments_is_refused_before_they_are_inlined() -> None:
    assert refusal(NESTED_IN_FRAGMENTS, parser_max_recursion=5) is None
    assert refusal(NESTED_IN_FRAGMENTS, parser_max_recursion=4) == (
        "MAX_DEPTH_LIMIT",
        "Selections are nested too deeply once fragments are inlined",
    )


def test_the_height_limit_counts_every_field_selection() -> None:
    source = "{ products { upc name } }"  # three field selections
    assert refusal(source, max_height=3) is None
    assert refusal(source, max_height=2) == (
        "MAX_HEIGHT_LIMIT",
        "Maximum height (field count) limit exceeded in this operation",
    )
    spread_twice = "{ products { ...F } other: products { ...F } } fragment F on Product { upc }"
    assert refusal(spread_twice, max_height=4) is None
    assert refusal(spread_twice, max_height=3) is not None


def test_the_other_limits_name_themselves() -> None:
    assert refusal(NESTED, max_depth=2) == (
        "MAX_DEPTH_LIMIT",
        "Maximum depth limit exceeded in this operation",
    )
    assert refusal("{ a: products { upc } }", max_aliases=0) == (
        "MAX_ALIASES_LIMIT",
        "Maximum aliases limit exceeded in this operation",
    )
    assert refusal("{ products { upc } a: products { upc } }", max_root_fields=1) == (
        "MAX_ROOT_FIELDS_LIMIT",
        "Maximum root fields limit exceeded in this operation",
    )


def test_a_selection_set_emptied_by_a_literal_skip_adds_no_depth() -> None:
    assert refused("{ products { upc @skip(if: true) } }", max_depth=1) is None
    assert refused("{ products { upc @skip(if: true) } }", max_depth=0) == "MAX_DEPTH_LIMIT"
