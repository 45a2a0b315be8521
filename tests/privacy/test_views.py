"""What a read key's view shows of workers over the API: ids and names (named), a stable
pseudonym each (pseudonymous), or no individual at all (process: stations, teams, the site)."""

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from floorpulse.access.keys import Scope
from floorpulse.privacy.lens import View
from tests.factories import Issue, bearer
from tests.privacy.crew import CREW, IDENTIFYING, PER_WORKER, TODAY


def read(client: TestClient, key: str, path: str, **params: str) -> Any:
    response = client.get(path, params={**TODAY, **params}, headers=bearer(key))
    assert response.status_code == 200, response.text
    return response.json()


def test_a_named_key_sees_ids_and_names(floor: TestClient, issue: Issue) -> None:
    key = issue(Scope.READ, "supervisor")

    rows = read(floor, key, "/api/metrics/workers")

    assert [(r["worker_id"], r["name"]) for r in rows] == [
        (worker_id, name) for worker_id, (name, _) in CREW.items()
    ]


def test_a_pseudonymous_key_sees_no_id_and_no_name_anywhere(
    floor: TestClient, issue: Issue
) -> None:
    key = issue(Scope.READ, "analyst", View.PSEUDONYMOUS)

    answers = [
        floor.get(path, params={**TODAY, **extra}, headers=bearer(key))
        for path, extra in PER_WORKER
    ]

    assert [answer.status_code for answer in answers] == [200] * len(PER_WORKER)
    for answer in answers:
        assert not IDENTIFYING.search(answer.text), answer.url
        assert re.search(r"P-[A-Z2-7]{8}", answer.text), answer.url


def test_a_workers_pseudonym_is_the_same_in_every_answer_and_its_figures_are_its_own(
    floor: TestClient, issue: Issue
) -> None:
    named, pseudonymous = issue(Scope.READ, "a"), issue(Scope.READ, "b", View.PSEUDONYMOUS)
    rows = read(floor, pseudonymous, "/api/metrics/workers")
    pseudonyms = {row["worker_id"] for row in rows}
    shown = {
        "timeline": {
            band["worker_id"]
            for band in read(floor, pseudonymous, "/api/metrics/timeline")["bands"]
        },
        "events": {e["worker_id"] for e in read(floor, pseudonymous, "/api/events")},
        "registry": {w["worker_id"] for w in read(floor, pseudonymous, "/api/workers")},
    }

    assert len(pseudonyms) == len(CREW)
    assert shown == {"timeline": pseudonyms, "events": pseudonyms, "registry": pseudonyms}
    by_pseudonym = sorted(row["total_units_produced"] for row in rows)
    by_id = sorted(
        row["total_units_produced"] for row in read(floor, named, "/api/metrics/workers")
    )
    assert by_pseudonym == by_id == [1, 2, 3, 4]
    assert [row["name"] for row in rows] == [None] * len(CREW)


def test_a_pseudonym_filters_as_its_workers_id_does_and_an_id_is_refused(
    floor: TestClient, issue: Issue
) -> None:
    named, pseudonymous = issue(Scope.READ, "a"), issue(Scope.READ, "b", View.PSEUDONYMOUS)
    rows = read(floor, pseudonymous, "/api/metrics/workers")
    [ben] = read(floor, named, "/api/metrics/workers", worker_id="ben-2")
    [chosen] = [row for row in rows if row["total_units_produced"] == ben["total_units_produced"]]

    [filtered] = read(floor, pseudonymous, "/api/metrics/workers", worker_id=chosen["worker_id"])
    factory = read(floor, pseudonymous, "/api/metrics/factory", worker_id=chosen["worker_id"])
    by_id = floor.get(
        "/api/metrics/workers", params={"worker_id": "ben-2"}, headers=bearer(pseudonymous)
    )

    assert filtered == chosen
    assert factory["total_production_count"] == ben["total_units_produced"]
    assert by_id.status_code == 404
    assert "pseudonym" in by_id.json()["detail"]


