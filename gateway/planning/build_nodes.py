"""Last stage: turn the fetch graph into plan nodes.

A group runs after all of its parents. A group's only-child groups run right after it
(`Sequence { Fetch, Parallel { children } }`); a group waiting on several groups runs in a later
wave of the top-level sequence, once all of them are done. Conditions (`@skip`/`@include` with a
variable) a group adds beyond its parent's wrap its subtree in a `Condition` node.
"""

from __future__ import annotations

from graphql import VariableDefinitionNode

from gateway.planning.fetch_graph import Conditions, FetchGraph, FetchGroup
from gateway.planning.nodes import (
    Condition,
    Fetch,
    Flatten,
    OperationKind,
    Parallel,
    PlanNode,
    Sequence,
)
from gateway.planning.operation_text import (
    fetch_operation,
    fetch_operation_name,
    required_selections,
)


def sequence(nodes: list[PlanNode]) -> PlanNode | None:
    flattened: list[PlanNode] = []
    for node in nodes:
        if isinstance(node, Sequence):
            flattened.extend(node.nodes)
        else:
            flattened.append(node)
    if not flattened:
        return None
    return flattened[0] if len(flattened) == 1 else Sequence(tuple(flattened))


def parallel(nodes: list[PlanNode]) -> PlanNode | None:
    flattened: list[PlanNode] = []
    for node in nodes:
        if isinstance(node, Parallel):
            flattened.extend(node.nodes)
        else:
            flattened.append(node)
    if not flattened:
        return None
    return flattened[0] if len(flattened) == 1 else Parallel(tuple(flattened))


class NodeBuilder:
    def __init__(
        self,
        graph: FetchGraph,
        kind: OperationKind,
        client_name: str | None,
        client_variables: tuple[VariableDefinitionNode, ...],
        graph_order: dict[str, int] | None = None,
    ) -> None:
        self.graph_order = graph_order or {}
        self.graph = graph
        self.kind = kind
        self.client_name = client_name
        self.client_variables = client_variables
        self.processed: set[int] = set()
        self.children_of = graph.children_by_parent()
        self.fetch_count = 0

    def build(self) -> PlanNode | None:
        roots = [group for group in self.graph.groups if not group.all_parents]
        if self.kind != "mutation":
            return self._waves(roots)
        steps = sorted({group.mutation_step for group in roots})
        return sequence(
            [
                node
                for step in steps
                if (node := self._waves([g for g in roots if g.mutation_step == step])) is not None
            ]
        )

    def fetch(self, group: FetchGroup) -> PlanNode:
        name = fetch_operation_name(self.client_name, group.service, self.fetch_count)
        self.fetch_count += 1
        operation, variables = fetch_operation(
            kind="query" if group.is_entity else self.kind,
            selections=group.selections,
            is_entity=group.is_entity,
            client_variables=self.client_variables,
            operation_name=name,
        )
        fetch = Fetch(
            service_name=group.service,
            operation=operation,
            operation_kind="query" if group.is_entity else self.kind,
            operation_name=name,
            variable_usages=variables,
            requires=required_selections(group.requires) if group.is_entity else (),
            input_rewrites=tuple(group.input_rewrites),
            output_rewrites=tuple(group.output_rewrites),
        )
        if group.is_entity:
            return Flatten(path=group.merge_path, node=fetch)
        return fetch

    def _waves(self, ready: list[FetchGroup]) -> PlanNode | None:
        waves: list[PlanNode] = []
        waiting: list[FetchGroup] = []
        while ready:
            nodes: list[PlanNode] = []
            for group in ready:
                node, deferred = self._process(group, ())
                nodes.append(node)
                waiting.extend(group for group in deferred if group not in waiting)
            wave = parallel(nodes)
            if wave is not None:
                waves.append(wave)
            ready = [
                group
                for group in waiting
                if group.id not in self.processed
                and all(parent.id in self.processed for parent in group.all_parents)
            ]
            waiting = [group for group in waiting if group not in ready]
        return sequence(waves)

    def _process(
        self, group: FetchGroup, outer_conditions: Conditions
    ) -> tuple[PlanNode, list[FetchGroup]]:
        self.processed.add(group.id)
        node = self.fetch(group)
        children = self.children_of.get(group.id, [])
        order = self.graph_order
        inline = sorted(
            (child for child in children if self.graph.direct_parents(child) == [group]),
            key=lambda child: (len(child.merge_path), order.get(child.service, 0), child.id),
        )
        deferred = [child for child in children if child not in inline]
        child_nodes: list[PlanNode] = []
        for child in inline:
            child_node, child_deferred = self._process(child, group.conditions)
            child_nodes.append(child_node)
            deferred.extend(child_deferred)
        children_node = parallel(child_nodes)
        if children_node is not None:
            node = sequence([node, children_node]) or node
        return wrap_conditions(node, group.conditions, outer_conditions), deferred


def wrap_conditions(node: PlanNode, conditions: Conditions, outer: Conditions) -> PlanNode:
    for variable, included_when in reversed([c for c in conditions if c not in outer]):
        node = (
            Condition(variable=variable, if_clause=node, else_clause=None)
            if included_when
            else Condition(variable=variable, if_clause=None, else_clause=node)
        )
    return node
