"""Stage 0 of the walk: give each root field a subgraph.

A root field only one subgraph resolves goes there. For a `@shareable` root field, the walk is
tried in each candidate on a scratch graph and the candidate needing the fewest fetches wins,
then the one fetching fewest fields (a `@provides` covering more of the selection);
ties stay in a subgraph the operation already fetches from, then follow the supergraph's graph
order, so the choice is deterministic. Mutation root fields run in order: consecutive fields of
one subgraph share a fetch, every change of subgraph starts a new sequential step.
"""

from __future__ import annotations

from collections.abc import Iterable

from graphql import FieldNode, InlineFragmentNode, SelectionNode

from gateway.planning.added_fields import AddedFieldKeys
from gateway.planning.errors import PlanningError
from gateway.planning.fetch_graph import Conditions, FetchGraph, FetchGroup
from gateway.planning.nodes import OperationKind
from gateway.planning.positions import Position, conditions_of
from gateway.planning.selection_tree import FieldEntry, SelectionTree
from gateway.planning.walk import Walker
from gateway.supergraph import Supergraph

INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})


class RootPlanner:
    def __init__(
        self,
        supergraph: Supergraph,
        kind: OperationKind,
        root_type: str,
        added: AddedFieldKeys,
    ) -> None:
        self.supergraph = supergraph
        self.kind = kind
        self.root_type = root_type
        self.graph = FetchGraph()
        self.added = added
        self.walker = Walker(supergraph, self.graph, added)
        self.step = 0
        self.last_group: FetchGroup | None = None

    def plan(self, selections: Iterable[SelectionNode]) -> FetchGraph:
        selections = list(selections)
        if self.kind == "query":
            scratch = self.graph.new_group("", is_entity=False)
            selections = self.walker.single_option_first(
                self.walker.root_position(scratch, self.root_type), selections
            )
            self.graph.remove(scratch)
        self._selections(selections, wrappers=())
        return self.graph

    def _selections(
        self, selections: Iterable[SelectionNode], wrappers: tuple[InlineFragmentNode, ...]
    ) -> None:
        for selection in selections:
            if isinstance(selection, InlineFragmentNode):
                self._selections(selection.selection_set.selections, (*wrappers, selection))
            elif isinstance(selection, FieldNode):
                if selection.name.value == "__typename" and not wrappers:
                    # The gateway answers the root `__typename` itself.
                    continue
                if selection.name.value in INTROSPECTION_FIELDS:
                    # So it answers introspection, from the API schema: no subgraph has it.
                    continue
                self._root_field(selection, wrappers)

    def _root_field(self, node: FieldNode, wrappers: tuple[InlineFragmentNode, ...]) -> None:
        service = self._choose_service(node)
        conditions: Conditions = ()
        for wrapper in wrappers:
            conditions += conditions_of(wrapper.directives or ())
        group = self._root_group(service)
        position = self.walker.root_position(group, self.root_type)
        for wrapper in wrappers:
            position = self._enter(position, wrapper)
        self.walker.walk(position, (node,))

    def _enter(self, position: Position, wrapper: InlineFragmentNode) -> Position:
        from dataclasses import replace

        directives = tuple(wrapper.directives or ())
        if not directives:
            return position
        entry = position.tree.add_fragment(None, directives)
        return replace(
            position,
            tree=entry.children,
            conditions=position.conditions + conditions_of(directives),
        )

    def _root_group(self, service: str) -> FetchGroup:
        if self.kind == "mutation":
            if self.last_group is not None and self.last_group.service == service:
                return self.last_group
            self.step += 1
            self.last_group = self.graph.new_group(
                service, is_entity=False, mutation_step=self.step
            )
            return self.last_group
        for group in self.graph.groups:
            if not group.is_entity and group.service == service:
                return group
        return self.graph.new_group(service, is_entity=False)

    def _choose_service(self, node: FieldNode) -> str:
        if node.name.value == "__typename":
            return (
                self.last_group.service if self.last_group else next(iter(self.supergraph.graphs))
            )
        root = self.supergraph.composite(self.root_type)
        field = root.fields.get(node.name.value)
        if field is None:
            raise PlanningError(f"{self.root_type} has no field {node.name.value}")
        candidates = list(field.resolving_graphs)
        if not candidates:
            raise PlanningError(f"no subgraph resolves {self.root_type}.{node.name.value}")
        if len(candidates) == 1:
            return candidates[0]
        graph_order = list(self.supergraph.graphs)
        used = {group.service for group in self.graph.groups if not group.is_entity}
        if self.kind == "mutation" and self.last_group is not None:
            used = {self.last_group.service}

        def cost(service: str) -> tuple[tuple[int, int, int], bool, int]:
            return (
                self._cost(service, node),
                service not in used,
                graph_order.index(service),
            )

        return min(candidates, key=cost)

    def _cost(self, service: str, node: FieldNode) -> tuple[int, int, int]:
        """(fetches, fields fetched by entity fetches, fields fetched) when the root field
        starts in `service`: a field the root fetch can give (its `@provides`) is cheaper than
        one an entity fetch must, which waits for it."""
        scratch = FetchGraph()
        walker = Walker(self.supergraph, scratch, self.added)
        group = scratch.new_group(service, is_entity=False)
        try:
            walker.walk(walker.root_position(group, self.root_type), (node,))
        except PlanningError:
            return (1_000_000, 0, 0)
        return (
            len(scratch.groups),
            sum(_field_count(group.selections) for group in scratch.groups if group.is_entity),
            sum(_field_count(group.selections) for group in scratch.groups),
        )


def _field_count(tree: SelectionTree) -> int:
    count = 0
    for entry in tree.entries.values():
        if isinstance(entry, FieldEntry):
            count += 1
        if entry.children is not None:
            count += _field_count(entry.children)
    return count
