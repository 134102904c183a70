"""`deep_merge`: how a fetch's answer joins what earlier fetches put in the response tree.

Objects merge key by key, lists element by element (the same list fetched twice, or a list an
entity fetch extends in place), and a null never erases a value another fetch provided: a
subgraph that could not resolve a field it shares must not undo one that could."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.execution.merge import deep_merge


def merged(target: dict[str, Any], source: dict[str, Any]) -> dict[str, Any]:
    deep_merge(target, source)
    return target


def test_objects_merge_key_by_key() -> None:
    assert merged({"a": {"x": 1}, "b": 2}, {"a": {"y": 3}, "c": 4}) == {
        "a": {"x": 1, "y": 3},
        "b": 2,
        "c": 4,
    }


def test_a_null_never_overwrites_a_value() -> None:
    assert merged({"a": 1, "b": {"x": 1}, "c": [1]}, {"a": None, "b": None, "c": None}) == {
        "a": 1,
        "b": {"x": 1},
        "c": [1],
    }


def test_a_value_fills_a_null_or_a_missing_key() -> None:
    assert merged({"a": None}, {"a": {"x": 1}, "b": None}) == {"a": {"x": 1}, "b": None}


def test_a_later_scalar_wins() -> None:
    assert merged({"a": 1, "b": "x"}, {"a": 2, "b": {"now": "object"}}) == {
        "a": 2,
        "b": {"now": "object"},
    }


def test_lists_of_objects_merge_element_by_element() -> None:
    target = {"items": [{"id": 1}, {"id": 2}]}
    first = target["items"][0]

    deep_merge(target, {"items": [{"name": "a"}, {"name": "b"}]})

    assert target == {"items": [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}]}
    # In place: plan nodes hold references to these objects.
    assert target["items"][0] is first


def test_null_elements_keep_what_is_there_and_fill_what_is_not() -> None:
    target = {"items": [{"id": 1}, None, 3]}

    deep_merge(target, {"items": [None, {"id": 2}, None]})

    assert target == {"items": [{"id": 1}, {"id": 2}, 3]}


def test_nested_lists_merge_element_by_element() -> None:
    target = {"grid": [[{"x": 1}], [{"x": 2}, {"x": 3}]]}

    deep_merge(target, {"grid": [[{"y": 1}], [{"y": 2}, None]]})

    assert target == {"grid": [[{"x": 1, "y": 1}], [{"x": 2, "y": 2}, {"x": 3}]]}


@pytest.mark.parametrize(
    ("before", "answer", "after"),
    [
        ([1, 2], [1, 2, 3], [1, 2, 3]),
        ([{"a": 1}], [{"b": 2}, {"c": 3}], [{"a": 1, "b": 2}, {"c": 3}]),
        ([1, 2, 3], [9], [9, 2, 3]),
        ([], [1], [1]),
    ],
    ids=["longer answer appends", "longer answer merges then appends", "shorter", "empty"],
)
def test_lists_of_different_lengths(before: list[Any], answer: list[Any], after: list[Any]) -> None:
    assert merged({"items": before}, {"items": answer}) == {"items": after}


def test_a_list_and_an_object_do_not_merge_the_later_wins() -> None:
    assert merged({"a": [1]}, {"a": {"x": 1}}) == {"a": {"x": 1}}
    assert merged({"a": {"x": 1}}, {"a": [1]}) == {"a": [1]}
