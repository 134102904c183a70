"""Our supergraph is Apollo's, character for character, for every recorded case."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.composition import CompositionSuccess
from gateway.supergraph import Supergraph
from tests.composition.harness import case_subgraphs, compose_sdls, fixture_cases

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.mark.parametrize("case", fixture_cases(), ids=lambda case: case.name)
def test_supergraph_text_is_apollos(case: Path) -> None:
    result = compose_sdls(case_subgraphs(case))
    assert isinstance(result, CompositionSuccess), getattr(result, "errors", None)
    assert result.supergraph_sdl == (case / "supergraph.graphql").read_text()


@pytest.mark.parametrize("case", fixture_cases(), ids=lambda case: case.name)
def test_supergraph_model_is_apollos(case: Path) -> None:
    result = compose_sdls(case_subgraphs(case))
    assert isinstance(result, CompositionSuccess)
    ours = Supergraph.from_sdl(result.supergraph_sdl)
    apollos = Supergraph.from_sdl((case / "supergraph.graphql").read_text())
    assert ours.types == apollos.types
    assert ours.graphs == apollos.graphs


def test_platform_supergraph_is_the_checked_in_one(tmp_path: Path) -> None:
    from gateway.composition.command import compose_command

    out = tmp_path / "supergraph.graphql"
    assert compose_command(ROOT / "schema" / "supergraph.yaml", out) == 0
    checked_in = (ROOT / "schema" / "supergraph.graphql").read_text()
    # The checked-in file starts with a comment naming the subgraph SDL digests.
    body = "\n".join(
        line for line in checked_in.splitlines(keepends=False) if not line.startswith("#")
    )
    assert out.read_text() == body.lstrip("\n")
