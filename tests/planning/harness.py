"""Planner test harness: load a pre-composed supergraph fixture, prepare an operation, plan it.

Golden cases live in `tests/fixtures/planning/<feature>/<case>.graphql` with the expected plan
in `<case>.plan` (and Apollo's own plan, for reference, in `<case>.apollo.plan` when it
differs; see docs/deviations.md).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from gateway.operation import prepare
from gateway.planning import plan, print_plan
from gateway.supergraph import Supergraph

FIXTURES = Path(__file__).parents[1] / "fixtures"
SUPERGRAPHS = FIXTURES / "supergraphs"
PLANS = FIXTURES / "planning"

# Plan features that reuse another feature's supergraph.
SUPERGRAPH_OF = {"typename": "basics", "conditions": "basics", "fragments_aliases": "basics"}


@cache
def supergraph(feature: str) -> Supergraph:
    name = SUPERGRAPH_OF.get(feature, feature)
    return Supergraph.from_sdl((SUPERGRAPHS / name / "supergraph.graphql").read_text())


def plan_text(feature: str, query: str, operation_name: str | None = None) -> str:
    graph = supergraph(feature)
    return print_plan(plan(graph, prepare(query, operation_name, graph.api_schema)))


def cases(feature: str) -> list[str]:
    return sorted(path.stem for path in (PLANS / feature).glob("*.graphql"))


def check_case(feature: str, case: str) -> None:
    folder = PLANS / feature
    query = (folder / f"{case}.graphql").read_text()
    expected = (folder / f"{case}.plan").read_text().rstrip("\n")
    assert plan_text(feature, query) == expected
