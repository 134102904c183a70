"""Introspection (`__schema`, `__type`) is answered by the gateway from the API schema, as
Apollo Router does: no subgraph knows the supergraph's API schema."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    execute_sync,
)

from gateway.execution.client import JsonObject
from gateway.execution.variables import included
from gateway.operation.prepared import PreparedOperation

INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})


def introspection_fields(
    operation: PreparedOperation, variables: Mapping[str, Any]
) -> list[FieldNode]:
    if operation.kind != "query":
        return []
    return [
        selection
        for selection in operation.selection_set.selections
        if isinstance(selection, FieldNode)
        and selection.name.value in INTROSPECTION_FIELDS
        and (not selection.directives or included(selection.directives, variables))
    ]


def introspect(
    schema: GraphQLSchema,
    operation: PreparedOperation,
    fields: list[FieldNode],
    raw_variables: Mapping[str, Any] | None,
) -> tuple[JsonObject, list[JsonObject]]:
    """Run only the introspection root fields with graphql-core; data and formatted errors."""
    document = DocumentNode(
        definitions=(
            OperationDefinitionNode(
                operation=OperationType.QUERY,
                variable_definitions=operation.definition.variable_definitions,
                selection_set=SelectionSetNode(selections=tuple(fields)),
            ),
        )
    )
    result = execute_sync(schema, document, variable_values=dict(raw_variables or {}))
    errors = [dict(error.formatted) for error in result.errors or ()]
    return result.data or {}, errors
