"""GraphiQL's page and assets as the gateway serves them (the browser test is
tests/browser/test_graphiql.py)."""

from __future__ import annotations

import os

import pytest

from gateway.server import GatewayConfig
from gateway.server.graphiql import ASSETS, asset_url, graphiql_page, installed, versions
from tests.server.harness import gateway


def test_the_page_names_every_asset_once_and_nothing_else_remote() -> None:
    page = graphiql_page()

    assert "{{" not in page
    for name in ASSETS:
        assert page.count(asset_url(name)) == 1
    remote = [name for name in ASSETS if installed(name) is None]
    assert page.count("https://") == len(remote)


def test_cdn_fallback_names_the_locked_version() -> None:
    package, file = ASSETS["graphiql.js"]
    assert versions()[package] == "3.8.3"
    if installed("graphiql.js") is None:
        assert asset_url("graphiql.js") == f"https://unpkg.com/graphiql@3.8.3/{file}"


@pytest.mark.parametrize("name", sorted(ASSETS))
async def test_installed_assets_are_served(name: str) -> None:
    if installed(name) is None:
        assert not os.environ.get("CI"), "make installs the GraphiQL assets with npm"
        pytest.skip("npm did not install the GraphiQL assets (make installs them)")
    async with gateway(config=GatewayConfig(graphiql=True)) as (client, _):
        response = await client.get(f"/graphiql/{name}")
    assert response.status_code == 200
    kind = "css" if name.endswith(".css") else "javascript"
    assert kind in response.headers["content-type"]
    assert response.content == installed(name).read_bytes()  # type: ignore[union-attr]


@pytest.mark.parametrize("name", ["other.js", "..%2F..%2Fgraphiql.py", "package.json"])
async def test_nothing_else_is_served(name: str) -> None:
    async with gateway(config=GatewayConfig(graphiql=True)) as (client, _):
        response = await client.get(f"/graphiql/{name}")
    assert response.status_code == 404
