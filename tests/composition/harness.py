"""Helpers for composition tests: compose a dict of SDLs, load fixture cases."""

from __future__ import annotations

from pathlib import Path

from gateway.composition import CompositionFailure, CompositionResult, SubgraphDefinition, compose

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "composition"


def compose_sdls(subgraphs: dict[str, str]) -> CompositionResult:
    return compose(
        [SubgraphDefinition(name, f"http://{name}/graphql", sdl) for name, sdl in subgraphs.items()]
    )


def case_subgraphs(case: Path) -> dict[str, str]:
    return {
        path.stem: path.read_text()
        for path in sorted(case.glob("*.graphql"))
        if path.name != "supergraph.graphql"
    }


def fixture_cases() -> list[Path]:
    return sorted(path for path in FIXTURES.iterdir() if path.is_dir())


def error_codes(result: CompositionResult) -> list[str]:
    assert isinstance(result, CompositionFailure), "composition should have failed"
    return [error.code for error in result.errors]
