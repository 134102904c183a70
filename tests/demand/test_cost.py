"""Golden costs of operations on the platform's supergraph, computed by hand from the
`@listSize` the subgraphs declare (schema/supergraph.graphql): connections size `edges` and
`nodes` by `first` (20 when not given), `featuredListings` by `first` (default 6), rankings by
`limit`; objects cost 1, scalars 0, a mutation 10 more; other lists hold the default list size
(10 here)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest

from gateway.demand import compile_cost
from gateway.demand.cost import CostFormula, CostNode
from gateway.operation import OperationCache
from gateway.supergraph import Supergraph

SUPERGRAPH = Path(__file__).resolve().parents[2] / "schema" / "supergraph.graphql"
LIST_SIZE = 10


@cache
def supergraph() -> Supergraph:
    return Supergraph.from_sdl(SUPERGRAPH.read_text(encoding="utf-8"))


def formula(query: str) -> CostFormula:
    operation = OperationCache(16).prepare(query, None, supergraph().api_schema)
    return compile_cost(operation, supergraph(), LIST_SIZE)


GOLDEN: list[tuple[str, str, dict[str, Any], int]] = [
    # listings 1 + 5 edges x (edge 1 + node 1 + reviews 1 + 3 nodes x review 1)
    (
        "nested slicing",
        "{ listings(first: 5) { edges { node { id reviews(first: 3) { nodes { rating } } } } } }",
        {},
        1 + 5 * (1 + 1 + 1 + 3 * 1),
    ),
    # the same sizes from variables: listings 1 + 4 x (node 1 + reviews 1 + 2 x (1 + author 1))
    (
        "slicing variables",
        "query($a: Int, $b: Int) { listings(first: $a) { nodes { reviews(first: $b) "
        "{ nodes { rating author { id } } } } } }",
        {"a": 4, "b": 2},
        1 + 4 * (1 + 1 + 2 * (1 + 1)),
    ),
    # no `first`: the connections' assumedSize, 20; totalCount and pageInfo are one each
    (
        "assumed size",
        "{ listings { totalCount pageInfo { hasNextPage } nodes { id } } }",
        {},
        1 + 1 + 20 * 1,
    ),
    # an unset variable falls back to the assumed size as well
    (
        "unset variable",
        "query($n: Int) { listings(first: $n) { nodes { id } } }",
        {},
        1 + 20 * 1,
    ),
    # featuredListings(first: Int! = 6); categories has no @listSize: the default, 10
    (
        "argument default and default list size",
        "{ featuredListings { id categories { slug } } }",
        {},
        6 * (1 + LIST_SIZE * 1),
    ),
    # a mutation's base cost, 10, plus its object
    (
        "mutation",
        'mutation { createWorkspace(input: {slug: "w", name: "W"}) { id slug } }',
        {},
        10 + 1,
    ),
    # rankings by `limit`: topApps 3 x (AppUsage 1 + app 1)
    ("limit slicing", "{ topApps(limit: 3) { requests app { id } } }", {}, 3 * (1 + 1)),
    # a fragment's fields count where it is spread; __typename is free
    (
        "fragments",
        "query { listing(id: 1) { __typename ...L } } fragment L on Listing { id app { name } }",
        {},
        1 + 1,
    ),
]


@pytest.mark.parametrize(
    ("query", "variables", "expected"),
    [case[1:] for case in GOLDEN],
    ids=[case[0] for case in GOLDEN],
)
def test_golden_estimated_costs(query: str, variables: dict[str, Any], expected: int) -> None:
    assert formula(query).estimate(variables) == expected


def test_an_estimate_without_variable_sizes_is_computed_once() -> None:
    fixed = formula("{ listings(first: 2) { nodes { id } } }")
    assert fixed.fixed == 1 + 2
    assert formula("query($n: Int) { listings(first: $n) { nodes { id } } }").fixed is None


def test_actual_cost_counts_what_the_response_holds() -> None:
    query = (
        "{ listings(first: 5) { edges { node { id reviews(first: 3) { nodes { rating } } } } } }"
    )
    data = {
        "listings": {
            "edges": [
                {"node": {"id": "1", "reviews": {"nodes": [{"rating": 5}, {"rating": 4}]}}},
                {"node": {"id": "2", "reviews": {"nodes": []}}},
            ]
        }
    }
    # listings 1 + edge 1 + node 1 + reviews 1 + 2 reviews + edge 1 + node 1 + reviews 1
    assert formula(query).actual(data) == 1 + (1 + 1 + 1 + 2) + (1 + 1 + 1)
    assert formula(query).actual({"listings": None}) == 0
    assert formula(query).actual(None) == 0


def test_coordinates_name_every_field_selected() -> None:
    touched = formula("{ listings(first: 1) { nodes { id app { name } } } }").coordinates
    assert touched == (
        "App.name",
        "Listing.app",
        "Listing.id",
        "ListingConnection.nodes",
        "Query.listings",
    )


def test_actual_cost_counts_a_key_selected_twice_once() -> None:
    # `reviews` is selected directly and again in a fragment: one value in the response.
    query = """{ listings(first: 5) { nodes {
        reviews(first: 3) { nodes { rating } }
        ... on Listing { reviews(first: 3) { nodes { rating } } tagline }
    } } }"""
    data = {"listings": {"nodes": [{"reviews": {"nodes": [{"rating": 5}]}, "tagline": "t"}]}}
    # listings 1 + listing 1 + reviews 1 + one review 1; the scalars cost nothing
    assert formula(query).actual(data) == 1 + 1 + 1 + 1


def test_actual_cost_of_nested_lists_with_nulls() -> None:
    """A list of lists of objects, nulls at every level, a costly scalar inside: each value
    present counts its weight once, as the recursive definition says."""
    price = CostNode("price", 3, None, (), list_depth=0)
    cell = CostNode("cells", 1, None, (price,), (price,), list_depth=2)
    grid = CostFormula(0, (cell,), ("Grid.cells",), None, (cell,))
    data = {
        "cells": [
            [{"price": 5}, None, {"price": None}],
            None,
            [],
            [{"price": 1}],
        ]
    }
    # three cells (weight 1 each) and two prices (weight 3 each)
    assert grid.actual(data) == 3 * 1 + 2 * 3
    assert grid.actual({"cells": None}) == 0
    assert grid.actual({"cells": [[None], []]}) == 0


def test_actual_cost_of_a_response_not_of_the_operations_shape() -> None:
    """Shaping never produces one, but a value of another shape is still counted, value by
    value as the definition says, rather than failing the request."""
    price = CostNode("price", 3, None, (), list_depth=0)
    cell = CostNode("cells", 1, None, (price,), (price,), list_depth=2)
    grid = CostFormula(0, (cell,), ("Grid.cells",), None, (cell,))
    data = {"cells": [[{"price": 5}], "not a list", 7]}
    # the cell and its price, and two values that count as cells
    assert grid.actual(data) == (1 + 3) + 1 + 1 == cell.actual(data["cells"])
