"""Browser tests drive Debian's chromium through Playwright (never a downloaded browser)."""

import os
import shutil
from typing import Any

import pytest

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
