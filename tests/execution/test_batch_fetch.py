"""A `BatchFetch` (entity fetches of one step to one subgraph, `passes/batch_fetches.py`) goes
as one request; its answer is split back to each part's objects, and errors reach the paths they
would have had with one request per fetch."""

from __future__ import annotations

from typing import Any

import httpx

from gateway.planning.nodes import Fetch, Sequence
from gateway.planning.passes.batch_fetches import batch
from tests.execution.harness import entity_fetch, flatten, run

PRODUCTS = Fetch(
    "products", "{topProducts{__typename upc name}shelf{products{__typename upc name}}}"
)
REVIEWS = entity_fetch("reviews", "Product", ("upc",), "reviews{body}")
PLAN = Sequence(
    (PRODUCTS, batch((flatten("topProducts.@", REVIEWS), flatten("shelf.products.@", REVIEWS))))
)
QUERY = "{ topProducts { name reviews { body } } shelf { products { name reviews { body } } } }"


def products(_: dict[str, Any]) -> dict[str, Any]:
    def product(upc: str, name: str) -> dict[str, str]:
        return {"__typename": "Product", "upc": upc, "name": name}

    return {
        "data": {
            "topProducts": [product("1", "Table"), product("2", "Chair")],
            "shelf": {"products": [product("2", "Chair"), product("3", "Lamp")]},
        }
    }


def reviews_of(representations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"reviews": [{"body": f"About {item['upc']}"}]} for item in representations]


def answered(body: dict[str, Any]) -> dict[str, Any]:
    variables = body["variables"]
    return {
        "data": {
            "_0": reviews_of(variables["representations0"]),
            "_1": reviews_of(variables["representations1"]),
        }
    }


def reviewed(name: str, body: str | None) -> dict[str, Any]:
    return {"name": name, "reviews": None if body is None else [{"body": body}]}


async def test_one_request_answers_every_part() -> None:
    response, subgraphs = await run(PLAN, QUERY, {"products": products, "reviews": answered})

    assert response == {
        "data": {
            "topProducts": [reviewed("Table", "About 1"), reviewed("Chair", "About 2")],
            "shelf": {"products": [reviewed("Chair", "About 2"), reviewed("Lamp", "About 3")]},
        }
    }
    assert subgraphs.requests["reviews"] == [
        {
            "query": (
                "query($representations0:[_Any!]!$representations1:[_Any!]!)"
                "{_0:_entities(representations:$representations0){...on Product{reviews{body}}}"
                "_1:_entities(representations:$representations1){...on Product{reviews{body}}}}"
            ),
            "variables": {
                "representations0": [
                    {"__typename": "Product", "upc": "1"},
                    {"__typename": "Product", "upc": "2"},
                ],
                "representations1": [
                    {"__typename": "Product", "upc": "2"},
                    {"__typename": "Product", "upc": "3"},
                ],
            },
        }
    ]


async def test_errors_reach_the_paths_of_their_part() -> None:
    def with_errors(body: dict[str, Any]) -> dict[str, Any]:
        answer = answered(body)
        answer["data"]["_1"][1] = None
        answer["errors"] = [
            {"message": "no reviews for 1", "path": ["_0", 0, "reviews"]},
            {"message": "lamp is gone", "path": ["_1", 1]},
        ]
        return answer

    response, _ = await run(PLAN, QUERY, {"products": products, "reviews": with_errors})

    assert response["data"] == {
        "topProducts": [reviewed("Table", "About 1"), reviewed("Chair", "About 2")],
        "shelf": {"products": [reviewed("Chair", "About 2"), reviewed("Lamp", None)]},
    }
    assert response["errors"] == [
        {
            "message": "no reviews for 1",
            "path": ["topProducts", 0, "reviews"],
            "extensions": {"code": "DOWNSTREAM_SERVICE_ERROR", "service": "reviews"},
        },
        {
            "message": "lamp is gone",
            "path": ["shelf", "products", 1],
            "extensions": {"code": "DOWNSTREAM_SERVICE_ERROR", "service": "reviews"},
        },
    ]


