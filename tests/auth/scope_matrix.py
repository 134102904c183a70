"""The scope matrix, derived from a supergraph: for every field that carries `@authenticated`
or `@requiresScopes`, an operation reaching it from a root (through unguarded fields where
possible), the scopes the way there needs, the scopes the field itself needs, and the response
path where its value lands (index 0 in every list: the mock subgraphs answer one item)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    GraphQLUnionType,
    Undefined,
    get_named_type,
)

from gateway.supergraph import Supergraph
from gateway.supergraph.model import NO_AUTHORIZATION, Authorization, CompositeType


@dataclass(frozen=True)
class Step:
    parent: str  # the type the field is selected on
    field: str
    fragment: str | None  # the inline fragment's type condition, when the parent is abstract


@dataclass(frozen=True)
class Case:
    coordinate: str
    operation: str
    path: tuple[str | int, ...]
    # Scopes the way to the field needs (granted to both tokens), and those the field needs.
    path_scopes: frozenset[str]
    field_scopes: frozenset[str]
    authenticated_only: bool

    @property
    def id(self) -> str:
        return self.coordinate


def cases(supergraph: Supergraph) -> list[Case]:
    schema = supergraph.api_schema
    found: list[Case] = []
    for type_name, named in sorted(supergraph.types.items()):
        if not isinstance(named, CompositeType) or named.kind != "object":
            continue
        api_type = schema.get_type(type_name)
        if not isinstance(api_type, GraphQLObjectType) or api_type is schema.subscription_type:
            # Subscription fields stream; tests/subscriptions checks their scopes per event.
            continue
        for field_name, field in sorted(named.fields.items()):
            if field.authorization == NO_AUTHORIZATION or field_name not in api_type.fields:
                continue
            steps = _route(supergraph, schema, type_name)
            if steps is None:
                raise AssertionError(f"no way from a root to {type_name}")
            found.append(_case(supergraph, schema, steps, Step(type_name, field_name, None)))
    return found


def _authorization(supergraph: Supergraph, parent: str, field: str) -> Authorization:
    named = supergraph.types.get(parent)
    if isinstance(named, CompositeType) and field in named.fields:
        return named.fields[field].authorization
    return NO_AUTHORIZATION


def _route(supergraph: Supergraph, schema: GraphQLSchema, target: str) -> list[Step] | None:
    """The shortest way from a root to `target`, through unguarded fields if there is one."""
    roots = [root.name for root in (schema.query_type, schema.mutation_type) if root is not None]
    if target in roots:
        return []
    for allow_guarded in (False, True):
        seen = {schema.query_type.name} if schema.query_type else set()
        queue: deque[tuple[str, list[Step]]] = deque((name, []) for name in seen)
        while queue:
            type_name, steps = queue.popleft()
            kind = schema.get_type(type_name)
            assert isinstance(kind, GraphQLObjectType | GraphQLInterfaceType)
            for field_name, definition in kind.fields.items():
                guarded = _authorization(supergraph, type_name, field_name) != NO_AUTHORIZATION
                if guarded and not allow_guarded:
                    continue
                returned = get_named_type(definition.type)
                choices: list[tuple[str, str | None]] = []
                if isinstance(returned, GraphQLObjectType):
                    choices = [(returned.name, None)]
                elif isinstance(returned, GraphQLInterfaceType | GraphQLUnionType):
                    choices = [
                        (member.name, member.name) for member in schema.get_possible_types(returned)
                    ]
                for name, fragment in choices:
                    if name in seen:
                        continue
                    seen.add(name)
                    route = [*steps, Step(type_name, field_name, fragment)]
                    if name == target:
                        return route
                    queue.append((name, route))
    return None


def _case(supergraph: Supergraph, schema: GraphQLSchema, steps: list[Step], last: Step) -> Case:
    path: list[str | int] = []
    path_scopes: set[str] = set()
    text = "{ __typename }"
    field_types: list[GraphQLOutputType] = []
    for step in [*steps, last]:
        parent = schema.get_type(step.parent)
        assert isinstance(parent, GraphQLObjectType | GraphQLInterfaceType)
        field_types.append(parent.fields[step.field].type)
    # Build the selection inside out.
    leaf = get_named_type(field_types[-1])
    inner = (
        ""
        if not isinstance(leaf, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType)
        else " { __typename }"
    )
    all_steps = [*steps, last]
    text = ""
    for index in range(len(all_steps) - 1, -1, -1):
        step = all_steps[index]
        parent = schema.get_type(step.parent)
        assert isinstance(parent, GraphQLObjectType | GraphQLInterfaceType)
        arguments = _arguments(parent.fields[step.field].args)
        below = inner if index == len(all_steps) - 1 else f" {{ {text} }}"
        selection = f"{step.field}{arguments}{below}"
        if step.fragment is not None:
            selection = f"{step.field}{arguments} {{ ... on {step.fragment} {{ {text} }} }}"
        text = selection
    for index, step in enumerate(all_steps):
        path.append(step.field)
        path.extend([0] * _list_depth(field_types[index]))
        if index < len(steps):
            path_scopes.update(_first_scopes(_authorization(supergraph, step.parent, step.field)))
    # `_list_depth` added indices after the last field too; its own path ends at its name.
    while path and isinstance(path[-1], int):
        path.pop()
    authorization = _authorization(supergraph, last.parent, last.field)
    keyword = (
        "mutation" if schema.mutation_type and last.parent == schema.mutation_type.name else "query"
    )
    return Case(
        coordinate=f"{last.parent}.{last.field}",
        operation=f"{keyword} {{ {text} }}",
        path=tuple(path),
        path_scopes=frozenset(path_scopes),
        field_scopes=frozenset(_first_scopes(authorization)),
        authenticated_only=not authorization.scopes,
    )


def _first_scopes(authorization: Authorization) -> tuple[str, ...]:
    return authorization.scopes[0] if authorization.scopes else ()


def _list_depth(kind: GraphQLOutputType) -> int:
    depth = 0
    while isinstance(kind, GraphQLNonNull | GraphQLList):
        if isinstance(kind, GraphQLList):
            depth += 1
        kind = kind.of_type
    return depth


def _arguments(arguments: dict[str, GraphQLArgument]) -> str:
    required = [
        f"{name}: {_literal(argument.type)}"
        for name, argument in arguments.items()
        if isinstance(argument.type, GraphQLNonNull) and argument.default_value is Undefined
    ]
    return f"({', '.join(required)})" if required else ""


def _literal(kind: GraphQLInputType) -> str:
    if isinstance(kind, GraphQLNonNull):
        return _literal(kind.of_type)
    if isinstance(kind, GraphQLList):
        return f"[{_literal(kind.of_type)}]"
    if isinstance(kind, GraphQLEnumType):
        return next(iter(kind.values))
    if isinstance(kind, GraphQLInputObjectType):
        fields = [
            f"{name}: {_literal(field.type)}"
            for name, field in kind.fields.items()
            if isinstance(field.type, GraphQLNonNull) and field.default_value is Undefined
        ]
        return "{" + ", ".join(fields) + "}"
    return {"Int": "1", "Float": "1.5", "Boolean": "true"}.get(kind.name, '"text"')
