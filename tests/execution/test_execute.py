"""The executor over hand-written plans: merging, entity batching, shaping."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from gateway.execution import HttpSubgraphClient, RequestError, execute
from gateway.operation import prepare
from gateway.planning.nodes import (
    Condition,
    Fetch,
    KeyRenamer,
    Parallel,
    QueryPlan,
    Sequence,
    ValueSetter,
)
from tests.execution.harness import SCHEMA, Subgraphs, entity_fetch, flatten, run, supergraph

TOP_PRODUCTS = Fetch("products", "{topProducts{__typename upc name}}")
REVIEWS = entity_fetch("reviews", "Product", ("upc",), "reviews{body}")


def reviews_for(body: dict[str, Any]) -> dict[str, Any]:
    return {
        "data": {
            "_entities": [
                {"reviews": [{"body": f"about {representation['upc']}"}]}
                for representation in body["variables"]["representations"]
            ]
        }
    }


async def test_a_root_fetch_is_shaped_in_the_clients_order_with_aliases() -> None:
    response, subgraphs = await run(
        Fetch("products", "{top:topProducts{title:name upc}}"),
        "{ top: topProducts { upc title: name } }",
        {"products": lambda _: {"data": {"top": [{"title": "Table", "upc": "1"}]}}},
    )

    assert response == {"data": {"top": [{"upc": "1", "title": "Table"}]}}
    assert list(response["data"]["top"][0]) == ["upc", "title"]
    assert subgraphs.requests["products"] == [{"query": "{top:topProducts{title:name upc}}"}]


async def test_an_entity_fetch_extends_every_object_at_its_path() -> None:
    response, subgraphs = await run(
        Sequence((TOP_PRODUCTS, flatten("topProducts.@", REVIEWS))),
        "{ topProducts { name reviews { body } } }",
        {
            "products": lambda _: {
                "data": {
                    "topProducts": [
                        {"__typename": "Product", "upc": "1", "name": "Table"},
                        {"__typename": "Product", "upc": "2", "name": "Chair"},
                    ]
                }
            },
            "reviews": reviews_for,
        },
    )

    assert response == {
        "data": {
            "topProducts": [
                {"name": "Table", "reviews": [{"body": "about 1"}]},
                {"name": "Chair", "reviews": [{"body": "about 2"}]},
            ]
        }
    }
    assert subgraphs.requests["reviews"][0]["variables"] == {
        "representations": [
            {"__typename": "Product", "upc": "1"},
            {"__typename": "Product", "upc": "2"},
        ]
    }


async def test_identical_representations_are_sent_once_and_fanned_out() -> None:
    products = [{"__typename": "Product", "upc": upc, "name": upc} for upc in "1211"]
    response, subgraphs = await run(
        Sequence((TOP_PRODUCTS, flatten("topProducts.@", REVIEWS))),
        "{ topProducts { reviews { body } } }",
        {"products": lambda _: {"data": {"topProducts": products}}, "reviews": reviews_for},
    )

    assert len(subgraphs.requests["reviews"]) == 1
    assert subgraphs.requests["reviews"][0]["variables"]["representations"] == [
        {"__typename": "Product", "upc": "1"},
        {"__typename": "Product", "upc": "2"},
    ]
    assert [product["reviews"][0]["body"] for product in response["data"]["topProducts"]] == [
        "about 1",
        "about 2",
        "about 1",
        "about 1",
    ]


async def test_objects_with_null_keys_or_another_type_are_not_fetched() -> None:
    response, subgraphs = await run(
        Sequence(
            (
                Fetch("products", "{search{__typename ...on Product{upc name}}}"),
                flatten("search.@", REVIEWS),
            )
        ),
        "{ search { ... on Product { name reviews { body } } ... on User { __typename } } }",
        {
            "products": lambda _: {
                "data": {
                    "search": [
                        {"__typename": "Product", "upc": "1", "name": "Table"},
                        {"__typename": "Product", "upc": None, "name": "Ghost"},
                        {"__typename": "User"},
                    ]
                }
            },
            "reviews": reviews_for,
        },
    )

    assert subgraphs.requests["reviews"][0]["variables"]["representations"] == [
        {"__typename": "Product", "upc": "1"}
    ]
    assert response == {
        "data": {
            "search": [
                {"name": "Table", "reviews": [{"body": "about 1"}]},
                {"name": "Ghost", "reviews": None},
                {"__typename": "User"},
            ]
        }
    }


async def test_no_request_is_sent_when_there_is_nothing_to_extend() -> None:
    _, subgraphs = await run(
        Sequence((TOP_PRODUCTS, flatten("topProducts.@", REVIEWS))),
        "{ topProducts { reviews { body } } }",
        {"products": lambda _: {"data": {"topProducts": []}}, "reviews": reviews_for},
    )

    assert "reviews" not in subgraphs.requests


async def test_nested_lists_are_flattened_level_by_level() -> None:
    users = entity_fetch("users", "User", ("id",), "username")
    response, subgraphs = await run(
        Sequence(
            (
                Fetch("products", "{topProducts{reviews{author{__typename id}}}}"),
                flatten("topProducts.@.reviews.@.author", users),
            )
        ),
        "{ topProducts { reviews { author { username } } } }",
        {
            "products": lambda _: {
                "data": {
                    "topProducts": [
                        {"reviews": [{"author": {"__typename": "User", "id": "u1"}}]},
                        {
                            "reviews": [
                                {"author": {"__typename": "User", "id": "u2"}},
                                {"author": None},
                            ]
                        },
                    ]
                }
            },
            "users": lambda body: {
                "data": {
                    "_entities": [
                        {"username": f"name-{r['id']}"}
                        for r in body["variables"]["representations"]
                    ]
                }
            },
        },
    )

    assert response["data"]["topProducts"] == [
        {"reviews": [{"author": {"username": "name-u1"}}]},
        {"reviews": [{"author": {"username": "name-u2"}}, {"author": None}]},
    ]
    assert len(subgraphs.requests["users"][0]["variables"]["representations"]) == 2


async def test_parallel_fetches_run_at_the_same_time() -> None:
    both_started = asyncio.Event()
    started: list[str] = []

    async def waits_for_the_other(name: str, data: dict[str, Any]) -> dict[str, Any]:
        started.append(name)
        if len(started) == 2:
            both_started.set()
        # Run one after the other, the first fetch would wait here until its timeout.
        await both_started.wait()
        return {"data": data}

    response, _ = await run(
        Parallel(
            (
                Fetch("products", '{product(upc:"1"){name}}'),
                Fetch("users", "{me{username}}"),
            )
        ),
        '{ product(upc: "1") { name } me { username } }',
        {
            "products": lambda _: waits_for_the_other("products", {"product": {"name": "T"}}),
            "users": lambda _: waits_for_the_other("users", {"me": {"username": "ada"}}),
        },
        timeout_seconds=2,
    )

    assert response == {"data": {"product": {"name": "T"}, "me": {"username": "ada"}}}


async def test_a_sequence_runs_in_order() -> None:
    order: list[str] = []

    def answer(name: str, data: dict[str, Any]) -> dict[str, Any]:
        order.append(name)
        return {"data": data}

    await run(
        Sequence(
            (
                Fetch("products", 'mutation{addReview(upc:"1",body:"a"){id}}', "mutation"),
                Fetch("reviews", 'mutation{second:addReview(upc:"1",body:"b"){id}}', "mutation"),
            )
        ),
        'mutation { addReview(upc: "1", body: "a") { id } '
        'second: addReview(upc: "1", body: "b") { id } }',
        {
            "products": lambda _: answer("products", {"addReview": {"id": "1"}}),
            "reviews": lambda _: answer("reviews", {"second": {"id": "2"}}),
        },
    )

    assert order == ["products", "reviews"]


@pytest.mark.parametrize(("with_name", "expected"), [(True, "products"), (False, "users")])
async def test_a_condition_runs_the_branch_its_variable_chooses(
    with_name: bool, expected: str
) -> None:
    _, subgraphs = await run(
        Condition(
            "flag",
            Fetch("products", "{me{username}}"),
            Fetch("users", "{me{username}}"),
        ),
        "query ($flag: Boolean!) { me @include(if: $flag) { username } me { username } }",
        {
            "products": lambda _: {"data": {"me": {"username": "p"}}},
            "users": lambda _: {"data": {"me": {"username": "u"}}},
        },
        {"flag": with_name},
    )

    assert list(subgraphs.requests) == [expected]


async def test_a_fetch_gets_only_the_variables_it_uses() -> None:
    _, subgraphs = await run(
        Fetch(
            "products",
            "query($first:Int){topProducts(first:$first){upc}}",
            variable_usages=("first",),
        ),
        "query ($first: Int, $upc: String!) { topProducts(first: $first) { upc } "
        "product(upc: $upc) { upc } }",
        {"products": lambda _: {"data": {"topProducts": []}}},
        {"first": 2, "upc": "x"},
    )

    assert subgraphs.requests["products"][0]["variables"] == {"first": 2}


async def test_default_values_of_variables_are_applied() -> None:
    _, subgraphs = await run(
        Fetch(
            "products",
            "query($first:Int){topProducts(first:$first){upc}}",
            variable_usages=("first",),
        ),
        "query ($first: Int = 5) { topProducts(first: $first) { upc } }",
        {"products": lambda _: {"data": {"topProducts": []}}},
    )

    assert subgraphs.requests["products"][0]["variables"] == {"first": 5}


async def test_variables_of_the_wrong_type_are_a_request_error() -> None:
    with pytest.raises(RequestError) as raised:
        await run(
            None,
            "query ($first: Int) { topProducts(first: $first) { upc } }",
            {},
            {"first": "many"},
        )

    assert raised.value.code == "VALIDATION_INVALID_TYPE_VARIABLE"
    assert raised.value.errors[0].message == (
        "Variable '$first' has invalid value: Int cannot represent non-integer value: 'many'"
    )


@pytest.mark.parametrize(
    ("show", "expected"), [(True, {"upc": "1", "name": "T"}), (False, {"upc": "1"})]
)
async def test_skip_and_include_with_variables_shape_the_response(
    show: bool, expected: dict[str, str]
) -> None:
    response, _ = await run(
        Fetch("products", '{product(upc:"1"){upc name}}'),
        'query ($show: Boolean!) { product(upc: "1") { upc name @include(if: $show) } }',
        {"products": lambda _: {"data": {"product": {"upc": "1", "name": "T"}}}},
        {"show": show},
    )

    assert response == {"data": {"product": expected}}


@pytest.mark.parametrize(
    ("hide", "expected"), [(True, {"upc": "1"}), (False, {"upc": "1", "name": "T"})]
)
async def test_skip_applies_after_another_directive_on_the_field(
    hide: bool, expected: dict[str, str]
) -> None:
    response, _ = await run(
        Fetch("products", '{product(upc:"1"){upc name}}'),
        "query ($hide: Boolean!) "
        '{ product(upc: "1") { upc name @tagged(as: "x") @skip(if: $hide) } }',
        {"products": lambda _: {"data": {"product": {"upc": "1", "name": "T"}}}},
        {"hide": hide},
    )

    assert response == {"data": {"product": expected}}


async def test_typename_and_type_conditions_on_abstract_types() -> None:
    response, _ = await run(
        Fetch("products", "{search{__typename ...on Product{upc} ...on User{id}}}"),
        """
        {
          __typename
          search {
            __typename
            ... on Product { upc }
            ... on User { id kind: __typename }
          }
        }
        """,
        {
            "products": lambda _: {
                "data": {
                    "search": [
                        {"__typename": "User", "id": "u1"},
                        {"__typename": "Product", "upc": "1"},
                    ]
                }
            }
        },
    )

    assert response == {
        "data": {
            "__typename": "Query",
            "search": [
                {"__typename": "User", "id": "u1", "kind": "User"},
                {"__typename": "Product", "upc": "1"},
            ],
        }
    }


async def test_fields_selected_twice_are_merged_under_one_key() -> None:
    response, _ = await run(
        Fetch("products", '{product(upc:"1"){upc name reviews{body}}}'),
        '{ product(upc: "1") { upc reviews { body } ... on Product { name upc } } }',
        {
            "products": lambda _: {
                "data": {"product": {"upc": "1", "name": "T", "reviews": [{"body": "b"}]}}
            }
        },
    )

    assert response == {"data": {"product": {"upc": "1", "reviews": [{"body": "b"}], "name": "T"}}}


async def test_enum_and_custom_values_pass_through() -> None:
    response, _ = await run(
        Fetch("products", '{product(upc:"1"){color price}}'),
        '{ product(upc: "1") { color price } }',
        {"products": lambda _: {"data": {"product": {"color": "GREEN", "price": 12}}}},
    )

    assert response == {"data": {"product": {"color": "GREEN", "price": 12}}}


async def test_introspection_is_answered_by_the_gateway() -> None:
    response, subgraphs = await run(
        None,
        '{ __schema { queryType { name } } __type(name: "Color") { enumValues { name } } }',
        {},
    )

    assert response == {
        "data": {
            "__schema": {"queryType": {"name": "Query"}},
            "__type": {"enumValues": [{"name": "RED"}, {"name": "GREEN"}]},
        }
    }
    assert subgraphs.requests == {}


@pytest.mark.parametrize(
    ("show", "data"), [(True, {"__schema": {"queryType": {"name": "Query"}}}), (False, {})]
)
async def test_introspection_fields_are_included_as_their_variables_say(
    show: bool, data: dict[str, Any]
) -> None:
    response, _ = await run(
        None,
        "query($show: Boolean!) { __schema @include(if: $show) { queryType { name } } }",
        {},
        {"show": show},
    )

    assert response == {"data": data}


async def test_introspection_reads_the_variables_of_its_arguments() -> None:
    response, _ = await run(
        None, "query($name: String!) { __type(name: $name) { name } }", {}, {"name": "Color"}
    )

    assert response == {"data": {"__type": {"name": "Color"}}}


async def test_output_rewrites_rename_typenames_of_interface_objects() -> None:
    fetch = Fetch(
        "products",
        '{product(upc:"1"){__typename upc}}',
        output_rewrites=(ValueSetter(("product", "__typename"), "Product"),),
    )

    response, _ = await run(
        fetch,
        '{ product(upc: "1") { __typename upc } }',
        {"products": lambda _: {"data": {"product": {"__typename": "Item", "upc": "1"}}}},
    )

    assert response == {"data": {"product": {"__typename": "Product", "upc": "1"}}}


async def test_output_rewrites_apply_to_each_entity_answered() -> None:
    # A field the subgraph answered under an alias (its type conflicts with a sibling's)
    # gets its name back in every entity, before it is merged.
    fetch = entity_fetch("reviews", "Product", ("upc",), "_name:name")
    fetch = Fetch(
        fetch.service_name,
        fetch.operation,
        requires=fetch.requires,
        output_rewrites=(KeyRenamer(("_name",), "name"),),
    )

    response, _ = await run(
        Sequence(
            (Fetch("products", "{topProducts{__typename upc}}"), flatten("topProducts.@", fetch))
        ),
        "{ topProducts { upc name } }",
        {
            "products": lambda _: {
                "data": {
                    "topProducts": [
                        {"__typename": "Product", "upc": "1"},
                        {"__typename": "Product", "upc": "2"},
                    ]
                }
            },
            "reviews": lambda _: {"data": {"_entities": [{"_name": "Table"}, {"_name": "Chair"}]}},
        },
    )

    assert response == {
        "data": {"topProducts": [{"upc": "1", "name": "Table"}, {"upc": "2", "name": "Chair"}]}
    }


async def test_input_rewrites_change_representations_before_sending() -> None:
    fetch = entity_fetch("reviews", "Product", ("upc",), "reviews{body}")
    fetch = Fetch(
        fetch.service_name,
        fetch.operation,
        requires=fetch.requires,
        input_rewrites=(ValueSetter(("... on Product", "__typename"), "Item"),),
    )

    _, subgraphs = await run(
        Sequence((TOP_PRODUCTS, flatten("topProducts.@", fetch))),
        "{ topProducts { reviews { body } } }",
        {
            "products": lambda _: {
                "data": {"topProducts": [{"__typename": "Product", "upc": "1", "name": "T"}]}
            },
            "reviews": reviews_for,
        },
    )

    assert subgraphs.requests["reviews"][0]["variables"]["representations"] == [
        {"__typename": "Item", "upc": "1"}
    ]


async def test_headers_are_forwarded_to_subgraphs() -> None:
    _, subgraphs = await run(
        Fetch("users", "{me{username}}"),
        "{ me { username } }",
        {"users": lambda _: {"data": {"me": {"username": "ada"}}}},
        headers={"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"},
    )

    assert subgraphs.headers["users"][0]["traceparent"] == (
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    )


async def test_before_shaping_sees_the_merged_data_and_its_errors_reach_the_response() -> None:
    # What the auth stage does with it: a field it took out of the plan, answered null with an
    # error of its own.
    seen: list[dict[str, Any]] = []

    def unauthorized(data: dict[str, Any], errors: list[dict[str, Any]]) -> None:
        seen.append(dict(data))
        data["me"] = None
        errors.append({"message": "Unauthorized field", "path": ["me"]})

    subgraphs = Subgraphs(
        {
            "products": lambda _: {
                "data": {"topProducts": [{"__typename": "Product", "upc": "1", "name": "Table"}]}
            }
        }
    )
    client = HttpSubgraphClient(transport=httpx.MockTransport(subgraphs))
    try:
        response = await execute(
            QueryPlan(TOP_PRODUCTS),
            prepare("{ topProducts { name } me { username } }", None, SCHEMA),
            None,
            supergraph("products", "reviews", "users"),
            client,
            before_shaping=unauthorized,
        )
    finally:
        await client.aclose()

    assert seen == [{"topProducts": [{"__typename": "Product", "upc": "1", "name": "Table"}]}]
    assert response == {
        "data": {"topProducts": [{"name": "Table"}], "me": None},
        "errors": [{"message": "Unauthorized field", "path": ["me"]}],
    }
