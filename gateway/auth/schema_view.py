"""A schema view per token: the API schema without what the caller could not query.

Introspection (and so GraphiQL's schema explorer) answers from the view, so an anonymous
caller sees the public graph and an app with `metrics:read` also sees usage. A view depends
only on which of the supergraph's requirements the caller is denied, so views are built once
per such set and kept (there are few: a handful of scopes make a handful of sets).

What a view leaves out: every field whose own requirement is denied, every type whose
requirement is denied and every field returning one, then — until nothing changes — object
types left without fields, interface fields some implementation lost (the schema must stay
valid), unions left without members, and types no longer reachable from a root.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from threading import Lock

from graphql import (
    DefinitionNode,
    DocumentNode,
    GraphQLSchema,
    InterfaceTypeDefinitionNode,
    NamedTypeNode,
    ObjectTypeDefinitionNode,
    SchemaDefinitionNode,
    TypeDefinitionNode,
    UnionTypeDefinitionNode,
    build_ast_schema,
    parse,
    print_schema,
)
from graphql.language import ListTypeNode, NonNullTypeNode, TypeNode

from gateway.auth.requirements import field_authorization, type_authorization
from gateway.supergraph.model import NO_AUTHORIZATION, Authorization, CompositeType, NamedType

VIEW_CAPACITY = 64


class SchemaViews:
    def __init__(self, api_schema: GraphQLSchema, types: Mapping[str, NamedType]) -> None:
        self.api_schema = api_schema
        self.types = types
        self.requirements = _all_requirements(types)
        self._views: OrderedDict[frozenset[Authorization], GraphQLSchema] = OrderedDict()
        self._lock = Lock()

    def view(self, denied: frozenset[Authorization]) -> GraphQLSchema:
        if not denied:
            return self.api_schema
        with self._lock:
            found = self._views.get(denied)
            if found is not None:
                self._views.move_to_end(denied)
                return found
        built = build_view(self.api_schema, self.types, denied)
        with self._lock:
            self._views[denied] = built
            while len(self._views) > VIEW_CAPACITY:
                self._views.popitem(last=False)
        return built


def _all_requirements(types: Mapping[str, NamedType]) -> tuple[Authorization, ...]:
    found: set[Authorization] = set()
    for named in types.values():
        found.add(getattr(named, "authorization", NO_AUTHORIZATION))
        if isinstance(named, CompositeType):
            found.update(field.authorization for field in named.fields.values())
    found.discard(NO_AUTHORIZATION)
    return tuple(sorted(found, key=repr))


def build_view(
    api_schema: GraphQLSchema,
    types: Mapping[str, NamedType],
    denied: frozenset[Authorization],
) -> GraphQLSchema:
    document = parse(print_schema(api_schema))
    definitions: dict[str, TypeDefinitionNode] = {}
    others: list[DefinitionNode] = []
    for definition in document.definitions:
        if isinstance(definition, TypeDefinitionNode):
            definitions[definition.name.value] = definition
        else:
            others.append(definition)
    hidden_types = {name for name in definitions if type_authorization(types, name) in denied}
    hidden_fields = {
        (type_name, field.name.value)
        for type_name, definition in definitions.items()
        if isinstance(definition, ObjectTypeDefinitionNode | InterfaceTypeDefinitionNode)
        for field in definition.fields or ()
        if field_authorization(types, type_name, field.name.value) in denied
    }
    definitions = _prune(definitions, hidden_types, hidden_fields)
    roots = _root_names(others)
    reachable = _reachable(definitions, [name for name in roots if name in definitions])
    kept = [definition for name, definition in definitions.items() if name in reachable]
    schema_nodes = [_without_missing_roots(node, reachable) for node in others]
    return build_ast_schema(DocumentNode(definitions=(*schema_nodes, *kept)))


def _prune(
    definitions: dict[str, TypeDefinitionNode],
    hidden_types: set[str],
    hidden_fields: set[tuple[str, str]],
) -> dict[str, TypeDefinitionNode]:
    changed = True
    while changed:
        changed = False
        result: dict[str, TypeDefinitionNode] = {}
        for name, definition in definitions.items():
            if name in hidden_types:
                changed = True
                continue
            if isinstance(definition, ObjectTypeDefinitionNode | InterfaceTypeDefinitionNode):
                fields = tuple(
                    field
                    for field in definition.fields or ()
                    if (name, field.name.value) not in hidden_fields
                    and _named(field.type) not in hidden_types
                    and all(
                        _named(argument.type) not in hidden_types
                        for argument in field.arguments or ()
                    )
                )
                if not fields:
                    hidden_types.add(name)
                    changed = True
                    continue
                interfaces = tuple(
                    node
                    for node in definition.interfaces or ()
                    if node.name.value not in hidden_types
                )
                if len(fields) != len(definition.fields or ()) or len(interfaces) != len(
                    definition.interfaces or ()
                ):
                    changed = True
                    lost = {field.name.value for field in definition.fields or ()} - {
                        field.name.value for field in fields
                    }
                    # An interface cannot promise a field one of its implementations lost.
                    for interface in interfaces:
                        hidden_fields.update((interface.name.value, field) for field in lost)
                    definition = _copy(definition, fields=fields, interfaces=interfaces)
            elif isinstance(definition, UnionTypeDefinitionNode):
                members = tuple(
                    node for node in definition.types or () if node.name.value not in hidden_types
                )
                if not members:
                    hidden_types.add(name)
                    changed = True
                    continue
                if len(members) != len(definition.types or ()):
                    changed = True
                    definition = _copy(definition, types=members)
            result[name] = definition
        definitions = result
    return definitions


def _copy(node: TypeDefinitionNode, **changes: object) -> TypeDefinitionNode:
    values = {key: getattr(node, key) for key in node.keys if key != "loc"}
    values.update(changes)
    return type(node)(**values)


def _named(node: TypeNode) -> str:
    while isinstance(node, ListTypeNode | NonNullTypeNode):
        node = node.type
    assert isinstance(node, NamedTypeNode)
    return node.name.value


def _root_names(others: list[DefinitionNode]) -> list[str]:
    names = ["Query", "Mutation", "Subscription"]
    for node in others:
        if isinstance(node, SchemaDefinitionNode):
            names = [operation.type.name.value for operation in node.operation_types]
    return names


def _without_missing_roots(node: DefinitionNode, reachable: set[str]) -> DefinitionNode:
    if not isinstance(node, SchemaDefinitionNode):
        return node
    operation_types = tuple(
        operation for operation in node.operation_types if operation.type.name.value in reachable
    )
    return SchemaDefinitionNode(
        description=node.description, directives=node.directives, operation_types=operation_types
    )


def _reachable(definitions: Mapping[str, TypeDefinitionNode], roots: list[str]) -> set[str]:
    implementations: dict[str, list[str]] = {}
    for name, definition in definitions.items():
        if isinstance(definition, ObjectTypeDefinitionNode | InterfaceTypeDefinitionNode):
            for node in definition.interfaces or ():
                implementations.setdefault(node.name.value, []).append(name)
    seen: set[str] = set()
    pending = list(roots)
    while pending:
        name = pending.pop()
        if name in seen or name not in definitions:
            continue
        seen.add(name)
        definition = definitions[name]
        if isinstance(definition, ObjectTypeDefinitionNode | InterfaceTypeDefinitionNode):
            for field in definition.fields or ():
                pending.append(_named(field.type))
                pending.extend(_named(argument.type) for argument in field.arguments or ())
            pending.extend(node.name.value for node in definition.interfaces or ())
            # Implementations of a reachable interface are reachable through it.
            pending.extend(implementations.get(name, ()))
        elif isinstance(definition, UnionTypeDefinitionNode):
            pending.extend(node.name.value for node in definition.types or ())
        else:
            fields = getattr(definition, "fields", None) or ()
            pending.extend(_named(field.type) for field in fields)
    return seen
