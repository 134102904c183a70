"""Answer subgraph requests without running a GraphQL executor per request.

Each distinct (query text, operation name) is parsed and validated once with graphql-core, then
compiled into a tree of closures, one per selection set and runtime type, that walks the
in-memory records directly: field collection, fragment type conditions, aliases and argument
defaults are all settled at compile time. `@skip`/`@include` on variables are settled too, by
compiling once per combination of those variables' values.

What it deliberately leaves out, because the benchmark's resolvers cannot fail and return
complete data: resolver errors and non-null propagation. A resolver that raises fails the whole
request with one error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    BooleanValueNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLObjectType,
    GraphQLOutputType,
    InlineFragmentNode,
    NamedTypeNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_operation_ast,
    is_abstract_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
    parse,
    validate,
)
from graphql.execution.values import get_argument_values, get_variable_values
from graphql.language import Visitor, visit

from bench.subgraphs.definition import Record, SubgraphDefinition, field_resolver

Variables = Any  # graphql-core's VariableValues (coerced values with their sources)
RunSelection = Callable[[Record, Variables], dict[str, Any]]
Complete = Callable[[Any, Variables], Any]
Conditions = dict[str, Any]

_MAX_CACHED_DOCUMENTS = 1000
_NO_ARGUMENTS: dict[str, Any] = {}


class RequestError(Exception):
    """The request cannot run: it does not parse, validate, or its variables do not coerce."""

    def __init__(self, errors: list[GraphQLError]) -> None:
        super().__init__(errors[0].message if errors else "invalid request")
        self.errors = errors


@dataclass
class _PreparedDocument:
    operation: OperationDefinitionNode
    fragments: dict[str, FragmentDefinitionNode]
    condition_variables: tuple[str, ...]
    compiled: dict[tuple[Any, ...], RunSelection] = field(default_factory=dict)


class SubgraphExecutor:
    """Executes operations against one subgraph definition, caching compiled operations."""

    def __init__(self, definition: SubgraphDefinition) -> None:
        self.definition = definition
        self._schema = definition.schema
        self._documents: dict[tuple[str, str | None], _PreparedDocument] = {}

    def execute(
        self, query: str, operation_name: str | None = None, variables: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """The response body: `{"data": ...}`, or `{"errors": [...]}` for a bad request."""
        try:
            prepared = self._prepare(query, operation_name)
            coerced = self._coerce(prepared.operation, variables or {})
        except RequestError as error:
            return {"errors": [graphql_error.formatted for graphql_error in error.errors]}
        conditions = tuple(coerced.coerced.get(name) for name in prepared.condition_variables)
        run = prepared.compiled.get(conditions)
        if run is None:
            run = self._compile_operation(
                prepared, dict(zip(prepared.condition_variables, conditions, strict=True))
            )
            prepared.compiled[conditions] = run
        try:
            return {"data": run({}, coerced)}
        except Exception as error:  # a resolver failed: report it like an executor would
            return {"data": None, "errors": [{"message": str(error)}]}

    def _prepare(self, query: str, operation_name: str | None) -> _PreparedDocument:
        key = (query, operation_name)
        prepared = self._documents.get(key)
        if prepared is not None:
            return prepared
        try:
            document = parse(query)
        except GraphQLError as error:
            raise RequestError([error]) from error
        errors = validate(self._schema, document)
        if errors:
            raise RequestError(errors)
        operation = get_operation_ast(document, operation_name)
        if operation is None:
            raise RequestError([GraphQLError(f"Unknown operation named '{operation_name}'.")])
        prepared = _PreparedDocument(
            operation=operation,
            fragments={
                definition.name.value: definition
                for definition in document.definitions
                if isinstance(definition, FragmentDefinitionNode)
            },
            condition_variables=_condition_variables(document),
        )
        if len(self._documents) >= _MAX_CACHED_DOCUMENTS:
            self._documents.clear()
        self._documents[key] = prepared
        return prepared

    def _coerce(self, operation: OperationDefinitionNode, variables: dict[str, Any]) -> Variables:
        coerced = get_variable_values(self._schema, operation.variable_definitions or (), variables)
        if isinstance(coerced, list):
            raise RequestError(coerced)
        return coerced

    def _compile_operation(
        self, prepared: _PreparedDocument, conditions: Conditions
    ) -> RunSelection:
        root_type = self._schema.query_type
        assert root_type is not None
        compiler = _Compiler(self.definition, prepared.fragments, conditions)
        return compiler.object_selection(root_type, [prepared.operation.selection_set])


class _Compiler:
    def __init__(
        self,
        definition: SubgraphDefinition,
        fragments: dict[str, FragmentDefinitionNode],
        conditions: Conditions,
    ) -> None:
        self._definition = definition
        self._schema = definition.schema
        self._fragments = fragments
        self._conditions = conditions

    def object_selection(
        self, object_type: GraphQLObjectType, selection_sets: list[SelectionSetNode]
    ) -> RunSelection:
        fields: dict[str, list[FieldNode]] = {}
        for selection_set in selection_sets:
            self._collect(object_type, selection_set, fields, set())
        steps: list[tuple[str, str, Any, Any, Complete | None]] = []
        for response_key, nodes in fields.items():
            name = nodes[0].name.value
            if name == "__typename":
                type_name = object_type.name
                steps.append((response_key, name, lambda _r, _a, t=type_name: t, None, None))
                continue
            field_definition = object_type.fields[name]
            resolver = field_resolver(self._definition, object_type.name, name)
            sub_selections = [node.selection_set for node in nodes if node.selection_set]
            complete = self._completer(field_definition.type, sub_selections)
            steps.append(
                (response_key, name, resolver, _arguments(field_definition, nodes[0]), complete)
            )

        def run(record: Record, variables: Variables) -> dict[str, Any]:
            result: dict[str, Any] = {}
            for response_key, name, resolver, arguments, complete in steps:
                if resolver is None:
                    value = record.get(name)
                elif callable(arguments):
                    value = resolver(record, arguments(variables))
                else:
                    value = resolver(record, arguments)
                result[response_key] = value if complete is None else complete(value, variables)
            return result

        return run

    def _completer(
        self, output_type: GraphQLOutputType, selection_sets: list[SelectionSetNode]
    ) -> Complete | None:
        if is_non_null_type(output_type):
            return self._completer(output_type.of_type, selection_sets)
        if is_list_type(output_type):
            inner = self._completer(output_type.of_type, selection_sets)
            if inner is None:
                return lambda value, _variables: None if value is None else list(value)
            return lambda value, variables: (
                None if value is None else [inner(item, variables) for item in value]
            )
        if is_leaf_type(output_type):
            return None
        if is_object_type(output_type):
            run = self.object_selection(output_type, selection_sets)
            return lambda value, variables: None if value is None else run(value, variables)
        assert is_abstract_type(output_type)
        by_type = {
            possible.name: self.object_selection(possible, selection_sets)
            for possible in self._schema.get_possible_types(output_type)
        }
        return lambda value, variables: (
            None if value is None else by_type[value["__typename"]](value, variables)
        )

    def _collect(
        self,
        object_type: GraphQLObjectType,
        selection_set: SelectionSetNode,
        fields: dict[str, list[FieldNode]],
        visited_fragments: set[str],
    ) -> None:
        for selection in selection_set.selections:
            if not self._included(selection):
                continue
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                fields.setdefault(key, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                if self._applies(selection.type_condition, object_type):
                    self._collect(object_type, selection.selection_set, fields, visited_fragments)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self._fragments.get(name)
                if name in visited_fragments or fragment is None:
                    continue
                visited_fragments.add(name)
                if self._applies(fragment.type_condition, object_type):
                    self._collect(object_type, fragment.selection_set, fields, visited_fragments)

    def _included(self, selection: Any) -> bool:
        for directive in selection.directives or ():
            if directive.name.value not in ("skip", "include"):
                continue
            condition = directive.arguments[0].value
            if isinstance(condition, VariableNode):
                value = bool(self._conditions.get(condition.name.value))
            else:
                value = isinstance(condition, BooleanValueNode) and condition.value
            if value == (directive.name.value == "skip"):
                return False
        return True

    def _applies(
        self, type_condition: NamedTypeNode | None, object_type: GraphQLObjectType
    ) -> bool:
        if type_condition is None or type_condition.name.value == object_type.name:
            return True
        condition_type = self._schema.get_type(type_condition.name.value)
        return is_abstract_type(condition_type) and self._schema.is_sub_type(
            condition_type,
            object_type,
        )


def _arguments(field_definition: GraphQLField, node: FieldNode) -> Any:
    """The coerced arguments: a dict when they are literals, else a function of the variables."""
    uses_variables = False

    class _FindVariables(Visitor):
        def enter_variable(self, *_args: Any) -> None:
            nonlocal uses_variables
            uses_variables = True

    for argument in node.arguments or ():
        visit(argument, _FindVariables())
    if uses_variables:
        return lambda variables: get_argument_values(field_definition, node, variables)
    if not node.arguments and not field_definition.args:
        return _NO_ARGUMENTS
    return get_argument_values(field_definition, node, None)


def _condition_variables(document: DocumentNode) -> tuple[str, ...]:
    """Names of the variables that `@skip`/`@include` read anywhere in the document."""
    names: list[str] = []

    class _FindConditions(Visitor):
        def enter_directive(self, node: Any, *_args: Any) -> None:
            if node.name.value in ("skip", "include"):
                for argument in node.arguments or ():
                    if isinstance(argument.value, VariableNode):
                        names.append(argument.value.name.value)

    visit(document, _FindConditions())
    return tuple(sorted(set(names)))
