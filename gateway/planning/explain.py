"""`switchboard plan`: print the plan of an operation against a supergraph as the gateway serves
it, entity fetches of a step batched (with `--stages`, what each planning stage made of it
first, and the plan before batching when batching changed it)."""

from __future__ import annotations

from collections.abc import Iterable

from graphql import print_ast

from gateway.operation import prepare
from gateway.planning.fetch_graph import FetchGraph
from gateway.planning.override_labels import OverrideLabels
from gateway.planning.passes.batch_fetches import batch_fetches
from gateway.planning.planner import plan
from gateway.planning.printer import print_plan
from gateway.planning.stage_dump import dump_fetch_graph
from gateway.supergraph import Supergraph

STAGE_TITLES = {
    "walk": "fetch groups after the walk",
    "optimize": "fetch groups after optimization",
}


def explain(
    supergraph_sdl: str,
    query_text: str,
    operation_name: str | None,
    enabled_labels: Iterable[str] | None = None,
    *,
    stages: bool = False,
) -> str:
    """Without `enabled_labels`, the plan of a request on which no rolled progressive-override
    label came up: `percent(100)` labels on, every other label off."""
    supergraph = Supergraph.from_sdl(supergraph_sdl)
    operation = prepare(query_text, operation_name, supergraph.api_schema)
    if enabled_labels is None:
        labels = OverrideLabels.of(supergraph).always
    else:
        labels = frozenset(enabled_labels)
    if not stages:
        return print_plan(batch_fetches(plan(supergraph, operation, labels)))
    sections = [("normalized operation", print_ast(operation.selection_set))]

    def observe(stage: str, graph: FetchGraph) -> None:
        # Dumped at once: the next stage changes the graph in place.
        sections.append((STAGE_TITLES[stage], dump_fetch_graph(graph)))

    planned = plan(supergraph, operation, labels, observe=observe)
    sections.append(("plan", print_plan(planned)))
    batched = batch_fetches(planned)
    if batched != planned:
        sections.append(("plan with batched fetches (as served)", print_plan(batched)))
    return "\n\n".join(f"== {title}\n{body}" for title, body in sections)
