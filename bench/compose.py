"""Compose the benchmark subgraphs into `bench/supergraph.graphql` with Apollo's composition.

    .venv/bin/python -m bench.compose

Needs node and `scripts/apollo/node_modules`; the result is checked in so nothing else does. The
first line records a digest of the subgraph SDL, so a test notices when the two drift apart. The
routing URLs are placeholders: the runner rewrites them to the ports it picked.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.subgraphs import SUBGRAPHS

REPOSITORY = Path(__file__).resolve().parent.parent
SUPERGRAPH_PATH = Path(__file__).resolve().parent / "supergraph.graphql"
COMPOSE_SCRIPT = REPOSITORY / "scripts" / "apollo" / "compose.mjs"
PLACEHOLDER_PORTS = {"accounts": 4201, "products": 4202, "inventory": 4203, "reviews": 4204}
DIGEST_PREFIX = "# bench subgraphs sha256: "


def subgraph_digest() -> str:
    digest = hashlib.sha256()
    for name in sorted(SUBGRAPHS):
        digest.update(name.encode() + b"\0" + SUBGRAPHS[name].sdl.encode() + b"\0")
    return digest.hexdigest()


def compose() -> str:
    services = [
        {
            "name": name,
            "url": f"http://127.0.0.1:{PLACEHOLDER_PORTS[name]}/graphql",
            "sdl": definition.sdl,
        }
        for name, definition in SUBGRAPHS.items()
    ]
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as services_file:
        json.dump(services, services_file)
    completed = subprocess.run(
        ["node", str(COMPOSE_SCRIPT), services_file.name],
        cwd=COMPOSE_SCRIPT.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    Path(services_file.name).unlink()
    if completed.returncode != 0:
        raise SystemExit(f"composition failed:\n{completed.stderr}")
    if completed.stderr:
        print(completed.stderr, file=sys.stderr, end="")
    return f"{DIGEST_PREFIX}{subgraph_digest()}\n{completed.stdout}"


def main() -> int:
    SUPERGRAPH_PATH.write_text(compose(), encoding="utf-8")
    print(f"wrote {SUPERGRAPH_PATH.relative_to(REPOSITORY)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
