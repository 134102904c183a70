"""The primary fetch of a subscription, made resumable and shareable.

Every event the gateway delivers carries its bus id (SSE `id:`, `extensions.eventId`), whether
or not the client selected it: the root field's `id` is added to the primary fetch under the
alias `sb_eventId` when the event type has one. When the field takes `after`, the argument is
always the variable `$sb_after` (the client's own `after`, literal or variable, is taken out and
remembered as the resume position): the live stream (`$sb_after: null`) is then the same request
for every client of the same operation, whatever position each resumed from, so they can share
one upstream operation (docs/design/subscriptions.md, "Sharing"). These are rewrites of the
fetch's operation text, made once per plan and cached.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import lru_cache

from graphql import (
    ArgumentNode,
    FieldNode,
    GraphQLObjectType,
    GraphQLSchema,
    IntValueNode,
    NamedTypeNode,
    NameNode,
    Node,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    VariableDefinitionNode,
    VariableNode,
    get_named_type,
    parse,
    print_ast,
)

from gateway.planning.nodes import Fetch

EVENT_ID_KEY = "sb_eventId"
AFTER_VARIABLE = "sb_after"
AFTER_ARGUMENT = "after"


@dataclass(frozen=True)
class PrimaryFetch:
    fetch: Fetch
    root_key: str  # the root field's response key in the subgraph's answer
    event_ids: bool  # whether `sb_eventId` is selected
    # The variable whose value is the `after` argument (`sb_after`); None when the field takes
    # no `after`.
    after_variable: str | None
    # Where the client asked to start: its literal `after`, or the variable that held it.
    given_after: str | None = None
    given_after_variable: str | None = None


def primary_fetch(schema: GraphQLSchema, fetch: Fetch) -> PrimaryFetch:
    return _rewrite(schema, fetch)


def _variables_used(node: Node) -> Iterator[str]:
    if isinstance(node, VariableNode):
        yield node.name.value
        return
    for key in node.keys:
        value = getattr(node, key, None)
        children = value if isinstance(value, tuple | list) else (value,)
        for child in children:
            if isinstance(child, Node):
                yield from _variables_used(child)


@lru_cache(maxsize=1024)
def _rewrite(schema: GraphQLSchema, fetch: Fetch) -> PrimaryFetch:
    document = parse(fetch.operation, no_location=True)
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    root = operation.selection_set.selections[0]
    assert isinstance(root, FieldNode)
    root_type = schema.subscription_type
    field = root_type.fields.get(root.name.value) if root_type is not None else None
    if field is None:
        return PrimaryFetch(fetch, (root.alias or root.name).value, False, None)
    event_type = get_named_type(field.type)
    event_ids = isinstance(event_type, GraphQLObjectType) and "id" in event_type.fields
    resumable = AFTER_ARGUMENT in field.args
    selections = list(root.selection_set.selections) if root.selection_set else []
    if event_ids:
        selections.append(FieldNode(alias=NameNode(value=EVENT_ID_KEY), name=NameNode(value="id")))
    arguments = list(root.arguments or ())
    variables = list(operation.variable_definitions or ())
    usages = fetch.variable_usages
    after_variable = given_after = given_after_variable = None
    if resumable:
        after_variable = AFTER_VARIABLE
        given = next((arg for arg in arguments if arg.name.value == AFTER_ARGUMENT), None)
        if given is not None:
            arguments.remove(given)
            if isinstance(given.value, VariableNode):
                given_after_variable = given.value.name.value
            elif isinstance(given.value, StringValueNode | IntValueNode):
                given_after = given.value.value
        arguments.append(
            ArgumentNode(
                name=NameNode(value=AFTER_ARGUMENT),
                value=VariableNode(name=NameNode(value=AFTER_VARIABLE)),
            )
        )
        variables.append(
            VariableDefinitionNode(
                variable=VariableNode(name=NameNode(value=AFTER_VARIABLE)),
                type=NamedTypeNode(name=NameNode(value="ID")),
                directives=(),
            )
        )
        usages = (*usages, AFTER_VARIABLE)
    new_root = FieldNode(
        alias=root.alias,
        name=root.name,
        arguments=tuple(arguments),
        directives=root.directives,
        selection_set=SelectionSetNode(selections=tuple(selections)),
    )
    selection_set = SelectionSetNode(selections=(new_root,))
    if given_after_variable is not None:
        # The client's `after` variable is no longer sent when nothing else uses it.
        used = set(_variables_used(selection_set)) | set(_variables_used_in(operation))
        if given_after_variable not in used:
            variables = [v for v in variables if v.variable.name.value != given_after_variable]
            usages = tuple(name for name in usages if name != given_after_variable)
    new_operation = OperationDefinitionNode(
        operation=operation.operation,
        name=operation.name,
        variable_definitions=tuple(variables),
        directives=operation.directives,
        selection_set=selection_set,
    )
    text = print_ast(new_operation)
    return PrimaryFetch(
        replace(fetch, operation=text, variable_usages=usages),
        (root.alias or root.name).value,
        event_ids,
        after_variable,
        given_after,
        given_after_variable,
    )


def _variables_used_in(operation: OperationDefinitionNode) -> Iterator[str]:
    """Variables the operation's own directives use (rare, but they count)."""
    for directive in operation.directives or ():
        yield from _variables_used(directive)
