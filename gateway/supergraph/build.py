"""Build the typed model from the supergraph document (the `join__*` directives, read once)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Protocol

from graphql import (
    ConstDirectiveNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    FieldDefinitionNode,
    InputObjectTypeDefinitionNode,
    InputObjectTypeExtensionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    ScalarTypeDefinitionNode,
    ScalarTypeExtensionNode,
    TypeDefinitionNode,
    TypeNode,
    UnionTypeDefinitionNode,
    UnionTypeExtensionNode,
    print_ast,
)

from gateway.supergraph.directives import (
    DirectiveNames,
    directive_arguments,
    named_type,
    type_string,
)
from gateway.supergraph.errors import SupergraphError
from gateway.supergraph.field_set import FieldSet, parse_field_set
from gateway.supergraph.model import (
    NO_AUTHORIZATION,
    Argument,
    Authorization,
    CompositeType,
    EnumType,
    EnumValue,
    Field,
    FieldInGraph,
    Graph,
    InputField,
    InputObjectType,
    JoinDirective,
    Key,
    ListSize,
    NamedType,
    ScalarType,
    TypeInGraph,
    UnionType,
)


class Fed1Graphs(Protocol):
    """Where a Federation 1 supergraph (join v0.1) leaves an element's graphs implicit
    (`gateway.supergraph.fed1_membership`)."""

    def owner(self, type_name: str) -> str | None: ...

    def graphs_of(self, type_name: str) -> tuple[str, ...]: ...

    def has_type(self, graph: str, type_name: str) -> bool: ...


class ModelBuilder:
    def __init__(self, document: DocumentNode, names: DirectiveNames) -> None:
        self.names = names
        # Set for a Federation 1 supergraph once the graphs are known (it needs them).
        self.fed1: Fed1Graphs | None = None
        self.definitions: dict[str, list[TypeDefinitionNode]] = {}
        for definition in document.definitions:
            if isinstance(
                definition,
                TypeDefinitionNode
                | ObjectTypeExtensionNode
                | InterfaceTypeExtensionNode
                | UnionTypeExtensionNode
                | EnumTypeExtensionNode
                | InputObjectTypeExtensionNode
                | ScalarTypeExtensionNode,
            ):
                self.definitions.setdefault(definition.name.value, []).append(definition)  # type: ignore[arg-type]
        self.graphs = self._graphs()
        self.graph_by_enum = {graph.enum_value: graph.name for graph in self.graphs.values()}

    # graphs ------------------------------------------------------------------------------

    def _graphs(self) -> dict[str, Graph]:
        nodes = self.definitions.get(self.names.join_graph_enum)
        if not nodes or not isinstance(nodes[0], EnumTypeDefinitionNode):
            raise SupergraphError(f"the supergraph has no enum {self.names.join_graph_enum}")
        graphs: dict[str, Graph] = {}
        for value in nodes[0].values or ():
            arguments = directive_arguments(value.directives, self.names.join_graph)
            if not arguments:
                raise SupergraphError(
                    f"{self.names.join_graph_enum}.{value.name.value} has no "
                    f"@{self.names.join_graph}(name:, url:)"
                )
            name = arguments[0].get("name")
            url = arguments[0].get("url")
            if not isinstance(name, str) or not isinstance(url, str):
                raise SupergraphError(
                    f"@{self.names.join_graph} on {self.names.join_graph_enum}.{value.name.value}"
                    " needs string arguments name and url"
                )
            graphs[name] = Graph(name=name, enum_value=value.name.value, url=url)
        return graphs

    def graph_name(self, enum_value: object, where: str) -> str:
        name = self.graph_by_enum.get(str(enum_value))
        if name is None:
            raise SupergraphError(f"{where} names an unknown graph {enum_value!r}")
        return name

    # types -------------------------------------------------------------------------------

    def types(self, skip: Iterable[str]) -> dict[str, NamedType]:
        skipped = set(skip)
        types: dict[str, NamedType] = {}
        for name, nodes in self.definitions.items():
            if name in skipped:
                continue
            types[name] = self._type(name, nodes)
        return types

    def _type(self, name: str, nodes: list[TypeDefinitionNode]) -> NamedType:
        directives = [directive for node in nodes for directive in node.directives or ()]
        graphs = self._type_graphs(name, directives)
        inaccessible = bool(directive_arguments(directives, self.names.inaccessible))
        first = nodes[0]
        if isinstance(
            first,
            ObjectTypeDefinitionNode
            | ObjectTypeExtensionNode
            | InterfaceTypeDefinitionNode
            | InterfaceTypeExtensionNode,
        ):
            kind = (
                "object"
                if isinstance(first, ObjectTypeDefinitionNode | ObjectTypeExtensionNode)
                else "interface"
            )
            field_nodes = [field for node in nodes for field in node.fields or ()]  # type: ignore[attr-defined]
            interfaces = [
                interface.name.value
                for node in nodes
                for interface in node.interfaces or ()  # type: ignore[attr-defined]
            ]
            return CompositeType(
                name=name,
                kind=kind,  # type: ignore[arg-type]
                fields=MappingProxyType(
                    {node.name.value: self._field(name, node, graphs) for node in field_nodes}
                ),
                graphs=graphs,
                implements=self._implements(name, directives, interfaces, graphs),
                inaccessible=inaccessible,
                authorization=self._authorization(directives),
                cost=self._cost(directives),
                directives=self._join_directives(directives, name),
            )
        if isinstance(first, UnionTypeDefinitionNode | UnionTypeExtensionNode):
            members = tuple(
                member.name.value
                for node in nodes
                for member in node.types or ()  # type: ignore[attr-defined]
            )
            return UnionType(
                name=name,
                graphs=graphs,
                members=members,
                members_by_graph=self._union_members(name, directives, members, graphs),
                inaccessible=inaccessible,
            )
        if isinstance(first, EnumTypeDefinitionNode | EnumTypeExtensionNode):
            values: dict[str, EnumValue] = {}
            for node in nodes:
                for value in node.values or ():  # type: ignore[attr-defined]
                    where = f"{name}.{value.name.value}"
                    value_graphs = tuple(
                        self.graph_name(arguments.get("graph"), where)
                        for arguments in directive_arguments(
                            value.directives, self.names.join_enum_value
                        )
                    ) or tuple(graphs)
                    values[value.name.value] = EnumValue(
                        name=value.name.value,
                        graphs=value_graphs,
                        inaccessible=bool(
                            directive_arguments(value.directives, self.names.inaccessible)
                        ),
                    )
            return EnumType(
                name=name,
                graphs=graphs,
                values=MappingProxyType(values),
                inaccessible=inaccessible,
                authorization=self._authorization(directives),
            )
        if isinstance(first, InputObjectTypeDefinitionNode | InputObjectTypeExtensionNode):
            fields: dict[str, InputField] = {}
            for node in nodes:
                for input_field in node.fields or ():  # type: ignore[attr-defined]
                    where = f"{name}.{input_field.name.value}"
                    field_graphs = tuple(
                        self.graph_name(arguments.get("graph"), where)
                        for arguments in directive_arguments(
                            input_field.directives, self.names.join_field
                        )
                        if arguments.get("graph") is not None
                    ) or self._unmarked_field_graphs(name, input_field.type, graphs)
                    fields[input_field.name.value] = InputField(
                        name=input_field.name.value,
                        type=type_string(input_field.type),
                        graphs=field_graphs,
                        default_value=print_ast(input_field.default_value)
                        if input_field.default_value is not None
                        else None,
                        inaccessible=bool(
                            directive_arguments(input_field.directives, self.names.inaccessible)
                        ),
                    )
            return InputObjectType(
                name=name,
                graphs=graphs,
                fields=MappingProxyType(fields),
                inaccessible=inaccessible,
            )
        if isinstance(first, ScalarTypeDefinitionNode | ScalarTypeExtensionNode):
            return ScalarType(
                name=name,
                graphs=graphs,
                inaccessible=inaccessible,
                authorization=self._authorization(directives),
                cost=self._cost(directives),
            )
        raise SupergraphError(f"unsupported definition of {name}")

    def _type_graphs(
        self, name: str, directives: list[ConstDirectiveNode]
    ) -> Mapping[str, TypeInGraph]:
        keys: dict[str, list[Key]] = {}
        extension: dict[str, bool] = {}
        interface_object: dict[str, bool] = {}
        for arguments in directive_arguments(directives, self.names.join_type):
            graph = self.graph_name(arguments.get("graph"), f"@{self.names.join_type} on {name}")
            keys.setdefault(graph, [])
            key_text = arguments.get("key")
            if key_text is not None:
                keys[graph].append(
                    Key(
                        graph=graph,
                        fields=parse_field_set(str(key_text), f"the @key of {name} in {graph}"),
                        resolvable=arguments.get("resolvable", True) is not False,
                    )
                )
            extension[graph] = extension.get(graph, False) or arguments.get("extension") is True
            interface_object[graph] = (
                interface_object.get(graph, False) or arguments.get("isInterfaceObject") is True
            )
        if not keys:
            # A type without @join__type belongs to every graph (value types of early
            # supergraphs); in Federation 1, to every graph that reaches it.
            unmarked = self.fed1.graphs_of(name) if self.fed1 is not None else tuple(self.graphs)
            return MappingProxyType({graph: TypeInGraph(graph=graph) for graph in unmarked})
        if self.fed1 is not None:
            keys = {graph: keys[graph] for graph in self.graphs if graph in keys}
        return MappingProxyType(
            {
                graph: TypeInGraph(
                    graph=graph,
                    keys=tuple(graph_keys),
                    extension=extension[graph],
                    is_interface_object=interface_object[graph],
                )
                for graph, graph_keys in keys.items()
            }
        )

    def _field(
        self, type_name: str, node: FieldDefinitionNode, type_graphs: Mapping[str, TypeInGraph]
    ) -> Field:
        where = f"{type_name}.{node.name.value}"
        presences: dict[str, FieldInGraph] = {}
        join_fields = directive_arguments(node.directives, self.names.join_field)
        for arguments in join_fields:
            if arguments.get("graph") is None:
                continue
            graph = self.graph_name(arguments["graph"], f"@{self.names.join_field} on {where}")
            if self.fed1 is not None and graph not in type_graphs:
                continue  # Apollo drops a Fed 1 field from a graph that lacks its type
            presences[graph] = FieldInGraph(
                graph=graph,
                type=arguments.get("type"),
                external=arguments.get("external") is True,
                requires=self._field_set(arguments.get("requires"), f"@requires of {where}"),
                provides=self._field_set(arguments.get("provides"), f"@provides of {where}"),
                override_from=arguments.get("override"),
                override_label=arguments.get("overrideLabel"),
                used_overridden=arguments.get("usedOverridden") is True,
            )
        if not join_fields:
            # Without @join__field a field belongs to every graph that defines its type.
            presences = {
                graph: FieldInGraph(graph=graph)
                for graph in self._unmarked_field_graphs(type_name, node.type, type_graphs)
            }
        list_size = directive_arguments(node.directives, self.names.list_size)
        return Field(
            name=node.name.value,
            type=type_string(node.type),
            named_type=named_type(node.type),
            graphs=MappingProxyType(presences),
            arguments=MappingProxyType(
                {
                    argument.name.value: Argument(
                        name=argument.name.value,
                        type=type_string(argument.type),
                        default_value=print_ast(argument.default_value)
                        if argument.default_value is not None
                        else None,
                        inaccessible=bool(
                            directive_arguments(argument.directives, self.names.inaccessible)
                        ),
                    )
                    for argument in node.arguments or ()
                }
            ),
            inaccessible=bool(directive_arguments(node.directives, self.names.inaccessible)),
            authorization=self._authorization(node.directives or ()),
            cost=self._cost(node.directives or ()),
            list_size=ListSize(
                assumed_size=list_size[0].get("assumedSize"),
                slicing_arguments=tuple(list_size[0].get("slicingArguments") or ()),
                sized_fields=tuple(list_size[0].get("sizedFields") or ()),
                require_one_slicing_argument=list_size[0].get("requireOneSlicingArgument")
                is not False,
            )
            if list_size
            else None,
            directives=self._join_directives(node.directives or (), where),
        )

    def _unmarked_field_graphs(
        self, type_name: str, field_type: TypeNode, type_graphs: Iterable[str]
    ) -> tuple[str, ...]:
        """The graphs of a field without `@join__field`: in Federation 1, its type's owner, or
        (a type without owner) every graph of its type that also has the field's type."""
        if self.fed1 is None:
            return tuple(type_graphs)
        owner = self.fed1.owner(type_name)
        if owner is not None:
            return tuple(graph for graph in type_graphs if graph == owner)
        base = named_type(field_type)
        return tuple(graph for graph in type_graphs if self.fed1.has_type(graph, base))

    @staticmethod
    def _field_set(text: object, where: str) -> FieldSet | None:
        if text is None:
            return None
        return parse_field_set(str(text), where)

    def _implements(
        self,
        name: str,
        directives: list[ConstDirectiveNode],
        interfaces: list[str],
        graphs: Mapping[str, TypeInGraph],
    ) -> Mapping[str, tuple[str, ...]]:
        declared = directive_arguments(directives, self.names.join_implements)
        if not declared:
            return self._types_per_graph(tuple(interfaces), graphs)
        by_graph: dict[str, list[str]] = {graph: [] for graph in graphs}
        for arguments in declared:
            graph = self.graph_name(
                arguments.get("graph"), f"@{self.names.join_implements} on {name}"
            )
            by_graph.setdefault(graph, []).append(str(arguments.get("interface")))
        return MappingProxyType({graph: tuple(names) for graph, names in by_graph.items()})

    def _union_members(
        self,
        name: str,
        directives: list[ConstDirectiveNode],
        members: tuple[str, ...],
        graphs: Mapping[str, TypeInGraph],
    ) -> Mapping[str, tuple[str, ...]]:
        declared = directive_arguments(directives, self.names.join_union_member)
        if not declared:
            return self._types_per_graph(members, graphs)
        by_graph: dict[str, list[str]] = {graph: [] for graph in graphs}
        for arguments in declared:
            graph = self.graph_name(
                arguments.get("graph"), f"@{self.names.join_union_member} on {name}"
            )
            by_graph.setdefault(graph, []).append(str(arguments.get("member")))
        return MappingProxyType({graph: tuple(names) for graph, names in by_graph.items()})

    def _types_per_graph(
        self, type_names: tuple[str, ...], graphs: Iterable[str]
    ) -> Mapping[str, tuple[str, ...]]:
        """Undeclared interfaces or union members: all of them in each graph, or in Federation 1
        those the graph has."""
        fed1 = self.fed1
        return MappingProxyType(
            {
                graph: tuple(
                    name for name in type_names if fed1 is None or fed1.has_type(graph, name)
                )
                for graph in graphs
            }
        )

    def _authorization(self, directives: Iterable[ConstDirectiveNode]) -> Authorization:
        directives = list(directives)
        authenticated = bool(directive_arguments(directives, self.names.authenticated))
        scopes = tuple(
            tuple(str(scope) for scope in alternative)
            for arguments in directive_arguments(directives, self.names.requires_scopes)
            for alternative in arguments.get("scopes") or ()
        )
        policies = tuple(
            tuple(str(policy) for policy in alternative)
            for arguments in directive_arguments(directives, self.names.policy)
            for alternative in arguments.get("policies") or ()
        )
        if not (authenticated or scopes or policies):
            return NO_AUTHORIZATION
        return Authorization(authenticated=authenticated, scopes=scopes, policies=policies)

    def _cost(self, directives: Iterable[ConstDirectiveNode]) -> int | None:
        found = directive_arguments(list(directives), self.names.cost)
        if not found:
            return None
        weight = found[0].get("weight")
        return int(weight) if weight is not None else None

    def _join_directives(
        self, directives: Iterable[ConstDirectiveNode], where: str
    ) -> tuple[JoinDirective, ...]:
        return tuple(
            JoinDirective(
                graphs=tuple(
                    self.graph_name(graph, f"@{self.names.join_directive} on {where}")
                    for graph in arguments.get("graphs") or ()
                ),
                name=str(arguments.get("name")),
                arguments=MappingProxyType(dict(arguments.get("args") or {})),
            )
            for arguments in directive_arguments(list(directives), self.names.join_directive)
        )
