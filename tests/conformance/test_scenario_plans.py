"""Golden plans of conformance cases: a case with a `plan.txt` is planned on its scenario's
Apollo-composed supergraph and must print exactly that plan.

`plan.txt` is reviewed against Apollo's own plan for the case (`apollo.plan`, written by
`scripts/apollo/plan_scenarios.py`); where they differ, docs/deviations.md says why.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import pytest

from tests.conformance.harness import Case, Scenario, all_cases

if TYPE_CHECKING:
    from gateway.supergraph import Supergraph

PLANNED = [case for case in all_cases() if (case.directory / "plan.txt").exists()]


@cache
def _supergraph(scenario: str) -> Supergraph:
    from gateway.supergraph import Supergraph

    return Supergraph.from_sdl(Scenario.load(scenario).supergraph_sdl)


def plan_of(case: Case) -> str:
    from gateway.operation import prepare
    from gateway.planning import OverrideLabels, plan, print_plan

    supergraph = _supergraph(case.scenario)
    operation = prepare(case.operation, case.operation_name, supergraph.api_schema)
    return print_plan(plan(supergraph, operation, OverrideLabels.of(supergraph).always))


@pytest.mark.parametrize("case", PLANNED, ids=[case.id for case in PLANNED])
def test_plan_matches_golden(case: Case) -> None:
    assert plan_of(case) == (case.directory / "plan.txt").read_text().rstrip("\n")
