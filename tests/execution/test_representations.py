"""Entity representations: what an `_entities` fetch sends for each object it extends.

An object whose key is incomplete (a key field missing, or null at any depth) has no
representation: sending `{id: null}` would ask the subgraph for an entity that cannot exist,
and a nested null key would match nothing or, worse, whatever the subgraph does with null."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.execution.representations import flat_representation, representation
from gateway.planning.nodes import Fetch, RequiredField, RequiredFragment, Sequence
from tests.execution.harness import SCHEMA, flatten, run

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


async def test_objects_with_a_null_nested_key_are_not_fetched() -> None:
    reviews = [
        {"__typename": "Review", "id": "r1", "body": "ok", "author": {"id": "u1"}},
        {"__typename": "Review", "id": "r2", "body": "lost", "author": {"id": None}},
    ]
    users = Fetch(
        service_name="users",
        operation=(
            "query($representations:[_Any!]!){_entities(representations:$representations)"
            "{...on Review{author{username}}}}"
        ),
        requires=NESTED_KEY,
    )

    response, subgraphs = await run(
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
