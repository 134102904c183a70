"""Write each conformance scenario's subgraph SDLs and compose its supergraph with Apollo.

usage (from the repository root):
    .venv/bin/python scripts/apollo/compose_scenarios.py [SCENARIO ...]

For every scenario (all when none are named): `<subgraph>.graphql` from the subgraph module
(its `SDL`, else its `_service { sdl }`), then `node compose.mjs` over them with routing URLs
`http://<subgraph>.<scenario>.test/graphql`, written to `supergraph.graphql`.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.conformance.harness import Scenario, all_scenarios, routing_url  # noqa: E402

COMPOSE = Path(__file__).resolve().parent / "compose.mjs"


def compose(scenario: Scenario) -> bool:
    subgraphs = []
    for name in scenario.subgraph_names:
        sdl = scenario.sdl(name)
        (scenario.directory / f"{name}.graphql").write_text(sdl)
        subgraphs.append({"name": name, "url": routing_url(name, scenario.name), "sdl": sdl})
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(subgraphs, handle)
    result = subprocess.run(
        ["node", str(COMPOSE), handle.name],
        cwd=COMPOSE.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    Path(handle.name).unlink()
    if result.returncode != 0:
        print(f"{scenario.name}: composition failed\n{result.stderr}", file=sys.stderr)
        return False
    (scenario.directory / "supergraph.graphql").write_text(result.stdout)
    hints = [line for line in result.stderr.splitlines() if line.strip()]
    print(f"{scenario.name}: composed" + (f" ({len(hints)} hints)" if hints else ""))
    return True


def main(names: list[str]) -> int:
    scenarios = [Scenario.load(name) for name in names] if names else all_scenarios()
    failures = [scenario.name for scenario in scenarios if not compose(scenario)]
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
