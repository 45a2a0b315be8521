"""The dashboard in a real browser while things happen: new events, a server that goes away,
sample data loaded and reseeded, a phone, the view switch."""

import time
from datetime import UTC, datetime

import httpx
import pytest
from playwright.sync_api import Page, expect

from floorpulse.dashboard.overview import kpi_text
from floorpulse.dashboard.push import HEARTBEAT_S
from floorpulse.dashboard.views import Kpi
from tests.conftest import StartServer
from tests.factories import make_event

pytestmark = pytest.mark.e2e
LIVE_S = 2.0  # the promise: a new event shows on every open dashboard within 2 seconds
# A browser polls after 1.5 heartbeats of silence and asks for the push again once a heartbeat.
PUSH_BACK_S = 3 * HEARTBEAT_S


def units_now(url: str) -> str:
    factory = httpx.get(f"{url}/api/metrics/factory").json()
    return kpi_text(Kpi("units", "", factory["total_production_count"], None))[0]


@pytest.mark.parametrize(
    ("websockets", "live"),
    [(True, "● live"), (False, "● live (polling)")],
    ids=["pushed", "polled without websockets"],
)
def test_a_posted_event_appears_in_the_stream_and_moves_the_kpis_within_2_s(
    page: Page, seeded: str, websockets: bool, live: str
) -> None:
    if not websockets:  # as behind a proxy that drops them: Dash then calls over HTTP
        page.add_init_script("delete window.SharedWorker")
    page.goto(seeded + "/", wait_until="domcontentloaded")
    expect(page.locator("#kpi-units")).to_have_text(units_now(seeded), timeout=15_000)
    expect(page.locator("#live")).to_have_text(live)  # pushed: the poll is off
    now = datetime.now(UTC).isoformat()
    sent = make_event(timestamp=now, worker_id="W9", event_type="product_count", count=40)

    posted = time.monotonic()
    assert httpx.post(f"{seeded}/api/events", json=sent).status_code == 201
    expected = units_now(seeded)

    expect(page.locator("#stream li.event").first).to_contain_text("W9", timeout=LIVE_S * 1000)
    expect(page.locator("#kpi-units")).to_have_text(expected, timeout=LIVE_S * 1000)
    assert time.monotonic() - posted <= LIVE_S
    expect(page.locator("#live")).to_have_text(live)


def test_the_banner_shows_while_the_server_is_away_and_clears_when_it_returns(
    page: Page, start_server: StartServer
) -> None:
    server = start_server()
    httpx.post(f"{server.url}/api/admin/seed", params={"hours": 2}, timeout=60)
    page.goto(server.url + "/", wait_until="domcontentloaded")
    shown = page.locator("#kpi-units")
    expect(shown).not_to_have_text("", timeout=15_000)
    last_good = shown.text_content()

    server.stop()

    banner = page.locator("#banner")
    expect(banner).to_be_visible(timeout=5_000)
    expect(banner).to_contain_text("not answering")
    expect(shown).to_have_text(last_good or "")  # the last data received stays on screen

    start_server(server.port)

    expect(banner).to_be_hidden(timeout=5_000)
    expect(page.locator("#live")).to_have_text("● live", timeout=PUSH_BACK_S * 1000)


def test_an_empty_factory_says_how_to_start_and_loads_sample_data_on_request(
    page: Page, start_server: StartServer
) -> None:
    server = start_server()
    page.goto(server.url + "/", wait_until="domcontentloaded")

    empty = page.locator("#empty-state")
    expect(empty).to_be_visible(timeout=15_000)
    expect(empty).to_contain_text("/api/events")
    expect(page.locator("#kpis")).to_be_hidden()

    page.get_by_role("button", name="Load sample data").click()

    expect(page.locator("#seed-result")).to_contain_text("Sample data written", timeout=60_000)
    expect(empty).to_be_hidden(timeout=5_000)
    expect(page.locator("#demo-badge")).to_be_visible()
    expect(page.locator("#kpi-units")).to_have_text(units_now(server.url))


