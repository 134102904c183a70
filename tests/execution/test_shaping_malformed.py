"""Shaping refuses what the schema cannot hold, at the exact path: a list field answered with
something else, a member of an abstract type that is not one (no `__typename`, a type outside
the union, a type the schema lacks, not an object), an item of the wrong kind; an Int outside
32 bits. Each is a SUBREQUEST_MALFORMED_RESPONSE naming the service, then null."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.planning.nodes import Fetch
from tests.execution.harness import run

SEARCH = "{ search { ... on Product { upc } ... on User { id } } }"
PRODUCT = {"__typename": "Product", "upc": "1"}


def malformed(detail: str, path: list[Any]) -> dict[str, Any]:
    return {
        "message": f"Subgraph response from 'products' was malformed: {detail}",
        "path": path,
        "extensions": {"code": "SUBREQUEST_MALFORMED_RESPONSE", "service": "products"},
    }


@pytest.mark.parametrize(
    ("search", "path"),
    [
        ("not a list", ["search"]),
        ([PRODUCT, {"__typename": "Review", "id": "r1"}], ["search", 1]),
        ([PRODUCT, {"__typename": "Ghost", "id": "g1"}], ["search", 1]),
        ([PRODUCT, {"upc": "2"}], ["search", 1]),
        ([PRODUCT, "not an object"], ["search", 1]),
    ],
    ids=["not a list", "not a member", "unknown type", "no __typename", "not an object"],
)
async def test_a_wrong_member_of_a_union_list_is_malformed_at_its_path(
    search: Any, path: list[Any]
) -> None:
    response, _ = await run(
        Fetch("products", "{search{__typename ...on Product{upc} ...on User{id}}}"),
        SEARCH,
        {"products": lambda _: {"data": {"search": search}}},
    )
    # `search` and its items are non-null: the null reaches `data`.
    assert response == {
        "data": None,
        "errors": [malformed("Query.search expected [SearchResult!]!", path)],
    }


async def test_members_of_a_union_list_are_shaped_by_their_own_type() -> None:
    response, _ = await run(
        Fetch("products", "{search{__typename ...on Product{upc} ...on User{id}}}"),
        SEARCH,
        {
            "products": lambda _: {
                "data": {"search": [PRODUCT, {"__typename": "User", "id": "u1", "upc": "x"}]}
            }
        },
    )
    assert response == {"data": {"search": [{"upc": "1"}, {"id": "u1"}]}}


@pytest.mark.parametrize(
    ("reviews", "path"),
    [("not a list", ["product", "reviews"]), ([{"body": "ok"}, "x"], ["product", "reviews", 1])],
    ids=["not a list", "an item not an object"],
)
async def test_a_wrong_object_list_is_malformed_at_its_path(reviews: Any, path: list[Any]) -> None:
    response, _ = await run(
        Fetch("products", '{product(upc:"1"){reviews{body}}}'),
        '{ product(upc: "1") { reviews { body } } }',
        {"products": lambda _: {"data": {"product": {"reviews": reviews}}}},
    )
    assert response == {
        "data": {"product": {"reviews": None}},
        "errors": [malformed("Product.reviews expected [Review!]", path)],
    }


async def test_a_fragment_without_a_type_condition_applies_to_every_object() -> None:
    response, _ = await run(
        Fetch("products", '{product(upc:"1"){upc name}}'),
        '{ product(upc: "1") { upc ... { name } } }',
        {"products": lambda _: {"data": {"product": {"upc": "1", "name": "Table"}}}},
    )
    assert response == {"data": {"product": {"upc": "1", "name": "Table"}}}


@pytest.mark.parametrize(
    ("price", "valid"),
    [(2**31 - 1, True), (-(2**31), True), (2**31, False), (-(2**31) - 1, False), (2**32, False)],
)
async def test_an_int_is_held_to_32_bits(price: int, valid: bool) -> None:
    response, _ = await run(
        Fetch("products", '{product(upc:"1"){upc price}}'),
        '{ product(upc: "1") { upc price } }',
        {"products": lambda _: {"data": {"product": {"upc": "1", "price": price}}}},
    )
    if valid:
        assert response == {"data": {"product": {"upc": "1", "price": price}}}
    else:
        assert response == {
            "data": {"product": {"upc": "1", "price": None}},
            "errors": [malformed("Product.price expected Int", ["product", "price"])],
        }


async def test_a_wrong_item_of_a_list_of_nullable_items_is_null_in_its_place() -> None:
    response, _ = await run(
        Fetch("products", '{product(upc:"1"){tags}}'),
        '{ product(upc: "1") { tags } }',
        {"products": lambda _: {"data": {"product": {"tags": ["new", 7, None]}}}},
    )
    assert response == {
        "data": {"product": {"tags": ["new", None, None]}},
        "errors": [malformed("Product.tags expected [String]", ["product", "tags", 1])],
    }


async def test_an_object_field_answered_with_something_else_is_malformed() -> None:
    response, _ = await run(
        Fetch("products", '{product(upc:"1"){upc}}'),
        '{ product(upc: "1") { upc } }',
        {"products": lambda _: {"data": {"product": "not an object"}}},
    )
    assert response == {
        "data": {"product": None},
        "errors": [malformed("Query.product expected Product", ["product"])],
    }


@pytest.mark.parametrize(
    ("product", "path", "detail"),
    [
        ({"tags": "not a list"}, ["product", "tags"], "Product.tags expected [String]"),
        (
            {"tags": [], "shelfmates": [{"__typename": "Product", "upc": 5}]},
            ["product", "shelfmates", 0, "upc"],
            "Product.upc expected String!",
        ),
    ],
    ids=["a nested list", "inside a union member"],
)
async def test_a_wrong_value_below_the_root_is_malformed_at_its_whole_path(
    product: dict[str, Any], path: list[Any], detail: str
) -> None:
    response, _ = await run(
        Fetch("products", '{product(upc:"1"){tags shelfmates{__typename ...on Product{upc}}}}'),
        '{ product(upc: "1") { tags shelfmates { ... on Product { upc } } } }',
        {"products": lambda _: {"data": {"product": product}}},
    )
    assert response["errors"] == [malformed(detail, path)]
