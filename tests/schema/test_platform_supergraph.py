"""schema/ stays in sync with the platform's subgraphs: the SDL files are what the subgraphs
serve today, and the checked-in supergraph is what composing them gives now.
Regenerate with `.venv/bin/python scripts/compose_platform.py` after changing a subgraph."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from gateway.composition.command import compose_command
from gateway.dev import platform_subgraphs
from gateway.supergraph import Supergraph
from subgraphs.common.server import Subgraph, subgraph_sdl

ROOT = Path(__file__).resolve().parents[2]
CONFIG = yaml.safe_load((ROOT / "schema" / "supergraph.yaml").read_text())
SUPERGRAPH = (ROOT / "schema" / "supergraph.graphql").read_text()
REGENERATE = "run `.venv/bin/python scripts/compose_platform.py`"


@pytest.mark.parametrize("subgraph", platform_subgraphs(), ids=lambda subgraph: subgraph.name)
def test_checked_in_sdl_is_what_the_subgraph_serves(subgraph: Subgraph) -> None:
    path = ROOT / "schema" / CONFIG["subgraphs"][subgraph.name]["schema"]["file"]
    assert path.read_text() == subgraph_sdl(subgraph), f"{path} is stale: {REGENERATE}"


def test_supergraph_is_what_switchboard_compose_gives(tmp_path: Path) -> None:
    out = tmp_path / "supergraph.graphql"
    assert compose_command(ROOT / "schema" / "supergraph.yaml", out) == 0
    assert out.read_text() == SUPERGRAPH, f"schema/supergraph.graphql is stale: {REGENERATE}"


def test_supergraph_loads_with_every_subgraph_at_its_routing_url() -> None:
    supergraph = Supergraph.from_sdl(SUPERGRAPH)
    assert {name: graph.url for name, graph in supergraph.graphs.items()} == {
        name: settings["routing_url"] for name, settings in CONFIG["subgraphs"].items()
    }
    query = supergraph.api_schema.query_type
    assert query is not None
    for field in ("app", "apps", "workspace", "installations", "listings", "platformUsage"):
        assert field in query.fields, field
