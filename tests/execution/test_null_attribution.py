"""Which null a subgraph's error explains: a non-null field left absent because the subgraph
nulled its object over an error at another field gets no error of its own; any other null in
a non-null position does (`PlanRun.nulled_by_subgraph`, `nulled_entities`).
tests/platform/test_null_attribution.py checks the same against the platform's subgraphs."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.planning.nodes import Fetch, Sequence
from gateway.planning.passes.batch_fetches import batch
from tests.execution.harness import entity_fetch, flatten, run

TOP_PRODUCTS = Fetch("products", "{topProducts{__typename upc name}}")
STOCK = entity_fetch("reviews", "Product", ("upc",), "inStock reviews{body}")
PLAN = Sequence((TOP_PRODUCTS, flatten("topProducts.@", STOCK)))
ORDERS = {
    "failing-last": "{ topProducts { name inStock reviews { body } } }",
    "failing-first": "{ topProducts { name reviews { body } inStock } }",
}


def products(*upcs: str, **fields: Any) -> Any:
    listed = [{"__typename": "Product", "upc": upc, "name": f"P{upc}", **fields} for upc in upcs]
    return lambda _: {"data": {"topProducts": listed}}


def answer(entities: list[Any] | None, *paths: list[Any] | None) -> Any:
    errors = [
        {"message": "no reviews"} if path is None else {"message": "no reviews", "path": path}
        for path in paths
    ]
    return lambda _: {
        "data": None if entities is None else {"_entities": entities},
        "errors": errors,
    }


def validation(index: int) -> dict[str, Any]:
    return {
        "message": "Cannot return null for non-nullable field Product.inStock.",
        "path": ["topProducts", index, "inStock"],
        "extensions": {"code": "RESPONSE_VALIDATION_FAILED"},
    }


def subgraph(path: list[Any] | None) -> dict[str, Any]:
    error: dict[str, Any] = {"message": "no reviews"}
    if path is not None:
        error["path"] = path
    error["extensions"] = {"code": "DOWNSTREAM_SERVICE_ERROR", "service": "reviews"}
    return error


async def ask(query: str, products_handler: Any, reviews_handler: Any) -> dict[str, Any]:
    response, _ = await run(PLAN, query, {"products": products_handler, "reviews": reviews_handler})
    return response


@pytest.mark.parametrize("query", ORDERS.values(), ids=ORDERS)
async def test_an_entity_nulled_over_an_error_at_another_field_gets_no_error_of_its_own(
    query: str,
) -> None:
    response = await ask(
        query,
        products("1", "2", "1"),
        answer([None, {"inStock": True, "reviews": []}], ["_entities", 0, "reviews"]),
    )
    # `inStock` is non-null, and so is each item of `topProducts`: the null reaches `data`.
    assert response == {
        "data": None,
        "errors": [
            subgraph(["topProducts", 0, "reviews"]),
            subgraph(["topProducts", 2, "reviews"]),
        ],
    }


async def test_a_null_the_entity_fetch_did_not_cause_is_still_reported() -> None:
    # The products subgraph answered `inStock: null` itself; the reviews subgraph then nulled
    # the entity over another field. The null of `inStock` is not the reviews error's.
    response = await ask(
        ORDERS["failing-last"],
        products("1", inStock=None),
        answer([None], ["_entities", 0, "reviews"]),
    )
    assert response == {
        "data": None,
        "errors": [subgraph(["topProducts", 0, "reviews"]), validation(0)],
    }


async def test_a_null_entity_no_error_points_at_is_reported() -> None:
    # The error is at the second entity (the entity itself): the first, null without an error,
    # is the subgraph's fault. (Shaping stops at the first null item of the non-null list.)
    response = await ask(
        ORDERS["failing-last"], products("1", "2"), answer([None, None], ["_entities", 1])
    )
    assert response == {"data": None, "errors": [subgraph(["topProducts", 1]), validation(0)]}


@pytest.mark.parametrize(
    "path",
    [None, ["_entities"], ["topProducts", 0]],
    ids=["no path", "no index", "not under _entities"],
)
async def test_an_error_that_points_at_no_entity_explains_every_null_one(
    path: list[Any] | None,
) -> None:
    response = await ask(
        ORDERS["failing-last"],
        products("1", "2", "3"),
        answer([{"inStock": True, "reviews": []}, None, None], path),
    )
    assert response == {"data": None, "errors": [subgraph(None)]}


async def test_an_error_at_an_index_that_is_not_a_number_explains_no_null() -> None:
    response = await ask(
        ORDERS["failing-last"], products("1"), answer([None], ["_entities", "0", "reviews"])
    )
    assert response == {"data": None, "errors": [subgraph(None), validation(0)]}


async def test_an_answer_without_entities_explains_every_one_of_them() -> None:
    response = await ask(
        ORDERS["failing-last"], products("1", "2"), answer(None, ["_entities", 0, "reviews"])
    )
    assert response == {"data": None, "errors": [subgraph(["topProducts", 0, "reviews"])]}


async def test_a_root_field_nulled_with_its_sibling_gets_no_error_of_its_own() -> None:
    response, _ = await run(
        Fetch("products", "{topProducts{upc} search{__typename}}"),
        "{ topProducts { upc } search { __typename } }",
        {"products": lambda _: {"data": None, "errors": [{"message": "bad", "path": ["search"]}]}},
    )
    assert response == {
        "data": None,
        "errors": [
            {
                "message": "bad",
                "path": ["search"],
                "extensions": {"code": "DOWNSTREAM_SERVICE_ERROR", "service": "products"},
            }
        ],
    }


async def test_a_batch_error_outside_every_part_explains_each_null_entity() -> None:
    stock = entity_fetch("reviews", "Product", ("upc",), "inStock")
    plan = Sequence(
        (
            Fetch("products", "{topProducts{__typename upc name}shelf{products{__typename upc}}}"),
            batch((flatten("topProducts.@", stock), flatten("shelf.products.@", stock))),
        )
    )

    def products_and_shelf(_: dict[str, Any]) -> dict[str, Any]:
        return {
            "data": {
                "topProducts": [{"__typename": "Product", "upc": "1", "name": "P1"}],
                "shelf": {"products": [{"__typename": "Product", "upc": "2"}]},
            }
        }

    response, _ = await run(
        plan,
        "{ topProducts { name inStock } shelf { products { inStock } } }",
        {
            "products": products_and_shelf,
            "reviews": lambda _: {
                "data": {"_0": [{"inStock": True}], "_1": [None]},
                "errors": [{"message": "partly down"}],
            },
        },
    )
    # The shelf's product is null with the batch's error: nothing else is reported for it.
    assert response == {
        "data": {"topProducts": [{"name": "P1", "inStock": True}], "shelf": None},
        "errors": [subgraph(None) | {"message": "partly down"}],
    }
