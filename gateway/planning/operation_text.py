"""The text of a fetch's operation, and the representation shape it sends.

Root fetches carry the selections as they are; entity fetches wrap them in
`_entities(representations: $representations)`. Only the client variables a fetch uses are
declared, in the client's order; the text is minified, as Apollo sends it.
"""

from __future__ import annotations

import re

from graphql import (
    ArgumentNode,
    FieldNode,
    ListTypeNode,
    NamedTypeNode,
    NameNode,
    NonNullTypeNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableDefinitionNode,
    VariableNode,
    Visitor,
    print_ast,
    strip_ignored_characters,
    visit,
)

from gateway.planning.nodes import OperationKind, RequiredField, RequiredFragment, RequiredSelection
from gateway.planning.selection_tree import FieldEntry, SelectionTree

REPRESENTATIONS = "representations"


class _VariableCollector(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []

    def enter_variable(self, node: VariableNode, *_: object) -> None:
        if node.name.value not in self.names:
            self.names.append(node.name.value)


def used_variables(selection_set: SelectionSetNode) -> list[str]:
    collector = _VariableCollector()
    visit(selection_set, collector)
    return collector.names


def fetch_operation(
    *,
    kind: OperationKind,
    selections: SelectionTree,
    is_entity: bool,
    client_variables: tuple[VariableDefinitionNode, ...],
    operation_name: str | None,
) -> tuple[str, tuple[str, ...]]:
    """(operation text, variables it uses)."""
    selection_set = selections.to_ast()
    used = set(used_variables(selection_set))
    definitions = [
        definition for definition in client_variables if definition.variable.name.value in used
    ]
    if is_entity:
        selection_set = SelectionSetNode(
            selections=(
                FieldNode(
                    name=NameNode(value="_entities"),
                    arguments=(
                        ArgumentNode(
                            name=NameNode(value=REPRESENTATIONS),
                            value=VariableNode(name=NameNode(value=REPRESENTATIONS)),
                        ),
                    ),
                    directives=(),
                    selection_set=selection_set,
                ),
            )
        )
        definitions.insert(
            0,
            VariableDefinitionNode(
                variable=VariableNode(name=NameNode(value=REPRESENTATIONS)),
                type=NonNullTypeNode(
                    type=ListTypeNode(
                        type=NonNullTypeNode(type=NamedTypeNode(name=NameNode(value="_Any")))
                    )
                ),
                directives=(),
            ),
        )
    operation = OperationDefinitionNode(
        operation=OperationType(kind),
        name=NameNode(value=operation_name) if operation_name else None,
        variable_definitions=tuple(definitions),
        directives=(),
        selection_set=selection_set,
    )
    text = strip_ignored_characters(print_ast(operation))
    return text, tuple(
        definition.variable.name.value
        for definition in definitions
        if definition.variable.name.value != REPRESENTATIONS
    )


def required_selections(tree: SelectionTree) -> tuple[RequiredSelection, ...]:
    selections: list[RequiredSelection] = []
    for entry in tree.entries.values():
        if isinstance(entry, FieldEntry):
            selections.append(
                RequiredField(
                    name=entry.name,
                    alias=entry.alias,
                    selections=required_selections(entry.children) if entry.children else (),
                )
            )
        else:
            selections.append(
                RequiredFragment(
                    type_condition=entry.type_condition or "",
                    selections=required_selections(entry.children),
                )
            )
    return tuple(selections)


def fetch_operation_name(client_name: str | None, service: str, index: int) -> str | None:
    if not client_name:
        return None
    return f"{client_name}__{re.sub(r'[^A-Za-z0-9_]', '_', service)}__{index}"
