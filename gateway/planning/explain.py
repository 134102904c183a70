"""`switchboard plan`: print the plan of an operation against a supergraph."""

from __future__ import annotations

from gateway.operation import prepare
from gateway.planning.planner import plan
from gateway.planning.printer import print_plan
from gateway.supergraph import Supergraph


def explain(supergraph_sdl: str, query_text: str, operation_name: str | None) -> str:
    supergraph = Supergraph.from_sdl(supergraph_sdl)
    operation = prepare(query_text, operation_name, supergraph.api_schema)
    return print_plan(plan(supergraph, operation))
