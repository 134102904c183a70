"""The consent page in a real browser (Debian's chromium, headless, through Playwright): sign
in, see the consent page (saved as a screenshot), untick a scope, approve, and land on the
app's redirect URI with a code and the state."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.async_api import BrowserContext, Route
from sqlmodel import select

from subgraphs.common.database import Database
from subgraphs.demo.world import world
from subgraphs.installs.models import InstallationRow
from tests.browser import ARTIFACTS, browser  # noqa: F401  (a pytest fixture)
from tests.e2e.test_processes import wait_healthy
from tests.subgraphs.installs.oauth.flow import authorize_params, installable, pkce
from tests.waiting import free_port

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def installs(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    port = free_port()
    environment = {
        **os.environ,
        "SWITCHBOARD_DATA_DIR": str(tmp_path),
        "SWITCHBOARD_IDENTITY_SECRET": "browser-test-identity-secret-of-32-characters",
        "SWITCHBOARD_ISSUER": f"http://127.0.0.1:{port}",
    }
    environment.pop("DATABASE_URL", None)
    environment.pop("EVENT_BUS", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "subgraphs.installs", "--port", str(port), "--seed"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_healthy(f"http://127.0.0.1:{port}/health", process)
        yield f"http://127.0.0.1:{port}", tmp_path / "installs.db"
    finally:
        process.terminate()
        process.wait(timeout=10)


async def test_sign_in_and_approve_in_chromium(
    browser: BrowserContext,  # noqa: F811  (the fixture imported above)
    installs: tuple[str, Path],
) -> None:
    base, database_file = installs
    demo = world()
    app = installable(demo)
    params = authorize_params(app, list(app.requested_scopes[:3]), pkce()[1])
    callbacks: list[str] = []

    async def app_callback(route: Route) -> None:
        # The app's own server is not on this machine: answer for it, and note what came back.
        callbacks.append(route.request.url)
        await route.fulfill(status=200, content_type="text/html", body="<p>installed</p>")

    await browser.route(f"{app.redirect_uris[0]}**", app_callback)
    page = await browser.new_page()
    query = "&".join(f"{key}={value}" for key, value in params.items())
    await page.goto(f"{base}/oauth/authorize?" + query.replace(" ", "%20"))
    assert "/signin" in page.url
    await page.fill("input[name=email]", "ada@example.com")
    await page.fill("input[name=password]", "switchboard-demo")
    await page.click("button[type=submit]")
    await page.wait_for_selector("text=Approve")
    assert app.name in await page.title()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "consent-page.png"), full_page=True)

    boxes = page.locator("input[name=granted_scope]")
    assert await boxes.count() == 3
    await boxes.nth(2).uncheck()
    await page.select_option("select[name=workspace_id]", demo.workspaces[0].id)
    await page.click("button[value=approve]")
    for _ in range(100):
        if callbacks:
            break
        await asyncio.sleep(0.05)
    [callback] = callbacks
    returned = {key: values[0] for key, values in parse_qs(urlsplit(callback).query).items()}
    assert returned["state"] == params["state"]
    assert returned["code"]

    database = Database(f"sqlite:///{database_file}")
    try:
        async with database.session() as session:
            [installation] = (
                await session.exec(
                    select(InstallationRow).where(
                        InstallationRow.app_id == app.id,
                        InstallationRow.workspace_id == demo.workspaces[0].id,
                    )
                )
            ).all()
    finally:
        await database.dispose()
    assert installation.granted_scopes == sorted(app.requested_scopes[:2])
