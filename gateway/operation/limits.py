"""Operation limits (Apollo Router's `limits`): parser limits, size, depth, aliases, root fields.

The parser's token and nesting limits apply while parsing; `max_height` and the nesting of the
expanded operation are measured (without expanding it, `size.py`) right after validation; the
others are counted on the normalized selection set, so fragments count where they are spread,
as the router counts them. `None` means unlimited. Depth, aliases and root fields default to
unlimited, as in the router; the parser limits and `max_height` have defaults, because
without them one small request can pin the gateway's CPU and memory (docs/security.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql import FieldNode, InlineFragmentNode, SelectionSetNode

from gateway.operation.errors import (
    MAX_ALIASES_LIMIT,
    MAX_DEPTH_LIMIT,
    MAX_HEIGHT_LIMIT,
    MAX_ROOT_FIELDS_LIMIT,
    PARSE_FAILED,
    OperationError,
)
from gateway.operation.size import Size

# Router's parser defaults are 15,000 tokens and 500 levels of recursion. graphql-core's
# recursive-descent parser, and the stages after it, run out of Python stack at ~190 levels
# (a parse error, not a crash), so our recursion default is lower (docs/deviations.md).
DEFAULT_PARSER_MAX_TOKENS = 15_000
DEFAULT_PARSER_MAX_RECURSION = 100
DEFAULT_MAX_HEIGHT = 20_000


@dataclass(frozen=True)
class OperationLimits:
    max_depth: int | None = None
    max_aliases: int | None = None
    max_root_fields: int | None = None
    parser_max_tokens: int | None = DEFAULT_PARSER_MAX_TOKENS
    parser_max_recursion: int | None = DEFAULT_PARSER_MAX_RECURSION
    # Field selections once fragments are expanded, each spread counted where it is spread.
    max_height: int | None = DEFAULT_MAX_HEIGHT


def check_nesting(nesting: int, limits: OperationLimits) -> None:
    """The document as written, before validation (which recurses on it)."""
    if limits.parser_max_recursion is not None and nesting > limits.parser_max_recursion:
        raise OperationError.single(
            PARSE_FAILED, "Document is nested too deeply (parser recursion limit reached)."
        )


def check_size(size: Size, limits: OperationLimits) -> None:
    """The expanded operation, measured before anything expands it."""
    if limits.max_height is not None and size.selections > limits.max_height:
        raise OperationError.single(
            MAX_HEIGHT_LIMIT, "Maximum height (field count) limit exceeded in this operation"
        )
    if limits.parser_max_recursion is not None and size.nesting > limits.parser_max_recursion:
        raise OperationError.single(
            MAX_DEPTH_LIMIT, "Selections are nested too deeply once fragments are inlined"
        )


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
