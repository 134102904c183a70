"""Node packages for a run: a folder with a package's scripts and `npm ci` from its lockfile.

The peers the benchmark runs (Apollo Gateway, Hive Gateway, the Node subgraphs) are installed
from npm, each from a `package.json` and `package-lock.json` kept beside its scripts in
`bench/`, so every run measures the same versions and nothing from npm is committed. The
installs are kept between runs (`packages_cache()`), keyed by those two files.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
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


def packages_cache() -> Path:
    """Where installed packages are kept between runs: `$XDG_CACHE_HOME/switchboard-bench`
    (`~/.cache/switchboard-bench`), one folder per lockfile content. Delete it to reinstall."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "switchboard-bench"


def npm_ci(sources: Path, folder: Path, what: str) -> None:
    """Give `folder` `sources`' locked packages (its `node_modules`), unless it has them.

    They are installed once per lockfile content into `packages_cache()` and linked from
    there, so a run does not spend minutes and hundreds of MB on an install the previous run
    already did (Hive Gateway's is ~500 MB); a changed lockfile installs afresh."""
    require_node()
    modules = folder / "node_modules"
    if modules.is_dir():
        return
    for manifest in ("package.json", "package-lock.json"):
        shutil.copy(sources / manifest, folder / manifest)
    digest = hashlib.sha256(
        (sources / "package.json").read_bytes() + (sources / "package-lock.json").read_bytes()
    ).hexdigest()[:16]
    installed = packages_cache() / f"{sources.name}-{digest}"
    if not (installed / "node_modules").is_dir():
        _install(folder, installed, what)
    modules.symlink_to(installed / "node_modules", target_is_directory=True)


def _install(folder: Path, installed: Path, what: str) -> None:
    """`npm ci` in a folder of its own beside `installed`, renamed to it when complete, so an
    interrupted or concurrent install never leaves a half-filled cache entry in use."""
    if shutil.which("npm") is None:
        raise NodeUnavailable("npm is not installed (apt-get install -y npm)")
    installed.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{installed.name}-", dir=installed.parent))
    try:
        for manifest in ("package.json", "package-lock.json"):
            shutil.copy(folder / manifest, staging / manifest)
        print(f"installing {what} from npm into", installed, flush=True)
        completed = subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=staging,
            capture_output=True,
            text=True,
            timeout=NPM_TIMEOUT_SECONDS,
            check=False,
        )
        if completed.returncode != 0:
            raise NodeUnavailable(f"npm ci failed:\n{completed.stderr[-2000:]}")
        try:
            staging.rename(installed)
        except OSError:
            if not (installed / "node_modules").is_dir():
                raise
            # Another run installed the same packages meanwhile: theirs is used.
    finally:
        shutil.rmtree(staging, ignore_errors=True)


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
