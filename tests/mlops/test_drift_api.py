"""GET /api/models and /api/models/drift over the generator's steady and drifting factories."""

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from floorpulse.db.engine import Database
from floorpulse.demo.generator import MODEL, NEW_MODEL, Factory, drifting_model
from floorpulse.settings import Settings
from tests.conftest import NOW
from tests.mlops.scenarios import stored

CHANGE = NOW - timedelta(hours=36)
HISTORY = timedelta(days=21)


def by_key(scopes: list[dict[str, Any]]) -> dict[str | None, dict[str, Any]]:
    return {scope["key"]: scope for scope in scopes}


def test_a_new_model_that_is_unsure_and_calls_work_idle_shows_in_every_signal(
    client: TestClient, db: Database, settings: Settings
) -> None:
    stored(db, settings, Factory(faults=drifting_model(CHANGE)), NOW - HISTORY, NOW)

    report = client.get("/api/models/drift").json()

    new = by_key(report["models"])[NEW_MODEL]
    assert new["confidence"]["compared_with"] == "cameras"  # nothing of its own the week before
    assert new["confidence"]["mean"] < 0.75  # about 0.94 - 0.2
    assert new["confidence"]["drop"] > 0.15
    assert new["confidence"]["alert"]
    assert new["mix"]["psi"] > 0.2
    assert new["mix"]["current"]["idle"] > new["mix"]["baseline"]["idle"]
    assert new["mix"]["alert"]
    old = by_key(report["models"])[MODEL]
    assert not old["confidence"]["alert"]
    assert not old["mix"]["alert"]
    utilization = next(
        p for p in report["productivity"] if (p["scope"], p["metric"]) == ("worker", "utilization")
    )
    assert utilization["alert"]
    assert utilization["direction"] == "fell"
    assert utilization["date"] == (NOW - timedelta(days=1)).date().isoformat()
    assert len(utilization["deviating"]) >= utilization["judged"] / 2
    assert all(d["z"] < -2 for d in utilization["deviating"])
    assert not any(camera["alert"] for camera in report["silence"])


def test_a_steady_factory_raises_no_signal(
    client: TestClient, db: Database, settings: Settings
) -> None:
    stored(db, settings, Factory(), NOW - HISTORY, NOW)

    report = client.get("/api/models/drift").json()

    assert [scope["key"] for scope in report["models"]] == [MODEL]
    assert len(report["cameras"]) == 6
    for scope in report["models"] + report["cameras"]:
        assert not scope["confidence"]["alert"], scope["confidence"]
        assert not scope["mix"]["alert"], scope["mix"]
        assert scope["mix"]["psi"] < 0.05
    assert not any(p["alert"] for p in report["productivity"])
    assert len(report["models"][0]["days"]) == 14
    assert not any(camera["alert"] for camera in report["silence"])


def test_the_model_list_has_each_version_with_its_cameras_and_figures(
    client: TestClient, db: Database, settings: Settings
) -> None:
    stored(db, settings, Factory(faults=drifting_model(CHANGE)), NOW - HISTORY, NOW)

    listed = client.get("/api/models").json()

    old, new = listed["models"]
    assert (old["model_version"], new["model_version"]) == (MODEL, NEW_MODEL)
    assert new["cameras"] == [f"CAM-S{n}" for n in range(1, 7)]
    assert old["last_seen"] < new["first_seen"]
    assert new["first_seen"] >= CHANGE.isoformat().replace("+00:00", "Z")
    assert old["mean_confidence"] > 0.9 > 0.8 > new["mean_confidence"]
    assert new["low_confidence_share"] > old["low_confidence_share"]
    assert old["events"] + new["events"] > 0


def test_a_window_that_ends_before_it_starts_is_refused_naming_from(client: TestClient) -> None:
    answer = client.get("/api/models/drift?from=2026-01-10T00:00:00Z&to=2026-01-09T00:00:00Z")

    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "query.from"


def test_a_review_sample_takes_every_stratum_and_is_the_same_for_the_same_seed(
    client: TestClient, db: Database, settings: Settings
) -> None:
    stored(db, settings, Factory(faults=drifting_model(CHANGE)), NOW - HISTORY, NOW)

    sample = client.get(f"/api/models/{NEW_MODEL}/sample?n=60&days=2").json()
    again = client.get(f"/api/models/{NEW_MODEL}/sample?n=60&days=2").json()
    other = client.get(f"/api/models/{NEW_MODEL}/sample?n=60&days=2&seed=1").json()

    assert sample["n"] == len(sample["events"]) == 60
    assert {e["model_version"] for e in sample["events"]} == {NEW_MODEL}
    assert sum(s["sampled"] for s in sample["strata"]) == 60
    assert all(0 < s["sampled"] <= s["available"] for s in sample["strata"][:60])
    low = [e for e in sample["events"] if e["low_confidence"]]
    kinds = {e["event_type"] for e in sample["events"]}
    assert low
    assert kinds == {"working", "idle", "absent", "product_count"}
    # Rare strata are as well represented as common ones: far more low-confidence events than
    # their share of the version's detections (about 6 %).
    assert len(low) / 60 > 0.2
    assert [e["id"] for e in sample["events"]] == [e["id"] for e in again["events"]]
    assert [e["id"] for e in sample["events"]] != [e["id"] for e in other["events"]]


def test_a_review_sample_as_csv_opens_in_a_spreadsheet(
    client: TestClient, db: Database, settings: Settings
) -> None:
    stored(db, settings, Factory(faults=drifting_model(CHANGE)), NOW - HISTORY, NOW)

    answer = client.get(f"/api/models/{NEW_MODEL}/sample?n=10&format=csv")

    assert answer.headers["content-type"].startswith("text/csv")
    assert f"floorpulse-sample-{NEW_MODEL}.csv" in answer.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert len(rows) == 10
    assert {row["model_version"] for row in rows} == {NEW_MODEL}
    assert {"timestamp", "worker_id", "confidence", "camera_id"} <= set(rows[0])


def test_a_sample_of_a_version_never_seen_is_a_404_naming_it(client: TestClient) -> None:
    answer = client.get("/api/models/v9/sample")

    assert answer.status_code == 404
    assert "'v9'" in answer.json()["detail"]


def test_two_versions_compared_show_what_each_implies(
    client: TestClient, db: Database, settings: Settings
) -> None:
    stored(db, settings, Factory(faults=drifting_model(CHANGE)), NOW - HISTORY, NOW)

    compared = client.get(f"/api/models/compare?a={MODEL}&b={NEW_MODEL}").json()

    a, b = compared["a"], compared["b"]
    assert a["last_seen"] <= b["first_seen"]  # one period after the other
    assert compared["shared_cameras"] == [f"CAM-S{n}" for n in range(1, 7)]
    assert compared["confidence_difference"] == pytest.approx(
        b["mean_confidence"] - a["mean_confidence"], abs=1e-3
    )
    assert compared["confidence_difference"] < -0.15
    assert compared["mix_psi"] > 0.2
    # It calls 2 in 5 working heartbeats idle: 60 % of the working share it should see.
    assert b["implied_utilization_percentage"] == pytest.approx(
        a["implied_utilization_percentage"] * 0.6, rel=0.1
    )
