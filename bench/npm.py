"""Node packages for a run: a folder with a package's scripts and `npm ci` from its lockfile.

The peers the benchmark runs (Apollo Gateway, Hive Gateway, the Node subgraphs) are installed
from npm into the run's temporary folder, each from a `package.json` and `package-lock.json`
kept beside its scripts in `bench/`, so every run measures the same versions and nothing from
npm is committed.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

NPM_TIMEOUT_SECONDS = 900


class NodeUnavailable(Exception):
    """node or npm is missing, or the install failed."""


def require_node() -> None:
    if shutil.which("node") is None:
        raise NodeUnavailable("node is not installed (apt-get install -y nodejs npm)")


def copy_scripts(sources: Path, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for script in sources.glob("*.mjs"):
        shutil.copy(script, folder / script.name)


def npm_ci(sources: Path, folder: Path, what: str) -> None:
    """Install `sources`' locked packages into `folder` unless it has them already."""
    require_node()
    if (folder / "node_modules").is_dir():
        return
    if shutil.which("npm") is None:
        raise NodeUnavailable("npm is not installed (apt-get install -y npm)")
    for manifest in ("package.json", "package-lock.json"):
        shutil.copy(sources / manifest, folder / manifest)
    print(f"installing {what} from npm into", folder, flush=True)
    completed = subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=NPM_TIMEOUT_SECONDS,
        check=False,
    )
    if completed.returncode != 0:
        raise NodeUnavailable(f"npm ci failed:\n{completed.stderr[-2000:]}")


def installed_version(folder: Path, package: str) -> str:
    manifest = folder / "node_modules" / package / "package.json"
    try:
        return f"{package} {_read_version(manifest)}"
    except (OSError, ValueError, KeyError):
        return f"{package} ?"


def _read_version(manifest: Path) -> str:
    import json

    version: str = json.loads(manifest.read_text())["version"]
    return version


def node_version() -> str:
    node = subprocess.run(["node", "--version"], capture_output=True, text=True, check=False)
    return f"node {node.stdout.strip()}"
