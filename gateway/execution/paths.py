"""Flatten paths: find the objects a fetch extends in the merged response.

A path is response keys, `@` for "every element of this list", optionally narrowed with
`@|[A,B]` (elements whose `__typename` is listed) or `... on A` steps, as Apollo prints them.
Each object comes with its client path (keys and list indices), which errors are reported at.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from gateway.planning.nodes import LIST_MARKER

ResponsePath = tuple[str | int, ...]
TYPE_CONDITION_PREFIX = "... on "


# A path step, parsed: (LIST, allowed type names or None), (TYPE_CONDITION, name), (KEY, key).
LIST, TYPE_CONDITION, KEY = 0, 1, 2
Step = tuple[int, Any]


@lru_cache(maxsize=4096)
def parse_path(path: tuple[str, ...]) -> tuple[Step, ...]:
    steps: list[Step] = []
    for step in path:
        if step.startswith(LIST_MARKER):
            steps.append((LIST, _type_names(step[len(LIST_MARKER) :])))
        elif step.startswith(TYPE_CONDITION_PREFIX):
            steps.append((TYPE_CONDITION, step[len(TYPE_CONDITION_PREFIX) :].strip()))
        else:
            steps.append((KEY, step))
    return tuple(steps)


def objects_in(data: dict[str, Any], path: Sequence[str]) -> list[dict[str, Any]]:
    """The objects `objects_at` finds, without their paths: what a fetch needs when nothing
    fails. Paths are worked out again (`objects_at`) only for errors."""
    current: list[Any] = [data]
    for kind, argument in parse_path(tuple(path)):
        following: list[Any] = []
        if kind == KEY:
            for value in current:
                if isinstance(value, dict):
                    child = value.get(argument)
                    if child is not None:
                        following.append(child)
        elif kind == LIST:
            for value in current:
                if isinstance(value, list):
                    if argument is None:
                        following.extend(value)
                    else:
                        following.extend(item for item in value if _typename(item) in argument)
        else:
            following = [value for value in current if _typename(value) == argument]
        current = following
    objects: list[dict[str, Any]] = []
    _collect_objects(current, objects)
    return objects


def _collect_objects(found: list[Any], objects: list[dict[str, Any]]) -> None:
    for value in found:
        if isinstance(value, dict):
            objects.append(value)
        elif isinstance(value, list):
            _collect_objects(value, objects)


def objects_at(
    data: dict[str, Any], path: Sequence[str]
) -> list[tuple[ResponsePath, dict[str, Any]]]:
    current: list[tuple[ResponsePath, Any]] = [((), data)]
    for step in path:
        following: list[tuple[ResponsePath, Any]] = []
        if step.startswith(LIST_MARKER):
            allowed = _type_names(step[len(LIST_MARKER) :])
            for at, value in current:
                if isinstance(value, list):
                    for index, item in enumerate(value):
                        if allowed is None or _typename(item) in allowed:
                            following.append(((*at, index), item))
        elif step.startswith(TYPE_CONDITION_PREFIX):
            type_name = step[len(TYPE_CONDITION_PREFIX) :].strip()
            following = [(at, value) for at, value in current if _typename(value) == type_name]
        else:
            for at, value in current:
                if isinstance(value, dict):
                    child = value.get(step)
                    if child is not None:
                        following.append(((*at, step), child))
        current = following
    return _objects(current)


def _objects(found: list[tuple[ResponsePath, Any]]) -> list[tuple[ResponsePath, dict[str, Any]]]:
    """The objects among `found`, looking into lists a path left without a trailing `@`."""
    objects: list[tuple[ResponsePath, dict[str, Any]]] = []
    for at, value in found:
        if isinstance(value, dict):
            objects.append((at, value))
        elif isinstance(value, list):
            objects.extend(_objects([((*at, index), item) for index, item in enumerate(value)]))
    return objects


def _type_names(condition: str) -> frozenset[str] | None:
    """`|[A,B]` → {A, B}; empty → no condition."""
    if not condition.startswith("|[") or not condition.endswith("]"):
        return None
    return frozenset(name.strip() for name in condition[2:-1].split(","))


def _typename(value: Any) -> Any:
    return value.get("__typename") if isinstance(value, dict) else None
