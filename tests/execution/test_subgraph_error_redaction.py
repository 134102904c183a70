"""Every subgraph error the executor passes on goes through the redaction policy, wherever it
lands: at a root path, at an entity's objects, without a path, outside every part of a batch.
Subgraph errors as the client sees them: a message and a code even when the subgraph gave none.
tests/server/test_subgraph_errors.py checks the policy's configuration through the server."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.execution.redaction import REDACT_ALL, SubgraphErrorPolicy
from gateway.planning.nodes import Fetch, Sequence
from gateway.planning.passes.batch_fetches import batch
from tests.execution.harness import entity_fetch, flatten, run

LEAK = "(sqlite3.OperationalError) near 'x': SELECT * FROM review"
LEAKY = {"message": LEAK, "extensions": {"code": "INTERNAL_SERVER_ERROR", "sql": "SELECT 1"}}
TOP_PRODUCTS = Fetch("products", "{topProducts{__typename upc name}}")
REVIEWS = entity_fetch("reviews", "Product", ("upc",), "reviews{body}")
QUERY = "{ topProducts { name reviews { body } } }"


def products(_: dict[str, Any]) -> dict[str, Any]:
    return {"data": {"topProducts": [{"__typename": "Product", "upc": "1", "name": "Table"}]}}


def redacted(path: list[Any] | None, service: str = "reviews") -> dict[str, Any]:
    error: dict[str, Any] = {"message": "Subgraph errors redacted"}
    if path is not None:
        error["path"] = path
    error["extensions"] = {"code": "INTERNAL_SERVER_ERROR", "service": service}
    return error


async def test_entity_errors_are_redacted_at_an_entity_and_without_a_path() -> None:
    def reviews(_: dict[str, Any]) -> dict[str, Any]:
        return {
            "data": {"_entities": [{"reviews": None}]},
            "errors": [{**LEAKY, "path": ["_entities", 0, "reviews"]}, LEAKY],
        }

    response, _ = await run(
        Sequence((TOP_PRODUCTS, flatten("topProducts.@", REVIEWS))),
        QUERY,
        {"products": products, "reviews": reviews},
        subgraph_errors=REDACT_ALL,
    )
    assert response["errors"] == [redacted(["topProducts", 0, "reviews"]), redacted(None)]


async def test_an_error_outside_every_part_of_a_batch_is_redacted() -> None:
    plan = Sequence(
        (
            Fetch("products", "{topProducts{__typename upc name}shelf{products{__typename upc}}}"),
            batch((flatten("topProducts.@", REVIEWS), flatten("shelf.products.@", REVIEWS))),
        )
    )

    def products_and_shelf(_: dict[str, Any]) -> dict[str, Any]:
        return {
            "data": {
                "topProducts": [{"__typename": "Product", "upc": "1", "name": "Table"}],
                "shelf": None,
            }
        }

    response, _ = await run(
        plan,
        QUERY,
        {"products": products_and_shelf, "reviews": lambda _: {"data": None, "errors": [LEAKY]}},
        subgraph_errors=REDACT_ALL,
    )
    assert response["errors"] == [redacted(None)]


async def test_a_policy_names_the_service_whose_errors_it_includes() -> None:
    def reviews(_: dict[str, Any]) -> dict[str, Any]:
        return {"data": {"_entities": [{"reviews": None}]}, "errors": [LEAKY]}

    response, _ = await run(
        Sequence((TOP_PRODUCTS, flatten("topProducts.@", REVIEWS))),
        QUERY,
        {"products": products, "reviews": reviews},
        subgraph_errors=SubgraphErrorPolicy(include={"reviews": True}),
    )
    assert response["errors"] == [
        {
            "message": LEAK,
            "extensions": {
                "code": "INTERNAL_SERVER_ERROR",
                "sql": "SELECT 1",
                "service": "reviews",
            },
        }
    ]


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        ({}, {"message": "Subgraph error", "extensions": {"code": "DOWNSTREAM_SERVICE_ERROR"}}),
        (
            {"message": "gone", "extensions": {"code": None, "detail": 1}},
            {"message": "gone", "extensions": {"code": "DOWNSTREAM_SERVICE_ERROR", "detail": 1}},
        ),
        (
            {"message": "gone", "extensions": ["not", "an", "object"]},
            {"message": "gone", "extensions": {"code": "DOWNSTREAM_SERVICE_ERROR"}},
        ),
    ],
    ids=["no message", "null code", "extensions not an object"],
)
async def test_a_subgraph_error_gets_a_message_and_a_code_when_it_has_none(
    error: dict[str, Any], expected: dict[str, Any]
) -> None:
    response, _ = await run(
        Fetch("products", '{product(upc:"1"){name}}'),
        '{ product(upc: "1") { name } }',
        {"products": lambda _: {"data": {"product": None}, "errors": [error]}},
    )
    expected["extensions"]["service"] = "products"
    assert response["errors"] == [expected]
