"""Alerts: the drift scenario opens the right ones with their evidence in one evaluation; a
steady factory opens none in 30 days; one alert per cause, acknowledged, resolved, cleared."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from floorpulse.analytics.service import MetricsService
from floorpulse.db.engine import Database
from floorpulse.demo.generator import NEW_MODEL, Factory, drifting_model
from floorpulse.mlops.alerts import Alerts
from floorpulse.mlops.service import ModelHealth
from floorpulse.settings import Settings
from tests.conftest import NOW
from tests.factories import FixedClock
from tests.mlops.scenarios import stored

CHANGE = NOW - timedelta(hours=36)
EXPECTED = {
    f"confidence:model:{NEW_MODEL}",
    f"mix:model:{NEW_MODEL}",
    "productivity:worker:utilization",
    "productivity:workstation:utilization",
}


@pytest.fixture
def drifted(db: Database, settings: Settings) -> None:
    stored(db, settings, Factory(faults=drifting_model(CHANGE)), NOW - timedelta(days=21), NOW)


def alerts_with(db: Database, settings: Settings, clock: FixedClock) -> Alerts:
    metrics = MetricsService(db, settings, clock)
    return Alerts(db, settings, ModelHealth(db, settings, metrics, clock), clock)


@pytest.mark.usefixtures("drifted")
def test_the_drift_scenario_opens_the_right_alerts_with_their_evidence_in_one_evaluation(
    client: TestClient,
) -> None:
    evaluation = client.post("/api/alerts/evaluate").json()

    opened = {alert["cause"]: alert for alert in evaluation["opened"]}
    assert set(opened) >= EXPECTED
    # Nothing else but the other side of the same shift: units per (fewer) working hours rose.
    assert set(opened) - EXPECTED <= {
        "productivity:worker:units_per_hour",
        "productivity:workstation:units_per_hour",
    }
    confidence = opened[f"confidence:model:{NEW_MODEL}"]
    assert confidence["state"] == "open"
    assert confidence["retraining_trigger"]
    assert confidence["evidence"]["mean"] < confidence["evidence"]["floor"] == 0.75
    assert confidence["evidence"]["compared_with"] == "cameras"
    assert confidence["evidence"]["window"]["to"] == NOW.isoformat()
    assert NEW_MODEL in confidence["summary"]
    assert "under the floor of 0.75" in confidence["summary"]
    mix = opened[f"mix:model:{NEW_MODEL}"]["evidence"]
    assert mix["psi"] > mix["threshold"] == 0.2
    workers = opened["productivity:worker:utilization"]["evidence"]
    assert workers["direction"] == "fell"
    assert workers["share"] >= 0.5
    assert client.get("/api/alerts").json() == sorted(evaluation["opened"], key=lambda a: -a["id"])


@pytest.mark.usefixtures("drifted")
def test_evaluating_again_updates_each_cause_instead_of_repeating_it(
    client: TestClient, clock: FixedClock
) -> None:
    first = client.post("/api/alerts/evaluate").json()
    clock.advance(300)

    second = client.post("/api/alerts/evaluate").json()

    assert second["opened"] == []
    assert {a["id"] for a in second["updated"]} == {a["id"] for a in first["opened"]}
    assert all(a["updated_at"] > a["opened_at"] for a in second["updated"])
    assert len(client.get("/api/alerts").json()) == len(first["opened"])


@pytest.mark.usefixtures("drifted")
def test_an_acknowledged_alert_stays_acknowledged_and_a_resolved_one_comes_back_if_still_true(
    client: TestClient, clock: FixedClock
) -> None:
    opened = client.post("/api/alerts/evaluate").json()["opened"]
    acked, resolved = opened[0]["id"], opened[1]["id"]

    assert client.post(f"/api/alerts/{acked}/ack").json()["state"] == "acknowledged"
    assert client.post(f"/api/alerts/{resolved}/resolve").json()["resolved_by"] == "person"
    clock.advance(300)
    again = client.post("/api/alerts/evaluate").json()

    assert client.get(f"/api/alerts/{acked}").json()["state"] == "acknowledged"
    assert [a["cause"] for a in again["opened"]] == [opened[1]["cause"]]
    assert again["opened"][0]["id"] != resolved
    answer = client.post(f"/api/alerts/{resolved}/ack")
    assert answer.status_code == 409
    assert f"alert {resolved} is resolved" in answer.json()["detail"]
    states = client.get("/api/alerts?state=resolved").json()
    assert [a["id"] for a in states] == [resolved]


@pytest.mark.usefixtures("drifted")
def test_an_alert_whose_cause_is_gone_is_resolved_as_cleared(
    db: Database, settings: Settings, clock: FixedClock
) -> None:
    opened = alerts_with(db, settings, clock).evaluate().opened
    lenient = settings.model_copy(
        update={"drift_confidence_floor": 0.5, "drift_confidence_max_drop": 0.5}
    )

    clock.advance(300)
    evaluation = alerts_with(db, lenient, clock).evaluate()

    confidence = next(a for a in opened if a.signal == "confidence")
    assert [a.id for a in evaluation.resolved] == [confidence.id]
    assert evaluation.resolved[0].resolved_by == "cleared"
    assert evaluation.resolved[0].resolved_at == clock.now


def test_an_unknown_alert_is_a_404_naming_it(client: TestClient) -> None:
    answer = client.post("/api/alerts/999/ack")

    assert answer.status_code == 404
    assert answer.json()["detail"] == "no alert 999"


@pytest.fixture
def steady_month(db: Database, settings: Settings) -> None:
    stored(db, settings, Factory(seed=11), NOW - timedelta(days=37), NOW)


@pytest.mark.usefixtures("steady_month")
def test_a_steady_factory_opens_no_alert_in_thirty_days(db: Database, settings: Settings) -> None:
    clock = FixedClock(NOW - timedelta(days=30))
    alerts = alerts_with(db, settings, clock)
    evaluations = 0

    while clock.now < NOW:
        evaluation = alerts.evaluate()
        assert evaluation.opened == [], (clock.now, [a.summary for a in evaluation.opened])
        evaluations += 1
        clock.advance(5 * 3600 + 17 * 60)  # every 5 h 17 min: each time of day in turn

    assert evaluations == 137
