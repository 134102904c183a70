"""`print_plan`: a query plan in Apollo's `QueryPlan { … }` text form, byte for byte as
`prettyFormatQueryPlan` prints it (two-space indentation, trailing commas)."""

from __future__ import annotations

from graphql import (
    FieldNode,
    InlineFragmentNode,
    NamedTypeNode,
    NameNode,
    OperationDefinitionNode,
    SelectionNode,
    SelectionSetNode,
    parse,
    print_ast,
)

from gateway.planning.nodes import (
    BatchFetch,
    Condition,
    Fetch,
    Flatten,
    Parallel,
    PlanNode,
    QueryPlan,
    RequiredField,
    RequiredSelection,
    Sequence,
)

INDENT = "  "


def print_plan(plan: QueryPlan) -> str:
    return "QueryPlan {" + _nodes([plan.node] if plan.node else [], "") + "}"


def _nodes(nodes: list[PlanNode], indentation: str) -> str:
    if not nodes:
        return ""
    inner = indentation + INDENT
    return "\n" + "".join(inner + _node(node, inner) + ",\n" for node in nodes) + indentation


def _node(node: PlanNode, indentation: str) -> str:
    inner = indentation + INDENT
    if isinstance(node, Fetch):
        text = f'Fetch(service: "{node.service_name}") {{\n'
        if node.requires:
            text += _selection_set(_requires_ast(node.requires), inner) + " =>\n"
        return (
            text
            + _selection_set(_operation_selections(node.operation), inner)
            + "\n"
            + indentation
            + "}"
        )
    if isinstance(node, Flatten):
        return f'Flatten(path: "{".".join(node.path)}") {{' + _nodes([node.node], indentation) + "}"
    if isinstance(node, BatchFetch):
        return (
            f'BatchFetch(service: "{node.service_name}") {{'
            + _nodes(list(node.parts), indentation)
            + "}"
        )
    if isinstance(node, Sequence):
        return "Sequence {" + _nodes(list(node.nodes), indentation) + "}"
    if isinstance(node, Parallel):
        return "Parallel {" + _nodes(list(node.nodes), indentation) + "}"
    if isinstance(node, Condition):
        innermost = inner + INDENT
        if node.if_clause is not None and node.else_clause is not None:
            return (
                f"Condition(if: ${node.variable}) {{\n"
                f"{inner}Then {{\n{innermost}{_node(node.if_clause, innermost)}\n"
                f"{inner}}} Else {{\n{innermost}{_node(node.else_clause, innermost)}\n"
                f"{inner}}}\n{indentation}}}"
            )
        if node.if_clause is not None:
            return (
                f"Include(if: ${node.variable}) {{\n{inner}{_node(node.if_clause, inner)}\n"
                f"{indentation}}}"
            )
        assert node.else_clause is not None
        return (
            f"Skip(if: ${node.variable}) {{\n{inner}{_node(node.else_clause, inner)}\n"
            f"{indentation}}}"
        )
    innermost = inner + INDENT
    text = (
        f"Subscription {{\n{inner}Primary: {{\n{innermost}{_node(node.primary, innermost)}\n"
        f"{inner}}},"
    )
    if node.rest is not None:
        text += f"\n{inner}Rest: {{\n{innermost}{_node(node.rest, innermost)}"
    # Apollo closes the subscription with a fixed single indent, whatever the depth.
    return text + f"\n{inner}}}\n{INDENT}}}"


def _selection_set(selection_set: SelectionSetNode, indentation: str) -> str:
    return "\n".join(indentation + line for line in print_ast(selection_set).split("\n"))


def _operation_selections(operation: str) -> SelectionSetNode:
    definition = parse(operation, no_location=True).definitions[0]
    assert isinstance(definition, OperationDefinitionNode)
    selection_set = definition.selection_set
    first = selection_set.selections[0]
    if (
        definition.operation.value == "query"
        and isinstance(first, FieldNode)
        and first.name.value == "_entities"
        and first.selection_set is not None
    ):
        return first.selection_set
    return selection_set


def _requires_ast(selections: tuple[RequiredSelection, ...]) -> SelectionSetNode:
    nodes: list[SelectionNode] = []
    for selection in selections:
        if isinstance(selection, RequiredField):
            nodes.append(
                FieldNode(
                    name=NameNode(value=selection.name),
                    arguments=(),
                    directives=(),
                    selection_set=_requires_ast(selection.selections)
                    if selection.selections
                    else None,
                )
            )
        else:
            nodes.append(
                InlineFragmentNode(
                    type_condition=NamedTypeNode(name=NameNode(value=selection.type_condition)),
                    directives=(),
                    selection_set=_requires_ast(selection.selections),
                )
            )
    return SelectionSetNode(selections=tuple(nodes))


__all__ = ["print_plan"]
