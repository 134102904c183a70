"""`switchboard plan`: print the plan of an operation against a supergraph."""

from __future__ import annotations

from collections.abc import Iterable

from gateway.operation import prepare
from gateway.planning.override_labels import OverrideLabels
from gateway.planning.planner import plan
from gateway.planning.printer import print_plan
from gateway.supergraph import Supergraph


def explain(
    supergraph_sdl: str,
    query_text: str,
    operation_name: str | None,
    enabled_labels: Iterable[str] | None = None,
) -> str:
    """Without `enabled_labels`, the plan of a request on which no rolled progressive-override
    label came up: `percent(100)` labels on, every other label off."""
    supergraph = Supergraph.from_sdl(supergraph_sdl)
    operation = prepare(query_text, operation_name, supergraph.api_schema)
    if enabled_labels is None:
        labels = OverrideLabels.of(supergraph).always
    else:
        labels = frozenset(enabled_labels)
    return print_plan(plan(supergraph, operation, labels))
