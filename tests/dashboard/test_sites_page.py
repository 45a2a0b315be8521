"""The Sites page: every site's figures side by side, busiest first; a click opens a site."""

from datetime import UTC, datetime

import httpx
import pytest
from playwright.sync_api import Page, expect

from floorpulse.analytics.schemas import SiteFigures, SitesMetrics
from floorpulse.dashboard import sites
from tests.conftest import StartServer
from tests.factories import make_event

START, END = datetime(2026, 1, 15, 6, tzinfo=UTC), datetime(2026, 1, 15, 14, tzinfo=UTC)


def site(site_id: str, units: int, utilization: float | None) -> SiteFigures:
    return SiteFigures(
        from_=START,
        to=END,
        site_id=site_id,
        total_productive_time_minutes=90.0,
        total_production_count=units,
        average_production_rate=None,
        average_utilization_percentage=utilization,
        total_workers=3,
        total_workstations=2,
        active_workers=1,
    )


def test_sites_come_busiest_first_each_row_named_by_its_site() -> None:
    report = SitesMetrics(
        sites=[site("main", 0, None), site("north", 40, 85.0), site("south", 12, 50.0)],
    )

    rows = sites.rows(report, (60.0, 80.0))

    assert [(r["id"], r["units"], r["band"]) for r in rows] == [
        ("north", 40, "good"),
        ("south", 12, "low"),
        ("main", 0, "none"),
    ]
    assert rows[0]["hours"] == 1.5
    assert sites.window_text(report) == "Thu 15 Jan 06:00 to 14:00 UTC"


@pytest.mark.e2e
def test_the_sites_page_compares_the_sites_and_opens_one(
    page: Page, start_server: StartServer
) -> None:
    server = start_server()
    now = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    for name, units in (("north", 7), ("south", 3)):
        counted = make_event(timestamp=now, event_type="product_count", count=units, site_id=name)
        assert httpx.post(f"{server.url}/api/events", json=counted, timeout=30).is_success

    page.goto(server.url + "/", wait_until="domcontentloaded")
    page.get_by_role("link", name="Sites").click()

    expect(page).to_have_url(server.url + "/sites")
    cells = page.locator("#sites-table td[data-dash-column='site']")
    expect(cells).to_have_text(["north", "south", "main"], timeout=15_000)
    expect(page.locator("#overview-wrap")).to_be_hidden()
    cells.first.click()
    expect(page).to_have_url(server.url + "/?site=north")
    expect(page.locator("#kpi-units")).to_have_text("7", timeout=15_000)
