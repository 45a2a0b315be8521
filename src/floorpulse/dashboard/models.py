"""The Model health page (/models): how the camera models do, and the alerts they raised.

Its panels are drawn from the services /api/models and /api/alerts answer with, read once for
every viewer each minute (MODELS_TTL_S) and at once after a viewer acknowledges or resolves an
alert. Plain functions of plain data build it; the callbacks at the end only pass them along,
off the event loop.
"""

import asyncio
from dataclasses import dataclass
from typing import Any

from dash import ALL, Dash, Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from floorpulse.dashboard import figures, ids
from floorpulse.dashboard.overview import graph, panel, table
from floorpulse.dashboard.theme import palette
from floorpulse.errors import FloorPulseError
from floorpulse.mlops.alerts import Alerts
from floorpulse.mlops.schemas import (
    AlertOut,
    AlertQuery,
    CompareQuery,
    Comparison,
    DriftReport,
    HealthQuery,
)
from floorpulse.mlops.service import ModelHealth
from floorpulse.shared import Shared

MODELS_PATH = "/models"
# Drift moves by the day and alerts at each evaluation (5 min): a minute-old page is current,
# and a report over 10 million events costs ~0.3 s of the server's CPU.
MODELS_TTL_S = 60.0
ACK, RESOLVE = "alert-ack", "alert-resolve"
SIGNAL_LABELS = {
    "confidence": "Confidence",
    "mix": "Event mix",
    "productivity": "Productivity",
    "silence": "Silent camera",
}
CAMERA_COLUMNS = [
    ("camera_id", "Camera"),
    ("status", "Status"),
    ("events", "Detections, 7 days"),
    ("mean_confidence", "Mean confidence"),
    ("drop_pct", "Fall vs week before %"),
    ("low_pct", "Low-confidence %"),
    ("psi", "Mix PSI"),
    ("silent_min", "Silent, min"),
]


@dataclass(frozen=True)
class Health:
    """What the page shows, read at one moment."""

    report: DriftReport
    alerts: list[AlertOut]


def layout() -> html.Div:
    return html.Div(
        [
            html.H1("Model health", className="page-title"),
            html.P(id=ids.MODELS_WINDOW, className="window"),
            panel("Open alerts", html.Ol(id=ids.MODELS_ALERTS, className="alerts")),
            panel("Confidence per model version", graph(ids.MODELS_CONFIDENCE)),
            panel("Event mix against its baseline", graph(ids.MODELS_MIX)),
            panel("Cameras", table(ids.MODELS_CAMERAS, CAMERA_COLUMNS)),
            panel(
                "Compare two versions",
                html.Div(
                    [
                        _labelled("Version A", dcc.Dropdown([], None, id=ids.COMPARE_A)),
                        _labelled("Version B", dcc.Dropdown([], None, id=ids.COMPARE_B)),
                    ],
                    className="compare-pick",
                ),
                html.Div(id=ids.MODELS_COMPARE, className="compare"),
            ),
            dcc.Interval(id=ids.MODELS_TICK, interval=round(MODELS_TTL_S * 1000)),
            dcc.Store(id=ids.MODELS_ACTED, data=0),
        ],
        id=ids.MODELS_PAGE,
        className="models-page",
        hidden=True,
    )


def render(health: Health, theme: str) -> tuple[Any, ...]:
    """The page's panels, in the order of MODELS_OUTPUTS."""
    report, colours = health.report, palette(theme)
    floor = report.models[0].confidence.floor if report.models else 0.75
    versions = [{"label": s.key, "value": s.key} for s in report.models if s.key]
    return (
        f"{report.from_:%d %b %H:%M} to {report.to:%d %b %H:%M} UTC · signals over the "
        "last 7 days against the 7 before",
        [alert_item(alert) for alert in health.alerts]
        or [html.Li("No open alerts.", className="alert none")],
        figures.confidence_trend(report.models, floor, colours),
        figures.mix_shift(report.models, colours),
        camera_rows(report),
        versions,
        versions,
    )


MODELS_OUTPUTS = [
    (ids.MODELS_WINDOW, "children"),
    (ids.MODELS_ALERTS, "children"),
    (ids.MODELS_CONFIDENCE, "figure"),
    (ids.MODELS_MIX, "figure"),
    (ids.MODELS_CAMERAS, "data"),
    (ids.COMPARE_A, "options"),
    (ids.COMPARE_B, "options"),
]


def camera_rows(report: DriftReport) -> list[dict[str, Any]]:
    silence = {s.camera_id: s for s in report.silence}
    rows = []
    for scope in report.cameras:
        c, m = scope.confidence, scope.mix
        quiet = silence.get(scope.key or "")
        problems = [
            name
            for name, on in (
                ("confidence", c.alert),
                ("event mix", m.alert),
                ("silent", quiet is not None and quiet.alert),
            )
            if on
        ]
        rows.append(
            {
                "camera_id": scope.key or "(none named)",
                "status": "alert: " + ", ".join(problems) if problems else "ok",
                "events": c.events,
                "mean_confidence": c.mean,
                "drop_pct": _pct(c.drop),
                "low_pct": _pct(c.low_confidence_share),
                "psi": round(m.psi, 3) if m.psi is not None else None,
                "silent_min": (
                    round(quiet.silent_seconds / 60)
                    if quiet is not None and quiet.silent_seconds is not None
                    else None
                ),
            }
        )
    return rows


