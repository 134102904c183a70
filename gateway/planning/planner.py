"""`plan`: a prepared operation → a query plan, in four readable stages.

assign root fields → walk selections into fetch groups → optimize → alias fields whose types
conflict in their subgraph → build plan nodes

The progressive-override labels that are on for the request are an input, as they are of
Apollo's planner: the stages plan over the supergraph's view with exactly those labels on.
"""

from __future__ import annotations

from collections.abc import Callable, Set
from typing import TYPE_CHECKING

from gateway.planning.added_fields import AddedFieldKeys
from gateway.planning.build_nodes import NodeBuilder
from gateway.planning.conflicting_fields import alias_conflicting_fields
from gateway.planning.errors import PlanningError
from gateway.planning.fetch_graph import FetchGraph
from gateway.planning.nodes import Fetch, QueryPlan, Subscription
from gateway.planning.passes import optimize
from gateway.planning.root_fields import RootPlanner
from gateway.supergraph import Supergraph

if TYPE_CHECKING:
    from gateway.operation.prepared import PreparedOperation


def build_fetch_graph(supergraph: Supergraph, operation: PreparedOperation) -> FetchGraph:
    root_type = supergraph.root_types.get(operation.kind)
    if root_type is None:
        raise PlanningError(f"the supergraph has no {operation.kind} root type")
    added = AddedFieldKeys.of(operation.selection_set)
    planner = RootPlanner(supergraph, operation.kind, root_type, added)
    return planner.plan(operation.selection_set.selections)


# Called with a stage's name and the fetch graph as that stage left it (debug dumps).
StageObserver = Callable[[str, FetchGraph], None]


def plan(
    supergraph: Supergraph,
    operation: PreparedOperation,
    enabled_labels: Set[str] = frozenset(),
    *,
    observe: StageObserver | None = None,
) -> QueryPlan:
    supergraph = supergraph.with_override_labels(enabled_labels)
    graph = build_fetch_graph(supergraph, operation)
    typename_key = AddedFieldKeys.of(operation.selection_set).typename
    if observe is not None:
        observe("walk", graph)
    graph = optimize(graph)
    if observe is not None:
        observe("optimize", graph)
    alias_conflicting_fields(
        graph,
        supergraph,
        supergraph.root_types.get(operation.kind, ""),
        AddedFieldKeys.of(operation.selection_set),
    )
    builder = NodeBuilder(
        graph,
        operation.kind,
        operation.name,
        tuple(operation.definition.variable_definitions or ()),
        {name: index for index, name in enumerate(supergraph.graphs)},
    )
    if operation.kind == "subscription":
        return QueryPlan(_subscription(graph, builder), typename_key)
    return QueryPlan(builder.build(), typename_key)


def _subscription(graph: FetchGraph, builder: NodeBuilder) -> Subscription | None:
    roots = [group for group in graph.groups if not group.all_parents]
    if not roots:
        return None
    if len(roots) != 1:
        raise PlanningError("a subscription selects exactly one root field")
    root = roots[0]
    primary = builder.fetch(root)
    assert isinstance(primary, Fetch), "a root fetch is never flattened"
    builder.processed.add(root.id)
    rest = builder._waves(builder.children_of.get(root.id, []))
    return Subscription(primary=primary, rest=rest)
