"""`switchboard dev`: the whole platform in one process, on the embedded default.

The four subgraphs (SQLite files under `.switchboard/`, seeded with the demo world on first
start) and the gateway run as uvicorn servers on one event loop, sharing one in-memory event
bus. The gateway listens on `--port` (4000) and the subgraphs on the next ports of its
hundred: 4101-4104 by default (docs/architecture.md §6), 5101-5104 with `--port 5000`. The
gateway serves the checked-in `schema/supergraph.graphql`, its routing URLs pointed at those
ports. `--reset` deletes the demo databases first, so they are seeded afresh.

Callers authenticate with access tokens from the installs subgraph, the platform's issuer at
http://127.0.0.1:4102 (5102 with `--port 5000`; `switchboard token [--port P]` mints one): the
gateway and every subgraph verify them against its JWKS, and all follow revocations on the
shared bus. No header names a caller. `SWITCHBOARD_ISSUER`, when set, names the issuer instead.

The installs subgraph's authorization server needs `SWITCHBOARD_IDENTITY_SECRET`; unless the
environment sets one, `switchboard dev` uses the public dev secret (and the dev resource-server
secret for introspection), so the dev issuer's tokens protect nothing outside this machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Generator, Sequence
from pathlib import Path

import uvicorn
from starlette.types import ASGIApp

from gateway.server.ports import port_taken
from gateway.telemetry.config import LoggingConfig, TelemetryConfig
from gateway.telemetry.logs import configure_logging
from subgraphs.common.database import Database, default_url
from subgraphs.common.events import InMemoryEventBus
from subgraphs.common.server import Subgraph, create_app, prepare_database

REPOSITORY = Path(__file__).resolve().parent.parent
SUPERGRAPH = REPOSITORY / "schema" / "supergraph.graphql"
GATEWAY_PORT = 4000

logger = logging.getLogger("switchboard.dev")


def platform_subgraphs() -> list[Subgraph]:
    from subgraphs.apps.subgraph import SUBGRAPH as apps
    from subgraphs.installs.subgraph import SUBGRAPH as installs
    from subgraphs.marketplace.subgraph import SUBGRAPH as marketplace
    from subgraphs.metrics.subgraph import SUBGRAPH as metrics

    return [apps, installs, marketplace, metrics]


class _Server(uvicorn.Server):
    """A uvicorn server that leaves signals to `run_dev`, which stops the gateway, then the
    subgraphs."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


def subgraph_port(subgraph: Subgraph, gateway_port: int) -> int:
    """4101 for apps beside a gateway on 4000; 5101 beside one on 5000."""
    return gateway_port + subgraph.port - GATEWAY_PORT


def dev_issuer(gateway_port: int = GATEWAY_PORT) -> str:
    """The issuer of the platform `switchboard dev --port gateway_port` runs: its installs
    subgraph, on loopback (plain http is allowed there only)."""
    from subgraphs.installs.subgraph import SUBGRAPH as installs

    return f"http://127.0.0.1:{subgraph_port(installs, gateway_port)}"


def run_dev(
    host: str = "127.0.0.1",
    port: int = GATEWAY_PORT,
    *,
    reset: bool = False,
    log_level: str = "info",
) -> int:
    from subgraphs.installs.oauth import config as identity

    os.environ.setdefault(identity.SECRET_VARIABLE, identity.DEV_SECRET)
    os.environ.setdefault(
        identity.RESOURCE_SERVER_SECRET_VARIABLE, identity.DEV_RESOURCE_SERVER_SECRET
    )
    # The installs subgraph signs with this issuer; the subgraphs and the gateway trust it.
    os.environ.setdefault(identity.ISSUER_VARIABLE, dev_issuer(port))
    configure_logging(log_level, "console")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # One line per internal request (JWKS, usage batches, token) would drown the console.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    subgraphs = platform_subgraphs()
    ports = [port, *(subgraph_port(subgraph, port) for subgraph in subgraphs)]
    for wanted in ports:
        taken = port_taken(host, wanted)
        if taken:
            print(f"switchboard dev: {taken}", file=sys.stderr)
            return 1
    if reset:
        problem = reset_demo_data(subgraphs)
        if problem:
            print(f"switchboard dev: {problem}", file=sys.stderr)
            return 1
    return asyncio.run(_run(host, port, subgraphs))


def reset_demo_data(subgraphs: Sequence[Subgraph]) -> str | None:
    """Delete the demo SQLite files (the virtualenv and everything else stay)."""
    if os.environ.get("DATABASE_URL"):
        return "--reset deletes the demo SQLite files; DATABASE_URL points elsewhere, not reset"
    for subgraph in subgraphs:
        database = Path(default_url(subgraph.name).removeprefix("sqlite+aiosqlite:///"))
        for path in (database, *(Path(f"{database}{suffix}") for suffix in ("-wal", "-shm"))):
            path.unlink(missing_ok=True)
    logger.info("demo data deleted; seeding afresh")
    return None


