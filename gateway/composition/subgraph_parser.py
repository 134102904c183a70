"""Subgraph SDL → `Subgraph`: resolve federation directives, strip federation builtins.

Strawberry and @apollo/subgraph print `_Service`, `_Entity`, `_Any`, `_entities`, `_service`,
`FieldSet` and the `link__*` definitions; none of them belongs in a supergraph.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from graphql import (
    BooleanValueNode,
    DirectiveDefinitionNode,
    DirectiveNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    GraphQLSyntaxError,
    InputObjectTypeDefinitionNode,
    InputObjectTypeExtensionNode,
    InputValueDefinitionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    ListTypeNode,
    NamedTypeNode,
    NonNullTypeNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    ScalarTypeDefinitionNode,
    ScalarTypeExtensionNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    StringValueNode,
    TypeDefinitionNode,
    TypeExtensionNode,
    TypeNode,
    UnionTypeDefinitionNode,
    UnionTypeExtensionNode,
    parse,
)

from gateway.composition.errors import CompositionError, SubgraphDefinition, SubgraphInvalid
from gateway.composition.federation_links import FederationNames, resolve_names
from gateway.composition.field_sets import selected_fields
from gateway.composition.linked_features import (
    DISALLOWED_IDENTITIES,
    LinkedFeature,
    read_linked_features,
)
from gateway.composition.subgraph_model import (
    AppliedDirective,
    Key,
    Subgraph,
    SubgraphArgument,
    SubgraphEnumValue,
    SubgraphField,
    SubgraphType,
)

BUILTIN_SCALARS = frozenset({"String", "Int", "Float", "Boolean", "ID"})
FEDERATION_TYPES = frozenset(
    {
        "_Service", "_Entity", "_Any", "_FieldSet", "FieldSet", "federation__FieldSet",
        "federation__Scope", "federation__Policy", "federation__ContextFieldValue",
        "link__Import", "link__Purpose", "requiresScopes__Scope", "policy__Policy",
        "join__FieldSet",
    }
)  # fmt: skip
FEDERATION_ROOT_FIELDS = frozenset({"_entities", "_service"})
# Directives carried into the supergraph as they are (their own spec links).
MERGED_FEATURES = (
    "tag",
    "inaccessible",
    "authenticated",
    "requiresScopes",
    "policy",
    "cost",
    "listSize",
)
BUILTIN_MERGED_DIRECTIVES = ("deprecated", "specifiedBy", "oneOf")
DEFAULT_ROOTS = {"query": "Query", "mutation": "Mutation", "subscription": "Subscription"}
KINDS = {
    ObjectTypeDefinitionNode: "object", ObjectTypeExtensionNode: "object",
    InterfaceTypeDefinitionNode: "interface", InterfaceTypeExtensionNode: "interface",
    UnionTypeDefinitionNode: "union", UnionTypeExtensionNode: "union",
    EnumTypeDefinitionNode: "enum", EnumTypeExtensionNode: "enum",
    InputObjectTypeDefinitionNode: "input", InputObjectTypeExtensionNode: "input",
    ScalarTypeDefinitionNode: "scalar", ScalarTypeExtensionNode: "scalar",
}  # fmt: skip


def named_type(type_node: TypeNode) -> str:
    while isinstance(type_node, ListTypeNode | NonNullTypeNode):
        type_node = type_node.type
    assert isinstance(type_node, NamedTypeNode)
    return type_node.name.value


def rename_type(type_node: TypeNode, renames: dict[str, str]) -> TypeNode:
    if isinstance(type_node, NonNullTypeNode):
        inner = rename_type(type_node.type, renames)
        assert isinstance(inner, NamedTypeNode | ListTypeNode)
        return NonNullTypeNode(type=inner)
    if isinstance(type_node, ListTypeNode):
        return ListTypeNode(type=rename_type(type_node.type, renames))
    assert isinstance(type_node, NamedTypeNode)
    name = type_node.name.value
    if name in renames:
        return NamedTypeNode(name=type_node.name.__class__(value=renames[name]))
    return type_node


def _argument_value(directive: DirectiveNode, name: str) -> object:
    for argument in directive.arguments or ():
        if argument.name.value == name:
            value = argument.value
            if isinstance(value, StringValueNode | BooleanValueNode):
                return value.value
            return value
    return None


class _Parser:
    def __init__(self, definition: SubgraphDefinition) -> None:
        self.definition = definition
        self.name = definition.name
        self.errors: list[CompositionError] = []
        self.linked_features: tuple[LinkedFeature, ...] = ()
        self.compose_requests: tuple[str | None, ...] = ()
        self.directive_definitions: dict[str, DirectiveDefinitionNode] = {}
        self.composed_names: set[str] = set()

    def error(self, code: str, message: str, coordinate: str | None = None) -> None:
        self.errors.append(
            CompositionError(code, f"[{self.name}] {message}", (self.name,), coordinate)
        )

    def parse(self) -> Subgraph:
        if self.name == "_":
            self.error(
                "INVALID_SUBGRAPH_NAME", 'Invalid name "_" for a subgraph: this name is reserved'
            )
            raise SubgraphInvalid(self.errors)
        try:
            document = parse(self.definition.sdl, no_location=True)
        except GraphQLSyntaxError as error:
            self.error("INVALID_GRAPHQL", error.message)
            raise SubgraphInvalid(self.errors) from None
        schema_nodes = [
            node
            for node in document.definitions
            if isinstance(node, SchemaDefinitionNode | SchemaExtensionNode)
        ]
        links = [
            directive
            for node in schema_nodes
            for directive in node.directives or ()
            if directive.name.value == "link"
        ]
        self.names = resolve_names(self.name, links, self.errors)
        if self.errors:
            raise SubgraphInvalid(self.errors)
        self.read_compose_requests(document, schema_nodes, links)
        self.check_directive_definitions(document)
        roots, renames = self.root_types(document, schema_nodes)
        grouped = self.group(document)
        types: dict[str, SubgraphType] = {}
        for type_name, nodes in grouped.items():
            built = self.build_type(renames.get(type_name, type_name), nodes, renames)
            if built is not None:
                types[built.name] = built
        if "Query" not in types:
            # Every federation subgraph has a query root (it serves `_service`), fields or not.
            types["Query"] = SubgraphType(
                kind="object", name="Query", description=None, directives=()
            )
        if "query" not in roots:
            roots.insert(0, "query")
        self.check_references(types)
        if self.errors:
            raise SubgraphInvalid(self.errors)
        if self.names.version is None:
            types = {name: fed1_upgrade(type_, types) for name, type_ in types.items()}
        return Subgraph(
            name=self.name,
            url=self.definition.url,
            federation_version=self.names.version,
            types=types,
            root_types={operation: DEFAULT_ROOTS[operation] for operation in roots},
            features_used=self.features_used(types),
            linked_features=self.linked_features,
            compose_requests=self.compose_requests,
            directive_definitions=self.directive_definitions,
            federation_meanings=dict(self.names.meanings) if self.names.version else {},
        )

    def read_compose_requests(
        self,
        document: DocumentNode,
        schema_nodes: Sequence[SchemaDefinitionNode | SchemaExtensionNode],
        links: Sequence[DirectiveNode],
    ) -> None:
        """Which custom directives this subgraph asks to keep (`@composeDirective`): their
        applications are carried into the supergraph; whether that is allowed is checked
        across subgraphs by `directive_composition`."""
        self.linked_features = read_linked_features(links)
        self.directive_definitions = {
            node.name.value: node
            for node in document.definitions
            if isinstance(node, DirectiveDefinitionNode)
        }
        requests: list[str | None] = []
        for node in schema_nodes:
            for directive in self.has(node.directives or (), "composeDirective"):
                name = _argument_value(directive, "name")
                requests.append(name if isinstance(name, str) else None)
        self.compose_requests = tuple(requests)
        self.composed_names = {
            request[1:]
            for request in requests
            if request
            and request.startswith("@")
            and request[1:] not in self.names.meanings
            and request[1:] in self.directive_definitions
            and any(
                feature.identity not in DISALLOWED_IDENTITIES
                and feature.name_in_feature(request[1:]) is not None
                for feature in self.linked_features
            )
        }

    def check_directive_definitions(self, document: DocumentNode) -> None:
        from gateway.composition.directive_definitions import check_federation_definition

        for node in document.definitions:
            if node.__class__.__name__ != "DirectiveDefinitionNode":
                continue
            meaning = self.names.meanings.get(node.name.value)  # type: ignore[attr-defined]
            if meaning is not None:
                problem = check_federation_definition(meaning, node)  # type: ignore[arg-type]
                if problem:
                    self.error("DIRECTIVE_DEFINITION_INVALID", problem, f"@{node.name.value}")  # type: ignore[attr-defined]

    def root_types(
        self,
        document: DocumentNode,
        schema_nodes: Sequence[SchemaDefinitionNode | SchemaExtensionNode],
    ) -> tuple[list[str], dict[str, str]]:
        declared: dict[str, str] = {}
        for node in schema_nodes:
            for operation_type in node.operation_types or ():
                declared[operation_type.operation.value] = operation_type.type.name.value
        defined = {
            node.name.value
            for node in document.definitions
            if isinstance(node, TypeDefinitionNode | TypeExtensionNode)
        }
        renames: dict[str, str] = {}
        roots = []
        for operation, default in DEFAULT_ROOTS.items():
            actual = declared.get(
                operation, default if not declared or operation not in declared else None
            )
            if operation in declared and declared[operation] != default:
                if default in defined:
                    self.error(
                        f"ROOT_{operation.upper()}_USED",
                        f'The schema has a type named "{default}" but it is not set as the '
                        f"{operation} "
                        f'root type ("{declared[operation]}" is instead): this is not supported by '
                        "federation. If a root type does not use its default name, there should "
                        "be no "
                        "other type with that default name.",
                        default,
                    )
                renames[declared[operation]] = default
            if actual is not None and (actual in defined):
                roots.append(operation)
        return roots, renames

    def group(
        self, document: DocumentNode
    ) -> dict[str, list[TypeDefinitionNode | TypeExtensionNode]]:
        grouped: dict[str, list[TypeDefinitionNode | TypeExtensionNode]] = {}
        for node in document.definitions:
            if not isinstance(node, TypeDefinitionNode | TypeExtensionNode):
                continue
            name = node.name.value
            if name in FEDERATION_TYPES or name.startswith("__"):
                continue
            existing = grouped.setdefault(name, [])
            if (
                existing
                and isinstance(node, TypeDefinitionNode)
                and any(isinstance(other, TypeDefinitionNode) for other in existing)
            ):
                self.error("INVALID_GRAPHQL", f'There can be only one type named "{name}".', name)
            if existing and KINDS[type(node)] != KINDS[type(existing[0])]:
                self.error(
                    "INVALID_GRAPHQL", f'Type "{name}" is defined with different kinds.', name
                )
            existing.append(node)
        return grouped

    def applied(self, directives: Iterable[DirectiveNode]) -> tuple[AppliedDirective, ...]:
        result = []
        for directive in directives:
            meaning = self.names.meaning(directive)
            if meaning in MERGED_FEATURES:
                result.append(AppliedDirective(meaning, directive))
            elif meaning is None and (
                directive.name.value in BUILTIN_MERGED_DIRECTIVES
                or directive.name.value in self.composed_names  # `@composeDirective`
            ):
                result.append(AppliedDirective(directive.name.value, directive))
        return tuple(result)

    def has(self, directives: Iterable[DirectiveNode], meaning: str) -> list[DirectiveNode]:
        return [directive for directive in directives if self.names.meaning(directive) == meaning]

    def argument(self, node: InputValueDefinitionNode, renames: dict[str, str]) -> SubgraphArgument:
        return SubgraphArgument(
            name=node.name.value,
            type=rename_type(node.type, renames),
            default=node.default_value,
            description=node.description.value if node.description else None,
            directives=self.applied(node.directives or ()),
        )

    def build_type(
        self,
        name: str,
        nodes: list[TypeDefinitionNode | TypeExtensionNode],
        renames: dict[str, str],
    ) -> SubgraphType | None:
        kind = KINDS[type(nodes[0])]
        directives = [directive for node in nodes for directive in node.directives or ()]
        descriptions = [getattr(node, "description", None) for node in nodes]
        description = next((node.value for node in descriptions if node is not None), None)
        keys = []
        for node in nodes:
            for directive in self.has(node.directives or (), "key"):
                key_fields = _argument_value(directive, "fields")
                resolvable = _argument_value(directive, "resolvable")
                keys.append(
                    Key(
                        fields=key_fields if isinstance(key_fields, str) else "",
                        resolvable=resolvable if isinstance(resolvable, bool) else None,
                        on_extension=isinstance(node, TypeExtensionNode),
                    )
                )
        type_shareable = bool(self.has(directives, "shareable"))
        fields: list[SubgraphField] = []
        for node in nodes:
            # `@external` on a type (or one extension of it) marks every field it declares.
            type_external = bool(self.has(node.directives or (), "external"))
            for field_node in getattr(node, "fields", None) or ():
                if name == "Query" and field_node.name.value in FEDERATION_ROOT_FIELDS:
                    continue
                fields.append(self.field(field_node, renames, type_shareable, type_external))
        if kind == "object" and not fields and name in ("Mutation", "Subscription"):
            return None
        values = [
            SubgraphEnumValue(
                value.name.value,
                value.description.value if value.description else None,
                self.applied(value.directives or ()),
            )
            for node in nodes
            for value in getattr(node, "values", None) or ()
        ]
        return SubgraphType(
            kind=kind,
            name=name,
            description=description,
            directives=self.applied(directives),
            fields=tuple(fields),
            interfaces=tuple(
                renames.get(interface.name.value, interface.name.value)
                for node in nodes
                for interface in getattr(node, "interfaces", None) or ()
            ),
            members=tuple(
                member.name.value for node in nodes for member in getattr(node, "types", None) or ()
            ),
            values=tuple(values),
            keys=tuple(keys),
            extension_only=all(isinstance(node, TypeExtensionNode) for node in nodes),
            extends=bool(self.has(directives, "extends")),
            interface_object=bool(self.has(directives, "interfaceObject")),
            shareable=type_shareable,
        )

    def field(
        self,
        node: object,
        renames: dict[str, str],
        type_shareable: bool,
        type_external: bool = False,
    ) -> SubgraphField:
        directives = tuple(getattr(node, "directives", None) or ())
        override = self.has(directives, "override")
        requires = self.has(directives, "requires")
        provides = self.has(directives, "provides")
        description = getattr(node, "description", None)
        default = getattr(node, "default_value", None)
        return SubgraphField(
            name=node.name.value,  # type: ignore[attr-defined]
            type=rename_type(node.type, renames),  # type: ignore[attr-defined]
            description=description.value if description else None,
            arguments=tuple(
                self.argument(argument, renames)
                for argument in getattr(node, "arguments", None) or ()
            ),
            directives=self.applied(directives),
            default=default,
            external=type_external or bool(self.has(directives, "external")),
            shareable=type_shareable or bool(self.has(directives, "shareable")),
            requires=str(_argument_value(requires[0], "fields")) if requires else None,
            provides=str(_argument_value(provides[0], "fields")) if provides else None,
            override=str(_argument_value(override[0], "from")) if override else None,
            override_label=(
                str(_argument_value(override[0], "label"))
                if override and _argument_value(override[0], "label") is not None
                else None
            ),
        )

    def check_references(self, types: dict[str, SubgraphType]) -> None:
        known = set(types) | BUILTIN_SCALARS

        def check(type_node: TypeNode, coordinate: str) -> None:
            name = named_type(type_node)
            if name not in known:
                self.error("INVALID_GRAPHQL", f'Unknown type "{name}".', coordinate)

        for type_ in types.values():
            for field in type_.fields:
                check(field.type, f"{type_.name}.{field.name}")
                for argument in field.arguments:
                    check(argument.type, f"{type_.name}.{field.name}({argument.name}:)")
            for member in (*type_.members, *type_.interfaces):
                if member not in known:
                    self.error("INVALID_GRAPHQL", f'Unknown type "{member}".', type_.name)

    def features_used(self, types: dict[str, SubgraphType]) -> tuple[str, ...]:
        used: set[str] = set()
        for type_ in types.values():
            for applied in type_.directives:
                used.add(applied.feature)
            for field in type_.fields:
                used.update(applied.feature for applied in field.directives)
                for argument in field.arguments:
                    used.update(applied.feature for applied in argument.directives)
            for value in type_.values:
                used.update(applied.feature for applied in value.directives)
        return tuple(feature for feature in MERGED_FEATURES if feature in used)


def fed1_upgrade(type_: SubgraphType, types: dict[str, SubgraphType]) -> SubgraphType:
    """Fed 1 semantics, as Apollo's schema upgrader applies them.

    Every field may be resolved by several subgraphs; `@external` on the key fields of a type
    extension only says "defined elsewhere" and is dropped; other externals stay when a
    `@requires`/`@provides` uses them and are removed otherwise.
    """
    from dataclasses import replace

    key_fields = {
        name for key in type_.keys for name in selected_fields(key.fields).top_level_names()
    }
    used: set[str] = set()
    for other in types.values():
        for field in other.fields:
            if field.requires and other.name == type_.name:
                used.update(selected_fields(field.requires).top_level_names())
            if field.provides and named_type(field.type) == type_.name:
                used.update(selected_fields(field.provides).top_level_names())
    extension = type_.extension_only or type_.extends
    fields = []
    for field in type_.fields:
        if field.external and field.name in key_fields and extension:
            field = replace(field, external=False)
        elif field.external and field.name not in used and field.name not in key_fields:
            continue
        fields.append(replace(field, shareable=True))
    return replace(type_, fields=tuple(fields), shareable=True)


def parse_subgraph(definition: SubgraphDefinition) -> Subgraph:
    """Raises `SubgraphInvalid` with coded errors when the SDL cannot be used."""
    return _Parser(definition).parse()


__all__ = ["FederationNames", "named_type", "parse_subgraph"]
