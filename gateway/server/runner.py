"""`switchboard serve`: the gateway under uvicorn.

With `--workers N` uvicorn runs N processes, each importing `app_from_environment` (an app
factory) and building its own app from the supergraph and config paths the parent put in the
environment. uvloop and httptools are used when installed.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import uvicorn
from starlette.applications import Starlette

from gateway.server.app import create_app
from gateway.server.config import ConfigError, GatewayConfig

SUPERGRAPH_VARIABLE = "SWITCHBOARD_SUPERGRAPH"
CONFIG_VARIABLE = "SWITCHBOARD_CONFIG"
APP_FACTORY = "gateway.server.runner:app_from_environment"


def load_app(supergraph_path: str, config_path: str | None) -> Starlette:
    from gateway.supergraph import Supergraph

    supergraph = Supergraph.from_sdl(Path(supergraph_path).read_text(encoding="utf-8"))
    return create_app(supergraph, config=GatewayConfig.load(config_path))


def app_from_environment() -> Starlette:
    return load_app(os.environ[SUPERGRAPH_VARIABLE], os.environ.get(CONFIG_VARIABLE) or None)


def serve(supergraph_path: str, config_path: str | None, host: str, port: int, workers: int) -> int:
    # Fail here, in the parent, with a readable message, rather than in every worker.
    try:
        load_app(supergraph_path, config_path)
    except (OSError, ConfigError) as error:
        print(f"switchboard serve: {error}", file=sys.stderr)
        return 1
    except Exception as error:  # a supergraph that does not load, whatever the cause
        print(f"switchboard serve: cannot load {supergraph_path}: {error}", file=sys.stderr)
        return 1
    os.environ[SUPERGRAPH_VARIABLE] = str(Path(supergraph_path).resolve())
    if config_path:
        os.environ[CONFIG_VARIABLE] = str(Path(config_path).resolve())
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=workers if workers > 1 else None,
        loop="uvloop" if importlib.util.find_spec("uvloop") else "asyncio",
        http="httptools" if importlib.util.find_spec("httptools") else "h11",
        log_level="info",
        timeout_graceful_shutdown=10,
    )
    return 0
