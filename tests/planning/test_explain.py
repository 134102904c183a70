"""`switchboard plan`: the explain entry point prints the plan from SDL and query text."""

from __future__ import annotations

from gateway.planning.explain import explain
from tests.planning.harness import PLANS, SUPERGRAPHS


def test_explain_prints_the_golden_plan() -> None:
    sdl = (SUPERGRAPHS / "basics" / "supergraph.graphql").read_text()
    query = (PLANS / "basics" / "entity_jump.graphql").read_text()
    expected = (PLANS / "basics" / "entity_jump.plan").read_text().rstrip("\n")
    assert explain(sdl, query, None) == expected
