"""Entity representations: what an `_entities` fetch sends for each object it extends.

An object whose key is incomplete (a key field missing, or null at any depth) has no
representation: sending `{id: null}` would ask the subgraph for an entity that cannot exist,
and a nested null key would match nothing or, worse, whatever the subgraph does with null."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.execution.representations import apply_rewrites, flat_representation, representation
from gateway.planning.nodes import (
    Fetch,
    KeyRenamer,
    RequiredField,
    RequiredFragment,
    Rewrite,
    Sequence,
    ValueSetter,
)
from tests.execution.harness import SCHEMA, Subgraphs, flatten, run

NESTED_KEY = (
    RequiredFragment(
        "Review",
        (
            RequiredField("__typename"),
            RequiredField("id"),
            RequiredField("author", selections=(RequiredField("id"),)),
        ),
    ),
)


@pytest.mark.parametrize(
    ("value", "sent"),
    [
        (
            {"__typename": "Review", "id": "r1", "author": {"id": "u1"}, "body": "b"},
            {"__typename": "Review", "id": "r1", "author": {"id": "u1"}},
        ),
        ({"__typename": "Review", "id": "r1", "author": {"id": None}}, None),
        ({"__typename": "Review", "id": "r1", "author": None}, None),
        ({"__typename": "Review", "id": "r1", "author": {}}, None),
        ({"__typename": "Review", "id": None, "author": {"id": "u1"}}, None),
        ({"__typename": "Review", "author": {"id": "u1"}}, None),
        ({"__typename": "User", "id": "r1", "author": {"id": "u1"}}, None),
    ],
    ids=[
        "complete",
        "nested key null",
        "nested object null",
        "nested key missing",
        "key null",
        "key missing",
        "another type",
    ],
)
def test_only_complete_keys_are_represented(value: dict[str, Any], sent: Any) -> None:
    assert representation(SCHEMA, value, NESTED_KEY) == sent


def test_a_nested_key_is_not_flat() -> None:
    # The flat fast path reads top-level values only; nested keys take the general one.
    assert flat_representation(SCHEMA, NESTED_KEY) is None


async def _reviews_and_their_authors(
    reviews: list[dict[str, Any]],
) -> tuple[dict[str, Any], Subgraphs]:
    """Reviews from products, then each review's author (a nested key) from users, which
    answers every representation it is sent with `user <id>`."""
    users = Fetch(
        service_name="users",
        operation=(
            "query($representations:[_Any!]!){_entities(representations:$representations)"
            "{...on Review{author{username}}}}"
        ),
        requires=NESTED_KEY,
    )

    return await run(
        Sequence(
            (
                Fetch("products", '{product(upc:"1"){reviews{__typename id body author{id}}}}'),
                flatten("product.reviews.@", users),
            )
        ),
        '{ product(upc: "1") { reviews { body author { username } } } }',
        {
            "products": lambda _: {"data": {"product": {"reviews": reviews}}},
            "users": lambda body: {
                "data": {
                    "_entities": [
                        {"author": {"username": f"user {sent['author']['id']}"}}
                        for sent in body["variables"]["representations"]
                    ]
                }
            },
        },
    )


async def test_objects_with_a_null_nested_key_are_not_fetched() -> None:
    reviews = [
        {"__typename": "Review", "id": "r1", "body": "ok", "author": {"id": "u1"}},
        {"__typename": "Review", "id": "r2", "body": "lost", "author": {"id": None}},
    ]
    response, subgraphs = await _reviews_and_their_authors(reviews)

    assert subgraphs.requests["users"][0]["variables"]["representations"] == [
        {"__typename": "Review", "id": "r1", "author": {"id": "u1"}}
    ]
    assert response["data"] == {
        "product": {
            "reviews": [
                {"body": "ok", "author": {"username": "user u1"}},
                {"body": "lost", "author": None},
            ]
        }
    }


async def test_objects_with_one_nested_key_are_fetched_once_and_each_gets_the_answer() -> None:
    # The general path (a nested key): the object without a key is skipped, not the end of
    # the list; two reviews with one key are sent once and both get its answer.
    reviews: list[dict[str, Any]] = [
        {"__typename": "Review", "id": "r0", "body": "a", "author": None},
        {"__typename": "Review", "id": "r1", "body": "b", "author": {"id": "u1"}},
        {"__typename": "Review", "id": "r2", "body": "c", "author": {"id": "u2"}},
        {"__typename": "Review", "id": "r1", "body": "d", "author": {"id": "u1"}},
    ]
    response, subgraphs = await _reviews_and_their_authors(reviews)

    assert subgraphs.requests["users"][0]["variables"]["representations"] == [
        {"__typename": "Review", "id": "r1", "author": {"id": "u1"}},
        {"__typename": "Review", "id": "r2", "author": {"id": "u2"}},
    ]
    assert response["data"] == {
        "product": {
            "reviews": [
                {"body": "a", "author": None},
                {"body": "b", "author": {"username": "user u1"}},
                {"body": "c", "author": {"username": "user u2"}},
                {"body": "d", "author": {"username": "user u1"}},
            ]
        }
    }


def product_key(*fields: RequiredField, type_condition: str = "Product") -> tuple[RequiredFragment]:
    return (RequiredFragment(type_condition, fields),)


@pytest.mark.parametrize(
    ("value", "requires", "sent"),
    [
        # A key field holding a list of objects: each item selected through the key's fields.
        (
            {"__typename": "Shelf", "products": [{"upc": "1", "name": "n"}, {"upc": "2"}], "x": 1},
            product_key(
                RequiredField("__typename"),
                RequiredField("products", selections=(RequiredField("upc"),)),
                type_condition="Shelf",
            ),
            {"__typename": "Shelf", "products": [{"upc": "1"}, {"upc": "2"}]},
        ),
        # ... and incomplete when an item holds a null.
        (
            {"__typename": "Shelf", "products": [{"upc": "1"}, {"upc": None}]},
            product_key(
                RequiredField("__typename"),
                RequiredField("products", selections=(RequiredField("upc"),)),
                type_condition="Shelf",
            ),
            None,
        ),
        # Items of a list-valued key field narrowed by an abstract type condition: each item
        # carries the condition's fields only when its own type is a member.
        (
            {
                "__typename": "Shelf",
                "results": [
                    {"__typename": "User", "id": "u1"},
                    {"__typename": "Review", "id": "r"},
                ],
            },
            product_key(
                RequiredField("__typename"),
                RequiredField(
                    "results",
                    selections=(
                        RequiredField("__typename"),
                        RequiredFragment("SearchResult", (RequiredField("id"),)),
                    ),
                ),
                type_condition="Shelf",
            ),
            {
                "__typename": "Shelf",
                "results": [{"__typename": "User", "id": "u1"}, {"__typename": "Review"}],
            },
        ),
        # A leaf key field (a custom scalar) whose value is an object is sent as it is.
        (
            {"__typename": "Product", "upc": {"sku": "1", "region": "eu"}},
            product_key(RequiredField("__typename"), RequiredField("upc")),
            {"__typename": "Product", "upc": {"sku": "1", "region": "eu"}},
        ),
        # `__typename` read where a client field put it (an alias), sent under its name.
        (
            {"kind": "Product", "upc": "1"},
            product_key(RequiredField("__typename", alias="kind"), RequiredField("upc")),
            {"__typename": "Product", "upc": "1"},
        ),
        # A representation must say its type.
        ({"__typename": "Product", "upc": "1"}, product_key(RequiredField("upc")), None),
        # A malformed `__typename` (not a string) matches no type condition.
        (
            {"__typename": 5, "upc": "1"},
            product_key(
                RequiredField("__typename"), RequiredField("upc"), type_condition="SearchResult"
            ),
            None,
        ),
        # An abstract condition matches its members only, and no type the schema lacks.
        (
            {"__typename": "User", "id": "u1"},
            product_key(
                RequiredField("__typename"), RequiredField("id"), type_condition="SearchResult"
            ),
            {"__typename": "User", "id": "u1"},
        ),
        (
            {"__typename": "Review", "id": "r1"},
            product_key(
                RequiredField("__typename"), RequiredField("id"), type_condition="SearchResult"
            ),
            None,
        ),
        (
            {"__typename": "Ghost", "id": "g1"},
            product_key(
                RequiredField("__typename"), RequiredField("id"), type_condition="SearchResult"
            ),
            None,
        ),
        (
            {"__typename": "Product", "upc": "1"},
            product_key(RequiredField("__typename"), RequiredField("upc"), type_condition="Ghost"),
            None,
        ),
    ],
    ids=[
        "list of objects",
        "null in a list",
        "abstract condition in a list",
        "object-valued scalar",
        "aliased __typename",
        "no __typename",
        "__typename not a string",
        "union member",
        "not a member",
        "unknown runtime type",
        "unknown condition",
    ],
)
def test_what_a_representation_holds(
    value: dict[str, Any], requires: tuple[RequiredFragment], sent: Any
) -> None:
    assert representation(SCHEMA, value, requires) == sent


@pytest.mark.parametrize(
    ("rewrite", "value", "rewritten"),
    [
        # `@interfaceObject`: the type name set on each object of the list, through a field.
        (
            ValueSetter(("items", "... on Item", "__typename"), "Book"),
            [
                {"items": [{"__typename": "Item"}, {"__typename": "Film"}]},
                {"items": None},
                {"other": 1},
            ],
            [
                {"items": [{"__typename": "Book"}, {"__typename": "Film"}]},
                {"items": None},
                {"other": 1},
            ],
        ),
        (ValueSetter((), "Book"), {"__typename": "Item"}, {"__typename": "Item"}),
        # A field fetched under an alias gets its name back, where the path reaches it.
        (
            KeyRenamer(("shelf", "products", "_alias"), "name"),
            [
                {"shelf": {"products": [{"_alias": "a"}, {"upc": "2"}]}},
                {"shelf": None},
                {"shelf": {"products": "not objects"}},
            ],
            [
                {"shelf": {"products": [{"name": "a"}, {"upc": "2"}]}},
                {"shelf": None},
                {"shelf": {"products": "not objects"}},
            ],
        ),
    ],
    ids=["set through a list", "empty path", "rename through a list and past nulls"],
)
def test_rewrites_reach_every_object_on_their_path(
    rewrite: Rewrite, value: Any, rewritten: Any
) -> None:
    apply_rewrites(value, (rewrite,))
    assert value == rewritten
