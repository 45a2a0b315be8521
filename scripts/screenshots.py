"""Regenerate docs/images/*.png from a live server with sample data (`make screenshots`).

Starts `floorpulse serve` on a free loopback port over a fresh SQLite file, seeds a day of the
demo factory, and photographs the dashboard in Debian's chromium: the overview in both themes,
a worker's page, the wallboard and a phone.
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from playwright.sync_api import Page, sync_playwright

IMAGES = Path(__file__).resolve().parent.parent / "docs" / "images"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
DESKTOP = {"width": 1440, "height": 1000}
PHONE = {"width": 390, "height": 844}


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder, serve(Path(folder)) as url:
        seeded = httpx.post(f"{url}/api/admin/seed", params={"hours": 24}, timeout=300)
        seeded.raise_for_status()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=os.environ.get("FLOORPULSE_CHROMIUM", "/usr/bin/chromium"),
                args=CHROMIUM_ARGS,
            )
            page = browser.new_page(viewport=DESKTOP)
            shoot(page, f"{url}/", "overview-dark")
            page.get_by_role("button", name="Light / dark").click()
            shoot(page, f"{url}/", "overview-light")
            page.get_by_role("button", name="Light / dark").click()
            shoot(page, f"{url}/workers/W1?range=24h", "worker")
            shoot(page, f"{url}/?kiosk=1", "kiosk", full_page=False)
            page.set_viewport_size(PHONE)
            shoot(page, f"{url}/", "phone")
            browser.close()


def shoot(page: Page, address: str, name: str, full_page: bool = True) -> None:
    page.goto(address, wait_until="domcontentloaded")
    page.locator("#kpi-units").wait_for()
    page.locator(".js-plotly-plot .main-svg >> visible=true").first.wait_for()
    time.sleep(2)  # let the charts settle after their first refresh
    page.screenshot(path=IMAGES / f"{name}.png", full_page=full_page)
    print(f"docs/images/{name}.png")


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """A server process on a free port over a fresh SQLite file, stopped on exit."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "FLOORPULSE_DATABASE_URL": f"sqlite:///{folder / 'demo.db'}"}
    command = [sys.executable, "-m", "floorpulse", "serve", "--port", str(port)]
    process = subprocess.Popen(command, env=env)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_ready(url)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def wait_ready(url: str) -> None:
    for _ in range(300):
        try:
            if httpx.get(f"{url}/health/ready", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")


if __name__ == "__main__":
    main()
