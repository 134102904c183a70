"""Variables: coerced once per request against the operation's definitions, then read by
`Condition` nodes, `@skip`/`@include` while shaping, and the fetches that use them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    BooleanValueNode,
    DirectiveNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    VariableNode,
)
from graphql.execution.values import get_variable_values

from gateway.errors import ClientError, with_code

INVALID_VARIABLE = "VALIDATION_INVALID_TYPE_VARIABLE"


class RequestError(ClientError):
    """The request's variables do not fit the operation."""


def coerce_variables(
    schema: GraphQLSchema, definition: OperationDefinitionNode, raw: Mapping[str, Any] | None
) -> dict[str, Any]:
    if not definition.variable_definitions:
        return {}
    coerced = get_variable_values(schema, definition.variable_definitions, dict(raw or {}))
    if isinstance(coerced, list):
        errors: list[GraphQLError] = coerced
        raise RequestError(
            INVALID_VARIABLE, [with_code(error, INVALID_VARIABLE) for error in errors]
        )
    return coerced.coerced


def included(directives: tuple[DirectiveNode, ...], variables: Mapping[str, Any]) -> bool:
    """Whether `@skip`/`@include` keep a selection, given the request's variables."""
    for directive in directives:
        name = directive.name.value
        if name not in ("skip", "include"):
            continue
        for argument in directive.arguments or ():
            if argument.name.value != "if":
                continue
            value = argument.value
            if isinstance(value, VariableNode):
                condition = bool(variables.get(value.name.value))
            elif isinstance(value, BooleanValueNode):
                condition = value.value
            else:
                continue
            if condition == (name == "skip"):
                return False
    return True
