"""Field sets (`@key`/`@requires`/`@provides` `fields:`) parsed into a small selection tree."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from graphql import FieldNode, GraphQLSyntaxError, InlineFragmentNode, SelectionSetNode, parse


class FieldSetSyntaxError(ValueError):
    pass


@dataclass(frozen=True)
class FieldSelection:
    name: str
    has_arguments: bool
    alias: str | None
    selections: FieldSet | None


@dataclass(frozen=True)
class FragmentSelection:
    type_condition: str | None
    selections: FieldSet


@dataclass(frozen=True)
class FieldSet:
    selections: tuple[FieldSelection | FragmentSelection, ...]

    def top_level_names(self) -> list[str]:
        names: list[str] = []
        for selection in self.selections:
            if isinstance(selection, FieldSelection):
                names.append(selection.name)
            else:
                names.extend(selection.selections.top_level_names())
        return names


def _convert(selection_set: SelectionSetNode) -> FieldSet:
    selections: list[FieldSelection | FragmentSelection] = []
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            selections.append(
                FieldSelection(
                    name=selection.name.value,
                    has_arguments=bool(selection.arguments),
                    alias=selection.alias.value if selection.alias else None,
                    selections=_convert(selection.selection_set)
                    if selection.selection_set
                    else None,
                )
            )
        elif isinstance(selection, InlineFragmentNode):
            selections.append(
                FragmentSelection(
                    selection.type_condition.name.value if selection.type_condition else None,
                    _convert(selection.selection_set),
                )
            )
        else:
            raise FieldSetSyntaxError("named fragments are not allowed in field sets")
    return FieldSet(tuple(selections))


# The same `fields:` text (a `@key` on every holder of an entity) is parsed again by each stage
# that reads it; the parsed value is immutable, so it is shared.
@lru_cache(maxsize=4096)
def parse_field_set(text: str) -> FieldSet:
    """Raises `FieldSetSyntaxError` on text that is no selection set."""
    try:
        document = parse("{" + text + "}", no_location=True)
    except GraphQLSyntaxError as error:
        raise FieldSetSyntaxError(error.message) from None
    operation = document.definitions[0]
    if len(document.definitions) != 1 or not hasattr(operation, "selection_set"):
        raise FieldSetSyntaxError("not a selection set")
    return _convert(operation.selection_set)


def selected_fields(text: str) -> FieldSet:
    """Lenient variant for places where validation has already reported bad field sets."""
    try:
        return parse_field_set(text)
    except FieldSetSyntaxError:
        return FieldSet(())
