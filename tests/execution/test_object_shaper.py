"""`ObjectShaper`: the function written for an object's fields (`written_shaper`) answers as
the field-by-field loop (`shape_object`) does: fields in order, leaves of the shortcut class as
they are, a nullable field's PROPAGATE as null, a non-null field's PROPAGATE for the whole
object before any later field is looked at (so a later field's error is not reported). Every
test runs both, and through an `ObjectShaper` past the point where it switches."""

from __future__ import annotations

from typing import Any

from gateway.execution.shaping import (
    PROPAGATE,
    WRITE_AFTER,
    Completer,
    LinkedPath,
    NoShortcut,
    ObjectFields,
    ObjectShaper,
    Shape,
    ShapingRun,
    shape_object,
    written_shaper,
)

RUN = ShapingRun([], lambda _: None, lambda _: False)


def shapers(fields: ObjectFields) -> list[Shape]:
    """The loop, the written function, and an `ObjectShaper` each time it is called (the loop
    until it has shaped `WRITE_AFTER` objects, then the written function)."""
    shaper = ObjectShaper(fields)

    def through_shaper(value: Any, path: LinkedPath, run: ShapingRun) -> Any:
        return shaper.shape(value, path, run)

    def looping(value: Any, path: LinkedPath, run: ShapingRun) -> Any:
        return shape_object(fields, value, path, run)

    return [looping, written_shaper(fields), *[through_shaper] * (WRITE_AFTER + 1)]


def recording(calls: list[tuple[Any, LinkedPath, str | int]], answer: object) -> Completer:
    def complete(value: Any, parent: LinkedPath, key: str | int, run: ShapingRun) -> object:
        assert run is RUN
        calls.append((value, parent, key))
        return answer

    return complete


def test_fields_answer_in_order_with_leaves_of_the_shortcut_class_as_they_are() -> None:
    calls: list[tuple[Any, LinkedPath, str | int]] = []
    fields: ObjectFields = (
        ("name", recording(calls, "completed"), False, str),
        ("price", recording(calls, 20), True, NoShortcut),
        ("id", recording(calls, "x"), True, str),
    )
    parent: LinkedPath = (None, "product")
    for shape in shapers(fields):
        calls.clear()
        shaped = shape({"id": 7, "price": 10, "name": "N", "other": 1}, parent, RUN)
        assert shaped == {"name": "N", "price": 20, "id": "x"}
        assert isinstance(shaped, dict)
        assert list(shaped) == ["name", "price", "id"]
        assert calls == [(10, parent, "price"), (7, parent, "id")]


def test_a_nullable_field_answers_null_for_a_propagated_null() -> None:
    fields: ObjectFields = (
        ("a", recording([], PROPAGATE), False, NoShortcut),
        ("b", recording([], 1), True, str),
    )
    for shape in shapers(fields):
        assert shape({}, None, RUN) == {"a": None, "b": 1}


def test_a_non_null_field_propagates_before_later_fields_are_completed() -> None:
    later: list[tuple[Any, LinkedPath, str | int]] = []
    fields: ObjectFields = (
        ("a", recording([], 1), False, NoShortcut),
        ("b", recording([], PROPAGATE), True, str),
        ("c", recording(later, 2), False, NoShortcut),
    )
    for shape in shapers(fields):
        assert shape({"b": None}, None, RUN) is PROPAGATE
    assert later == []


def test_no_fields_answer_an_empty_object() -> None:
    for shape in shapers(()):
        assert shape({"a": 1}, None, RUN) == {}