@pytest.mark.parametrize(("path", "params"), PER_WORKER)
def test_a_process_key_is_refused_every_per_worker_read(
    floor: TestClient, issue: Issue, path: str, params: dict[str, str]
) -> None:
    key = issue(Scope.READ, "plant manager", View.PROCESS)

    refused = floor.get(path, params={**TODAY, **params}, headers=bearer(key))

    assert refused.status_code == 403
    assert "process view" in refused.json()["detail"]


def test_a_process_key_cannot_single_out_a_worker_by_filter(
    floor: TestClient, issue: Issue
) -> None:
    key = issue(Scope.READ, "plant manager", View.PROCESS)

    asked = [
        floor.get(path, params={**TODAY, "worker_id": "ana-7"}, headers=bearer(key))
        for path in ("/api/metrics/workstations", "/api/metrics/factory", "/api/metrics/teams")
    ]

    assert [answer.status_code for answer in asked] == [403, 403, 403]


def test_a_process_key_sees_stations_the_site_and_teams_big_enough(
    floor: TestClient, issue: Issue
) -> None:
    key = issue(Scope.READ, "plant manager", View.PROCESS)

    stations = read(floor, key, "/api/metrics/workstations")
    factory = read(floor, key, "/api/metrics/factory")
    teams = read(floor, key, "/api/metrics/teams")

    assert [s["total_units_produced"] for s in stations] == [1, 2, 3, 4]
    assert factory["total_production_count"] == 10
    # Night has one member: its figures would be Dan's, so the process view leaves it out.
    assert [(t["team"], t["members_seen"], t["total_units_produced"]) for t in teams] == [
        ("Line 1", 3, 6)
    ]
    for answer in (stations, factory, teams):
        assert not IDENTIFYING.search(str(answer))


def test_a_team_is_its_members_summed(floor: TestClient, issue: Issue) -> None:
    key = issue(Scope.READ, "supervisor")

    teams = {t["team"]: t for t in read(floor, key, "/api/metrics/teams")}
    workers = read(floor, key, "/api/metrics/workers")
    line = [w for w in workers if CREW[w["worker_id"]][1] == "Line 1"]

    assert set(teams) == {"Line 1", "Night"}
    assert teams["Line 1"]["total_active_time_minutes"] == pytest.approx(
        sum(w["total_active_time_minutes"] for w in line)
    )
    assert teams["Line 1"]["total_units_produced"] == sum(w["total_units_produced"] for w in line)
    assert teams["Night"]["members_seen"] == 1


@pytest.mark.parametrize("view", [View.PSEUDONYMOUS, View.PROCESS])
@pytest.mark.parametrize("path", ["/api/models/drift", "/api/alerts", "/api/models/m1/sample"])
def test_model_health_evidence_names_workers_so_it_needs_the_named_view(
    floor: TestClient, issue: Issue, view: View, path: str
) -> None:
    key = issue(Scope.READ, "ml engineer", view)

    refused = floor.get(path, headers=bearer(key))

    assert refused.status_code == 403
    assert "named view" in refused.json()["detail"]


def test_a_workers_team_is_kept_when_only_the_name_changes_and_null_removes_it(
    floor: TestClient,
) -> None:
    renamed = floor.put("/api/workers/ana-7", json={"name": "Ana C."})
    removed = floor.put("/api/workers/ana-7", json={"name": "Ana C.", "team": None})

    assert renamed.json()["team"] == "Line 1"
    assert removed.json()["team"] is None


def test_only_read_keys_take_a_view_other_than_named(client: TestClient) -> None:
    refused = client.post("/api/keys", json={"name": "x", "scope": "admin", "view": "process"})
    made = client.post("/api/keys", json={"name": "tv", "scope": "read", "view": "process"})

    assert refused.status_code == 422
    assert "only read keys" in refused.text
    assert made.status_code == 201
    assert made.json()["view"] == "process"


def test_who_am_i_says_the_view(floor: TestClient, issue: Issue) -> None:
    key = issue(Scope.READ, "tv", View.PSEUDONYMOUS)

    assert floor.get("/api/session", headers=bearer(key)).json() == {
        "name": "tv",
        "scope": "read",
        "view": "pseudonymous",
    }
