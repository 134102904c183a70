"""Complete a Federation 1 model with the fields its directives imply.

A join v0.1 supergraph names only the graph that resolves a field. Apollo's loader
(`addExternalFields`, with `isFed1`) then adds to each graph what its subgraph must have had:

- the fields of its keys, resolvable (Fed 1 key fields are never external);
- the fields its `@requires` and `@provides` select, external where the graph lacks them;
- the fields of the interfaces its types implement there, external where missing;

and drops a type from a graph where it ended up with no field (a union, with no member), except
the query root, which every subgraph has (its `_entities` and `_service` count as fields).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from types import MappingProxyType

from gateway.supergraph.field_set import FieldSet, FieldSetSelection, FragmentSelection
from gateway.supergraph.model import (
    CompositeType,
    Field,
    FieldInGraph,
    InputObjectType,
    NamedType,
    UnionType,
)


class _Completion:
    def __init__(
        self, types: Mapping[str, NamedType], graph_order: Sequence[str], query_type: str
    ) -> None:
        self.types = dict(types)
        self.rank = {graph: index for index, graph in enumerate(graph_order)}
        self.query_type = query_type

    def run(self) -> dict[str, NamedType]:
        composites = [
            name for name, named in self.types.items() if isinstance(named, CompositeType)
        ]
        for name in composites:
            for graph, type_presence in self._composite(name).graphs.items():
                for key in type_presence.keys:
                    self._ensure(name, graph, key.fields.selections, external=False)
        for name in composites:
            for field in list(self._composite(name).fields.values()):
                for graph, presence in field.graphs.items():
                    if presence.requires is not None:
                        self._ensure_field_set(name, graph, presence.requires)
                    if presence.provides is not None:
                        self._ensure_field_set(field.named_type, graph, presence.provides)
            composite = self._composite(name)
            for graph, interfaces in composite.implements.items():
                for interface in interfaces:
                    found = self.types.get(interface)
                    if isinstance(found, CompositeType):
                        self._ensure_names(name, graph, found.fields)
        for name in list(self.types):
            if name != self.query_type:
                self.types[name] = self._without_empty_graphs(self.types[name])
        return self.types

    def _composite(self, name: str) -> CompositeType:
        found = self.types[name]
        assert isinstance(found, CompositeType)
        return found

    def _ensure_field_set(self, type_name: str, graph: str, field_set: FieldSet) -> None:
        self._ensure(type_name, graph, field_set.selections, external=True)

    def _ensure_names(self, type_name: str, graph: str, field_names: Iterable[str]) -> None:
        for field_name in field_names:
            self._add(type_name, field_name, graph, external=True)

    def _ensure(
        self,
        type_name: str,
        graph: str,
        selections: Iterable[FieldSetSelection],
        *,
        external: bool,
    ) -> None:
        """Give `graph` every field `selections` reads on `type_name` (and below it)."""
        named = self.types.get(type_name)
        if not isinstance(named, CompositeType) or graph not in named.graphs:
            return  # Apollo cannot read the field set there either, and skips it
        for selection in selections:
            if isinstance(selection, FragmentSelection):
                self._ensure(
                    selection.type_condition, graph, selection.selections, external=external
                )
                continue
            field = self._add(type_name, selection.name, graph, external=external)
            if field is not None and selection.selections:
                self._ensure(field.named_type, graph, selection.selections, external=external)

    def _add(self, type_name: str, field_name: str, graph: str, *, external: bool) -> Field | None:
        composite = self._composite(type_name)
        field = composite.fields.get(field_name)
        if field is None:
            return None
        presence = field.graphs.get(graph)
        if presence is not None and (external or not presence.external):
            return field
        graphs = dict(field.graphs)
        graphs[graph] = FieldInGraph(graph=graph, external=external)
        ordered = sorted(graphs.items(), key=lambda item: self.rank.get(item[0], len(self.rank)))
        field = replace(field, graphs=MappingProxyType(dict(ordered)))
        fields = dict(composite.fields)
        fields[field_name] = field
        self.types[type_name] = replace(composite, fields=MappingProxyType(fields))
        return field

    @staticmethod
    def _without_empty_graphs(named: NamedType) -> NamedType:
        if isinstance(named, CompositeType):
            kept = {
                graph
                for graph in named.graphs
                if any(graph in field.graphs for field in named.fields.values())
            }
            if kept == set(named.graphs):
                return named
            return replace(
                named,
                graphs=MappingProxyType(
                    {graph: presence for graph, presence in named.graphs.items() if graph in kept}
                ),
                implements=MappingProxyType(
                    {graph: names for graph, names in named.implements.items() if graph in kept}
                ),
            )
        if isinstance(named, InputObjectType):
            kept = {
                graph
                for graph in named.graphs
                if any(graph in field.graphs for field in named.fields.values())
            }
            return replace(
                named,
                graphs=MappingProxyType(
                    {graph: presence for graph, presence in named.graphs.items() if graph in kept}
                ),
            )
        if isinstance(named, UnionType):
            kept = {graph for graph, members in named.members_by_graph.items() if members}
            return replace(
                named,
                graphs=MappingProxyType(
                    {graph: presence for graph, presence in named.graphs.items() if graph in kept}
                ),
                members_by_graph=MappingProxyType(
                    {
                        graph: members
                        for graph, members in named.members_by_graph.items()
                        if graph in kept
                    }
                ),
            )
        return named


def complete_fed1_fields(
    types: Mapping[str, NamedType], graph_order: Sequence[str], query_type: str
) -> dict[str, NamedType]:
    return _Completion(types, graph_order, query_type).run()
