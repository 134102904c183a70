"""What an `_entities` answer may hold, and what the client gets for each: a subgraph that
fails its whole entity fetch with errors (`data: null`, `_entities: null`) gives partial data
and keeps its errors; an error pointing at an entity that was not asked for lands on no
object; an answer that is not a GraphQL response is a malformed one."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.planning.nodes import Sequence
from tests.execution.harness import flatten, run
from tests.execution.test_errors import PRODUCTS, QUERY, REVIEWS, TOP_PRODUCTS, products

PLAN = Sequence((TOP_PRODUCTS, flatten("topProducts.@", REVIEWS)))
NO_REVIEWS = {
    "topProducts": [
        {"name": "Table", "reviews": None},
        {"name": "Chair", "reviews": None},
        {"name": "Table again", "reviews": None},
    ]
}


def reviews_error(path: list[Any] | None) -> dict[str, Any]:
    error: dict[str, Any] = {"message": "reviews are down", "extensions": {"code": "DOWN"}}
    if path is not None:
        error["path"] = path
    return error


async def answer_reviews(answer: dict[str, Any]) -> dict[str, Any]:
    response, subgraphs = await run(
        PLAN, QUERY, {"products": products, "reviews": lambda _: answer}
    )
    # Both objects of the first representation and the second one were asked for, once each.
    assert len(subgraphs.requests["reviews"]) == 1
    assert len(subgraphs.requests["reviews"][0]["variables"]["representations"]) == 2
    return response


@pytest.mark.parametrize("data", [None, {"_entities": None}], ids=["data null", "_entities null"])
async def test_an_entity_fetch_failed_with_errors_gives_partial_data_and_its_errors(
    data: dict[str, Any] | None,
) -> None:
    response = await answer_reviews(
        {"data": data, "errors": [reviews_error(["_entities", 1, "reviews"]), reviews_error(None)]}
    )

    assert response == {
        "data": NO_REVIEWS,
        "errors": [
            {
                "message": "reviews are down",
                "path": ["topProducts", 1, "reviews"],
                "extensions": {"code": "DOWN", "service": "reviews"},
            },
            {"message": "reviews are down", "extensions": {"code": "DOWN", "service": "reviews"}},
        ],
    }


@pytest.mark.parametrize(
    "index",
    [-1, 2, 99, True, "0", 0.0],
    ids=["negative", "one past", "far", "bool", "str", "float"],
)
async def test_an_error_at_an_entity_index_that_was_not_asked_for_lands_on_no_object(
    index: Any,
) -> None:
    # Two representations were sent: only 0 and 1 name one. Python would read -1 as the last
    # one and True as 1; a subgraph's error must not be pinned on an object it does not name.
    response = await answer_reviews(
        {
            "data": {"_entities": [{"reviews": []}, {"reviews": []}]},
            "errors": [reviews_error(["_entities", index, "reviews"])],
        }
    )

    assert response["data"]["topProducts"][1] == {"name": "Chair", "reviews": []}
    assert response["errors"] == [
        {"message": "reviews are down", "extensions": {"code": "DOWN", "service": "reviews"}}
    ]


@pytest.mark.parametrize(
    "answer",
    [
        {"data": None, "errors": []},
        {"data": {"_entities": None}},
        {"data": {"_entities": None}, "errors": []},
        {"data": {"_entities": {"0": {"reviews": []}}}},
        {"data": {}},
    ],
    ids=["no data, empty errors", "_entities null", "_entities null, empty errors", "object", "{}"],
)
async def test_an_entity_answer_without_entities_or_errors_is_malformed(
    answer: dict[str, Any],
) -> None:
    response = await answer_reviews(answer)

    assert response["data"] == NO_REVIEWS
    assert {error["extensions"]["code"] for error in response["errors"]} == {
        "SUBREQUEST_MALFORMED_RESPONSE"
    }
    # One error per object the fetch was to extend, at the object (as for any failed fetch).
    assert [error["path"] for error in response["errors"]] == [
        ["topProducts", 0],
        ["topProducts", 2],
        ["topProducts", 1],
    ]


def test_the_products_of_these_tests_hold_two_representations() -> None:
    assert len({product["upc"] for product in PRODUCTS}) == 2


@pytest.mark.parametrize(
    "answer",
    [{"data": None, "errors": []}, {"data": None, "errors": ["down"]}, {"errors": None}],
    ids=["empty errors", "errors that are not objects", "null errors"],
)
async def test_a_root_answer_with_nothing_to_report_is_malformed(answer: dict[str, Any]) -> None:
    response, _ = await run(TOP_PRODUCTS, QUERY, {"products": lambda _: answer})

    assert response == {
        "data": None,
        "errors": [
            {
                "message": "Subgraph response from 'products' was malformed: no data or errors",
                "path": ["topProducts"],
                "extensions": {"code": "SUBREQUEST_MALFORMED_RESPONSE", "service": "products"},
            }
        ],
    }
