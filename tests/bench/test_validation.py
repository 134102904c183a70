"""Telling a wrong answer from the expected one, and saying where it differs."""

from __future__ import annotations

import orjson

from bench.validation import first_difference


def test_equal_answers_have_no_difference() -> None:
    answer = {"data": {"users": [{"id": "1", "reviews": []}]}}
    assert first_difference(answer, orjson_copy(answer)) is None


def test_the_first_difference_is_named_by_its_path() -> None:
    expected = {"data": {"users": [{"id": "1", "name": "Ada"}]}}
    assert (
        first_difference(expected, {"data": {"users": [{"id": "1", "name": None}]}})
        == ".data.users[0].name: expected 'Ada', got None"
    )
    assert first_difference(expected, {"data": {"users": []}}) == (
        ".data.users: expected 1 items, got 0"
    )
    assert first_difference(expected, {"data": {"users": [{"id": "1"}]}}) == (
        ".data.users[0].name: missing"
    )
    assert first_difference({"data": {}}, {"data": {}, "errors": []}) == ".errors: unexpected"


def test_an_integer_is_not_a_float() -> None:
    assert first_difference({"price": 1}, {"price": 1.0}) is not None


def orjson_copy(value: object) -> object:
    return orjson.loads(orjson.dumps(value))
