"""Errors for the fields `restrict` took out, at every concrete path where they would have
appeared: the merged subgraph data is walked along each field's response keys, through lists,
and every object reached gets an error at `path + [key]`. Shaping then answers those fields
null (and, for a non-null field, nulls its nearest nullable parent, explained by this error).

A field inside an empty list or under a null parent appears nowhere, so it gets no error.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gateway.auth.errors import UNAUTHORIZED_FIELD_OR_TYPE
from gateway.auth.requirements import GuardedField

UNAUTHORIZED_MESSAGE = "Unauthorized field or type"


def report_denied(
    denied: Sequence[GuardedField], data: dict[str, Any], errors: list[dict[str, Any]]
) -> None:
    for field in denied:
        for path in _paths(field, 0, data, []):
            errors.append(
                {
                    "message": UNAUTHORIZED_MESSAGE,
                    "path": path,
                    "extensions": {"code": UNAUTHORIZED_FIELD_OR_TYPE},
                }
            )


def _paths(field: GuardedField, depth: int, value: Any, at: list[str | int]) -> list[list[Any]]:
    if isinstance(value, list):
        found: list[list[Any]] = []
        for index, item in enumerate(value):
            found.extend(_paths(field, depth, item, [*at, index]))
        return found
    if not isinstance(value, dict):
        return []
    kinds = field.kinds[depth]
    if kinds is not None:
        typename = value.get("__typename")
        if isinstance(typename, str) and typename not in kinds:
            return []
    key = field.steps[depth]
    if depth == len(field.steps) - 1:
        return [[*at, key]]
    return _paths(field, depth + 1, value.get(key), [*at, key])


def template_path(field: GuardedField) -> list[str | int]:
    """The field's path without list indices, for refusals made before any data exists."""
    return list(field.steps)
