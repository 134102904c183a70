"""What an operation asks of its caller: the authorization requirements of every field it
selects, found once per operation (`OperationRequirements.of`).

A field's requirements are those of the field itself (`@authenticated`, `@requiresScopes`,
`@policy` on the field), of the type it returns (the directives on a type guard every field
that returns it), and of the type condition of each inline fragment it sits in, as Apollo
Router reads them. A field read through an interface also needs what every implementation the
object may be needs, on the type and on the field: otherwise a caller denied `Film` would read
a film's fields through `Item`. Each `Authorization` value is one requirement; the principal
either meets it or not (`Authorization` is an OR of AND-sets).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from graphql import (
    FieldNode,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    SelectionSetNode,
    get_named_type,
)

from gateway.operation.prepared import PreparedOperation
from gateway.supergraph.model import (
    NO_AUTHORIZATION,
    Authorization,
    CompositeType,
    EnumType,
    NamedType,
    ScalarType,
)

Requirements = frozenset[Authorization]
NONE: Requirements = frozenset()
GraphQLComposite = GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType


@dataclass(frozen=True)
class GuardedField:
    """A field that carries requirements, where the operation selects it.

    `steps` are the response keys from the root to the field; `kinds` holds, for each step's
    parent object, the concrete type names it applies to (None: any), so a field inside
    `... on Secret` is reported only where the object is a `Secret`."""

    node: FieldNode
    steps: tuple[str, ...]
    kinds: tuple[frozenset[str] | None, ...]
    requirements: Requirements


@dataclass(frozen=True)
class OperationRequirements:
    guarded: tuple[GuardedField, ...]
    # Every requirement the operation touches: what a principal is tested against.
    distinct: tuple[Authorization, ...]

    @classmethod
    def of(
        cls,
        types: Mapping[str, NamedType],
        schema: GraphQLSchema,
        operation: PreparedOperation,
    ) -> OperationRequirements:
        walker = _Walker(types, schema)
        root = schema.get_type(operation.root_type)
        assert isinstance(root, GraphQLObjectType)
        walker.walk(operation.selection_set, root, (), (), NONE)
        distinct = sorted(
            {requirement for field in walker.guarded for requirement in field.requirements},
            key=repr,
        )
        return cls(tuple(walker.guarded), tuple(distinct))


def type_authorization(types: Mapping[str, NamedType], name: str) -> Authorization:
    found = types.get(name)
    if isinstance(found, CompositeType | EnumType | ScalarType):
        return found.authorization
    return NO_AUTHORIZATION


def field_authorization(
    types: Mapping[str, NamedType], type_name: str, field_name: str
) -> Authorization:
    found = types.get(type_name)
    if isinstance(found, CompositeType):
        field = found.fields.get(field_name)
        if field is not None:
            return field.authorization
    return NO_AUTHORIZATION


def with_requirement(requirements: Requirements, requirement: Authorization) -> Requirements:
    if requirement == NO_AUTHORIZATION:
        return requirements
    return requirements | {requirement}


class _Walker:
    def __init__(self, types: Mapping[str, NamedType], schema: GraphQLSchema) -> None:
        self.types = types
        self.schema = schema
        self.guarded: list[GuardedField] = []

    def walk(
        self,
        selection_set: SelectionSetNode,
        parent: GraphQLComposite,
        steps: tuple[str, ...],
        kinds: tuple[frozenset[str] | None, ...],
        inherited: Requirements,
        kind: frozenset[str] | None = None,
    ) -> None:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                self._field(selection, parent, steps, (*kinds, kind), inherited)
            elif isinstance(selection, InlineFragmentNode):
                condition = parent
                narrowed = kind
                requirements = inherited
                if selection.type_condition is not None:
                    found = self.schema.get_type(selection.type_condition.name.value)
                    if isinstance(
                        found, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType
                    ):
                        condition = found
                        requirements = with_requirement(
                            inherited, type_authorization(self.types, found.name)
                        )
                        if found is not parent:
                            narrowed = self._possible(found, kind)
                self.walk(selection.selection_set, condition, steps, kinds, requirements, narrowed)

    def _field(
        self,
        node: FieldNode,
        parent: GraphQLComposite,
        steps: tuple[str, ...],
        kinds: tuple[frozenset[str] | None, ...],
        inherited: Requirements,
    ) -> None:
        name = node.name.value
        if name.startswith("__") or isinstance(parent, GraphQLUnionType):
            return
        definition = parent.fields.get(name)
        if definition is None:
            return
        returned = get_named_type(definition.type)
        requirements = with_requirement(
            with_requirement(inherited, field_authorization(self.types, parent.name, name)),
            type_authorization(self.types, returned.name),
        )
        if isinstance(parent, GraphQLInterfaceType):
            requirements = self._through_interface(parent, name, kinds[-1], requirements)
        path = (*steps, (node.alias or node.name).value)
        if requirements:
            self.guarded.append(GuardedField(node, path, kinds, requirements))
        if node.selection_set is not None and isinstance(
            returned, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType
        ):
            # Below a guarded field, each field's own requirements are what it adds: when the
            # field itself is denied, everything under it goes with it.
            self.walk(node.selection_set, returned, path, kinds, NONE)

    def _through_interface(
        self,
        interface: GraphQLInterfaceType,
        name: str,
        narrowed: frozenset[str] | None,
        requirements: Requirements,
    ) -> Requirements:
        """A field read through an interface reads it from every implementation the object
        may be: it needs what each of them needs, on the type and on the field (Apollo
        Router's special case for interfaces). A fragment on one implementation narrows it."""
        for implementation in sorted(self._possible(interface, narrowed)):
            requirements = with_requirement(
                with_requirement(requirements, type_authorization(self.types, implementation)),
                field_authorization(self.types, implementation, name),
            )
        return requirements

    def _possible(
        self, condition: GraphQLComposite, narrowed: frozenset[str] | None
    ) -> frozenset[str]:
        if isinstance(condition, GraphQLObjectType):
            names = frozenset({condition.name})
        else:
            names = frozenset(kind.name for kind in self.schema.get_possible_types(condition))
        return names if narrowed is None else names & narrowed
