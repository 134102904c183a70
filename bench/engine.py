"""`python -m bench.engine`: the gateway's CPU time per request, in process, over real subgraphs.

The benchmark's operation goes through the gateway's pipeline (`create_app`'s, with its
telemetry, plan cache and subgraph client) as `switchboard serve` would run it, minus the HTTP
server in front: `concurrency` requests at a time, over real HTTP to the subgraph processes.
What is measured is the CPU time of the gateway's process alone (`time.process_time`) per
request, which depends much less on how busy the machine is than requests per second do; the
subgraphs are other processes.

Each measurement runs in a fresh child process, so two source trees (a change and the commit
before it, `--trees`) and dedup on and off can be measured against the same subgraph processes,
interleaved round after round: the medians then compare like with like on a shared machine.
`--profile DIR` writes a cProfile of each measured window (`python -m pstats` reads it).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

# What the gateway shares between the concurrent requests (`--dedup`); `collapse` is the
# default configuration. A tree without operation collapsing knows only `off` and `on`.
DEDUP_MODES = {
    "off": "nothing (every request makes every fetch)",
    "on": "identical subgraph fetches in flight (collapsing off)",
    "collapse": "identical operations in flight, and fetches",
}


async def _load(pipeline: Any, query: str, name: str, requests: int, concurrency: int) -> list[Any]:
    """`requests` runs of the operation, `concurrency` at a time; each response encoded as the
    HTTP layer would. Returns one response per worker (for checking)."""
    remaining = requests

    async def worker() -> Any:
        nonlocal remaining
        last = None
        while remaining > 0:
            remaining -= 1
            outcome = await pipeline.run(query, None, name)
            orjson.dumps(outcome.response)
            last = outcome.response
        return last

    answers = await asyncio.gather(*(worker() for _ in range(min(concurrency, requests))))
    return [answer for answer in answers if answer is not None]


def child(args: argparse.Namespace) -> int:
    """One measurement in this process: warm up, check, measure, print one JSON line."""
    import uvloop

    from bench.operation import OPERATIONS
    from bench.runner import requests_served
    from gateway.server.app import create_app
    from gateway.server.config import GatewayConfig
    from gateway.server.runner import tune_garbage_collection
    from gateway.supergraph import Supergraph

    operation = OPERATIONS[args.operation]
    expected = operation.expected_response()
    request = orjson.loads(operation.request_body)
    query, name = request["query"], request.get("operationName")
    supergraph = Supergraph.from_sdl(Path(args.supergraph).read_text(encoding="utf-8"))
    config = GatewayConfig.model_validate(
        {
            "subgraphs": {
                "deduplicate_queries": args.dedup != "off",
                "deduplicate_operations": args.dedup == "collapse",
            }
        }
    )
    app = create_app(supergraph, config=config)
    pipeline = app.state.pipeline
    urls = [graph.url for graph in supergraph.graphs.values()]
    tune_garbage_collection()
    profiler = cProfile.Profile() if args.profile else None

    async def measure() -> dict[str, Any]:
        answers = await _load(pipeline, query, name, args.warmup, args.concurrency)
        wrong = sum(1 for answer in answers if answer != expected)
        served = requests_served(urls)
        started_cpu, started = time.process_time(), time.perf_counter()
        if profiler is not None:
            profiler.enable()
        answers = await _load(pipeline, query, name, args.requests, args.concurrency)
        if profiler is not None:
            profiler.disable()
        cpu, wall = time.process_time() - started_cpu, time.perf_counter() - started
        wrong += sum(1 for answer in answers if answer != expected)
        errors = [answer.get("errors") for answer in answers if answer != expected]
        return {
            "first_error": errors[0][0] if errors and errors[0] else None,
            "cpu_ms_per_request": cpu * 1000 / args.requests,
            "wall_ms_per_request": wall * 1000 / args.requests,
            "subgraph_requests_per_request": (requests_served(urls) - served) / args.requests,
            "wrong": wrong,
            "gateway": str(Path(sys.modules["gateway"].__file__ or "").parent.parent),
        }

    uvloop.install()
    result = asyncio.run(measure())
    if profiler is not None:
        profiler.dump_stats(args.profile)
    print(orjson.dumps(result).decode())
    return 0


def _run_child(
    tree: Path, supergraph: Path, dedup: str, args: argparse.Namespace, profile: Path | None
) -> dict[str, Any]:
    command = [
        sys.executable,
        "-m",
        "bench.engine",
        "--child",
        "--supergraph",
        str(supergraph),
        "--dedup",
        dedup,
        "--requests",
        str(args.requests),
        "--warmup",
        str(args.warmup),
        "--concurrency",
        str(args.concurrency),
        "--operation",
        args.operation,
    ]
    if profile is not None:
        command += ["--profile", str(profile)]
    # Run from the tree (`python -m` puts the working directory first on the path): its
    # `gateway` is the one measured, and the child checks it was.
    environment = {**os.environ, "PYTHONPATH": str(tree)}
    completed = subprocess.run(
        command, cwd=tree, env=environment, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise RuntimeError(f"measurement failed in {tree}:\n{completed.stderr[-3000:]}")
    result: dict[str, Any] = orjson.loads(completed.stdout.strip().splitlines()[-1])
    if Path(result["gateway"]).resolve() != tree:
        raise RuntimeError(f"measured {result['gateway']}'s gateway instead of {tree}'s")
    return result


def parent(args: argparse.Namespace) -> int:
    from bench.runner import Settings, SubgraphFleet

    trees = [Path(tree).resolve() for tree in args.trees] or [
        Path(__file__).resolve().parent.parent
    ]
    work = Path(tempfile.mkdtemp(prefix="switchboard-engine-"))
    fleet = SubgraphFleet.start(work, Settings(node_subgraphs=args.node_subgraphs))
    results: dict[tuple[str, str], list[dict[str, Any]]] = {}
    try:
        supergraph = fleet.write_supergraph(work)
        for round_number in range(args.rounds):
            for dedup in args.dedup:
                # Every other round in reverse order: what runs first or second gains nothing.
                order = list(enumerate(trees))
                for index, tree in order if round_number % 2 == 0 else reversed(order):
                    profile = None
                    if args.profile is not None:
                        args.profile.mkdir(parents=True, exist_ok=True)
                        profile = args.profile / f"tree{index}-dedup-{dedup}-{round_number}.prof"
                    result = _run_child(tree, supergraph, dedup, args, profile)
                    results.setdefault((str(tree), dedup), []).append(result)
                    print(
                        f"round {round_number + 1} {tree} dedup {dedup}: "
                        f"{result['cpu_ms_per_request']:.3f} CPU ms/req, "
                        f"{result['subgraph_requests_per_request']:.2f} subreq/req, "
                        f"wrong {result['wrong']}",
                        flush=True,
                    )
                    if result.get("first_error") is not None:
                        print(f"  a wrong answer's first error: {result['first_error']}")
    finally:
        fleet.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(
        f"\nCPU ms per request (median of {args.rounds}; min-max), {args.requests} requests "
        f"at {args.concurrency} concurrent, after {args.warmup} warm-up:"
    )
    for (tree_name, dedup), runs in results.items():
        cpu = [run["cpu_ms_per_request"] for run in runs]
        print(
            f"  {tree_name:<40} dedup {dedup:<4}{statistics.median(cpu):8.3f}  "
            f"({min(cpu):.3f}-{max(cpu):.3f})  wrong {sum(run['wrong'] for run in runs)}"
        )
    wrong = any(run["wrong"] for runs in results.values() for run in runs)
    return 1 if wrong else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.engine", description=__doc__)
    parser.add_argument("--trees", nargs="*", default=[], help="source trees to compare (this one)")
    parser.add_argument(
        "--dedup", nargs="+", choices=list(DEDUP_MODES), default=["off", "on"],
        help="; ".join(f"{mode}: {meaning}" for mode, meaning in DEDUP_MODES.items()),
    )  # fmt: skip
    parser.add_argument("--requests", type=int, default=1000, help="measured requests (1000)")
    parser.add_argument("--warmup", type=int, default=200, help="warm-up requests (200)")
    parser.add_argument("--concurrency", type=int, default=50, help="requests at a time (50)")
    parser.add_argument("--rounds", type=int, default=3, help="measurements per tree (3)")
    parser.add_argument("--operation", default="heavy", help="a bench.operation key (heavy)")
    parser.add_argument("--node-subgraphs", action="store_true", help="the Node subgraphs")
    parser.add_argument("--profile", type=Path, default=None, help="cProfile files into DIR")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--supergraph", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        args.dedup = args.dedup[0]
        return child(args)
    return parent(args)


if __name__ == "__main__":
    raise SystemExit(main())
