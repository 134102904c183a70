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
