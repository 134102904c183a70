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


def switchboard(supergraph: Path, port: int, workers: int) -> Gateway:
    executable = Path(sys.executable).parent / "switchboard"
    return Gateway(
        name="switchboard",
        command=[
            str(executable) if executable.exists() else "switchboard",
            "serve",
            *("--supergraph", str(supergraph)),
            *("--host", "127.0.0.1"),
            *("--port", str(port)),
            *("--workers", str(workers)),
        ],
        url=f"http://127.0.0.1:{port}/graphql",
        version=_switchboard_version(),
    )


def apollo_gateway(supergraph: Path, port: int, work_directory: Path) -> Gateway:
    folder = _prepare_apollo(work_directory)
    return Gateway(
        name="apollo-gateway",
        command=["node", "gateway.mjs", str(supergraph), "127.0.0.1", str(port)],
        url=f"http://127.0.0.1:{port}/graphql",
        cwd=folder,
        environment={"NODE_ENV": "production"},
        version=_apollo_versions(folder),
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


def _prepare_apollo(work_directory: Path) -> Path:
    if shutil.which("node") is None:
        raise GatewayUnavailable("node is not installed (apt-get install -y nodejs npm)")
    folder = work_directory / "apollo-gateway"
    folder.mkdir(exist_ok=True)
    shutil.copy(_APOLLO_SOURCES / "gateway.mjs", folder / "gateway.mjs")
    modules = folder / "node_modules"
    if (_REFERENCE_NODE_MODULES / "@apollo" / "gateway").is_dir():
        if not modules.exists():
            modules.symlink_to(_REFERENCE_NODE_MODULES.resolve(), target_is_directory=True)
        return folder
    if shutil.which("npm") is None:
        raise GatewayUnavailable("npm is not installed (apt-get install -y npm)")
    shutil.copy(_APOLLO_SOURCES / "package.json", folder / "package.json")
    print("installing Apollo Gateway from npm into", folder, flush=True)
    completed = subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if completed.returncode != 0:
        raise GatewayUnavailable(f"npm install failed:\n{completed.stderr[-2000:]}")
    return folder


def _apollo_versions(folder: Path) -> str:
    versions = []
    for package in ("@apollo/gateway", "@apollo/server"):
        manifest = folder / "node_modules" / package / "package.json"
        try:
            versions.append(f"{package} {json.loads(manifest.read_text())['version']}")
        except (OSError, ValueError, KeyError):
            versions.append(f"{package} ?")
    node = subprocess.run(["node", "--version"], capture_output=True, text=True, check=False)
    return ", ".join([*versions, f"node {node.stdout.strip()}"])


def _switchboard_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"switchboard {version('switchboard')}"
    except PackageNotFoundError:
        return "switchboard"
