"""`switchboard serve`: the gateway under uvicorn.

One process serves the app `serve` loaded (and checked) itself, so the supergraph is loaded
once. With `--workers N` N processes (`gateway.server.workers`, each with its own
`SO_REUSEPORT` socket) each import `app_from_environment` (an app factory) and build their own
app from the supergraph and config paths the parent put in the environment. uvloop and
httptools are used when installed. Each process watches its supergraph source for changes
(`gateway.server.reload`).
"""

from __future__ import annotations

import contextlib
import gc
import importlib.util
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette

from gateway.collector import collector_paused
from gateway.server.app import create_app
from gateway.server.config import ConfigError, GatewayConfig
from gateway.server.http_protocol import PROTOCOL, GuardedHttpToolsProtocol
from gateway.server.ports import port_taken
from gateway.server.server import GatewayServer
from gateway.server.workers import serve_workers
from gateway.server.write_stall import WEBSOCKET_PROTOCOL, WriteStallGuard
from gateway.telemetry.logs import LogFormat, configure_logging
from gateway.telemetry.metrics import MULTIPROCESS_VARIABLE

SUPERGRAPH_VARIABLE = "SWITCHBOARD_SUPERGRAPH"
COMPOSE_VARIABLE = "SWITCHBOARD_COMPOSE"
POLL_VARIABLE = "SWITCHBOARD_POLL_SECONDS"
CONFIG_VARIABLE = "SWITCHBOARD_CONFIG"
LOG_LEVEL_VARIABLE = "SWITCHBOARD_LOG_LEVEL"
LOG_FORMAT_VARIABLE = "SWITCHBOARD_LOG_FORMAT"
APP_FACTORY = "gateway.server.runner:app_from_environment"
FILE_POLL_SECONDS = 1.0
COMPOSE_POLL_SECONDS = 10.0
# Objects allocated (net) between collections of the youngest generation; Python's default is
# 700, which a single request exceeds many times over. The count only falls while it is above
# zero, so once the requests in flight hold more container objects than this (50 concurrent
# HeavyNested requests hold ~1,000 each), collections come every few dozen requests, each
# traversing everything they hold: at 50,000, 50 to 100 concurrent HeavyNested requests spent
# ~25% of the CPU there (docs/benchmarks.md). Cycles (exceptions with their tracebacks) wait
# longer to be collected: at most this many objects.
GC_YOUNG_THRESHOLD = 200_000


def load_app(
    supergraph_path: str | None,
    config_path: str | None,
    *,
    compose_path: str | None = None,
    poll_seconds: float | None = None,
) -> Starlette:
    from gateway.server.reload import (
        ReloadError,
        compose_from_config,
        composition_source,
        watch_file,
        watch_source,
    )
    from gateway.supergraph import Supergraph

    if compose_path is not None:
        source = composition_source(Path(compose_path))
        try:
            with collector_paused():
                sdl = compose_from_config(Path(compose_path))
        except ReloadError as error:
            raise ConfigError(f"cannot compose {compose_path}: {error}") from None
        watch = watch_source(source, compose_path, poll_seconds or COMPOSE_POLL_SECONDS)
    elif supergraph_path is not None:
        sdl = Path(supergraph_path).read_text(encoding="utf-8")
        watch = watch_file(Path(supergraph_path), poll_seconds or FILE_POLL_SECONDS)
    else:
        raise ConfigError("give a supergraph file or a composition config")
    config = GatewayConfig.load(config_path)
    # In each process that serves (the parent, or each worker): the limits its HTTP protocol
    # applies to request heads come from the configuration.
    GuardedHttpToolsProtocol.configure(
        config.server.header_read_timeout_ms / 1000, config.server.max_head_bytes
    )
    WriteStallGuard.configure_write_timeout(config.subscriptions.write_timeout_ms / 1000)
    with collector_paused():
        return create_app(Supergraph.from_sdl(sdl), config=config, watch=watch)


def connection_options(config: GatewayConfig) -> dict[str, Any]:
    """uvicorn's settings for slow clients, too many connections and shutdown
    (docs/security.md). Without httptools, h11 bounds the head's size but not its time."""
    return {
        "http": PROTOCOL if importlib.util.find_spec("httptools") else "h11",
        "ws": WEBSOCKET_PROTOCOL,
        "h11_max_incomplete_event_size": config.server.max_head_bytes,
        "limit_concurrency": config.server.max_connections,
        "timeout_graceful_shutdown": config.shutdown_grace_seconds,
    }


