"""Signing in to a keyed server in a real browser: back to the page asked for, read-only
controls, and out again when the key is revoked."""

import httpx
import pytest
from playwright.sync_api import Page, expect

from floorpulse.access.keys import Scope
from floorpulse.dashboard import ids
from floorpulse.privacy.lens import View
from tests.access.test_edge_keys import make_key
from tests.conftest import StartServer

pytestmark = pytest.mark.e2e


def test_a_read_key_signs_in_sees_no_admin_button_and_is_sent_out_when_revoked(
    page: Page, start_server: StartServer, database_url: str
) -> None:
    admin = {"Authorization": f"Bearer {make_key(database_url, Scope.ADMIN, 'ana')}"}
    reader = make_key(database_url, Scope.READ, "line-2-tv")
    server = start_server()
    api = httpx.Client(base_url=server.url, headers=admin, timeout=60)
    assert api.post("/api/admin/seed", params={"hours": 3}).status_code == 200

    page.goto(server.url + "/workers/W1", wait_until="domcontentloaded")
    expect(page).to_have_url(f"{server.url}/signin?next=/workers/W1")
    page.get_by_label("API key").fill(reader)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(f"{server.url}/workers/W1")
    expect(page.locator("#kpi-units")).not_to_have_text("", timeout=15_000)
    expect(page.get_by_text("line-2-tv")).to_be_visible()
    expect(page.get_by_role("button", name="Reseed sample data")).to_be_hidden()

    key_id = next(k["id"] for k in api.get("/api/keys").json() if k["name"] == "line-2-tv")
    api.delete(f"/api/keys/{key_id}")
    # The page asks every 15 s whether its sign-in holds; the server knows within 5 s.
    expect(page).to_have_url(f"{server.url}/signin?next=%2Fworkers%2FW1", timeout=30_000)


def test_signing_out_leaves_the_dashboard(
    page: Page, start_server: StartServer, database_url: str
) -> None:
    reader = make_key(database_url, Scope.READ, "office")
    server = start_server()

    page.goto(server.url + "/signin", wait_until="domcontentloaded")
    page.get_by_label("API key").fill(reader)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Sign out").click()
    page.goto(server.url + "/", wait_until="domcontentloaded")

    expect(page).to_have_url(f"{server.url}/signin?next=/")


def test_a_process_key_sees_teams_and_stations_and_no_worker(
    page: Page, start_server: StartServer, database_url: str
) -> None:
    admin = {"Authorization": f"Bearer {make_key(database_url, Scope.ADMIN, 'ana')}"}
    wall = make_key(database_url, Scope.READ, "hall tv", View.PROCESS)
    server = start_server()
    api = httpx.Client(base_url=server.url, headers=admin, timeout=60)
    assert api.post("/api/admin/seed", params={"hours": 3}).status_code == 200
    names = [w["name"] for w in api.get("/api/workers").json()]

    page.goto(server.url + "/signin", wait_until="domcontentloaded")
    page.get_by_label("API key").fill(wall)
    page.get_by_role("button", name="Sign in").click()

    expect(page.locator("#kpi-units")).not_to_have_text("", timeout=15_000)
    expect(page.get_by_role("heading", name="Teams")).to_be_visible()
    expect(page.get_by_role("heading", name="Workstations")).to_be_visible()
    expect(page.get_by_role("heading", name="Worker leaderboard")).to_be_hidden()
    expect(page.get_by_role("heading", name="State timeline")).to_be_hidden()
    expect(page.locator(f"#{ids.WORKER_FILTER}")).to_be_hidden()
    expect(page.locator(f"#{ids.STREAM} li").first).to_contain_text("S")
    shown = page.locator("body").inner_text()
    assert names
    assert not [name for name in names if name in shown]
