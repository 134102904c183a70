"""GraphiQL for browsers that open `/graphql`, working without internet.

The page (`graphiql.html`) loads React, GraphiQL and its explorer plugin. Those files come from
npm packages that `make` installs, with the lockfile `graphiql_assets/package-lock.json`, into
the ignored `graphiql_assets/node_modules/`; the gateway serves them at `/graphiql/<name>`.
Where they are not installed (a checkout without Node), the page takes the same versions from
a public CDN instead.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

ASSET_DIRECTORY = Path(__file__).parent / "graphiql_assets"
NODE_MODULES = ASSET_DIRECTORY / "node_modules"
ASSET_PATH = "/graphiql/{name}"
CDN = "https://unpkg.com"
# The page's placeholders → (npm package, file inside it). Only these are ever served.
ASSETS = {
    "react.js": ("react", "umd/react.production.min.js"),
    "react-dom.js": ("react-dom", "umd/react-dom.production.min.js"),
    "graphiql.js": ("graphiql", "graphiql.min.js"),
    "graphiql.css": ("graphiql", "graphiql.min.css"),
    "explorer.js": ("@graphiql/plugin-explorer", "dist/index.umd.js"),
    "explorer.css": ("@graphiql/plugin-explorer", "dist/style.css"),
}
# Versions change rarely; the browser may keep an asset for a day.
CACHE_CONTROL = "public, max-age=86400"


def installed(name: str) -> Path | None:
    package, file = ASSETS[name]
    path = NODE_MODULES / package / file
    return path if path.is_file() else None


@functools.cache
def versions() -> dict[str, str]:
    manifest = json.loads((ASSET_DIRECTORY / "package.json").read_text(encoding="utf-8"))
    pinned: dict[str, str] = manifest["dependencies"]
    return pinned


def asset_url(name: str) -> str:
    if installed(name) is not None:
        return ASSET_PATH.format(name=name)
    package, file = ASSETS[name]
    return f"{CDN}/{package}@{versions()[package]}/{file}"


@functools.cache
def graphiql_page() -> str:
    """Built once per process: whether the assets are installed does not change under it."""
    page = (Path(__file__).parent / "graphiql.html").read_text(encoding="utf-8")
    for name in ASSETS:
        page = page.replace("{{" + name + "}}", asset_url(name))
    return page


async def graphiql_asset(request: Request) -> Response:
    name = request.path_params["name"]
    path = installed(name) if name in ASSETS else None
    if path is None:
        body = {"errors": [{"message": "Not Found", "extensions": {"code": "NOT_FOUND"}}]}
        return JSONResponse(body, status_code=404)
    return FileResponse(path, headers={"cache-control": CACHE_CONTROL})
