"""Regenerate docs/images/*.png from a live server with sample data (`make screenshots`).

Starts `floorpulse serve` on a free loopback port over a fresh SQLite file, seeds a day of the
demo factory, and photographs the dashboard in Debian's chromium: the overview in both themes,
a worker's page, the wallboard and a phone. Then, on another server, three weeks of the floor
whose cameras changed to a drifting model 36 hours ago: the model health page.
"""

import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from playwright.sync_api import Page, sync_playwright

from floorpulse.demo.generator import Factory, drifting_model, generate
from floorpulse.devtools import CHROMIUM_ARGS, ServerProcess, chromium

IMAGES = Path(__file__).resolve().parent.parent / "docs" / "images"
DESKTOP = {"width": 1440, "height": 1000}
PHONE = {"width": 390, "height": 844}
WALL = {"width": 1920, "height": 1080}  # a TV on the shop-floor wall


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder, served(Path(folder)) as server:
        url = server.url
        seeded = httpx.post(f"{url}/api/admin/seed", params={"hours": 24}, timeout=300)
        seeded.raise_for_status()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium() or "/usr/bin/chromium", args=CHROMIUM_ARGS
            )
            page = browser.new_page(viewport=DESKTOP)
            shoot(page, f"{url}/?range=24h", "overview-dark")
            page.get_by_role("button", name="Light / dark").click()
            shoot(page, f"{url}/?range=24h", "overview-light")
            page.get_by_role("button", name="Light / dark").click()
            shoot(page, f"{url}/workers/W1?range=24h", "worker")
            page.set_viewport_size(WALL)
            shoot(page, f"{url}/?kiosk=1", "kiosk", full_page=False)
            page.set_viewport_size(PHONE)
            shoot(page, f"{url}/?range=24h", "phone")
            with tempfile.TemporaryDirectory() as other, served(Path(other)) as drifting:
                send_drift(drifting.url)
                page.set_viewport_size(DESKTOP)
                shoot(page, f"{drifting.url}/models", "model-health", ready="#models-alerts li")
            browser.close()


def served(folder: Path) -> ServerProcess:
    """A server over a fresh SQLite file in `folder`."""
    return ServerProcess({"FLOORPULSE_DATABASE_URL": f"sqlite:///{folder / 'demo.db'}"})


def send_drift(url: str) -> None:
    """Three weeks of the demo floor up to now, its cameras on a drifting model for the last
    36 hours, posted as cameras would; then the alerts evaluated."""
    now = datetime.now(UTC)
    factory = Factory(faults=drifting_model(now - timedelta(hours=36)))
    events = [event.wire() for event in generate(factory, now - timedelta(days=21), now)]
    for first in range(0, len(events), 5000):
        sent = httpx.post(f"{url}/api/events/batch", json=events[first : first + 5000], timeout=60)
        sent.raise_for_status()
    httpx.post(f"{url}/api/alerts/evaluate", timeout=120).raise_for_status()


def shoot(
    page: Page, address: str, name: str, full_page: bool = True, ready: str = "#kpi-units"
) -> None:
    page.goto(address, wait_until="domcontentloaded")
    page.locator(ready).first.wait_for()
    page.locator(".js-plotly-plot .main-svg >> visible=true").first.wait_for()
    time.sleep(2)  # let the charts settle after their first refresh
    page.screenshot(path=IMAGES / f"{name}.png", full_page=full_page)
    print(f"docs/images/{name}.png")


if __name__ == "__main__":
    main()
