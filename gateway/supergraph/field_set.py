"""Field sets (`@key(fields:)`, `@requires`, `@provides`) parsed into typed selections."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TypeAlias

from graphql import (
    FieldNode,
    GraphQLSyntaxError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    parse,
    print_ast,
)

from gateway.supergraph.errors import SupergraphError


@dataclass(frozen=True)
class FieldSelection:
    """A field of a field set; `arguments` are (name, printed literal) pairs."""

    name: str
    selections: tuple[FieldSetSelection, ...] = ()
    arguments: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class FragmentSelection:
    type_condition: str
    selections: tuple[FieldSetSelection, ...]


FieldSetSelection: TypeAlias = FieldSelection | FragmentSelection


@dataclass(frozen=True)
class FieldSet:
    text: str
    selections: tuple[FieldSetSelection, ...]

    def field_names(self) -> tuple[str, ...]:
        """The top-level field names, in order (fragments flattened)."""
        names: list[str] = []
        for selection in self.selections:
            if isinstance(selection, FieldSelection):
                names.append(selection.name)
            else:
                names.extend(
                    nested.name
                    for nested in selection.selections
                    if isinstance(nested, FieldSelection)
                )
        return tuple(names)


def parse_field_set(text: str, where: str) -> FieldSet:
    """A supergraph repeats the same few field sets (`id`) on every holder of every entity:
    each text is parsed once and the (immutable) result shared; only a failure is parsed
    again, to name `where` in its error."""
    try:
        return _shared_field_set(text)
    except SupergraphError:
        return _parse_field_set(text, where)


@lru_cache(maxsize=4096)
def _shared_field_set(text: str) -> FieldSet:
    return _parse_field_set(text, "a type")


def _parse_field_set(text: str, where: str) -> FieldSet:
    try:
        document = parse("{" + text + "}", no_location=True)
    except GraphQLSyntaxError as error:
        raise SupergraphError(f"invalid field set {text!r} on {where}: {error.message}") from None
    definition = document.definitions[0]
    assert isinstance(definition, OperationDefinitionNode)
    return FieldSet(text=text, selections=_selections(definition.selection_set, text, where))


def _selections(
    selection_set: SelectionSetNode | None, text: str, where: str
) -> tuple[FieldSetSelection, ...]:
    if selection_set is None:
        return ()
    selections: list[FieldSetSelection] = []
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            if selection.alias is not None:
                raise SupergraphError(f"field set {text!r} on {where} may not use aliases")
            selections.append(
                FieldSelection(
                    name=selection.name.value,
                    selections=_selections(selection.selection_set, text, where),
                    arguments=tuple(
                        (argument.name.value, print_ast(argument.value))
                        for argument in selection.arguments or ()
                    ),
                )
            )
        elif isinstance(selection, InlineFragmentNode) and selection.type_condition is not None:
            selections.append(
                FragmentSelection(
                    type_condition=selection.type_condition.name.value,
                    selections=_selections(selection.selection_set, text, where),
                )
            )
        else:
            raise SupergraphError(
                f"field set {text!r} on {where} may only hold fields and typed inline fragments"
            )
    return tuple(selections)