def alert_item(alert: AlertOut) -> html.Li:
    buttons = [
        html.Button(
            "Acknowledge", id={"type": ACK, "index": alert.id}, className="button", n_clicks=0
        )
        if alert.state == "open"
        else html.Span("acknowledged", className="mark"),
        html.Button(
            "Resolve", id={"type": RESOLVE, "index": alert.id}, className="button", n_clicks=0
        ),
    ]
    return html.Li(
        [
            html.Span(SIGNAL_LABELS[alert.signal], className=f"badge badge-signal-{alert.signal}"),
            html.Span(alert.summary, className="summary"),
            html.Time(f"since {alert.opened_at:%d %b %H:%M}", dateTime=alert.opened_at.isoformat()),
            *buttons,
        ],
        className=f"alert {alert.state}",
    )


def compare_table(comparison: Comparison) -> html.Table:
    a, b = comparison.a, comparison.b
    rows: list[tuple[str, str | float | None, str | float | None]] = [
        ("Detections", a.events, b.events),
        ("Cameras", ", ".join(a.cameras) or "-", ", ".join(b.cameras) or "-"),
        ("Seen from", _when(a.first_seen), _when(b.first_seen)),
        ("Seen until", _when(a.last_seen), _when(b.last_seen)),
        ("Mean confidence", a.mean_confidence, b.mean_confidence),
        ("Low-confidence %", _pct(a.low_confidence_share), _pct(b.low_confidence_share)),
        *[
            (f"{kind} %", _pct(a.mix.get(kind)), _pct(b.mix.get(kind)))
            for kind in figures.EVENT_TYPES
        ],
        (
            "Implied utilization %",
            a.implied_utilization_percentage,
            b.implied_utilization_percentage,
        ),
        ("Units per 1000 detections", a.units_per_1000_detections, b.units_per_1000_detections),
    ]
    footer = (
        f"Mix PSI of B against A: {comparison.mix_psi}; "
        f"confidence B - A: {comparison.confidence_difference}"
    )
    return html.Table(
        [
            html.Thead(html.Tr([html.Th(""), html.Th(a.model_version), html.Th(b.model_version)])),
            html.Tbody([html.Tr([html.Th(name), html.Td(x), html.Td(y)]) for name, x, y in rows]),
            html.Caption(footer),
        ],
        className="compare-table",
    )


def act(trigger: Any, clicks: int | None, alerts: Alerts) -> bool:
    """Acknowledge or resolve the alert a button names; False when the click was no click (a
    list of buttons drawn anew reports its zeros)."""
    if not isinstance(trigger, dict) or not clicks:
        return False
    if trigger["type"] == ACK:
        alerts.acknowledge(trigger["index"])
    else:
        alerts.resolve(trigger["index"])
    return True


def register(dash_app: Dash, health: ModelHealth, alerts: Alerts) -> None:
    def read(_acted: int) -> Health:
        return Health(health.drift(HealthQuery()), alerts.listed(AlertQuery()))

    shared = Shared(read, MODELS_TTL_S, maxsize=8)

    @dash_app.callback(
        *[Output(key, prop) for key, prop in MODELS_OUTPUTS],
        Input(ids.URL, "pathname"),
        Input(ids.MODELS_TICK, "n_intervals"),
        Input(ids.MODELS_ACTED, "data"),
        Input(ids.THEME, "data"),
    )
    async def refresh_models(path: str, _tick: int, acted: int, theme: str) -> tuple[Any, ...]:
        if path != MODELS_PATH:
            raise PreventUpdate
        shown = await asyncio.to_thread(shared, acted or 0)  # kept MODELS_TTL_S, per action
        return render(shown, theme or "dark")

    @dash_app.callback(
        Output(ids.MODELS_ACTED, "data"),
        Input({"type": ACK, "index": ALL}, "n_clicks"),
        Input({"type": RESOLVE, "index": ALL}, "n_clicks"),
        State(ids.MODELS_ACTED, "data"),
        prevent_initial_call=True,
    )
    async def on_alert_button(_acks: list[int], _resolves: list[int], acted: int) -> Any:
        clicks = ctx.triggered[0]["value"] if ctx.triggered else None
        try:
            done = await asyncio.to_thread(act, ctx.triggered_id, clicks, alerts)
        except FloorPulseError:
            done = True  # resolved meanwhile, by another viewer: show what is now
        return (acted or 0) + 1 if done else no_update

    @dash_app.callback(
        Output(ids.MODELS_COMPARE, "children"),
        Input(ids.COMPARE_A, "value"),
        Input(ids.COMPARE_B, "value"),
        prevent_initial_call=True,
    )
    async def compare(a: str | None, b: str | None) -> Any:
        if not a or not b:
            return html.P("Choose two versions.", className="hint")
        comparison = await asyncio.to_thread(health.compare, CompareQuery(a=a, b=b))
        return compare_table(comparison)


def _when(at: Any) -> str:
    return f"{at:%d %b %H:%M}" if at is not None else "-"


def _pct(share: float | None) -> float | None:
    return round(100 * share, 1) if share is not None else None


def _labelled(label: str, control: Any) -> html.Label:
    return html.Label([html.Span(label), control], className="filter")
