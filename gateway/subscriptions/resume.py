"""The primary fetch of a subscription, made resumable.

Every event the gateway delivers carries its bus id (SSE `id:`, `extensions.eventId`), whether
or not the client selected it: the root field's `id` is added to the primary fetch under the
alias `sb_eventId` when the event type has one. Resuming from an SSE `Last-Event-ID` sets the
root field's `after` argument (replacing the client's own) to the variable `$sb_after`. Both
are rewrites of the fetch's operation text, made once per plan and cached.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

from graphql import (
    ArgumentNode,
    FieldNode,
    GraphQLObjectType,
    GraphQLSchema,
    NamedTypeNode,
    NameNode,
    OperationDefinitionNode,
    SelectionSetNode,
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
    # The variable whose value is the `after` argument when resuming; None when the field
    # takes no `after` (or no resumption was asked for).
    after_variable: str | None


def primary_fetch(schema: GraphQLSchema, fetch: Fetch, resume: bool) -> PrimaryFetch:
    return _rewrite(schema, fetch, resume)


@lru_cache(maxsize=1024)
def _rewrite(schema: GraphQLSchema, fetch: Fetch, resume: bool) -> PrimaryFetch:
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
    after_variable = None
    given = next((arg for arg in arguments if arg.name.value == AFTER_ARGUMENT), None)
    if resume and resumable and given is not None and isinstance(given.value, VariableNode):
        # The client's own variable carries the resume position instead of its value.
        after_variable = given.value.name.value
    elif resume and resumable:
        after_variable = AFTER_VARIABLE
        arguments = [argument for argument in arguments if argument is not given]
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
    new_operation = OperationDefinitionNode(
        operation=operation.operation,
        name=operation.name,
        variable_definitions=tuple(variables),
        directives=operation.directives,
        selection_set=SelectionSetNode(selections=(new_root,)),
    )
    text = print_ast(new_operation)
    return PrimaryFetch(
        replace(fetch, operation=text, variable_usages=usages),
        (root.alias or root.name).value,
        event_ids,
        after_variable,
    )