async def test_a_failed_request_fails_every_part_at_each_object() -> None:
    response, _ = await run(
        PLAN, QUERY, {"products": products, "reviews": lambda _: httpx.Response(503)}
    )

    error = {
        "message": "HTTP fetch failed from 'reviews': 503 Service Unavailable",
        "extensions": {
            "code": "SUBREQUEST_HTTP_ERROR",
            "service": "reviews",
            "http": {"status": 503},
        },
    }
    assert response == {
        "data": {
            "topProducts": [reviewed("Table", None), reviewed("Chair", None)],
            "shelf": {"products": [reviewed("Chair", None), reviewed("Lamp", None)]},
        },
        "errors": [
            {**error, "path": path}
            for path in (
                ["topProducts", 0],
                ["topProducts", 1],
                ["shelf", "products", 0],
                ["shelf", "products", 1],
            )
        ],
    }


async def test_an_error_outside_every_part_is_reported_once_without_a_path() -> None:
    def failed(_: dict[str, Any]) -> dict[str, Any]:
        return {"data": None, "errors": [{"message": "reviews are down"}]}

    response, _ = await run(PLAN, QUERY, {"products": products, "reviews": failed})

    assert response == {
        "data": {
            "topProducts": [reviewed("Table", None), reviewed("Chair", None)],
            "shelf": {"products": [reviewed("Chair", None), reviewed("Lamp", None)]},
        },
        "errors": [
            {
                "message": "reviews are down",
                "extensions": {"code": "DOWNSTREAM_SERVICE_ERROR", "service": "reviews"},
            }
        ],
    }


async def test_a_malformed_part_fails_alone() -> None:
    def short(body: dict[str, Any]) -> dict[str, Any]:
        answer = answered(body)
        answer["data"]["_1"] = answer["data"]["_1"][:1]
        return answer

    response, _ = await run(PLAN, QUERY, {"products": products, "reviews": short})

    error = {
        "message": "Subgraph response from 'reviews' was malformed: expected 2 _entities",
        "extensions": {"code": "SUBREQUEST_MALFORMED_RESPONSE", "service": "reviews"},
    }
    assert response == {
        "data": {
            "topProducts": [reviewed("Table", "About 1"), reviewed("Chair", "About 2")],
            "shelf": {"products": [reviewed("Chair", None), reviewed("Lamp", None)]},
        },
        "errors": [
            {**error, "path": ["shelf", "products", 0]},
            {**error, "path": ["shelf", "products", 1]},
        ],
    }


async def test_parts_without_objects_send_empty_lists_and_none_sends_nothing() -> None:
    def no_shelf(_: dict[str, Any]) -> dict[str, Any]:
        answer = products({})
        answer["data"]["shelf"] = None
        return answer

    response, subgraphs = await run(PLAN, QUERY, {"products": no_shelf, "reviews": answered})

    assert response["data"]["shelf"] is None
    (sent,) = subgraphs.requests["reviews"]
    assert sent["variables"]["representations1"] == []

    def nothing(_: dict[str, Any]) -> dict[str, Any]:
        return {"data": {"topProducts": [], "shelf": None}}

    response, subgraphs = await run(PLAN, QUERY, {"products": nothing, "reviews": answered})

    assert response == {"data": {"topProducts": [], "shelf": None}}
    assert "reviews" not in subgraphs.requests


async def test_an_error_whose_path_is_not_a_list_is_reported_without_a_path() -> None:
    def misplaced(body: dict[str, Any]) -> dict[str, Any]:
        answer = answered(body)
        answer["data"]["_1"][1] = None
        answer["errors"] = [{"message": "Lamp is gone", "path": 5}]
        return answer

    response, _ = await run(PLAN, QUERY, {"products": products, "reviews": misplaced})

    assert response == {
        "data": {
            "topProducts": [reviewed("Table", "About 1"), reviewed("Chair", "About 2")],
            "shelf": {"products": [reviewed("Chair", "About 2"), reviewed("Lamp", None)]},
        },
        "errors": [
            {
                "message": "Lamp is gone",
                "extensions": {"code": "DOWNSTREAM_SERVICE_ERROR", "service": "reviews"},
            }
        ],
    }
