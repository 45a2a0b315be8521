"""Browser tests drive Debian's chromium through Playwright (never a downloaded browser)."""

import os
from typing import Any

import httpx
import pytest

from floorpulse import devtools
from tests.conftest import StartServer


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    chromium = devtools.chromium()
    if chromium is None:
        if os.environ.get("CI") == "true":
            pytest.fail(
                "CI=true: the browser tests must run; install chromium (scripts/browser.sh)"
            )
        pytest.skip("no chromium: scripts/browser.sh installs Debian's")
    return {**browser_type_launch_args, "executable_path": chromium, "args": devtools.CHROMIUM_ARGS}


@pytest.fixture
def seeded(start_server: StartServer) -> str:
    """A live server's address, with three hours of sample history."""
    server = start_server()
    seeded = httpx.post(f"{server.url}/api/admin/seed", params={"hours": 3}, timeout=60)
    assert seeded.status_code == 200, seeded.text
    return server.url
