"""Shaping counts an operation's actual cost as it writes the response (`shape_cost.py`), and
what it counts is `CostFormula.actual` of that response, the walk it replaces. Random
responses to operations on the platform's supergraph (lists of every length, nulls everywhere,
now and then a value of the wrong type) check the two against each other; hand-built cost
nodes on a small schema check abstract types, leaves that cost, and the cases where shaping
declines to count."""

from __future__ import annotations

import random
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from graphql import (
    FieldNode,
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    InlineFragmentNode,
    SelectionSetNode,
    build_schema,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.demand import compile_cost
from gateway.demand.cost import CostFormula, CostNode, counted, one_node_per_key
from gateway.execution.shape_cost import Costs
from gateway.execution.shape_plan import ShapePlan
from gateway.execution.shaping import ShapingRun
from gateway.operation import OperationCache
from gateway.supergraph import Supergraph

SUPERGRAPH = Path(__file__).resolve().parents[2] / "schema" / "supergraph.graphql"

OPERATIONS = [
    "{ listings(first: 5) { edges { node { id reviews(first: 3) { nodes { rating } } } } } }",
    "query($a: Int) { listings(first: $a) { totalCount pageInfo { hasNextPage } "
    "nodes { id app { name } reviews(first: 2) { nodes { rating author { id } } } } } }",
    "{ featuredListings { id categories { slug } } topApps(limit: 3) { requests app { id } } }",
    # a key selected twice, once in a fragment; an alias; __typename
    """{ listings(first: 5) { nodes {
        reviews(first: 3) { nodes { rating } }
        ... on Listing { reviews(first: 3) { nodes { rating } } tagline }
        first: app { id __typename } kind: __typename
    } } }""",
    "query($skip: Boolean!) { listings(first: 2) { nodes { id app @skip(if: $skip) { name } } } }",
]


@cache
def supergraph() -> Supergraph:
    return Supergraph.from_sdl(SUPERGRAPH.read_text(encoding="utf-8"))


def shape_counting(
    plan: ShapePlan, data: dict[str, Any]
) -> tuple[dict[str, Any] | None, int | None]:
    """The shaped data, and the cost shaping counted (None when it declined)."""
    run = ShapingRun([], lambda _: None, lambda _: False)
    shaped = plan.shape(data, run)
    return shaped, None if run.propagated or not plan.countable else run.cost


class RandomAnswer:
    """Merged subgraph data for a selection set, drawn from `rnd`: lists of 0 to 4 items,
    nulls in nullable and (rarely) non-null positions, and now and then a value of the wrong
    type."""

    def __init__(self, rnd: random.Random) -> None:
        self.rnd = rnd

    def object(self, type_: GraphQLObjectType, selection_set: SelectionSetNode) -> Any:
        if self.rnd.random() < 0.02:
            return "not an object"
        value: dict[str, Any] = {}
        for field in fields_of(selection_set):
            key = (field.alias or field.name).value
            if field.name.value == "__typename":
                value[key] = type_.name
            else:
                value[key] = self.value(type_.fields[field.name.value].type, field.selection_set)
        return value

    def value(self, type_: GraphQLOutputType, selection_set: SelectionSetNode | None) -> Any:
        rnd = self.rnd
        if isinstance(type_, GraphQLNonNull):
            return None if rnd.random() < 0.02 else self.value(type_.of_type, selection_set)
        if rnd.random() < 0.15:
            return None
        if isinstance(type_, GraphQLList):
            return [self.value(type_.of_type, selection_set) for _ in range(rnd.randrange(5))]
        if isinstance(type_, GraphQLObjectType):
            assert selection_set is not None
            return self.object(type_, selection_set)
        if rnd.random() < 0.02:
            return {"not": "a leaf"}
        if isinstance(type_, GraphQLEnumType):
            return next(iter(type_.values))
        assert isinstance(type_, GraphQLScalarType)
        return {"Int": 1, "Float": 1.5, "Boolean": True}.get(type_.name, "text")


def fields_of(selection_set: SelectionSetNode) -> list[FieldNode]:
    """The fields of a selection set on an object type, inline fragments flattened."""
    found: list[FieldNode] = []
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            found.append(selection)
        elif isinstance(selection, InlineFragmentNode):
            found.extend(fields_of(selection.selection_set))
    return found


@settings(max_examples=150, deadline=None)
@given(
    operation_index=st.integers(0, len(OPERATIONS) - 1),
    seed=st.integers(0, 2**32),
    skip=st.booleans(),
)
def test_what_shaping_counts_is_what_the_walk_counts(
    operation_index: int, seed: int, skip: bool
) -> None:
    graph = supergraph()
    schema = graph.api_schema
    operation = OperationCache(16).prepare(OPERATIONS[operation_index], None, schema)
    formula = compile_cost(operation, graph, 10)
    assert formula.one_node_per_key
    root = schema.query_type
    assert root is not None
    variables = {"skip": skip, "a": 3}
    plan = ShapePlan(schema, root, operation.selection_set, variables, costs=formula.counted)
    data = RandomAnswer(random.Random(seed)).object(root, operation.selection_set)
    if not isinstance(data, dict):
        data = {}
    shaped, count = shape_counting(plan, data)
    # Shaping declines to count exactly when it nulled something over an error.
    plain = ShapePlan(schema, root, operation.selection_set, variables)
    run = ShapingRun([], lambda _: None, lambda _: False)
    assert plain.shape(data, run) == shaped
    assert (count is None) == bool(run.errors)
    if count is not None:
        assert formula.actual_counted(shaped, count) == formula.actual(shaped)


SCHEMA = build_schema(
    """
    interface Node { id: ID! }
    type Shop implements Node { id: ID! price: Int items: [Item!] }
    type Person implements Node { id: ID! price: String tags: [[String]] }
    type Item { n: Int }
    union Result = Shop | Person
    type Query { nodes: [Node] result: Result shop: Shop shops: [Shop] }
    """
)
ROOT = SCHEMA.query_type


def plan_of(query: str, costs: Costs) -> ShapePlan:
    operation = OperationCache(16).prepare(query, None, SCHEMA)
    assert ROOT is not None
    return ShapePlan(SCHEMA, ROOT, operation.selection_set, {}, costs=costs)


def walk(nodes: tuple[CostNode, ...], data: dict[str, Any] | None) -> int:
    return CostFormula(0, nodes, (), None, counted(nodes)).actual(data)


ITEMS = CostNode("items", 2, None, (), list_depth=1)
PRICE = CostNode("price", 3, None, ())
TAGS = CostNode("tags", 5, None, (), list_depth=2)


def test_objects_of_an_abstract_type_and_leaves_that_cost_are_counted() -> None:
    nodes = (CostNode("nodes", 1, None, (ITEMS, PRICE, TAGS), (ITEMS, PRICE, TAGS), 1),)
    plan = plan_of(
        "{ nodes { id ... on Shop { price items { n } } ... on Person { tags } } }", nodes
    )
    data = {
        "nodes": [
            {"__typename": "Shop", "id": "1", "price": 4, "items": [{"n": 1}, {"n": None}]},
            None,
            {"__typename": "Person", "id": "2", "tags": [["a", None], None, ["b"]]},
            {"__typename": "Shop", "id": "3", "price": None, "items": None},
        ]
    }
    shaped, count = shape_counting(plan, data)
    # three nodes, one price, two items, two tags
    assert count == 3 * 1 + 3 + 2 * 2 + 2 * 5 == walk(nodes, shaped)


def test_a_union_member_and_an_object_field_are_counted() -> None:
    result = CostNode("result", 4, None, (PRICE,), (PRICE,))
    shop = CostNode("shop", 1, None, (PRICE,), (PRICE,))
    plan = plan_of("{ result { ... on Shop { price } } shop { price } }", (result, shop))
    data = {"result": {"__typename": "Shop", "price": 1}, "shop": {"id": "1", "price": None}}
    shaped, count = shape_counting(plan, data)
    assert count == 4 + 3 + 1 == walk((result, shop), shaped)


def test_a_list_of_objects_counts_the_objects_it_holds() -> None:
    shops = CostNode("shops", 2, None, (PRICE,), (PRICE,), 1)
    plan = plan_of("{ shops { price } }", (shops,))
    data = {"shops": [{"price": 1}, None, {"price": None}, None]}
    shaped, count = shape_counting(plan, data)
    assert count == 2 * 2 + 3 == walk((shops,), shaped)


def test_a_counted_key_answered_as_typename_is_not_counted_while_shaping() -> None:
    """`price` is a field of Shop and `__typename` of Person: the walk counts Person's
    `price` with Shop's node, so shaping leaves the count to it."""
    nodes = (CostNode("nodes", 1, None, (PRICE,), (PRICE,), 1),)
    plan = plan_of("{ nodes { ... on Shop { price } ... on Person { price: __typename } } }", nodes)
    data = {"nodes": [{"__typename": "Shop", "price": 1}]}
    assert shape_counting(plan, data)[1] == 1 + 3
    data = {"nodes": [{"__typename": "Person"}]}
    assert shape_counting(plan, data)[1] is None


def test_a_value_nulled_over_an_error_leaves_the_count_to_the_walk() -> None:
    nodes = (CostNode("shop", 1, None, (ITEMS,), (ITEMS,)),)
    plan = plan_of("{ shop { items { n } } }", nodes)
    assert shape_counting(plan, {"shop": {"items": [{"n": 1}]}})[1] == 1 + 2
    shaped, count = shape_counting(plan, {"shop": {"items": [{"n": 1}, None]}})
    assert (shaped, count) == ({"shop": {"items": None}}, None)


@pytest.mark.parametrize(
    ("nodes", "unique"),
    [
        ((PRICE, CostNode("tags", 5, None, (), list_depth=2)), True),
        ((PRICE, CostNode("price", 3, None, ())), True),  # the same field twice
        ((PRICE, CostNode("price", 1, None, ())), False),  # two fields answering `price`
        ((CostNode("shop", 1, None, (PRICE, CostNode("price", 0, None, ()))),), False),
    ],
)
def test_one_node_per_key(nodes: tuple[CostNode, ...], unique: bool) -> None:
    assert one_node_per_key(nodes) is unique
