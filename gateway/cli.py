"""`switchboard`: the command line (docs/architecture.md §6)."""

from __future__ import annotations

import argparse
import sys
from importlib.metadata import version
from pathlib import Path

LOG_LEVELS = ("debug", "info", "warning", "error")
DEFAULTS = argparse.ArgumentDefaultsHelpFormatter


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="switchboard", description="The Switchboard GraphQL federation gateway."
    )
    parser.add_argument(
        "--version", action="version", version=f"switchboard {version('switchboard')}"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    dev = commands.add_parser(
        "dev",
        help="the whole platform on this machine, demo data, GraphiQL",
        description="Start the four subgraphs and the gateway in one process, on SQLite files "
        "under .switchboard/ seeded with demo data.",
        formatter_class=DEFAULTS,
    )
    dev.add_argument("--host", default="127.0.0.1", help="address every server listens on")
    dev.add_argument("--port", type=int, default=4000, help="the gateway's port")
    dev.add_argument(
        "--reset",
        action="store_true",
        help="delete the demo databases first and seed them afresh (the virtualenv is kept)",
    )
    dev.add_argument("--log-level", choices=LOG_LEVELS, default="info", help="least severe level")

    serve = commands.add_parser(
        "serve",
        help="serve a supergraph",
        description="Serve a supergraph, reloading it when its source changes.",
        formatter_class=DEFAULTS,
    )
    source = serve.add_mutually_exclusive_group(required=True)
    source.add_argument("--supergraph", help="a supergraph file, reloaded when it changes")
    source.add_argument(
        "--compose", metavar="SUPERGRAPH_YAML", help="compose from the subgraphs in this config"
    )
    serve.add_argument(
        "--poll",
        type=float,
        default=None,
        metavar="SECONDS",
        help="how often to look for a new supergraph (default: 1 for a file, 10 for compose)",
    )
    serve.add_argument(
        "--config", default=None, metavar="FILE", help="a switchboard.yaml (default: none)"
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=4000, help="port to listen on")
    serve.add_argument("--workers", type=int, default=1, help="gateway processes on the port")
    serve.add_argument(
        "--log-level",
        choices=LOG_LEVELS,
        default=None,
        help="least severe log level written (default: telemetry.logging.level, info)",
    )

    compose = commands.add_parser(
        "compose",
        help="compose subgraph SDLs into a supergraph",
        description="Compose the subgraphs a supergraph.yaml names into a supergraph file.",
    )
    compose.add_argument("--config", required=True, help="a supergraph.yaml")
    compose.add_argument("--out", required=True, help="where to write the supergraph")

    config = commands.add_parser(
        "config",
        help="check a switchboard.yaml, print its schema or reference",
        description="The gateway's configuration file (docs/configuration.md).",
    )
    config_commands = config.add_subparsers(dest="config_command", required=True)
    check = config_commands.add_parser(
        "check", help="validate a switchboard.yaml: unknown keys, wrong types, unset variables"
    )
    check.add_argument("file", help="the configuration file to check")
    config_commands.add_parser(
        "schema", help="print the JSON Schema of switchboard.yaml (for editors' completion)"
    )
    config_commands.add_parser(
        "reference", help="print the configuration reference (docs/configuration.md)"
    )

    plan = commands.add_parser(
        "plan",
        help="print the query plan of an operation",
        description="Print the plan the gateway runs for an operation.",
        formatter_class=DEFAULTS,
    )
    plan.add_argument("--supergraph", required=True, help="the supergraph file")
    plan.add_argument(
        "query",
        help="the operation: a file, the operation's text itself, or - to read standard input",
    )
    plan.add_argument(
        "--operation-name", default=None, help="which operation of the document to plan"
    )
    plan.add_argument(
        "--label",
        action="append",
        dest="labels",
        metavar="LABEL",
        help="plan with this progressive-override label on (repeatable); "
        "default: percent(100) labels on, others off",
    )
    plan.add_argument(
        "--stages", action="store_true", help="also print what each planning stage made"
    )

    from gateway.identity_commands import add_commands

    add_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "dev":
        from gateway.dev import run_dev

        return run_dev(args.host, args.port, reset=args.reset, log_level=args.log_level)
    if args.command == "serve":
        from gateway.server.runner import serve as run_serve

        return run_serve(
            supergraph_path=args.supergraph,
            compose_path=args.compose,
            poll_seconds=args.poll,
            config_path=args.config,
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_level=args.log_level,
        )
    if args.command == "compose":
        from gateway.composition.command import compose_command

        return compose_command(args.config, args.out)
    if args.command == "plan":
        return _plan(args)
    if args.command == "config":
        return _config(args)
    if args.command in ("token", "keys"):
        from gateway.identity_commands import run

        return run(args)
    return 2


def _config(args: argparse.Namespace) -> int:
    import json

    from gateway.config import ConfigError
    from gateway.server.config import GatewayConfig

    if args.config_command == "schema":
        print(json.dumps(GatewayConfig.model_json_schema(), indent=2))
        return 0
    if args.config_command == "reference":
        from gateway.config.reference import reference

        print(reference(GatewayConfig), end="")
        return 0
    try:
        GatewayConfig.load(args.file)
    except ConfigError as error:
        for problem in error.problems:
            print(f"switchboard config check: {problem}", file=sys.stderr)
        return 1
    print(f"{args.file}: valid")
    return 0


def read_operation(argument: str) -> tuple[str, str]:
    """The operation's text and where it came from: `-` is standard input, an existing path a
    file, and anything else with a selection set (`{`) the operation itself."""
    if argument == "-":
        return sys.stdin.read(), "<stdin>"
    path = Path(argument)
    if "{" not in argument:
        return path.read_text(encoding="utf-8"), argument  # OSError names a missing file
    return argument, "<argument>"


def _plan(args: argparse.Namespace) -> int:
    from gateway.errors import ClientError
    from gateway.planning.errors import PlanningError
    from gateway.planning.explain import explain
    from gateway.supergraph.errors import SupergraphError

    try:
        supergraph = Path(args.supergraph).read_text(encoding="utf-8")
        query, source = read_operation(args.query)
        printed = explain(supergraph, query, args.operation_name, args.labels, stages=args.stages)
    except OSError as error:
        print(f"switchboard plan: {error.strerror or error}: {error.filename}", file=sys.stderr)
        return 1
    except (SupergraphError, PlanningError) as error:
        print(f"switchboard plan: {error.code}: {error}", file=sys.stderr)
        return 1
    except ClientError as error:  # the operation does not parse or validate
        for problem in error.errors:
            where = "".join(
                f":{location.line}:{location.column}" for location in (problem.locations or [])[:1]
            )
            print(
                f"switchboard plan: {source}{where}: {error.code}: {problem.message}",
                file=sys.stderr,
            )
        return 1
    print(printed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
