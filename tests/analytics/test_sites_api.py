"""GET /api/metrics/sites: every site's figures over one window, side by side."""

from fastapi.testclient import TestClient

from tests.analytics.test_metrics_api import at, post

WINDOW = {"from": "2026-01-15T10:00:00Z", "to": "2026-01-15T12:00:00Z"}


def test_each_site_gets_its_own_figures_over_the_same_window(client: TestClient) -> None:
    post(
        client,
        at("10:00", site_id="north"),
        at("10:10", "product_count", count=4, site_id="north"),
        at("10:30", "idle", site_id="north"),
        at("10:00", worker_id="W2", workstation_id="S2", site_id="south"),
        at("10:05", "product_count", count=1, worker_id="W2", site_id="south"),
    )

    answer = client.get("/api/metrics/sites", params=WINDOW).json()

    by_site = {row["site_id"]: row for row in answer["sites"]}
    assert list(by_site) == ["main", "north", "south"]  # the default site, with nothing yet
    assert [by_site[s]["total_production_count"] for s in by_site] == [0, 4, 1]
    # working 10:00-10:10 and idle 10:30-10:40: each state lasts the 600 s timeout at most
    assert by_site["north"]["total_productive_time_minutes"] == 10.0
    assert by_site["north"]["average_utilization_percentage"] == 50.0
    assert (answer["from"], answer["to"]) == ("2026-01-15T10:00:00Z", "2026-01-15T12:00:00Z")


def test_a_site_asked_for_is_the_only_one_answered(client: TestClient) -> None:
    post(client, at("10:00", site_id="north"), at("10:00", site_id="south"))

    answer = client.get("/api/metrics/sites", params={**WINDOW, "site": "south"}).json()

    assert [row["site_id"] for row in answer["sites"]] == ["south"]
