"""GET /metrics: what was received by outcome and reason, ingest latency, the rollups' lag,
open alerts and the edge agents' queues, in Prometheus's text format."""

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from floorpulse.access.keys import Scope
from floorpulse.db.engine import Database
from floorpulse.db.tables import alerts
from floorpulse.observability.telemetry import Telemetry, _Agents
from tests.factories import FixedClock, Issue, bearer, make_event

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(client: TestClient, **headers: str) -> Samples:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def events(samples: Samples, outcome: str) -> float:
    return samples[("floorpulse_events_total", (("outcome", outcome),))]


def rejected(samples: Samples, reason: str) -> float:
    return samples.get(("floorpulse_events_rejected_total", (("reason", reason),)), 0)


def test_a_batchs_events_are_counted_by_outcome_and_refusals_by_field(client: TestClient) -> None:
    batch = [
        make_event(timestamp="2026-01-15T10:00:00Z"),
        make_event(timestamp="2026-01-15T10:01:00Z"),
        make_event(timestamp="2026-01-15T10:01:00Z"),  # the same again
        make_event(timestamp="2026-01-15T10:02:00Z", confidence=0.3),
        make_event(timestamp="2026-01-15T10:03:00Z", confidence=2),
        make_event(timestamp="2026-01-15T10:04:00"),  # no offset
        42,  # not an event at all
    ]
    client.post("/api/events/batch", json=batch)

    samples = scrape(client)

    assert events(samples, "accepted") == 2
    assert events(samples, "duplicate") == 1
    assert events(samples, "low_confidence") == 1
    assert events(samples, "rejected") == 3
    assert rejected(samples, "confidence") == 1
    assert rejected(samples, "timestamp") == 1
    assert rejected(samples, "other") == 1
    assert samples[("floorpulse_ingest_seconds_count", (("kind", "batch"),))] == 1


def test_single_events_are_counted_too(client: TestClient) -> None:
    client.post("/api/events", json=make_event())
    client.post("/api/events", json=make_event())
    client.post("/api/events", json=make_event(worker_id="W 1"))

    samples = scrape(client)

    assert (events(samples, "accepted"), events(samples, "duplicate")) == (1, 1)
    assert rejected(samples, "worker_id") == 1
    assert samples[("floorpulse_ingest_seconds_count", (("kind", "one"),))] == 3


def test_answers_are_counted_by_route_template_not_by_path(client: TestClient) -> None:
    client.get("/api/metrics/workers?worker_id=W1")
    client.get("/api/alerts/12345")

    samples = scrape(client)

    route = "floorpulse_http_requests_total"
    assert samples[(route, (("route", "/api/metrics/workers"), ("status", "200")))] == 1
    assert samples[(route, (("route", "/api/alerts/{alert_id}"), ("status", "404")))] == 1


def test_the_rollup_lag_is_the_age_of_the_oldest_change_not_yet_rolled_up(
    client: TestClient, clock: FixedClock
) -> None:
    assert scrape(client)[("floorpulse_rollup_lag_seconds", ())] == 0
    client.post("/api/events", json=make_event())
    clock.advance(42)

    samples = scrape(client)

    assert samples[("floorpulse_rollup_lag_seconds", ())] == 42
    assert samples[("floorpulse_rollup_stale_hours", ())] >= 1


def test_open_alerts_are_counted_by_signal_and_state(client: TestClient, db: Database) -> None:
    row = {
        "site_id": "main", "scope": "model", "subject": "v2", "summary": "s", "evidence": {},
        "opened_us": 0, "updated_us": 0,
    }  # fmt: skip
    with db.write() as conn:
        conn.execute(alerts.insert(), [
            row | {"cause": "confidence:model:v2", "signal": "confidence", "state": "open"},
            row | {"cause": "mix:model:v2", "signal": "mix", "state": "acknowledged"},
            row | {"cause": "mix:model:v1", "signal": "mix", "state": "resolved"},
        ])  # fmt: skip

    samples = scrape(client)

    gauge = "floorpulse_alerts_open"
    assert samples[(gauge, (("signal", "confidence"), ("state", "open")))] == 1
    assert samples[(gauge, (("signal", "mix"), ("state", "acknowledged")))] == 1
    assert (gauge, (("signal", "mix"), ("state", "resolved"))) not in samples


def test_edge_agents_report_their_queues_with_each_batch(client: TestClient) -> None:
    said = {"X-Edge-Agent": "a1b2c3", "X-Edge-Backlog": "5200", "X-Edge-Oldest-S": "3600.5"}
    client.post("/api/events/batch", json=[make_event()], headers=said)
    made_up = {"X-Edge-Agent": "x\ny", "X-Edge-Backlog": "-1"}
    client.post("/api/events/batch", json=[make_event(worker_id="W2")], headers=made_up)

    samples = scrape(client)

    assert samples[("floorpulse_edge_backlog_events", (("agent", "a1b2c3"),))] == 5200
    assert samples[("floorpulse_edge_oldest_queued_seconds", (("agent", "a1b2c3"),))] == 3600.5
    assert len([k for k in samples if k[0] == "floorpulse_edge_backlog_events"]) == 1


def test_agents_beyond_the_ones_kept_take_their_gauges_with_them() -> None:
    telemetry = Telemetry()
    telemetry._agents = _Agents(2, telemetry._forget_agent)
    for agent in ("a", "b", "c"):
        telemetry.edge_report(agent, 1, 0)

    shown = telemetry.exposition().decode()

    assert 'agent="a"' not in shown
    assert 'agent="b"' in shown
    assert 'agent="c"' in shown


def test_metrics_need_a_read_key_once_keys_exist(client: TestClient, issue: Issue) -> None:
    camera, reader = issue(Scope.INGEST), issue(Scope.READ)

    assert client.get("/metrics", headers=bearer(camera)).status_code == 403
    assert scrape(client, **bearer(reader))[("floorpulse_rollup_lag_seconds", ())] == 0
