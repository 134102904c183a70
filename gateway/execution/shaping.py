"""Shaping: the merged subgraph data → the client's response, in one pass.

Walks the normalized selection set against the API schema: response keys (aliases) in the
client's document order, `__typename` from the data or the parent type, type conditions on
abstract types, `@skip`/`@include` with variables, leaf values checked and passed through, and
non-null propagation as the GraphQL spec defines it (a null in a non-null position nulls the
nearest nullable ancestor). No resolver runs: the data is already there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from graphql import (
    FieldNode,
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    InlineFragmentNode,
    SelectionNode,
    SelectionSetNode,
    is_abstract_type,
)

from gateway.execution.client import JsonObject, malformed_response
from gateway.execution.introspection import INTROSPECTION_FIELDS
from gateway.execution.paths import ResponsePath
from gateway.execution.variables import included

RESPONSE_VALIDATION_FAILED = "RESPONSE_VALIDATION_FAILED"


class _Propagate:
    """A null that must reach the nearest nullable position; its error is already reported."""


PROPAGATE: Final[_Propagate] = _Propagate()
ServiceLookup = Callable[[ResponsePath], str | None]
CollectedFields = dict[str, list[FieldNode]]


def _valid_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and -(2**31) <= value < 2**31


SCALAR_CHECKS: Mapping[str, Callable[[Any], bool]] = {
    "Int": _valid_int,
    "Float": lambda value: isinstance(value, int | float) and not isinstance(value, bool),
    "String": lambda value: isinstance(value, str),
    "Boolean": lambda value: isinstance(value, bool),
    "ID": lambda value: isinstance(value, str | int) and not isinstance(value, bool),
}


class Shaper:
    def __init__(
        self,
        schema: GraphQLSchema,
        variables: Mapping[str, Any],
        errors: list[JsonObject],
        service_at: ServiceLookup,
    ) -> None:
        self.schema = schema
        self.variables = variables
        self.errors = errors
        self.service_at = service_at
        self._collected: dict[tuple[tuple[int, ...], str], CollectedFields] = {}

    def shape(
        self, data: JsonObject, root_type: GraphQLObjectType, selection_set: SelectionSetNode
    ) -> JsonObject | None:
        shaped = self.object(data, root_type, [selection_set], (), is_root=True)
        return None if shaped is PROPAGATE else shaped  # type: ignore[return-value]

    def object(
        self,
        value: JsonObject,
        object_type: GraphQLObjectType,
        selection_sets: list[SelectionSetNode],
        path: ResponsePath,
        *,
        is_root: bool = False,
    ) -> JsonObject | _Propagate:
        result: JsonObject = {}
        for key, fields in self.collect(object_type, selection_sets).items():
            name = fields[0].name.value
            if name == "__typename":
                result[key] = object_type.name
                continue
            if is_root and name in INTROSPECTION_FIELDS:
                result[key] = value.get(key)
                continue
            definition = object_type.fields[name]
            field_path = (*path, key)
            shaped = self.complete(
                value.get(key), definition.type, fields, field_path, object_type.name, name
            )
            if isinstance(shaped, _Propagate):
                if isinstance(definition.type, GraphQLNonNull):
                    return shaped
                shaped = None
            result[key] = shaped
        return result

    def complete(
        self,
        value: Any,
        field_type: GraphQLOutputType,
        fields: list[FieldNode],
        path: ResponsePath,
        parent_name: str,
        field_name: str,
    ) -> Any:
        if isinstance(field_type, GraphQLNonNull):
            completed = self.complete(
                value, field_type.of_type, fields, path, parent_name, field_name
            )
            if completed is None:
                self.null_violation(path, f"{parent_name}.{field_name}")
                return PROPAGATE
            return completed
        if value is None:
            return None
        if isinstance(field_type, GraphQLList):
            if not isinstance(value, list):
                return self.malformed(path, parent_name, field_name)
            items: list[Any] = []
            for index, item in enumerate(value):
                shaped = self.complete(
                    item, field_type.of_type, fields, (*path, index), parent_name, field_name
                )
                if shaped is PROPAGATE:
                    if isinstance(field_type.of_type, GraphQLNonNull):
                        return PROPAGATE
                    shaped = None
                items.append(shaped)
            return items
        if isinstance(field_type, GraphQLScalarType):
            check = SCALAR_CHECKS.get(field_type.name)
            if check is not None and not check(value):
                return self.malformed(path, parent_name, field_name)
            return value
        if isinstance(field_type, GraphQLEnumType):
            if not isinstance(value, str) or value not in field_type.values:
                return self.malformed(path, parent_name, field_name)
            return value
        if not isinstance(value, dict):
            return self.malformed(path, parent_name, field_name)
        runtime_type = self.runtime_type(field_type, value)
        if runtime_type is None:
            return self.malformed(path, parent_name, field_name)
        selection_sets = [field.selection_set for field in fields if field.selection_set]
        return self.object(value, runtime_type, selection_sets, path)

    def runtime_type(self, field_type: Any, value: JsonObject) -> GraphQLObjectType | None:
        if isinstance(field_type, GraphQLObjectType):
            return field_type
        typename = value.get("__typename")
        runtime = self.schema.get_type(typename) if isinstance(typename, str) else None
        if (
            isinstance(runtime, GraphQLObjectType)
            and is_abstract_type(field_type)
            and self.schema.is_sub_type(field_type, runtime)
        ):
            return runtime
        return None

    def collect(
        self, object_type: GraphQLObjectType, selection_sets: list[SelectionSetNode]
    ) -> CollectedFields:
        """The fields to answer for an object of `object_type`, by response key, in document
        order (the spec's CollectFields). Cached per request: variables are fixed."""
        key = (tuple(id(selection_set) for selection_set in selection_sets), object_type.name)
        collected = self._collected.get(key)
        if collected is None:
            collected = {}
            for selection_set in selection_sets:
                self._collect_into(collected, object_type, selection_set.selections)
            self._collected[key] = collected
        return collected

    def _collect_into(
        self,
        collected: CollectedFields,
        object_type: GraphQLObjectType,
        selections: tuple[SelectionNode, ...],
    ) -> None:
        for selection in selections:
            if selection.directives and not included(selection.directives, self.variables):
                continue
            if isinstance(selection, FieldNode):
                response_key = (selection.alias or selection.name).value
                collected.setdefault(response_key, []).append(selection)
            elif isinstance(selection, InlineFragmentNode) and self.applies(selection, object_type):
                self._collect_into(collected, object_type, selection.selection_set.selections)

    def applies(self, fragment: InlineFragmentNode, object_type: GraphQLObjectType) -> bool:
        if fragment.type_condition is None:
            return True
        condition_name = fragment.type_condition.name.value
        if condition_name == object_type.name:
            return True
        condition = self.schema.get_type(condition_name)
        return is_abstract_type(condition) and self.schema.is_sub_type(condition, object_type)

    def malformed(self, path: ResponsePath, parent_name: str, field_name: str) -> _Propagate:
        definition = self.schema.get_type(parent_name).fields[field_name]  # type: ignore[union-attr]
        service = self.service_at(path) or "unknown"
        failure = malformed_response(
            service, f"{parent_name}.{field_name} expected {definition.type}"
        )
        self.errors.append(failure.error(list(path)))
        return PROPAGATE

    def null_violation(self, path: ResponsePath, coordinate: str) -> None:
        """Report a null in a non-null position, unless an error at, above or below this path
        already explains it (a failed fetch, a subgraph's own error)."""
        for error in self.errors:
            error_path = error.get("path")
            if isinstance(error_path, list):
                shorter = min(len(error_path), len(path))
                if tuple(error_path[:shorter]) == path[:shorter]:
                    return
        self.errors.append(
            {
                "message": f"Cannot return null for non-nullable field {coordinate}.",
                "path": list(path),
                "extensions": {"code": RESPONSE_VALIDATION_FAILED},
            }
        )
