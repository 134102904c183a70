"""Operation limits (Apollo Router's `limits`): depth, aliases, root fields.

Counted on the normalized selection set, so fragments count where they are spread, as the
router counts them. `None` means unlimited, the router's default.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql import FieldNode, InlineFragmentNode, SelectionSetNode

from gateway.operation.errors import (
    MAX_ALIASES_LIMIT,
    MAX_DEPTH_LIMIT,
    MAX_ROOT_FIELDS_LIMIT,
    OperationError,
)


@dataclass(frozen=True)
class OperationLimits:
    max_depth: int | None = None
    max_aliases: int | None = None
    max_root_fields: int | None = None


def check_limits(selection_set: SelectionSetNode, limits: OperationLimits) -> None:
    """Raise `OperationError` for the first limit the operation exceeds."""
    if limits.max_depth is not None and depth(selection_set) > limits.max_depth:
        raise OperationError.single(
            MAX_DEPTH_LIMIT, "Maximum depth limit exceeded in this operation"
        )
    if limits.max_aliases is not None and alias_count(selection_set) > limits.max_aliases:
        raise OperationError.single(
            MAX_ALIASES_LIMIT, "Maximum aliases limit exceeded in this operation"
        )
    if (
        limits.max_root_fields is not None
        and len(list(fields(selection_set))) > limits.max_root_fields
    ):
        raise OperationError.single(
            MAX_ROOT_FIELDS_LIMIT, "Maximum root fields limit exceeded in this operation"
        )


def fields(selection_set: SelectionSetNode) -> list[FieldNode]:
    """The fields of one level, looking through inline fragments."""
    found: list[FieldNode] = []
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            found.append(selection)
        elif isinstance(selection, InlineFragmentNode):
            found.extend(fields(selection.selection_set))
    return found


def depth(selection_set: SelectionSetNode) -> int:
    """Root fields are at depth 1."""
    deepest = 0
    for field in fields(selection_set):
        below = depth(field.selection_set) if field.selection_set else 0
        deepest = max(deepest, 1 + below)
    return deepest


def alias_count(selection_set: SelectionSetNode) -> int:
    count = 0
    for field in fields(selection_set):
        if field.alias is not None:
            count += 1
        if field.selection_set:
            count += alias_count(field.selection_set)
    return count
