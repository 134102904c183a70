"""Which graphs hold each type of a Federation 1 supergraph (join v0.1).

Fed 1 composition marks only entities: `@join__owner(graph:)` and one `@join__type(graph:, key:)`
per key and graph. Value types, enums, scalars, inputs, interfaces and unions carry nothing, and
a field without `@join__field` belongs to its type's owner. Apollo's loader
(`extractSubgraphsFromSupergraph`, the Fed 1 branch) puts an unmarked type in every graph that
reaches it: from the root types and the graph's keyed entities, through the fields the graph
resolves, the types named in its keys, requires and provides, the implementations of an interface
and the members of a union. This module makes the same decision from the document, before the
model is built.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from graphql import (
    ConstDirectiveNode,
    FieldDefinitionNode,
    InputValueDefinitionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    TypeDefinitionNode,
    UnionTypeDefinitionNode,
    UnionTypeExtensionNode,
)

from gateway.supergraph.directives import DirectiveNames, directive_arguments, named_type
from gateway.supergraph.errors import SupergraphError
from gateway.supergraph.field_set import FieldSetSelection, FragmentSelection, parse_field_set

# A built-in scalar is in every graph.
BUILT_IN_SCALARS = frozenset({"String", "Int", "Float", "Boolean", "ID"})

GraphName = Callable[[object, str], str]


class Fed1Membership:
    """Owners, keyed graphs and reachability of a join v0.1 supergraph's types."""

    def __init__(
        self,
        definitions: Mapping[str, Sequence[TypeDefinitionNode]],
        names: DirectiveNames,
        graph_name: GraphName,
        graphs: Sequence[str],
        root_types: Iterable[str],
    ) -> None:
        self._definitions = definitions
        self._names = names
        self._graph_name = graph_name
        self._graphs = tuple(graphs)
        self._owners: dict[str, str] = {}
        self._typed: dict[str, list[tuple[str, str | None]]] = {}
        for name, nodes in definitions.items():
            directives = _directives(nodes)
            owners = directive_arguments(directives, names.join_owner)
            if len(owners) > 1:
                raise SupergraphError(f"{name} has more than one @{names.join_owner}")
            if owners:
                self._owners[name] = graph_name(
                    owners[0].get("graph"), f"@{names.join_owner} on {name}"
                )
            self._typed[name] = [
                (
                    graph_name(arguments.get("graph"), f"@{names.join_type} on {name}"),
                    None if arguments.get("key") is None else str(arguments["key"]),
                )
                for arguments in directive_arguments(directives, names.join_type)
            ]
        self._reachable = {
            graph: self._reach(graph, [name for name in root_types if name in definitions])
            for graph in self._graphs
        }

    def owner(self, type_name: str) -> str | None:
        return self._owners.get(type_name)

    def graphs_of(self, type_name: str) -> tuple[str, ...]:
        """The graphs of a type without `@join__type`, in `join__Graph` order."""
        return tuple(graph for graph in self._graphs if type_name in self._reachable[graph])

    def has_type(self, graph: str, type_name: str) -> bool:
        if type_name in BUILT_IN_SCALARS:
            return True
        typed = self._typed.get(type_name)
        if typed:
            return any(typed_graph == graph for typed_graph, _ in typed)
        return type_name in self._reachable[graph]

    # reachability ------------------------------------------------------------------------

    def _reach(self, graph: str, roots: list[str]) -> set[str]:
        stack = list(roots)
        for name, typed in self._typed.items():
            # Apollo reads the types of the first key the graph has for an entity.
            keys = [key for typed_graph, key in typed if typed_graph == graph and key is not None]
            if keys:
                stack.append(name)
                stack.extend(self._field_set_types(name, keys[0]))
        seen: set[str] = set()
        while stack:
            name = stack.pop()
            if name in seen or name not in self._definitions:
                continue
            seen.add(name)
            nodes = self._definitions[name]
            first = nodes[0]
            if isinstance(first, InterfaceTypeDefinitionNode | InterfaceTypeExtensionNode):
                stack.extend(self._implementations(name))
            if isinstance(first, UnionTypeDefinitionNode | UnionTypeExtensionNode):
                stack.extend(
                    member.name.value
                    for node in nodes
                    for member in node.types or ()  # type: ignore[attr-defined]
                )
                continue
            stack.extend(
                interface.name.value
                for node in nodes
                for interface in getattr(node, "interfaces", None) or ()
            )
            for node in nodes:
                for field in getattr(node, "fields", None) or ():
                    stack.extend(self._types_of_field_in(graph, name, field))
        return seen

    def _types_of_field_in(
        self, graph: str, type_name: str, field: FieldDefinitionNode | InputValueDefinitionNode
    ) -> list[str]:
        """The types a field brings into `graph`: none unless the graph resolves it."""
        join_fields = [
            arguments
            for arguments in directive_arguments(field.directives, self._names.join_field)
            if arguments.get("graph") is not None
        ]
        where = f"{type_name}.{field.name.value}"
        if join_fields:
            mine = [
                arguments
                for arguments in join_fields
                if self._graph_name(arguments["graph"], f"@{self._names.join_field} on {where}")
                == graph
            ]
            if not mine:
                return []
        else:
            owner = self._owners.get(type_name)
            if owner is not None and owner != graph:
                return []
            mine = []
        base = named_type(field.type)
        found = [base]
        if isinstance(field, FieldDefinitionNode):
            found.extend(named_type(argument.type) for argument in field.arguments or ())
        for arguments in mine:
            if arguments.get("provides") is not None:
                found.extend(self._field_set_types(base, str(arguments["provides"])))
            if arguments.get("requires") is not None:
                found.extend(self._field_set_types(type_name, str(arguments["requires"])))
        return found

    def _implementations(self, interface: str) -> list[str]:
        return [
            name
            for name, nodes in self._definitions.items()
            if isinstance(
                nodes[0],
                ObjectTypeDefinitionNode
                | ObjectTypeExtensionNode
                | InterfaceTypeDefinitionNode
                | InterfaceTypeExtensionNode,
            )
            and any(
                implemented.name.value == interface
                for node in nodes
                for implemented in getattr(node, "interfaces", None) or ()
            )
        ]

    def _field_set_types(self, type_name: str, text: str) -> list[str]:
        """The types of the fields a key, requires or provides selects."""
        field_set = parse_field_set(text, f"a field set of {type_name}")
        found: list[str] = []
        self._collect_types(type_name, field_set.selections, found)
        return found

    def _collect_types(
        self, type_name: str, selections: Iterable[FieldSetSelection], found: list[str]
    ) -> None:
        for selection in selections:
            if isinstance(selection, FragmentSelection):
                self._collect_types(selection.type_condition, selection.selections, found)
                continue
            field_type = self._field_type(type_name, selection.name)
            if field_type is None:
                continue
            found.append(field_type)
            self._collect_types(field_type, selection.selections, found)

    def _field_type(self, type_name: str, field_name: str) -> str | None:
        for node in self._definitions.get(type_name, ()):
            for field in getattr(node, "fields", None) or ():
                if field.name.value == field_name:
                    return named_type(field.type)
        return None


def _directives(nodes: Iterable[TypeDefinitionNode]) -> list[ConstDirectiveNode]:
    return [directive for node in nodes for directive in node.directives or ()]
