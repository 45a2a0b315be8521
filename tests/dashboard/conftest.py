"""Browser tests drive Debian's chromium through Playwright (never a downloaded browser)."""

import os
import shutil
from typing import Any

import httpx
import pytest

from tests.conftest import StartServer

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _chromium() -> str | None:
    given = os.environ.get("FLOORPULSE_CHROMIUM")
    return given if given and os.access(given, os.X_OK) else shutil.which("chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    chromium = _chromium()
    if chromium is None:
        if os.environ.get("CI") == "true":
            pytest.fail(
                "CI=true: the browser tests must run; install chromium (scripts/browser.sh)"
            )
        pytest.skip("no chromium: scripts/browser.sh installs Debian's")
    return {**browser_type_launch_args, "executable_path": chromium, "args": CHROMIUM_ARGS}


@pytest.fixture
def seeded(start_server: StartServer) -> str:
    """A live server's address, with three hours of sample history."""
    server = start_server()
    seeded = httpx.post(f"{server.url}/api/admin/seed", params={"hours": 3}, timeout=60)
    assert seeded.status_code == 200, seeded.text
    return server.url
