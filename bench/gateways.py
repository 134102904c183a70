"""The gateways a run can measure, each started the same way: one process on a localhost port,
serving the same supergraph (routing URLs rewritten to the run's subgraphs)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
_APOLLO_SOURCES = Path(__file__).resolve().parent / "apollo"
_REFERENCE_NODE_MODULES = REPOSITORY / "scripts" / "apollo" / "node_modules"
# What the scripts of bench/apollo/ import (bench/apollo/package.json pins the versions).
_APOLLO_PACKAGES = (
    "@apollo/composition",
    "@apollo/federation-internals",
    "@apollo/gateway",
    "@apollo/query-planner",
    "@apollo/server",
)


class GatewayUnavailable(Exception):
    """The gateway cannot be started on this machine (e.g. node is missing)."""


@dataclass(frozen=True)
class Gateway:
    name: str
    command: list[str]
    url: str
    cwd: Path | None = None
    environment: dict[str, str] = field(default_factory=dict)
    version: str = ""


def switchboard(supergraph: Path, port: int, workers: int, config: Path | None = None) -> Gateway:
    executable = Path(sys.executable).parent / "switchboard"
    return Gateway(
        name="switchboard" if config is None else "switchboard+jwt",
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


def prepare_apollo(work_directory: Path) -> Path:
    """A folder with the scripts of `bench/apollo/` and Apollo's packages: the reference
    install of `scripts/apollo/` when present, else `npm ci` from the lockfile (once per work
    folder)."""
    if shutil.which("node") is None:
        raise GatewayUnavailable("node is not installed (apt-get install -y nodejs npm)")
    folder = work_directory / "apollo-gateway"
    folder.mkdir(exist_ok=True)
    for script in _APOLLO_SOURCES.glob("*.mjs"):
        shutil.copy(script, folder / script.name)
    modules = folder / "node_modules"
    if all((_REFERENCE_NODE_MODULES / package).is_dir() for package in _APOLLO_PACKAGES):
        if not modules.exists():
            modules.symlink_to(_REFERENCE_NODE_MODULES.resolve(), target_is_directory=True)
        return folder
    if modules.is_dir():
        return folder
    if shutil.which("npm") is None:
        raise GatewayUnavailable("npm is not installed (apt-get install -y npm)")
    for manifest in ("package.json", "package-lock.json"):
        shutil.copy(_APOLLO_SOURCES / manifest, folder / manifest)
    print("installing Apollo's packages from npm into", folder, flush=True)
    completed = subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if completed.returncode != 0:
        raise GatewayUnavailable(f"npm ci failed:\n{completed.stderr[-2000:]}")
    return folder


def apollo_versions(
    folder: Path, packages: tuple[str, ...] = ("@apollo/gateway", "@apollo/server")
) -> str:
    versions = []
    for package in packages:
        manifest = folder / "node_modules" / package / "package.json"
        try:
            versions.append(f"{package} {json.loads(manifest.read_text())['version']}")
        except (OSError, ValueError, KeyError):
            versions.append(f"{package} ?")
    node = subprocess.run(["node", "--version"], capture_output=True, text=True, check=False)
    return ", ".join([*versions, f"node {node.stdout.strip()}"])


def switchboard_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"switchboard {version('switchboard')}"
    except PackageNotFoundError:
        return "switchboard"
