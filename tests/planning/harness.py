"""Planner test harness: load a pre-composed supergraph fixture, prepare an operation, plan it.

Golden cases live in `tests/fixtures/planning/<feature>/<case>.graphql` with the expected plan
in `<case>.plan` (and Apollo's own plan, for reference, in `<case>.apollo.plan` when it
differs; see docs/deviations.md). A case is planned with the progressive-override labels every
request has on (`percent(100)`), or with exactly those listed in `<case>.labels`, one a line.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path

from gateway.operation import prepare
from gateway.planning import OverrideLabels, plan, print_plan
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


def plan_text(
    feature: str,
    query: str,
    operation_name: str | None = None,
    labels: Iterable[str] | None = None,
) -> str:
    graph = supergraph(feature)
    enabled = OverrideLabels.of(graph).always if labels is None else frozenset(labels)
    return print_plan(plan(graph, prepare(query, operation_name, graph.api_schema), enabled))


def case_labels(feature: str, case: str) -> list[str] | None:
    """The labels a golden case is planned with, from `<case>.labels` when it has one."""
    path = PLANS / feature / f"{case}.labels"
    if not path.exists():
        return None
    return [line.strip() for line in path.read_text().splitlines() if line.strip()]


def cases(feature: str) -> list[str]:
    return sorted(path.stem for path in (PLANS / feature).glob("*.graphql"))


def check_case(feature: str, case: str) -> None:
    folder = PLANS / feature
    query = (folder / f"{case}.graphql").read_text()
    expected = (folder / f"{case}.plan").read_text().rstrip("\n")
    assert plan_text(feature, query, labels=case_labels(feature, case)) == expected
