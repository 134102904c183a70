"""Run the passes to a fixpoint: each returns whether it changed the graph."""

from __future__ import annotations

from collections.abc import Callable

from gateway.planning.fetch_graph import FetchGraph
from gateway.planning.passes.hoist_conditions import hoist_conditions
from gateway.planning.passes.merge_siblings import merge_siblings
from gateway.planning.passes.remove_empty import remove_empty

PASSES: tuple[Callable[[FetchGraph], bool], ...] = (remove_empty, merge_siblings, hoist_conditions)
MAX_ROUNDS = 20


def optimize(graph: FetchGraph) -> FetchGraph:
    for _ in range(MAX_ROUNDS):
        changed = False
        for optimization in PASSES:
            changed = optimization(graph) or changed
        if not changed:
            break
    return graph
