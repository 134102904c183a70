"""The gateways a run can measure, each started the same way: one process on a localhost port,
serving the same supergraph (routing URLs rewritten to the run's subgraphs)."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from bench.npm import (
    NodeUnavailable,
    copy_scripts,
    installed_version,
    node_version,
    npm_ci,
    require_node,
)

REPOSITORY = Path(__file__).resolve().parent.parent
_APOLLO_SOURCES = Path(__file__).resolve().parent / "apollo"
_HIVE_SOURCES = Path(__file__).resolve().parent / "hive"
_REFERENCE_NODE_MODULES = REPOSITORY / "scripts" / "apollo" / "node_modules"
# What the scripts of bench/apollo/ import (bench/apollo/package.json pins the versions).
_APOLLO_PACKAGES = (
    "@apollo/composition",
    "@apollo/federation-internals",
    "@apollo/gateway",
    "@apollo/query-planner",
    "@apollo/server",
)


# A gateway that cannot be started on this machine (node or npm missing, the install failed).
GatewayUnavailable = NodeUnavailable


@dataclass(frozen=True)
class Gateway:
    name: str
    command: list[str]
    url: str
    cwd: Path | None = None
    environment: dict[str, str] = field(default_factory=dict)
    version: str = ""


def switchboard(
    supergraph: Path,
    port: int,
    workers: int,
    config: Path | None = None,
    name: str = "switchboard",
) -> Gateway:
    executable = Path(sys.executable).parent / "switchboard"
    return Gateway(
        name=name,
        command=[
            str(executable) if executable.exists() else "switchboard",
            "serve",
            *("--supergraph", str(supergraph)),
            *("--host", "127.0.0.1"),
            *("--port", str(port)),
            *("--workers", str(workers)),
            *(("--config", str(config)) if config is not None else ()),
        ],
        url=f"http://127.0.0.1:{port}/graphql",
        version=switchboard_version(),
    )


# Nothing shared between concurrent requests: neither operations nor subgraph fetches.
DEDUP_OFF_CONFIG = "subgraphs:\n  deduplicate_queries: false\n  deduplicate_operations: false\n"
# Identical subgraph fetches in flight shared, identical operations not (each runs its plan).
COLLAPSE_OFF_CONFIG = "subgraphs:\n  deduplicate_operations: false\n"


def switchboard_configured(
    supergraph: Path, port: int, workers: int, work_directory: Path, name: str, config: str
) -> Gateway:
    """Switchboard with a configuration file holding `config`, measured as `name`."""
    path = work_directory / f"{name.replace(' ', '-')}.yaml"
    path.write_text(config, encoding="utf-8")
    return switchboard(supergraph, port, workers, path, name=name)


def apollo_gateway(supergraph: Path, port: int, work_directory: Path) -> Gateway:
    folder = prepare_apollo(work_directory)
    return Gateway(
        name="apollo-gateway",
        command=["node", "gateway.mjs", str(supergraph), "127.0.0.1", str(port)],
        url=f"http://127.0.0.1:{port}/graphql",
        cwd=folder,
        environment={"NODE_ENV": "production"},
        version=apollo_versions(folder),
    )


def rewrite_routing_urls(supergraph_sdl: str, urls: dict[str, str]) -> str:
    """The supergraph with each `@join__graph(name:, url:)` pointing at `urls[name]`."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        return f'@join__graph(name: "{name}", url: "{urls.get(name, match.group(2))}")'

    rewritten, count = re.subn(
        r'@join__graph\(name: "([^"]+)", url: "([^"]*)"\)', replace, supergraph_sdl
    )
    missing = set(urls) - set(re.findall(r'@join__graph\(name: "([^"]+)"', rewritten))
    if count == 0 or missing:
        raise ValueError(f"supergraph has no join__graph for {sorted(missing) or 'any subgraph'}")
    return rewritten


def hive_gateway(
    supergraph: Path,
    port: int,
    work_directory: Path,
    *,
    rust_planner: bool = False,
    deduplicate: bool = True,
) -> Gateway:
    """Hive Gateway as shipped (`hive-gateway supergraph`, in-flight deduplication on), or
    with Hive Router's Rust query planner (`--hive-router-runtime`), or with deduplication
    turned off through its documented transport option (`bench/hive/dedup-off.config.mjs`)."""
    folder = prepare_hive(work_directory)
    name = "hive-gateway" + ("+rust" if rust_planner else "")
    name += "" if deduplicate else " dedup off"
    return Gateway(
        name=name,
        command=[
            str(folder / "node_modules" / ".bin" / "hive-gateway"),
            "supergraph",
            str(supergraph),
            *("--host", "127.0.0.1"),
            *("--port", str(port)),
            *(("--hive-router-runtime",) if rust_planner else ()),
            *(() if deduplicate else ("--config-path", str(folder / "dedup-off.config.mjs"))),
        ],
        url=f"http://127.0.0.1:{port}/graphql",
        cwd=folder,
        environment={"NODE_ENV": "production"},
        version=", ".join(
            [
                installed_version(folder, "@graphql-hive/gateway"),
                installed_version(folder, "@graphql-hive/router-runtime"),
                node_version(),
            ]
        ),
    )


def prepare_apollo(work_directory: Path) -> Path:
    """A folder with the scripts of `bench/apollo/` and Apollo's packages: the reference
    install of `scripts/apollo/` when present, else `npm ci` from the lockfile (once per work
    folder)."""
    require_node()
    folder = work_directory / "apollo-gateway"
    copy_scripts(_APOLLO_SOURCES, folder)
    modules = folder / "node_modules"
    if all((_REFERENCE_NODE_MODULES / package).is_dir() for package in _APOLLO_PACKAGES):
        if not modules.exists():
            modules.symlink_to(_REFERENCE_NODE_MODULES.resolve(), target_is_directory=True)
        return folder
    npm_ci(_APOLLO_SOURCES, folder, "Apollo's packages")
    return folder


def prepare_hive(work_directory: Path) -> Path:
    """A folder with Hive Gateway and its Rust planner runtime, `npm ci` from
    `bench/hive/package-lock.json` (once per work folder)."""
    folder = work_directory / "hive-gateway"
    copy_scripts(_HIVE_SOURCES, folder)
    npm_ci(_HIVE_SOURCES, folder, "Hive Gateway")
    return folder


def apollo_versions(
    folder: Path, packages: tuple[str, ...] = ("@apollo/gateway", "@apollo/server")
) -> str:
    versions = [installed_version(folder, package) for package in packages]
    return ", ".join([*versions, node_version()])


def switchboard_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"switchboard {version('switchboard')}"
    except PackageNotFoundError:
        return "switchboard"
