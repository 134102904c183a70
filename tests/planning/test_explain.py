"""`switchboard plan`: the explain entry point prints the plan from SDL and query text."""

from __future__ import annotations

from pathlib import Path

import pytest

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


def test_stages_show_each_planning_stage_then_the_plan(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from gateway.cli import main

    supergraph = SUPERGRAPHS / "basics" / "supergraph.graphql"
    query = PLANS / "basics" / "entity_jump.graphql"
    assert main(["plan", "--stages", "--supergraph", str(supergraph), str(query)]) == 0
    printed = capsys.readouterr().out
    titles = [line for line in printed.splitlines() if line.startswith("== ")]
    assert titles == [
        "== normalized operation",
        "== fetch groups after the walk",
        "== fetch groups after optimization",
        "== plan",
    ]
    walk = printed.split("== fetch groups after the walk\n")[1].split("\n\n== ")[0]
    assert walk.startswith("[0] ")
    assert "(root) after: -" in walk
    assert "(entity at " in walk
    assert "requires: {" in walk
    golden = (PLANS / "basics" / "entity_jump.plan").read_text().rstrip("\n")
    assert printed.rstrip("\n").endswith("== plan\n" + golden)


@pytest.mark.parametrize(
    ("supergraph_text", "query_text", "message"),
    [
        ("type Query {", "{ a }", "switchboard plan: INVALID_SUPERGRAPH: "),
        (
            None,
            "{ nope }",
            "switchboard plan: {query}:1:3: GRAPHQL_VALIDATION_FAILED: Cannot query field",
        ),
        (None, "{ topProducts ", "switchboard plan: {query}:1:15: GRAPHQL_PARSE_FAILED: "),
    ],
)
def test_bad_input_is_a_coded_message_not_a_traceback(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    supergraph_text: str | None,
    query_text: str,
    message: str,
) -> None:
    from gateway.cli import main

    supergraph = tmp_path / "supergraph.graphql"
    supergraph.write_text(
        supergraph_text or (SUPERGRAPHS / "basics" / "supergraph.graphql").read_text()
    )
    query = tmp_path / "query.graphql"
    query.write_text(query_text)
    assert main(["plan", "--supergraph", str(supergraph), str(query)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(message.format(query=query))
    assert "Traceback" not in captured.err
