"""Refresh schema/ after changing a subgraph: write each subgraph's SDL to schema/subgraphs/
and compose schema/supergraph.graphql from them with the gateway's own composer (the same as
`switchboard compose --config schema/supergraph.yaml --out schema/supergraph.graphql`).
`tests/schema/test_platform_supergraph.py` fails until this has been run.

    .venv/bin/python scripts/compose_platform.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gateway.composition.command import compose_command  # noqa: E402
from gateway.dev import platform_subgraphs  # noqa: E402
from subgraphs.common.server import subgraph_sdl  # noqa: E402

CONFIG = ROOT / "schema" / "supergraph.yaml"


def main() -> int:
    settings = yaml.safe_load(CONFIG.read_text())["subgraphs"]
    for subgraph in platform_subgraphs():
        path = CONFIG.parent / settings[subgraph.name]["schema"]["file"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(subgraph_sdl(subgraph))
    return compose_command(CONFIG, CONFIG.parent / "supergraph.graphql")


if __name__ == "__main__":
    sys.exit(main())