def test_the_reseed_button_asks_first_then_writes_fresh_sample_data(
    page: Page, seeded: str
) -> None:
    before = httpx.get(f"{seeded}/api/demo").json()["latest"]["seeded_at"]
    questions: list[str] = []

    def answer(dialog: object) -> None:
        questions.append(dialog.message)  # type: ignore[attr-defined]
        dialog.accept()  # type: ignore[attr-defined]

    page.on("dialog", answer)
    page.goto(seeded + "/", wait_until="domcontentloaded")
    page.get_by_role("button", name="Reseed sample data").click()

    expect(page.locator("#seed-result")).to_contain_text("over 3 h", timeout=60_000)
    assert questions
    assert "deleted" in questions[0]
    after = httpx.get(f"{seeded}/api/demo").json()["latest"]["seeded_at"]
    assert after > before


def test_a_phone_never_scrolls_sideways(page: Page, seeded: str) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(seeded + "/", wait_until="domcontentloaded")
    expect(page.locator("#timeline .main-svg").first).to_be_visible(timeout=15_000)

    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")

    assert widths[0] <= widths[1] == 390


def test_the_view_switch_hides_the_other_panels_and_is_kept_in_the_url(
    page: Page, seeded: str
) -> None:
    page.goto(seeded + "/?view=workstations", wait_until="domcontentloaded")
    stations = page.get_by_role("heading", name="Workstations", exact=True)
    leaderboard = page.get_by_role("heading", name="Worker leaderboard")
    expect(stations).to_be_visible(timeout=15_000)
    expect(leaderboard).to_be_hidden(timeout=15_000)  # both show until the first view is drawn

    page.get_by_label("Workers", exact=True).check()

    expect(page).to_have_url(f"{seeded}/?view=workers")
    expect(leaderboard).to_be_visible()
    expect(stations).to_be_hidden()


def test_the_wallboard_hides_the_controls_and_cycles_through_its_stages(
    page: Page, seeded: str
) -> None:
    page.goto(seeded + "/?kiosk=1&cycle=2", wait_until="domcontentloaded")
    shell = page.locator("#shell")

    for stage, shown in (
        ("overview", "Worker leaderboard"),
        ("workstations", "Workstation utilization by hour"),
        ("timeline", "State timeline"),
        ("overview", "Worker leaderboard"),
    ):
        expect(shell).to_have_class(f"shell kiosk kiosk-{stage}", timeout=5_000)
        expect(page.get_by_role("heading", name=shown)).to_be_visible()
    expect(page.locator(".filters")).to_be_hidden()
    expect(page.get_by_role("button", name="Reseed sample data")).to_be_hidden()


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (1280, 720)])
def test_every_wallboard_stage_fits_the_screen_with_its_chart_drawn(
    page: Page, seeded: str, width: int, height: int
) -> None:
    page.set_viewport_size({"width": width, "height": height})
    page.goto(seeded + "/?kiosk=1&cycle=3", wait_until="domcontentloaded")

    for stage, chart in (
        ("overview", "#trend"),
        ("workstations", "#heatmap"),
        ("timeline", "#timeline"),
    ):
        expect(page.locator("#shell")).to_have_class(f"shell kiosk kiosk-{stage}", timeout=8_000)
        expect(page.locator(f"{chart} .trace, {chart} .hm").first).to_be_attached()  # data drawn
        # Drawn first at Plotly's default size, the chart then takes its place on the screen:
        # readable (a fifth of the screen at least) and all of it on the screen.
        page.wait_for_function(FITS, arg=[chart, height], timeout=5_000)
        scroll = page.evaluate("() => document.documentElement.scrollHeight")
        assert scroll <= height  # nothing to scroll to: a wall screen has no one to scroll it


FITS = """([chart, height]) => {
  const box = document.querySelector(chart + " .main-svg").getBoundingClientRect();
  return box.height > height / 5 && box.bottom <= height;
}"""
