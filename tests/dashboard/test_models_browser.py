"""The model health page in a real browser, against a live server holding the drift scenario."""

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from playwright.sync_api import Page, expect

from floorpulse.db.engine import Database
from floorpulse.demo.generator import MODEL, NEW_MODEL, Factory, drifting_model
from floorpulse.settings import Settings
from tests.conftest import StartServer
from tests.dashboard.test_overview_browser import choose
from tests.mlops.scenarios import stored

pytestmark = pytest.mark.e2e


@pytest.fixture
def drifted(settings: Settings, start_server: StartServer) -> str:
    """A live server whose cameras changed model 36 hours ago, its alerts evaluated."""
    now = datetime.now(UTC)
    db = Database(settings.database_url)
    stored(
        db,
        settings,
        Factory(faults=drifting_model(now - timedelta(hours=36))),
        now - timedelta(days=21),
        now,
    )
    db.dispose()
    server = start_server()
    evaluated = httpx.post(f"{server.url}/api/alerts/evaluate", timeout=60)
    assert evaluated.status_code == 200, evaluated.text
    assert evaluated.json()["opened"]
    return server.url


def test_the_model_health_page_shows_the_alerts_charts_and_cameras_and_acknowledges(
    page: Page, drifted: str
) -> None:
    page.goto(drifted + "/", wait_until="domcontentloaded")
    page.get_by_role("link", name="Model health").click()

    expect(page).to_have_url(drifted + "/models")
    alerts = page.locator("#models-alerts li.alert")
    expect(alerts.first).to_be_visible(timeout=15_000)
    expect(page.locator("#filters")).to_be_hidden()
    expect(page.locator("#overview-wrap")).to_be_hidden()
    expect(page.locator("#models-confidence .main-svg").first).to_be_visible()
    expect(page.locator("#models-confidence")).to_contain_text("alert floor 0.75")
    expect(page.locator("#models-mix .main-svg").first).to_be_visible()
    expect(page.locator("#models-cameras td[data-dash-column='camera_id']")).to_have_count(6)
    opened = httpx.get(f"{drifted}/api/alerts").json()
    expect(alerts).to_have_count(len(opened))

    first = alerts.filter(has_text=opened[0]["summary"])
    first.get_by_role("button", name="Acknowledge").click()

    expect(first.get_by_text("acknowledged")).to_be_visible(timeout=15_000)
    assert httpx.get(f"{drifted}/api/alerts/{opened[0]['id']}").json()["state"] == "acknowledged"


def test_two_versions_are_compared_on_the_page(page: Page, drifted: str) -> None:
    page.goto(drifted + "/models", wait_until="domcontentloaded")
    expect(page.locator("#models-alerts li.alert").first).to_be_visible(timeout=15_000)

    choose(page, "#compare-a", MODEL)
    choose(page, "#compare-b", NEW_MODEL)

    table = page.locator("#models-compare table")
    expect(table).to_contain_text("Implied utilization %", timeout=15_000)
    expect(table.locator("thead")).to_contain_text(NEW_MODEL)
    page.get_by_role("link", name="Overview").click()
    expect(page.locator("#filters")).to_be_visible()
    expect(page.locator("#kpi-units")).not_to_have_text("", timeout=15_000)
