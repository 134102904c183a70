"""A real browser for tests: Debian's chromium, driven by Playwright, headless.

`make` installs chromium with apt-get when `/usr/bin/chromium` is missing; Playwright never
downloads a browser of its own here (`executable_path`). Each test gets a fresh profile in its
temporary directory. Use it by importing the fixture into the test module:

    from tests.browser import browser  # noqa: F401  (a pytest fixture)

Screenshots go to `ARTIFACTS` (ignored by git) so a failing run can be looked at.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import BrowserContext, async_playwright

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
ARGUMENTS = [
    "--no-sandbox",  # tests run as root, where chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_installed() -> bool:
    return CHROMIUM.exists()


@pytest.fixture
async def browser(tmp_path: Path) -> AsyncIterator[BrowserContext]:
    if not chromium_installed():
        assert not os.environ.get("CI"), "make installs chromium; CI must run browser tests"
        pytest.skip("no /usr/bin/chromium (make installs it with apt-get)")
    async with async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=ARGUMENTS,
        )
        try:
            yield context
        finally:
            await context.close()
