"""Regenerate schema/subgraphs/*.graphql and schema/supergraph.graphql for the platform.

Until the gateway's own composer exists, the supergraph is composed by Apollo's composition
(`scripts/apollo/compose.mjs`, needs node and `npm install` in scripts/apollo). The test suite
never runs this; `tests/schema/test_platform_supergraph.py` checks the files are in sync.

    .venv/bin/python scripts/compose_platform.py
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gateway.dev import platform_subgraphs  # noqa: E402
from subgraphs.common.server import subgraph_sdl  # noqa: E402


def sdl_digest(sdl: str) -> str:
    return hashlib.sha256(sdl.encode()).hexdigest()[:16]


def main() -> None:
    config = yaml.safe_load((ROOT / "schema" / "supergraph.yaml").read_text())
    entries = []
    for subgraph in platform_subgraphs():
        sdl = subgraph_sdl(subgraph)
        settings = config["subgraphs"][subgraph.name]
        path = ROOT / "schema" / settings["schema"]["file"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(sdl)
        entries.append({"name": subgraph.name, "url": settings["routing_url"], "sdl": sdl})
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as scratch:
        json.dump(entries, scratch)
    result = subprocess.run(
        ["node", "compose.mjs", scratch.name],
        cwd=ROOT / "scripts" / "apollo",
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.exit(f"composition failed:\n{result.stderr}")
    header = "# Composed by Apollo composition from: " + ", ".join(
        f"{entry['name']}={sdl_digest(entry['sdl'])}" for entry in entries
    )
    (ROOT / "schema" / "supergraph.graphql").write_text(f"{header}\n{result.stdout}")
    print(result.stderr, file=sys.stderr, end="")


if __name__ == "__main__":
    main()
