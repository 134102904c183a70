"""The fast subgraphs answer exactly what graphql-core's executor answers over the same data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from bench.subgraphs import SUBGRAPHS
from bench.subgraphs.app import SubgraphApp
from bench.subgraphs.executor import SubgraphExecutor
from tests.bench.subgraphs.reference import reference_execute, reference_schema

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
# Every distinct request each gateway sent the subgraphs during a benchmark run
# (`python -m bench --record-subgraph-requests FILE`).
RECORDINGS = ("apollo_subgraph_requests.jsonl", "switchboard_subgraph_requests.jsonl")


def _recorded_requests() -> list[tuple[str, dict[str, Any]]]:
    lines = [line for name in RECORDINGS for line in (FIXTURES / name).read_bytes().splitlines()]
    return [(entry["subgraph"], entry["request"]) for entry in map(orjson.loads, lines)]


def assert_same_as_reference(
    subgraph: str, query: str, variables: dict[str, Any] | None = None, name: str | None = None
) -> dict[str, Any]:
    definition = SUBGRAPHS[subgraph]
    fast = SubgraphExecutor(definition).execute(query, name, variables)
    expected = reference_execute(reference_schema(definition), query, name, variables)
    assert fast == expected
    # Key order is part of the answer a gateway reads: it must follow the selection.
    assert orjson.dumps(fast) == orjson.dumps(expected)
    return fast


@pytest.mark.parametrize(
    ("subgraph", "request_body"),
    _recorded_requests(),
    ids=lambda value: value if isinstance(value, str) else value.get("operationName") or "sdl",
)
def test_every_request_a_gateway_sent_is_answered_like_graphql_core(
    subgraph: str, request_body: dict[str, Any]
) -> None:
    assert_same_as_reference(
        subgraph,
        request_body["query"],
        request_body.get("variables"),
        request_body.get("operationName"),
    )


def test_aliases_typename_and_nested_fragments_on_entities() -> None:
    data = assert_same_as_reference(
        "reviews",
        """
        query Fetch($representations: [_Any!]!) {
          _entities(representations: $representations) {
            __typename
            ... on User { who: id writes: reviews { ...Review } }
            ... ProductReviews
          }
        }
        fragment ProductReviews on Product { upc reviews { ...Review } }
        fragment Review on Review {
          __typename id
          author { __typename username }
          product { upc ... on Product { kind: __typename } }
        }
        """,
        {
            "representations": [
                {"__typename": "User", "id": "3"},
                {"__typename": "Product", "upc": "4"},
                {"__typename": "User", "id": "unknown"},
            ]
        },
    )
    entities = data["data"]["_entities"]
    assert entities[0]["who"] == "3"
    assert entities[1]["reviews"][0]["product"]["kind"] == "Product"
    assert entities[2] is None


@pytest.mark.parametrize("hide_name", [True, False])
def test_skip_and_include_follow_their_variables(hide_name: bool) -> None:
    data = assert_same_as_reference(
        "products",
        """
        query Top($first: Int, $hide: Boolean!) {
          topProducts(first: $first) {
            upc
            name @skip(if: $hide)
            price @include(if: $hide)
            weight @include(if: false)
          }
        }
        """,
        {"first": 3, "hide": hide_name},
    )
    product = data["data"]["topProducts"][0]
    assert ("name" in product) is not hide_name
    assert "weight" not in product


def test_argument_defaults_and_literals() -> None:
    data = assert_same_as_reference(
        "products", "{ five: topProducts { upc } two: topProducts(first: 2) { upc } }"
    )
    assert len(data["data"]["five"]) == 5
    assert len(data["data"]["two"]) == 2


def test_requires_reads_the_representation() -> None:
    data = assert_same_as_reference(
        "inventory",
        """query($r: [_Any!]!) { _entities(representations: $r) {
             ... on Product { upc inStock shippingEstimate } } }""",
        {
            "r": [
                {"__typename": "Product", "upc": "1", "price": 2000, "weight": 10},
                {"__typename": "Product", "upc": "4", "price": 100, "weight": 10},
            ]
        },
    )
    assert [entity["shippingEstimate"] for entity in data["data"]["_entities"]] == [0, 5]


def test_service_sdl_is_the_subgraph_sdl() -> None:
    data = assert_same_as_reference("accounts", "{ _service { sdl } me { name } }")
    assert data["data"]["_service"]["sdl"] == SUBGRAPHS["accounts"].sdl


def test_invalid_operations_get_errors_not_data() -> None:
    executor = SubgraphExecutor(SUBGRAPHS["accounts"])
    assert "errors" in executor.execute("{ users { password } }")
    assert "errors" in executor.execute("{ users { ")
    assert "errors" in executor.execute("query($id: ID!) { me { id } }", None, {})


@pytest.mark.parametrize("cache", [True, False])
def test_the_response_cache_does_not_change_answers(cache: bool) -> None:
    app = SubgraphApp(SUBGRAPHS["reviews"], cache=cache)
    for subgraph, request_body in _recorded_requests():
        if subgraph != "reviews":
            continue
        body = orjson.dumps(request_body)
        first, second = app.answer(body), app.answer(body)
        assert first == second
        assert first[0] == 200
        assert orjson.loads(first[1]) == SubgraphExecutor(SUBGRAPHS["reviews"]).execute(
            request_body["query"], request_body.get("operationName"), request_body.get("variables")
        )


def test_a_body_that_is_not_a_request_is_a_400() -> None:
    app = SubgraphApp(SUBGRAPHS["products"])
    assert app.answer(b"not json")[0] == 400
    assert app.answer(b'{"variables": {}}')[0] == 400
