"""`switchboard plan`: the explain entry point prints the plan from SDL and query text."""

from __future__ import annotations

from gateway.planning.explain import explain
from tests.planning.harness import PLANS, SUPERGRAPHS


def test_explain_prints_the_golden_plan() -> None:
    sdl = (SUPERGRAPHS / "basics" / "supergraph.graphql").read_text()
    query = (PLANS / "basics" / "entity_jump.graphql").read_text()
    expected = (PLANS / "basics" / "entity_jump.plan").read_text().rstrip("\n")
    assert explain(sdl, query, None) == expected


def test_explain_plans_with_the_labels_every_request_has_unless_told() -> None:
    sdl = (SUPERGRAPHS / "override" / "supergraph.graphql").read_text()
    folder = PLANS / "override"
    # percent(100) on, the rolled percent(25) and percent(50) off.
    query = (folder / "percent_label_off.graphql").read_text()
    assert explain(sdl, query, None) == (folder / "percent_label_off.plan").read_text().rstrip()
    query = (folder / "percent_label_on.graphql").read_text()
    expected = (folder / "percent_label_on.plan").read_text().rstrip()
    assert explain(sdl, query, None, ["percent(50)", "percent(100)"]) == expected
    assert explain(sdl, query, None) != expected
