"""What the dashboard shows each view: the same panels as the API, under pseudonyms or
without any worker (process view), and a page that offers no way to pick one."""

from dataclasses import replace
from datetime import datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from floorpulse.access.keys import Scope
from floorpulse.dashboard import ids, refresh
from floorpulse.dashboard.filters import Filters
from floorpulse.dashboard.views import DashboardService, Overview
from floorpulse.errors import Forbidden, NotFound
from floorpulse.privacy.lens import View
from tests.access.test_sign_in import layout, sign_in
from tests.factories import Issue
from tests.privacy.crew import CREW, IDENTIFYING, TODAY

MORNING = Filters(
    range="custom",
    start=datetime.fromisoformat(TODAY["from"]),
    end=datetime.fromisoformat(TODAY["to"]),
)


@pytest.fixture
def views(app: FastAPI, floor: TestClient) -> DashboardService:
    service: DashboardService = app.state.dashboard
    return service


def drawn(view: Overview, filters: Filters = MORNING) -> str:
    """Everything a refresh sends the browser, as text."""
    values = refresh.panels(view, filters, "dark", (60.0, 80.0))
    return b"".join(refresh.encode(values)).decode()


def test_the_named_view_draws_ids_and_names(views: DashboardService) -> None:
    shown = views.overview(MORNING, view=View.NAMED)

    assert {row.worker_id for row in shown.workers} == set(CREW)
    assert "Ana Costa" in drawn(shown)


def test_the_pseudonymous_view_draws_every_worker_panel_under_pseudonyms(
    views: DashboardService,
) -> None:
    shown = views.overview(MORNING, view=View.PSEUDONYMOUS)
    pseudonyms = {row.worker_id for row in shown.workers}

    assert len(pseudonyms) == len(CREW)
    assert {band.worker_id for band in shown.timeline} == pseudonyms
    assert {event.worker_id for event in shown.events} == pseudonyms
    assert {key for key, _ in shown.worker_choices} == pseudonyms
    assert not IDENTIFYING.search(drawn(shown))


def test_a_pseudonyms_page_shows_that_workers_figures(views: DashboardService) -> None:
    named = views.overview(replace(MORNING, worker="cai-5"), view=View.NAMED)
    everyone = views.overview(MORNING, view=View.PSEUDONYMOUS)
    [cai] = [row for row in everyone.workers if row.total_units_produced == 3]
    page = replace(MORNING, page="worker", worker=cai.worker_id)

    shown = views.overview(page, view=View.PSEUDONYMOUS)

    assert shown.kpis == named.kpis
    assert not IDENTIFYING.search(drawn(shown, page))
    with pytest.raises(NotFound):
        views.overview(replace(page, worker="cai-5"), view=View.PSEUDONYMOUS)


def test_the_process_view_draws_no_worker_but_stations_and_teams(views: DashboardService) -> None:
    shown = views.overview(MORNING, view=View.PROCESS)

    assert (shown.workers, shown.timeline, shown.worker_choices) == ([], [], [])
    assert [team.team for team in shown.teams] == ["Line 1"]
    assert len(shown.workstations) == len(CREW)
    assert {event.worker_id for event in shown.events} == {""}
    text = drawn(shown)
    assert not IDENTIFYING.search(text)
    assert "no-individuals" in text


def test_the_process_view_refuses_a_workers_page(views: DashboardService) -> None:
    with pytest.raises(Forbidden, match="process view"):
        views.overview(replace(MORNING, page="worker", worker="ana-7"), view=View.PROCESS)


def test_the_views_of_different_views_are_never_shared(views: DashboardService) -> None:
    named = views.overview(MORNING, ("generation", 1), View.NAMED)
    hidden = views.overview(MORNING, ("generation", 1), View.PROCESS)

    assert named.workers
    assert hidden.workers == []


def test_a_process_key_signed_in_gets_a_page_without_worker_panels_or_picker(
    floor: TestClient, app: FastAPI, issue: Issue
) -> None:
    with TestClient(app, client=("127.0.0.1", 50001), follow_redirects=False) as visitor:
        sign_in(visitor, issue(Scope.READ, "wall tv", View.PROCESS))
        shown = layout(visitor)

    assert "no-individuals" in str(shown[ids.PAGE]["className"])
    assert shown[ids.WORKER_FILTER]["hidden"] is True


def test_a_named_key_signed_in_may_pick_a_worker(
    floor: TestClient, app: FastAPI, issue: Issue
) -> None:
    with TestClient(app, client=("127.0.0.1", 50001), follow_redirects=False) as visitor:
        sign_in(visitor, issue(Scope.READ, "supervisor"))
        shown = layout(visitor)

    assert "no-individuals" not in str(shown[ids.PAGE]["className"])
    assert shown[ids.WORKER_FILTER]["hidden"] is False
