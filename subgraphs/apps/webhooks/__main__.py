"""`python -m subgraphs.apps.webhooks`: the webhook sender as its own process.

It reads the bus named by `EVENT_BUS`/`REDIS_URL`/`EVENT_STREAM` (Redis Streams: its position
survives restarts) and the apps database (`DATABASE_URL`, or the SQLite file), which it migrates
first. Run as many as needed: they share the queue without sending a delivery twice at once.
With `--metrics-port`, its Prometheus metrics (queue depth, attempts) are served at
`http://HOST:PORT/metrics`.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from collections.abc import Sequence

import prometheus_client

from subgraphs.apps.webhooks.destinations import DestinationGuard
from subgraphs.apps.webhooks.schedule import RetrySchedule
from subgraphs.apps.webhooks.sender import SenderConfig, WebhookSender
from subgraphs.common.database import Database, default_url
from subgraphs.common.events import InMemoryEventBus, bus_from_environment
from subgraphs.common.migrations import upgrade


def argument_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m subgraphs.apps.webhooks")
    parser.add_argument("--database-url", default=None, help="defaults to DATABASE_URL or SQLite")
    parser.add_argument(
        "--timeout", type=float, default=SenderConfig.timeout, help="seconds per attempt"
    )
    parser.add_argument("--batch-size", type=int, default=SenderConfig.batch_size)
    parser.add_argument(
        "--retry-delays",
        default=None,
        help="comma-separated seconds between attempts, replacing the standard schedule "
        "(for tests and benchmarks)",
    )
    parser.add_argument(
        "--metrics-port", type=int, default=None, help="serve Prometheus metrics on this port"
    )
    parser.add_argument("--metrics-host", default="127.0.0.1", help="address for --metrics-port")
    return parser


def config_from(arguments: Sequence[str] | None = None) -> tuple[SenderConfig, argparse.Namespace]:
    args = argument_parser().parse_args(arguments)
    schedule = (
        RetrySchedule.of_seconds(*(float(part) for part in args.retry_delays.split(",")))
        if args.retry_delays
        else RetrySchedule()
    )
    config = SenderConfig(schedule=schedule, timeout=args.timeout, batch_size=args.batch_size)
    return config, args


def main() -> None:
    config, args = config_from()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    # One line per request would drown the sender's own log; failures are logged by the sender.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if args.metrics_port is not None:
        prometheus_client.start_http_server(args.metrics_port, addr=args.metrics_host)
    asyncio.run(_run(config, args.database_url))


async def _run(config: SenderConfig, database_url: str | None) -> None:
    database = Database(database_url or default_url("apps"))
    bus = bus_from_environment()
    try:
        await upgrade(database, "apps")
        sender = WebhookSender(
            database, bus, guard=DestinationGuard.from_environment(), config=config
        )
        # The in-memory bus is this process's alone: it holds nothing from before it started.
        await sender.run(resume=not isinstance(bus, InMemoryEventBus))
    finally:
        await database.dispose()


if __name__ == "__main__":
    main()
