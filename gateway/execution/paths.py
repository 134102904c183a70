"""Flatten paths: find the objects a fetch extends in the merged response.

A path is response keys and `@` for "every element of this list", as the planner writes them
(`gateway/planning/nodes.py`). Each object comes with its client path (keys and list indices),
which errors are reported at. Fetches find their objects without paths, through `walks.py`;
paths are worked out here only for errors.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gateway.planning.nodes import LIST_MARKER

ResponsePath = tuple[str | int, ...]


def objects_at(
    data: dict[str, Any], path: Sequence[str]
) -> list[tuple[ResponsePath, dict[str, Any]]]:
    current: list[tuple[ResponsePath, Any]] = [((), data)]
    for step in path:
        following: list[tuple[ResponsePath, Any]] = []
        if step == LIST_MARKER:
            for at, value in current:
                if isinstance(value, list):
                    following.extend(((*at, index), item) for index, item in enumerate(value))
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
