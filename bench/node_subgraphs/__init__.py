"""The benchmark's four subgraphs written for Node (`subgraph.mjs`: graphql-js over a schema
from @apollo/subgraph, node:http), the fleet `python -m bench --node-subgraphs` runs instead of
the Python ones: what an outsider measuring gateways would put behind them, so the subgraphs'
speed neither flatters nor hides a gateway's. Same SDL and records as `bench/subgraphs/`, passed
to the script as one JSON file; no answer cache."""

from __future__ import annotations

from pathlib import Path

import orjson

from bench.npm import copy_scripts, installed_version, node_version, npm_ci
from bench.subgraphs import SUBGRAPHS
from bench.subgraphs.data import PRODUCTS, REVIEWS, USERS

SOURCES = Path(__file__).resolve().parent


def prepare(work_directory: Path) -> Path:
    """A folder with the script, its packages and the data file."""
    folder = work_directory / "node-subgraphs"
    copy_scripts(SOURCES, folder)
    npm_ci(SOURCES, folder, "the Node subgraphs' packages")
    data = {
        "sdl": {name: definition.sdl for name, definition in SUBGRAPHS.items()},
        "users": USERS,
        "products": PRODUCTS,
        "reviews": REVIEWS,
    }
    (folder / "data.json").write_bytes(orjson.dumps(data))
    return folder


def command(folder: Path, name: str, port: int) -> list[str]:
    return ["node", str(folder / "subgraph.mjs"), name, "127.0.0.1", str(port), "data.json"]


def versions(folder: Path) -> str:
    return ", ".join(
        [
            installed_version(folder, "graphql"),
            installed_version(folder, "@apollo/subgraph"),
            node_version(),
        ]
    )