async def _run(host: str, port: int, subgraphs: Sequence[Subgraph]) -> int:
    bus = InMemoryEventBus()
    databases = [Database(default_url(subgraph.name)) for subgraph in subgraphs]
    try:
        apps: list[tuple[str, int, ASGIApp]] = []
        for subgraph, database in zip(subgraphs, databases, strict=True):
            await prepare_database(subgraph, database, seed=True)
            apps.append(
                (subgraph.name, subgraph_port(subgraph, port), create_app(subgraph, database, bus))
            )
        urls = {name: f"http://{host}:{app_port}/graphql" for name, app_port, _app in apps}
        apps.append(("gateway", port, _gateway_app(bus, urls)))
        apps_database = next(
            database
            for subgraph, database in zip(subgraphs, databases, strict=True)
            if subgraph.name == "apps"
        )
        sender = asyncio.create_task(_send_webhooks(apps_database, bus))
        try:
            return await _serve_all(apps, host)
        finally:
            sender.cancel()
            await asyncio.gather(sender, return_exceptions=True)
    finally:
        for database in databases:
            await database.dispose()


DEV_WEBHOOK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


async def _send_webhooks(database: Database, bus: InMemoryEventBus) -> None:
    """The webhook sender beside the servers. On this machine, endpoints on localhost may be
    called (plain http too), so a receiver a developer runs locally gets its deliveries."""
    from subgraphs.apps.webhooks.destinations import DestinationGuard
    from subgraphs.apps.webhooks.sender import WebhookSender

    guard = DestinationGuard.from_environment()
    guard = DestinationGuard(allowed_hosts=frozenset(guard.allowed_hosts) | DEV_WEBHOOK_HOSTS)
    # The in-memory bus starts empty with the process: there is no earlier position to resume.
    await WebhookSender(database, bus, guard=guard).run(resume=False)


def _gateway_app(bus: InMemoryEventBus, subgraph_urls: dict[str, str]) -> ASGIApp:
    from gateway.auth import AuthConfig, IssuerConfig
    from gateway.demand import DemandControlConfig
    from gateway.ratelimit import RateLimitConfig
    from gateway.server import GatewayConfig
    from gateway.server import create_app as create_gateway
    from gateway.server.config import SubgraphErrorsConfig
    from gateway.supergraph import Supergraph
    from gateway.usage import UsageConfig
    from gateway.usage.config import IngestionCredentials
    from subgraphs.installs.oauth.config import ISSUER_VARIABLE, RESOURCE_SERVER_SECRET_VARIABLE

    # On this machine, the developer is the client: the platform subgraphs' errors as written.
    config = GatewayConfig(
        auth=AuthConfig(issuers=(IssuerConfig.of(os.environ[ISSUER_VARIABLE]),)),
        include_subgraph_errors=SubgraphErrorsConfig(all=True),
        introspection=True,
        graphiql=True,
        override_subgraph_url=subgraph_urls,
        telemetry=TelemetryConfig(logging=LoggingConfig(format="console")),
        # Metering as a platform runs it: costs, limits in memory, usage to the metrics subgraph
        # with a token the gateway gets from the dev issuer as the resource-server client.
        demand_control=DemandControlConfig(enabled=True, max_cost=5000),
        rate_limits=RateLimitConfig(enabled=True),
        usage=UsageConfig(
            enabled=True,
            credentials=IngestionCredentials(
                token_url=os.environ[ISSUER_VARIABLE].rstrip("/") + "/oauth/token",
                client_secret=os.environ[RESOURCE_SERVER_SECRET_VARIABLE],
            ),
        ),
    )
    return create_gateway(
        Supergraph.from_sdl(SUPERGRAPH.read_text(encoding="utf-8")), config=config, events=bus
    )


async def _serve_all(apps: Sequence[tuple[str, int, ASGIApp]], host: str) -> int:
    servers = [
        _Server(uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on"))
        for _name, port, app in apps
    ]
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signal_number, _stop, servers)
    serving = [asyncio.create_task(server.serve()) for server in servers]
    # The subgraphs outlive the gateway: its shutdown still sends its last usage records to
    # metrics, with a token from installs.
    serving[-1].add_done_callback(lambda _: _stop_all(servers))
    while not all(server.started for server in servers):
        if any(task.done() for task in serving):
            _stop(servers)
            await asyncio.gather(*serving, return_exceptions=True)
            print("switchboard dev: a server failed to start (see the log above)", file=sys.stderr)
            return 1
        await asyncio.sleep(0.05)
    for name, port, _app in apps:
        print(f"  {name:<12} http://{host}:{port}/graphql")
    gateway_port = apps[-1][1]
    print(f"\nGraphiQL: http://{host}:{gateway_port}/graphql   (Ctrl+C stops everything)")
    sys.stdout.flush()
    await asyncio.gather(*serving)
    return 0


def _stop(servers: Sequence[uvicorn.Server]) -> None:
    """The gateway (last) first: once it has stopped, the subgraphs follow."""
    servers[-1].should_exit = True


def _stop_all(servers: Sequence[uvicorn.Server]) -> None:
    for server in servers:
        server.should_exit = True
