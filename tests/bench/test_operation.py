"""The benchmark operation and the answer every gateway is checked against."""

from __future__ import annotations

import orjson

from bench.operation import MONOLITH, OPERATION, OPERATION_NAME, expected_response
from bench.subgraphs import data
from tests.bench.subgraphs.reference import reference_execute, reference_schema


def test_the_expected_answer_is_what_graphql_core_answers_over_the_same_data() -> None:
    assert expected_response() == reference_execute(
        reference_schema(MONOLITH), OPERATION, OPERATION_NAME
    )


def test_the_answer_is_tens_of_kilobytes_and_nests_seven_levels() -> None:
    answer = expected_response()["data"]
    assert 20_000 < len(orjson.dumps(answer)) < 100_000
    assert len(answer["users"]) == data.USER_COUNT
    deepest = answer["users"][0]["reviews"][0]["product"]["reviews"][0]["author"]["reviews"][0]
    assert set(deepest["product"]) == {
        "upc", "name", "price", "weight", "inStock", "shippingEstimate",
    }  # fmt: skip
    top = answer["topProducts"]
    assert len(top) == 5
    assert top[0]["reviews"][0]["author"]["reviews"][0]["product"]["reviews"][0]["author"]["name"]