def app_from_environment() -> Starlette:
    if LOG_LEVEL_VARIABLE in os.environ:  # a worker `serve` started: log as the parent does
        log_format: LogFormat = (
            "console" if os.environ.get(LOG_FORMAT_VARIABLE) == "console" else "json"
        )
        configure_logging(os.environ[LOG_LEVEL_VARIABLE], log_format)
    poll = os.environ.get(POLL_VARIABLE)
    app = load_app(
        os.environ.get(SUPERGRAPH_VARIABLE) or None,
        os.environ.get(CONFIG_VARIABLE) or None,
        compose_path=os.environ.get(COMPOSE_VARIABLE) or None,
        poll_seconds=float(poll) if poll else None,
    )
    tune_garbage_collection()
    return app


def tune_garbage_collection() -> None:
    """Keep Python's cycle collector off the request path.

    A request allocates thousands of dicts and lists (subgraph answers, the merged tree, the
    response) and frees them by reference counting: JSON trees have no cycles. Yet with the
    default thresholds those allocations trigger a collection every few hundred objects, and
    the older generations' collections traverse everything alive: the supergraph, the API
    schema, cached operations and plans. Profiling under load (docs/benchmarks.md) showed the
    collector taking ~16% of the gateway's CPU. What is alive once the app is built is moved
    out of the collector's sight (`gc.freeze`), and the youngest generation is collected less
    often; cycles (exceptions with their tracebacks) are still collected, later.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])


def serve(
    supergraph_path: str | None,
    config_path: str | None,
    host: str,
    port: int,
    workers: int,
    *,
    compose_path: str | None = None,
    poll_seconds: float | None = None,
    log_level: str | None = None,
) -> int:
    """`log_level` overrides the configuration's `telemetry.logging.level`."""
    # Fail here, with a readable message, rather than in every worker. One process serves
    # the app loaded here: the supergraph is loaded once.
    try:
        config = GatewayConfig.load(config_path)
    except ConfigError as error:
        for line in str(error).splitlines():
            print(f"switchboard serve: {line}", file=sys.stderr)
        return 1
    taken = port_taken(host, port)
    if taken:
        print(f"switchboard serve: {taken}", file=sys.stderr)
        return 1
    level = log_level or config.telemetry.logging.level
    log_format: LogFormat = config.telemetry.logging.format
    configure_logging(level, log_format)
    os.environ[LOG_LEVEL_VARIABLE] = level
    os.environ[LOG_FORMAT_VARIABLE] = log_format
    try:
        app = load_app(
            supergraph_path, config_path, compose_path=compose_path, poll_seconds=poll_seconds
        )
    except (OSError, ConfigError) as error:
        for line in str(error).splitlines():
            print(f"switchboard serve: {line}", file=sys.stderr)
        return 1
    except Exception as error:  # a supergraph that does not load, whatever the cause
        source = supergraph_path or compose_path
        print(f"switchboard serve: cannot load {source}: {error}", file=sys.stderr)
        return 1
    options: dict[str, Any] = {
        "loop": "uvloop" if importlib.util.find_spec("uvloop") else "asyncio",
        "log_level": level,
        # Records go through the handler `configure_logging` installed, in its format.
        "log_config": None,
        # One log record per request costs more than the rest of uvicorn's request handling;
        # request logs belong to telemetry, which can sample them.
        "access_log": False,
        **connection_options(config),
    }
    if workers <= 1:
        tune_garbage_collection()
        return 0 if run_server(app, host=host, port=port, **options) else 1
    del app  # each worker loads its own
    for variable, value in (
        (SUPERGRAPH_VARIABLE, supergraph_path),
        (COMPOSE_VARIABLE, compose_path),
        (CONFIG_VARIABLE, config_path),
    ):
        if value:
            os.environ[variable] = str(Path(value).resolve())
    if poll_seconds:
        os.environ[POLL_VARIABLE] = str(poll_seconds)
    with metrics_directory():
        return serve_workers(APP_FACTORY, host, port, workers, {**options, "factory": True})


def run_server(app: Starlette, **options: Any) -> bool:
    """`uvicorn.run` with `GatewayServer` (subscriptions told before connections close);
    whether the server started."""
    server = GatewayServer(uvicorn.Config(app, **options))
    with contextlib.suppress(KeyboardInterrupt):
        server.run()
    return bool(server.started)


@contextlib.contextmanager
def metrics_directory() -> Iterator[None]:
    """Workers write their metrics to files in a fresh directory (prometheus-client's
    multi-process mode) unless the operator chose one; it is removed when they stop."""
    if os.environ.get(MULTIPROCESS_VARIABLE):
        yield
        return
    directory = tempfile.mkdtemp(prefix="switchboard-metrics-")
    os.environ[MULTIPROCESS_VARIABLE] = directory
    try:
        yield
    finally:
        del os.environ[MULTIPROCESS_VARIABLE]
        shutil.rmtree(directory, ignore_errors=True)
