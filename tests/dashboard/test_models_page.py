"""The model health page's plain functions, on the drift scenario's report and alerts."""

from datetime import timedelta

import plotly.graph_objects as go
import pytest
from dash import html

from floorpulse.analytics.service import MetricsService
from floorpulse.dashboard import models
from floorpulse.db.engine import Database
from floorpulse.demo.generator import MODEL, NEW_MODEL, Factory, drifting_model
from floorpulse.mlops.alerts import Alerts
from floorpulse.mlops.schemas import AlertQuery, CompareQuery, HealthQuery
from floorpulse.mlops.service import ModelHealth
from floorpulse.settings import Settings
from tests.conftest import NOW
from tests.factories import FixedClock
from tests.mlops.scenarios import stored


@pytest.fixture
def services(db: Database, settings: Settings, clock: FixedClock) -> tuple[ModelHealth, Alerts]:
    drifting = Factory(faults=drifting_model(NOW - timedelta(hours=36)))
    stored(db, settings, drifting, NOW - timedelta(days=21), NOW)
    health = ModelHealth(db, settings, MetricsService(db, settings, clock), clock)
    alerts = Alerts(db, settings, health, clock)
    alerts.evaluate()
    return health, alerts


def shown(health: ModelHealth, alerts: Alerts) -> models.Health:
    return models.Health(health.drift(HealthQuery()), alerts.listed(AlertQuery()))


def test_the_page_draws_each_panel_from_the_report_and_the_open_alerts(
    services: tuple[ModelHealth, Alerts],
) -> None:
    _, alerts = services
    page = dict(zip(models.MODELS_OUTPUTS, models.render(shown(*services), "dark"), strict=True))

    confidence = go.Figure(page[("models-confidence", "figure")])
    assert {t.legendgroup for t in confidence.data} == {MODEL, NEW_MODEL}
    assert confidence.layout.shapes[0].y0 == 0.75  # the alert floor, drawn
    mix = go.Figure(page[("models-mix", "figure")])
    new = next(t for t in mix.data if t.name.startswith(NEW_MODEL))
    assert dict(zip(new.x, new.y, strict=True))["Idle"] > 10  # points more idle than before
    items = page[("models-alerts", "children")]
    assert len(items) == len(alerts.listed(AlertQuery()))
    assert all(isinstance(item, html.Li) for item in items)
    rows = page[("models-cameras", "data")]
    assert [row["camera_id"] for row in rows] == [f"CAM-S{n}" for n in range(1, 7)]
    assert all(row["status"] == "ok" for row in rows)  # each camera's own week is mixed
    options = page[("compare-a", "options")]
    assert [o["value"] for o in options] == [MODEL, NEW_MODEL]


def test_an_alert_offers_acknowledge_until_it_is_and_resolve_always(
    services: tuple[ModelHealth, Alerts],
) -> None:
    _, alerts = services
    first = alerts.listed(AlertQuery())[0]

    def buttons(item: html.Li) -> list[str]:
        return [child.children for child in item.children if isinstance(child, html.Button)]

    assert buttons(models.alert_item(first)) == ["Acknowledge", "Resolve"]
    clicked = {"type": models.ACK, "index": first.id}
    assert models.act(clicked, 1, alerts)
    assert buttons(models.alert_item(alerts.get(first.id))) == ["Resolve"]
    assert not models.act(clicked, 0, alerts)  # a button drawn anew reports no click


def test_the_comparison_table_puts_the_versions_side_by_side(
    services: tuple[ModelHealth, Alerts],
) -> None:
    health, _ = services

    table = models.compare_table(health.compare(CompareQuery(a=MODEL, b=NEW_MODEL)))

    head, body, caption = table.children
    assert [th.children for th in head.children.children] == ["", MODEL, NEW_MODEL]
    names = [row.children[0].children for row in body.children]
    assert names[0] == "Detections"
    assert "Implied utilization %" in names
    assert "PSI" in caption.children
