"""GraphiQL in a real browser with no internet: every request to anything but the gateway on
localhost is blocked, and a query prefilled with `?query=` runs and shows its result."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from urllib.parse import quote, urlsplit

import pytest
import uvicorn
from playwright.async_api import BrowserContext, Route, expect

from gateway.execution import AsgiRouterTransport
from gateway.server import GatewayConfig, create_app
from gateway.server.graphiql import ASSETS, installed
from tests.browser import ARTIFACTS, browser  # noqa: F401  (a pytest fixture)
from tests.server.federated import products, reviews, users
from tests.server.test_federated import SUPERGRAPH
from tests.waiting import eventually, free_port

QUERY = "query Names { topProducts(first: 2) { name } }"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


@pytest.fixture
async def gateway_url() -> AsyncIterator[str]:
    app = create_app(
        SUPERGRAPH,
        config=GatewayConfig(graphiql=True, introspection=True),
        transport=AsgiRouterTransport(
            {"products": products.app, "reviews": reviews.app, "users": users.app}
        ),
    )
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    serving = asyncio.create_task(server.serve())
    await eventually(lambda: server.started)
    yield f"http://127.0.0.1:{port}/graphql"
    server.should_exit = True
    await serving


async def test_graphiql_runs_a_query_offline(
    browser: BrowserContext,  # noqa: F811  (the imported fixture)
    gateway_url: str,
) -> None:
    missing = [name for name in ASSETS if installed(name) is None]
    assert not missing, f"GraphiQL assets not installed (run make): {missing}"
    blocked: list[str] = []

    async def offline(route: Route) -> None:
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            await route.continue_()
        else:
            blocked.append(route.request.url)
            await route.abort("internetdisconnected")

    await browser.route("**/*", offline)
    page = await browser.new_page()
    await page.goto(f"{gateway_url}?query={quote(QUERY)}&variables={quote('{}')}")

    await page.locator(".graphiql-execute-button").click()
    result = page.locator(".result-window")
    await expect(result).to_contain_text('"name": "Table"', timeout=15_000)
    await expect(result).to_contain_text('"name": "Couch"')
    # The explorer plugin and the headers editor are there too.
    await expect(page.locator("button[aria-label='Show GraphiQL Explorer']")).to_have_count(1)
    await expect(page.get_by_text("Headers", exact=True)).to_have_count(1)
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "graphiql-offline.png"))
    assert blocked == []
