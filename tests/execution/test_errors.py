"""Subgraph failures and errors: partial data, exact messages, client paths, null propagation."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from gateway.planning.nodes import Fetch, Parallel, Sequence
from tests.execution.harness import entity_fetch, flatten, run

TOP_PRODUCTS = Fetch("products", "{topProducts{__typename upc name}}")
REVIEWS = entity_fetch("reviews", "Product", ("upc",), "reviews{body}")
PRODUCTS = [
    {"__typename": "Product", "upc": "1", "name": "Table"},
    {"__typename": "Product", "upc": "2", "name": "Chair"},
    {"__typename": "Product", "upc": "1", "name": "Table again"},
]
QUERY = "{ topProducts { name reviews { body } } }"


def products(_: dict[str, Any]) -> dict[str, Any]:
    return {"data": {"topProducts": PRODUCTS}}


async def refuse(_: dict[str, Any]) -> Any:
    raise httpx.ConnectError("All connection attempts failed")


async def never_answer(_: dict[str, Any]) -> Any:
    await asyncio.Event().wait()


FAILURES = {
    "5xx": (
        lambda _: httpx.Response(503, text="down"),
        "HTTP fetch failed from 'reviews': 503 Service Unavailable",
        {"code": "SUBREQUEST_HTTP_ERROR", "service": "reviews", "http": {"status": 503}},
    ),
    "malformed JSON": (
        lambda _: httpx.Response(200, text="{not json"),
        "Subgraph response from 'reviews' was malformed: invalid JSON",
        {"code": "SUBREQUEST_MALFORMED_RESPONSE", "service": "reviews"},
    ),
    "JSON without data": (
        lambda _: httpx.Response(200, json={"hello": "world"}),
        "Subgraph response from 'reviews' was malformed: no data or errors",
        {"code": "SUBREQUEST_MALFORMED_RESPONSE", "service": "reviews"},
    ),
    "timeout": (
        never_answer,
        "Request to subgraph 'reviews' timed out after 200 ms",
        {"code": "SUBREQUEST_TIMEOUT", "service": "reviews"},
    ),
    "connection refused": (
        refuse,
        "HTTP fetch failed from 'reviews': All connection attempts failed",
        {"code": "SUBREQUEST_HTTP_ERROR", "service": "reviews"},
    ),
}


@pytest.mark.parametrize("kind", FAILURES)
async def test_a_failed_entity_fetch_gives_partial_data_and_one_error_per_object(
    kind: str,
) -> None:
    handler, message, extensions = FAILURES[kind]

    response, _ = await run(
        Sequence((TOP_PRODUCTS, flatten("topProducts.@", REVIEWS))),
        QUERY,
        {"products": products, "reviews": handler},
        timeout_seconds=0.2,
    )

    assert response == {
        "data": {
            "topProducts": [
                {"name": "Table", "reviews": None},
                {"name": "Chair", "reviews": None},
                {"name": "Table again", "reviews": None},
            ]
        },
        "errors": [
            {"message": message, "path": ["topProducts", index], "extensions": extensions}
            for index in (0, 2, 1)
        ],
    }


async def test_a_failed_root_fetch_reports_at_its_root_fields_and_others_survive() -> None:
    response, _ = await run(
        Parallel(
            (
                Fetch("products", '{product(upc:"1"){name}}'),
                Fetch("users", "{me{username}}"),
            )
        ),
        '{ product(upc: "1") { name } me { username } }',
        {
            "products": lambda _: httpx.Response(500),
            "users": lambda _: {"data": {"me": {"username": "ada"}}},
        },
    )

    assert response == {
        "data": {"product": None, "me": {"username": "ada"}},
        "errors": [
            {
                "message": "HTTP fetch failed from 'products': 500 Internal Server Error",
                "path": ["product"],
                "extensions": {
                    "code": "SUBREQUEST_HTTP_ERROR",
                    "service": "products",
                    "http": {"status": 500},
                },
            }
        ],
    }


async def test_a_failure_under_a_non_null_field_nulls_the_nearest_nullable_parent() -> None:
    response, _ = await run(
        Fetch("products", "{topProducts{upc}}"),
        "{ topProducts { upc } me { id } }",
        {"products": lambda _: httpx.Response(502)},
    )

    # `topProducts` is non-null, so the whole `data` is null; the fetch error explains it.
    assert response == {
        "data": None,
        "errors": [
            {
                "message": "HTTP fetch failed from 'products': 502 Bad Gateway",
                "path": ["topProducts"],
                "extensions": {
                    "code": "SUBREQUEST_HTTP_ERROR",
                    "service": "products",
                    "http": {"status": 502},
                },
            }
        ],
    }


async def test_entity_errors_are_repathed_to_every_object_of_their_representation() -> None:
    def reviews(body: dict[str, Any]) -> dict[str, Any]:
        return {
            "data": {"_entities": [None, {"reviews": [{"body": "fine"}]}]},
            "errors": [
                {
                    "message": "no reviews for 1",
                    "path": ["_entities", 0, "reviews"],
                    "locations": [{"line": 1, "column": 2}],
                    "extensions": {"code": "NOT_FOUND", "detail": "x"},
                },
                {"message": "something else"},
            ],
        }

    response, _ = await run(
        Sequence((TOP_PRODUCTS, flatten("topProducts.@", REVIEWS))),
        QUERY,
        {"products": products, "reviews": reviews},
    )

    assert response == {
        "data": {
            "topProducts": [
                {"name": "Table", "reviews": None},
                {"name": "Chair", "reviews": [{"body": "fine"}]},
                {"name": "Table again", "reviews": None},
            ]
        },
        "errors": [
            {
                "message": "no reviews for 1",
                "path": ["topProducts", 0, "reviews"],
                "extensions": {"code": "NOT_FOUND", "detail": "x", "service": "reviews"},
            },
            {
                "message": "no reviews for 1",
                "path": ["topProducts", 2, "reviews"],
                "extensions": {"code": "NOT_FOUND", "detail": "x", "service": "reviews"},
            },
            {
                "message": "something else",
                "extensions": {"code": "DOWNSTREAM_SERVICE_ERROR", "service": "reviews"},
            },
        ],
    }


async def test_root_fetch_errors_keep_their_path() -> None:
    response, _ = await run(
        Fetch("products", '{product(upc:"1"){name}}'),
        '{ product(upc: "1") { name } }',
        {
            "products": lambda _: {
                "data": {"product": None},
                "errors": [{"message": "gone", "path": ["product"]}],
            }
        },
    )

    assert response == {
        "data": {"product": None},
        "errors": [
            {
                "message": "gone",
                "path": ["product"],
                "extensions": {"code": "DOWNSTREAM_SERVICE_ERROR", "service": "products"},
            }
        ],
    }


async def test_a_null_in_a_non_null_field_without_an_error_is_reported_and_propagated() -> None:
    response, _ = await run(
        Fetch("products", '{product(upc:"1"){upc inStock}}'),
        '{ product(upc: "1") { upc inStock } }',
        {"products": lambda _: {"data": {"product": {"upc": "1", "inStock": None}}}},
    )

    assert response == {
        "data": {"product": None},
        "errors": [
            {
                "message": "Cannot return null for non-nullable field Product.inStock.",
                "path": ["product", "inStock"],
                "extensions": {"code": "RESPONSE_VALIDATION_FAILED"},
            }
        ],
    }


async def test_a_null_list_item_in_a_non_null_position_nulls_the_list() -> None:
    response, _ = await run(
        Fetch("products", '{product(upc:"1"){reviews{body}}}'),
        '{ product(upc: "1") { reviews { body } } }',
        {"products": lambda _: {"data": {"product": {"reviews": [{"body": "a"}, None]}}}},
    )

    assert response["data"] == {"product": {"reviews": None}}
    assert response["errors"][0]["path"] == ["product", "reviews", 1]


@pytest.mark.parametrize(
    ("value", "expected_type"),
    [("many", "Int"), (True, "Int"), ({"x": 1}, "Int"), (2**40, "Int")],
)
async def test_a_value_of_the_wrong_type_is_a_malformed_response(
    value: Any, expected_type: str
) -> None:
    response, _ = await run(
        Sequence(
            (
                TOP_PRODUCTS,
                flatten("topProducts.@", entity_fetch("reviews", "Product", ("upc",), "price")),
            )
        ),
        "{ topProducts { name price } }",
        {
            "products": lambda _: {"data": {"topProducts": PRODUCTS[:1]}},
            "reviews": lambda _: {"data": {"_entities": [{"price": value}]}},
        },
    )

    assert response == {
        "data": {"topProducts": [{"name": "Table", "price": None}]},
        "errors": [
            {
                "message": "Subgraph response from 'reviews' was malformed: "
                f"Product.price expected {expected_type}",
                "path": ["topProducts", 0, "price"],
                "extensions": {"code": "SUBREQUEST_MALFORMED_RESPONSE", "service": "reviews"},
            }
        ],
    }


async def test_a_wrong_value_in_a_non_null_field_propagates() -> None:
    response, _ = await run(
        Fetch("products", '{product(upc:"1"){upc color}}'),
        '{ product(upc: "1") { upc color } shelf: product(upc: "2") { upc } }',
        {
            "products": lambda _: {
                "data": {"product": {"upc": 7, "color": "BLUE"}, "shelf": {"upc": "2"}}
            }
        },
    )

    assert response["data"] == {"product": None, "shelf": {"upc": "2"}}
    assert [error["message"] for error in response["errors"]] == [
        "Subgraph response from 'products' was malformed: Product.upc expected String!"
    ]


async def test_an_unknown_enum_value_is_malformed() -> None:
    response, _ = await run(
        Fetch("products", '{product(upc:"1"){color}}'),
        '{ product(upc: "1") { color } }',
        {"products": lambda _: {"data": {"product": {"color": "BLUE"}}}},
    )

    assert response["data"] == {"product": {"color": None}}
    assert response["errors"][0]["message"] == (
        "Subgraph response from 'products' was malformed: Product.color expected Color"
    )


async def test_an_entities_list_of_the_wrong_length_is_malformed() -> None:
    response, _ = await run(
        Sequence((TOP_PRODUCTS, flatten("topProducts.@", REVIEWS))),
        QUERY,
        {"products": products, "reviews": lambda _: {"data": {"_entities": []}}},
    )

    assert response["data"]["topProducts"][0] == {"name": "Table", "reviews": None}
    assert {error["message"] for error in response["errors"]} == {
        "Subgraph response from 'reviews' was malformed: expected 2 _entities"
    }


async def test_a_subgraph_that_never_answers_does_not_hang_a_parallel_plan() -> None:
    response, _ = await run(
        Parallel((Fetch("products", '{product(upc:"1"){name}}'), Fetch("users", "{me{id}}"))),
        '{ product(upc: "1") { name } me { id } }',
        {"products": never_answer, "users": lambda _: {"data": {"me": {"id": "1"}}}},
        timeout_seconds=0.1,
    )

    assert response["data"] == {"product": None, "me": {"id": "1"}}
    assert response["errors"][0]["extensions"]["code"] == "SUBREQUEST_TIMEOUT"


PRODUCT_THEN_REVIEWS = Sequence(
    (
        Fetch("products", '{product(upc:"1"){__typename upc name}}'),
        flatten("product", entity_fetch("reviews", "Product", ("upc",), "reviews{body}")),
    )
)
PRODUCT_QUERY = '{ product(upc: "1") { name reviews { body } } }'


def malformed(service: str, detail: str, path: list[Any]) -> dict[str, Any]:
    return {
        "message": f"Subgraph response from '{service}' was malformed: {detail}",
        "path": path,
        "extensions": {"code": "SUBREQUEST_MALFORMED_RESPONSE", "service": service},
    }


async def test_a_malformed_value_names_the_service_that_answered_it() -> None:
    # Both fetches wrote into the product: each wrong value is the one of the fetch holding it,
    # inside a list too.
    response, _ = await run(
        PRODUCT_THEN_REVIEWS,
        PRODUCT_QUERY,
        {
            "products": lambda _: {
                "data": {"product": {"__typename": "Product", "upc": "1", "name": 5}}
            },
            "reviews": lambda _: {
                "data": {"_entities": [{"reviews": [{"body": "ok"}, {"body": 7}]}]}
            },
        },
    )

    assert response == {
        "data": {"product": {"name": None, "reviews": None}},
        "errors": [
            malformed("products", "Product.name expected String", ["product", "name"]),
            malformed("reviews", "Review.body expected String!", ["product", "reviews", 1, "body"]),
        ],
    }


async def test_a_malformed_value_is_named_past_a_fetch_that_failed_or_answered_null() -> None:
    products = [{"__typename": "Product", "upc": upc, "name": "n"} for upc in ("1", "2")]
    plan = Sequence(
        (
            TOP_PRODUCTS,
            flatten("topProducts.@", entity_fetch("reviews", "Product", ("upc",), "price")),
            flatten("topProducts.@", entity_fetch("users", "Product", ("upc",), "color")),
        )
    )

    response, _ = await run(
        plan,
        "{ topProducts { name price color } }",
        {
            "products": lambda _: {"data": {"topProducts": products}},
            # The first entity null, the second one's price wrong.
            "reviews": lambda _: {"data": {"_entities": [None, {"price": "ten"}]}},
            # Failed as a whole: no entities at all.
            "users": lambda _: {"data": None, "errors": [{"message": "users are down"}]},
        },
    )

    assert (
        malformed("reviews", "Product.price expected Int", ["topProducts", 1, "price"])
        in (response["errors"])
    )


async def test_an_error_reaches_each_path_of_an_object_shared_by_two_entities() -> None:
    # Three products with one key get one entity: its reviews are the same objects under all
    # three, so the review's error is reported at each of its three paths.
    products = [{"__typename": "Product", "upc": "1", "name": name} for name in ("a", "b", "c")]
    reviews = entity_fetch("reviews", "Product", ("upc",), "reviews{__typename id}")
    authors = entity_fetch("users", "Review", ("id",), "author{username}")

    response, _ = await run(
        Sequence(
            (
                TOP_PRODUCTS,
                flatten("topProducts.@", reviews),
                flatten("topProducts.@.reviews.@", authors),
            )
        ),
        "{ topProducts { name reviews { author { username } } } }",
        {
            "products": lambda _: {"data": {"topProducts": products}},
            "reviews": lambda _: {
                "data": {"_entities": [{"reviews": [{"__typename": "Review", "id": "r1"}]}]}
            },
            "users": lambda _: {
                "data": {"_entities": [{"author": None}]},
                "errors": [{"message": "no author", "path": ["_entities", 0, "author"]}],
            },
        },
    )

    assert response["data"] == {
        "topProducts": [
            {"name": "a", "reviews": [{"author": None}]},
            {"name": "b", "reviews": [{"author": None}]},
            {"name": "c", "reviews": [{"author": None}]},
        ]
    }
    assert [error["path"] for error in response["errors"]] == [
        ["topProducts", index, "reviews", 0, "author"] for index in range(3)
    ]


async def test_a_malformed_value_is_named_after_a_later_answer_replaced_objects() -> None:
    # The users subgraph answers a wrong item where the reviews fetch had extended a product:
    # that fetch's objects are no longer in the tree, and naming the service of another wrong
    # value walks past it.
    plan = Sequence(
        (
            Fetch("products", "{topProducts{__typename upc name} me{username}}"),
            flatten("topProducts.@", REVIEWS),
            Fetch("users", "{topProducts{name}}"),
        )
    )

    response, _ = await run(
        plan,
        "{ me { username } topProducts { name reviews { body } } }",
        {
            "products": lambda _: {"data": {"topProducts": PRODUCTS[:1], "me": {"username": 5}}},
            "reviews": lambda _: {"data": {"_entities": [{"reviews": []}]}},
            "users": lambda _: {"data": {"topProducts": [7]}},
        },
    )

    assert response == {
        "data": None,
        "errors": [
            malformed("products", "User.username expected String!", ["me", "username"]),
            malformed("users", "Query.topProducts expected [Product!]!", ["topProducts", 0]),
        ],
    }


async def test_a_malformed_item_beyond_a_later_fetchs_shorter_list_is_the_earlier_ones() -> None:
    response, _ = await run(
        Sequence(
            (
                Fetch("products", '{product(upc:"1"){__typename upc reviews{body}}}'),
                flatten("product", entity_fetch("reviews", "Product", ("upc",), "reviews{body}")),
            )
        ),
        '{ product(upc: "1") { reviews { body } } }',
        {
            "products": lambda _: {
                "data": {
                    "product": {
                        "__typename": "Product",
                        "upc": "1",
                        "reviews": [{"body": "a"}, {"body": 7}],
                    }
                }
            },
            "reviews": lambda _: {"data": {"_entities": [{"reviews": [{"body": "a"}]}]}},
        },
    )

    assert response["errors"] == [
        malformed("products", "Review.body expected String!", ["product", "reviews", 1, "body"])
    ]
