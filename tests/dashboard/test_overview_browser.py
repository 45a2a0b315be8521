"""The overview in a real browser, against a live server with generated data."""

import csv
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import httpx
import pytest
from playwright.sync_api import Page, expect

from floorpulse.dashboard.overview import kpi_text
from floorpulse.dashboard.views import Kpi

UNITS = {"units": "", "utilization": "%", "rate": "units/h"}

pytestmark = pytest.mark.e2e


def test_the_overview_renders_every_panel(page: Page, seeded: str) -> None:
    page.goto(seeded + "/", wait_until="domcontentloaded")

    expect(page.locator("#kpi-units")).not_to_have_text("", timeout=15_000)
    for title in (
        "Worker leaderboard",
        "Workstation utilization by hour",
        "State timeline",
        "Utilization and units per hour",
        "Live events",
    ):
        expect(page.get_by_role("heading", name=title)).to_be_visible()
    expect(page.locator("#heatmap .main-svg").first).to_be_visible()
    expect(page.locator("#timeline .main-svg").first).to_be_visible()
    expect(page.locator("#stream li.event").first).to_be_visible()
    expect(page.locator("#demo-badge")).to_be_visible()


def test_choosing_a_worker_shows_exactly_that_workers_api_figures(page: Page, seeded: str) -> None:
    # A closed window in the seeded past: its figures no longer move as time passes.
    end = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=20)
    window = {"from": (end - timedelta(hours=2)).isoformat(), "to": end.isoformat()}
    (row,) = httpx.get(f"{seeded}/api/metrics/workers", params={**window, "worker_id": "W1"}).json()

    page.goto(f"{seeded}/?{urlencode({'range': 'custom', **window})}")
    choose(page, "#filter-worker", row["name"] or "W1")
    chosen = {"range": "custom", "worker": "W1", **window}
    expect(page).to_have_url(f"{seeded}/?{urlencode(chosen)}")

    shown = {
        "units": row["total_units_produced"],
        "utilization": row["utilization_percentage"],
        "rate": row["units_per_hour"],
    }
    for key, value in shown.items():
        text, _ = kpi_text(Kpi(key, key, value, None, UNITS[key]))
        expect(page.locator(f"#kpi-{key}")).to_have_text(text, timeout=15_000)
    expect(page.locator("#filter-worker")).to_contain_text(row["name"] or "W1")


def test_a_named_shift_is_picked_in_the_filter_bar_and_kept_in_the_url(
    page: Page, seeded: str
) -> None:
    page.goto(seeded + "/", wait_until="domcontentloaded")
    expect(page.locator("#filter-shift")).to_be_hidden(timeout=15_000)

    choose(page, "#filter-range", "A shift on a date")
    choose(page, "#filter-shift", "B · 14:00 to 22:00")

    expect(page).to_have_url(f"{seeded}/?range=named&shift=B")
    expect(page.locator("#window-label")).to_contain_text("shift B", timeout=5_000)
    expect(page.locator("#filter-custom-days")).to_be_hidden()


def test_a_window_the_metrics_refuse_says_why_and_keeps_the_last_figures(
    page: Page, seeded: str
) -> None:
    # Yesterday's: today's 06:00 to 12:00 is still ahead before 06:00 (UTC), and refused.
    day = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    window = {"from": f"{day}T00:00:00+00:00", "to": f"{day}T12:00:00+00:00"}
    page.goto(f"{seeded}/?{urlencode({'range': 'custom', **window})}")
    units = page.locator("#kpi-units")
    expect(units).not_to_have_text("", timeout=15_000)
    shown = units.text_content()

    choose(page, "#filter-from-time", "14:00")  # from 14:00 until 12:00

    problem = page.locator("#filter-problem")
    expect(problem).to_contain_text("`from`: is not before `to`", timeout=5_000)
    expect(units).to_have_text(shown or "")

    choose(page, "#filter-from-time", "06:00")

    expect(problem).to_be_hidden(timeout=5_000)


def test_a_leaderboard_row_opens_the_workers_page_and_back_returns(page: Page, seeded: str) -> None:
    page.goto(seeded + "/?range=24h", wait_until="domcontentloaded")
    first = page.locator("#leaderboard td[data-dash-column='worker']").first
    expect(first).to_be_visible(timeout=15_000)
    name = first.inner_text()

    first.click()

    expect(page).to_have_url(re.compile(rf"{seeded}/workers/W\d+\?range=24h"))
    worker_id = page.url.split("/workers/")[1].split("?")[0]
    expect(page.locator("#page-title")).to_have_text(f"Worker: {name} ({worker_id})")
    expect(page.get_by_role("heading", name="Worker leaderboard")).to_be_hidden()
    expect(page.get_by_role("heading", name="State timeline")).to_be_visible()
    # The 24 h window holds all 3 seeded hours, so its units stand still as it slides.
    day = {"from": (datetime.now(UTC) - timedelta(hours=23)).isoformat()}
    (row,) = httpx.get(
        f"{seeded}/api/metrics/workers", params={**day, "worker_id": worker_id}
    ).json()
    expect(page.locator("#kpi-units")).to_have_text(
        kpi_text(Kpi("units", "", row["total_units_produced"], None))[0]
    )

    page.get_by_role("button", name="← Overview").click()

    expect(page).to_have_url(f"{seeded}/?range=24h")
    expect(page.get_by_role("heading", name="Worker leaderboard")).to_be_visible()


def test_a_rankings_csv_is_the_table_as_the_viewer_sorted_it(page: Page, seeded: str) -> None:
    page.goto(seeded + "/", wait_until="domcontentloaded")
    table = page.locator("#stations-table")
    expect(table.locator("td[data-dash-column='units']").first).to_be_visible(timeout=15_000)

    table.locator("th[data-dash-column='units'] .column-header--sort").click()

    units = table.locator("td[data-dash-column='units']")
    shown_units = [int(text) for text in units.all_inner_texts()]
    assert shown_units == sorted(shown_units)
    assert len(set(shown_units)) > 1
    headings = table.locator("th .column-header-name").all_inner_texts()
    rows = [row.locator("td").all_inner_texts() for row in table.locator("tr:has(td)").all()]
    with page.expect_download() as downloading:
        page.locator("#stations-csv").click()

    download = downloading.value
    assert download.suggested_filename == "floorpulse-workstations.csv"
    with open(download.path(), newline="", encoding="utf-8") as written:
        assert list(csv.reader(written)) == [headings, *rows]
    assert headings[:2] == ["Workstation", "Utilization %"]


def choose(page: Page, dropdown: str, option: str) -> None:
    """Pick `option` in a Dash dropdown, as a user does: open it, click the option."""
    page.locator(dropdown).click()
    page.get_by_role("option", name=option, exact=True).click()
