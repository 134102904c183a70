"""Shaping reuses what it works out per operation; what a request sees must not depend on
which request came first (the cache is keyed by the `@skip`/`@include` variables' values)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from gateway.execution import HttpSubgraphClient, execute
from gateway.execution.client import SubgraphRequest, SubgraphResponse
from gateway.operation import prepare
from gateway.planning.nodes import Fetch, QueryPlan
from tests.execution.harness import SCHEMA, Subgraphs, supergraph

QUERY = """
query ($show: Boolean!, $hide: Boolean!) {
  product(upc: "1") {
    upc
    name @include(if: $show)
    price @skip(if: $hide)
    ... on Product @include(if: $show) { color }
  }
}
"""
PRODUCT = {"upc": "1", "name": "T", "price": 10, "color": "RED"}


async def answer(operation: Any, variables: dict[str, Any]) -> dict[str, Any]:
    subgraphs = Subgraphs(
        {"products": lambda _: {"data": {"product": dict(PRODUCT)}}},
    )
    client = HttpSubgraphClient(transport=httpx.MockTransport(subgraphs))
    try:
        return await execute(
            QueryPlan(Fetch("products", '{product(upc:"1"){upc name price color}}')),
            operation,
            variables,
            supergraph("products"),
            client,
        )
    finally:
        await client.aclose()


async def test_one_operation_answers_each_combination_of_conditions() -> None:
    operation = prepare(QUERY, None, SCHEMA)
    cases = [
        ({"show": True, "hide": False}, {"upc": "1", "name": "T", "price": 10, "color": "RED"}),
        ({"show": False, "hide": False}, {"upc": "1", "price": 10}),
        ({"show": True, "hide": True}, {"upc": "1", "name": "T", "color": "RED"}),
        ({"show": False, "hide": True}, {"upc": "1"}),
    ]
    # Twice round, so every combination is also answered after the others were cached.
    for variables, expected in [*cases, *reversed(cases)]:
        response = await answer(operation, variables)
        assert response == {"data": {"product": expected}}, variables


async def test_a_malformed_value_is_reported_each_time_the_plan_is_reused() -> None:
    operation = prepare('{ product(upc: "1") { upc price } }', None, SCHEMA)
    subgraphs = Subgraphs(
        {"products": lambda _: {"data": {"product": {"upc": "1", "price": "ten"}}}},
    )
    client = HttpSubgraphClient(transport=httpx.MockTransport(subgraphs))
    plan = QueryPlan(Fetch("products", '{product(upc:"1"){upc price}}'))
    try:
        responses = [
            await execute(plan, operation, None, supergraph("products"), client) for _ in range(2)
        ]
    finally:
        await client.aclose()
    for response in responses:
        assert response == {
            "data": {"product": {"upc": "1", "price": None}},
            "errors": [
                {
                    "message": "Subgraph response from 'products' was malformed: "
                    "Product.price expected Int",
                    "path": ["product", "price"],
                    "extensions": {"code": "SUBREQUEST_MALFORMED_RESPONSE", "service": "products"},
                }
            ],
        }


class Count(int):
    """An int of another class, as a client that is not JSON's may hand over (an IntEnum)."""


class Answering:
    """A subgraph client answering the price it is given, as it is (no JSON on the way)."""

    def __init__(self, price: Any) -> None:
        self.price = price

    async def fetch(self, graph: Any, request: SubgraphRequest) -> SubgraphResponse:
        return SubgraphResponse({"product": {"upc": "1", "price": self.price}})


@pytest.mark.parametrize(
    ("price", "valid"),
    [
        (Count(2**31 - 1), True),
        (Count(-(2**31)), True),
        (Count(2**31), False),
        (Count(-(2**31) - 1), False),
    ],
)
async def test_an_int_of_another_class_is_held_to_32_bits_too(price: int, valid: bool) -> None:
    response = await execute(
        QueryPlan(Fetch("products", '{product(upc:"1"){upc price}}')),
        prepare('{ product(upc: "1") { upc price } }', None, SCHEMA),
        {},
        supergraph("products"),
        Answering(price),
    )
    if valid:
        assert response == {"data": {"product": {"upc": "1", "price": price}}}
    else:
        assert response["data"] == {"product": {"upc": "1", "price": None}}
        assert [error["message"] for error in response["errors"]] == [
            "Subgraph response from 'products' was malformed: Product.price expected Int"
        ]
