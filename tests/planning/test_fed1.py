"""Plans over a Federation 1 supergraph (cases in tests/fixtures/planning/fed1/, compared with
their goldens by test_golden_plans.py).

The goldens are Apollo's own plans over the same Fed 1 supergraph (regenerate.py checks them
with Apollo's query planner). The same subgraphs composed by Federation 2 must plan the same.
"""

from __future__ import annotations

from functools import cache

import pytest

from gateway.operation import prepare
from gateway.planning import plan, print_plan
from gateway.supergraph import Supergraph
from tests.planning.harness import PLANS, SUPERGRAPHS, cases

FEATURE = "fed1"


@cache
def fed2_supergraph() -> Supergraph:
    return Supergraph.from_sdl((SUPERGRAPHS / FEATURE / "supergraph_fed2.graphql").read_text())


def test_the_cases_cover_the_fed1_features() -> None:
    assert {
        "entity_jump",
        "requires",
        "provides",
        "value_types",
        "interface",
        "union",
    } <= set(cases(FEATURE))


@pytest.mark.parametrize("case", cases(FEATURE))
def test_the_fed2_supergraph_of_the_same_subgraphs_plans_the_same(case: str) -> None:
    graph = fed2_supergraph()
    query = (PLANS / FEATURE / f"{case}.graphql").read_text()
    expected = (PLANS / FEATURE / f"{case}.plan").read_text().rstrip("\n")
    assert print_plan(plan(graph, prepare(query, None, graph.api_schema))) == expected
