"""One measurement of the scale benchmark, in a fresh process, printed as one JSON line.

    python -m bench.scale_probe compose SERVICES.json OUT.graphql
    python -m bench.scale_probe plan SUPERGRAPH.graphql OPERATIONS.json

`compose` times what `switchboard compose` does (parsing the subgraph SDL and composing, with
the collector paused as the command pauses it) and writes the supergraph; `plan` loads the
supergraph as `serve` does, then times the first (cold) plan of each operation. Peak RSS is
the whole process's (`ru_maxrss`), interpreter included, as `bench/apollo/scale.mjs` reports
node's.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path
from typing import Any


def compose_services(services_path: Path, out_path: Path) -> dict[str, Any]:
    from gateway.collector import collector_paused
    from gateway.composition import CompositionFailure, compose
    from gateway.composition.errors import SubgraphDefinition

    services = json.loads(services_path.read_text(encoding="utf-8"))
    definitions = [SubgraphDefinition(s["name"], s["url"], s["sdl"]) for s in services]
    started = time.perf_counter()
    with collector_paused():
        result = compose(definitions)
    seconds = time.perf_counter() - started
    if isinstance(result, CompositionFailure):
        return {"error": "; ".join(f"{e.code}: {e.message}" for e in result.errors[:5])}
    out_path.write_text(result.supergraph_sdl, encoding="utf-8")
    return {"seconds": seconds, "peak_rss_kib": _peak_rss_kib()}


def plan_operations(supergraph_path: Path, operations_path: Path) -> dict[str, Any]:
    from gateway.collector import collector_paused
    from gateway.operation import prepare
    from gateway.planning import OverrideLabels, plan, print_plan
    from gateway.supergraph import Supergraph

    with collector_paused():
        supergraph = Supergraph.from_sdl(supergraph_path.read_text(encoding="utf-8"))
        schema = supergraph.api_schema
    labels = OverrideLabels.of(supergraph).always
    timings: dict[str, float] = {}
    fetches: dict[str, int] = {}
    for name, text in json.loads(operations_path.read_text(encoding="utf-8")).items():
        operation = prepare(text, name, schema)
        started = time.perf_counter()
        built = plan(supergraph, operation, labels)
        timings[name] = time.perf_counter() - started
        fetches[name] = print_plan(built).count("Fetch(service:")
    return {"seconds": timings, "fetches": fetches, "peak_rss_kib": _peak_rss_kib()}


def _peak_rss_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def main(argv: list[str]) -> int:
    command, first, second = argv
    if command == "compose":
        result = compose_services(Path(first), Path(second))
    elif command == "plan":
        result = plan_operations(Path(first), Path(second))
    else:
        raise SystemExit(f"unknown command {command}")
    print(json.dumps(result))
    return 1 if "error" in result else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
