"""Serve one benchmark subgraph: `python -m bench.subgraphs NAME --port P [--no-cache]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench.subgraphs import SUBGRAPHS
from bench.subgraphs.app import SubgraphApp
from bench.subgraphs.server import serve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.subgraphs", description=__doc__)
    # "monolith" serves the expected answers as one plain schema: a stand-in gateway with which
    # the tests exercise the whole harness without the real engine.
    parser.add_argument("name", choices=[*sorted(SUBGRAPHS), "monolith"])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--no-cache", action="store_true", help="execute every request")
    parser.add_argument("--record", type=Path, default=None, help="append request bodies here")
    args = parser.parse_args(argv)
    if args.name == "monolith":
        from bench.operation import MONOLITH

        definition = MONOLITH
    else:
        definition = SUBGRAPHS[args.name]
    app = SubgraphApp(definition, cache=not args.no_cache, record_path=args.record)
    serve(app, args.host, args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
