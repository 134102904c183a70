"""`python -m bench`: measure the gateway (and optionally Apollo Gateway) under load, or with
`--scale` how its composition, start-up and planning grow with the supergraph."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench.operation import DEFAULT_OPERATION, OPERATIONS
from bench.runner import DEFAULT_RESULTS_DIRECTORY, Settings, run
from bench.scale import DEFAULT_SIZES, ScaleSettings, parse_sizes, run_scale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--duration", type=float, default=None, help="measured seconds (30)")
    parser.add_argument("--warmup", type=float, default=None, help="warm-up seconds (5)")
    parser.add_argument("--connections", type=int, default=None, help="concurrent connections (50)")
    parser.add_argument("--workers", type=int, default=1, help="gateway worker processes (1)")
    parser.add_argument(
        "--compare-apollo", action="store_true", help="also measure Apollo Gateway (needs node)"
    )
    parser.add_argument(
        "--compare-hive", action="store_true",
        help="also measure Hive Gateway, as shipped and with Hive Router's Rust query planner "
        "(--hive-router-runtime); needs node and npm",
    )  # fmt: skip
    parser.add_argument(
        "--compare-dedup", action="store_true",
        help="also measure Switchboard with operation collapsing off (subgraph fetches still "
        "deduplicated) and with both off, and with --compare-hive Hive Gateway with the Rust "
        "planner with in-flight deduplication of subgraph requests off",
    )  # fmt: skip
    parser.add_argument(
        "--node-subgraphs", action="store_true",
        help="serve the subgraphs with graphql-js in node (bench/node_subgraphs/) instead of "
        "the Python ones; no answer cache",
    )  # fmt: skip
    parser.add_argument(
        "--rounds", type=int, default=1,
        help="measure the whole list of gateways this many times, one after the other (1)",
    )  # fmt: skip
    parser.add_argument(
        "--skip-switchboard", action="store_true", help="measure only the other gateways"
    )
    parser.add_argument(
        "--smoke", action="store_true", help="a few seconds of tiny load to prove the harness"
    )
    parser.add_argument(
        "--load-generator", choices=("auto", "wrk", "python"), default="auto",
        help="wrk when installed (auto), or the built-in asyncio generator",
    )  # fmt: skip
    parser.add_argument(
        "--no-subgraph-cache", action="store_true",
        help="subgraphs execute every request instead of caching answers by request body",
    )  # fmt: skip
    parser.add_argument("--results-dir", type=Path, default=DEFAULT_RESULTS_DIRECTORY)
    parser.add_argument(
        "--record-subgraph-requests", type=Path, default=None,
        help="append every distinct request the subgraphs receive to this JSON-lines file",
    )  # fmt: skip
    parser.add_argument(
        "--operation", choices=sorted(OPERATIONS), default=DEFAULT_OPERATION,
        help="heavy: the full HeavyNested benchmark (default); top-products, users: one half; "
        "no-requires: HeavyNested without shippingEstimate (no @requires hop)",
    )  # fmt: skip
    parser.add_argument(
        "--auth", action="store_true",
        help="also measure Switchboard with a valid JWT on every request (a token per connection)",
    )  # fmt: skip
    parser.add_argument(
        "--metering", action="store_true",
        help="instead: usage recording, demand control and rate limits on against off, "
        "alternating (python -m bench.metering --help for its options)",
    )  # fmt: skip
    scale = parser.add_argument_group("scale (docs/benchmarks.md)")
    scale.add_argument(
        "--scale", action="store_true",
        help="instead of load: composition, start-up and planning on generated graphs of "
        "growing size (with --compare-apollo, also Apollo's)",
    )  # fmt: skip
    scale.add_argument(
        "--sizes", type=parse_sizes, default=list(DEFAULT_SIZES),
        help="subgraphs x types per size, comma-separated (2x10,8x20,32x40,64x40)",
    )  # fmt: skip
    scale.add_argument(
        "--repeat", type=int, default=1, help="runs per figure, the median is reported (1)"
    )
    arguments = sys.argv[1:] if argv is None else argv
    if "--metering" in arguments:
        from bench.metering import main as metering

        return metering([argument for argument in arguments if argument != "--metering"])
    args = parser.parse_args(arguments)
    if args.scale:
        return run_scale(
            ScaleSettings(
                sizes=args.sizes,
                compare_apollo=args.compare_apollo,
                repeat=args.repeat,
                results_directory=args.results_dir,
            )
        )

    chosen = {
        name: value
        for name, value in (
            ("duration", args.duration),
            ("warmup", args.warmup),
            ("connections", args.connections),
        )
        if value is not None
    }
    common = {
        "workers": args.workers,
        "compare_apollo": args.compare_apollo,
        "skip_switchboard": args.skip_switchboard,
        "load_generator": args.load_generator,
        "subgraph_cache": not args.no_subgraph_cache,
        "results_directory": args.results_dir,
        "record_subgraph_requests": args.record_subgraph_requests,
        "operation": args.operation,
        "auth": args.auth,
        "compare_hive": args.compare_hive,
        "compare_dedup": args.compare_dedup,
        "node_subgraphs": args.node_subgraphs,
        "rounds": args.rounds,
    }
    settings = (
        Settings.for_smoke(**chosen, **common) if args.smoke else Settings(**chosen, **common)
    )
    return run(settings)
