"""The overview page: KPI cards, leaderboard, heatmap, trend, timeline and the event stream.

layout() builds the empty page; render() fills it from an Overview. Both are plain functions
of plain data, tested without a browser.
"""

from typing import Any

import dash_ag_grid as dag
from dash import dcc, html

from floorpulse.dashboard import figures, ids
from floorpulse.dashboard.theme import STATE_LABELS, band, palette
from floorpulse.dashboard.views import Kpi, Overview
from floorpulse.events.schemas import EventOut

GRAPH_CONFIG: Any = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2}}
LEADERBOARD_COLUMNS = [
    {"field": "rank", "headerName": "#", "maxWidth": 70, "sortable": False},
    {"field": "worker", "headerName": "Worker", "minWidth": 120},
    {
        "field": "utilization",
        "headerName": "Utilization %",
        "sort": "desc",
        "cellClassRules": {
            "util-good": "params.data.band === 'good'",
            "util-mid": "params.data.band === 'mid'",
            "util-low": "params.data.band === 'low'",
        },
    },
    {"field": "units", "headerName": "Units"},
    {"field": "units_per_hour", "headerName": "Units/h"},
    {"field": "active_h", "headerName": "Active h"},
    {"field": "idle_h", "headerName": "Idle h"},
    {"field": "absent_h", "headerName": "Absent h"},
]


def layout() -> html.Div:
    return html.Div(
        [
            html.Section(id=ids.KPIS, className="kpis"),
            _panel(
                "Worker leaderboard",
                dag.AgGrid(
                    id=ids.LEADERBOARD,
                    columnDefs=LEADERBOARD_COLUMNS,
                    defaultColDef={"sortable": True, "flex": 1, "minWidth": 90},
                    dashGridOptions={"domLayout": "autoHeight", "animateRows": False},
                    csvExportParams={"fileName": "floorpulse-leaderboard.csv"},
                    className="ag-theme-quartz-auto-dark grid",
                ),
                html.Button("Download CSV", id=ids.LEADERBOARD_CSV, className="button"),
            ),
            _panel("Workstation utilization by hour", _graph(ids.HEATMAP)),
            _panel("State timeline", _graph(ids.TIMELINE)),
            _panel("Utilization and units per hour", _graph(ids.TREND)),
            _panel("Live events", html.Ol(id=ids.STREAM, className="stream")),
        ],
        className="overview",
    )


def render(view: Overview, theme: str, targets: tuple[float, float]) -> dict[str, Any]:
    """Every panel's content, keyed by component id."""
    colours = palette(theme)
    return {
        ids.KPIS: [_kpi_card(kpi) for kpi in view.kpis],
        ids.LEADERBOARD: leaderboard_rows(view, targets),
        ids.HEATMAP: figures.heatmap(view.heatmap, colours),
        ids.TIMELINE: figures.timeline(view.timeline, colours),
        ids.TREND: figures.trend(view.trend, colours),
        ids.STREAM: [_event_item(event) for event in view.events]
        or [html.Li("No events in this view yet.", className="empty")],
    }


def leaderboard_rows(view: Overview, targets: tuple[float, float]) -> list[dict[str, Any]]:
    """Workers ranked by utilization (those never working or idle last)."""
    ranked = sorted(view.workers, key=lambda w: -(w.utilization_percentage or -1))
    return [
        {
            "rank": rank,
            "worker": w.name or w.worker_id,
            "worker_id": w.worker_id,
            "utilization": w.utilization_percentage,
            "band": band(w.utilization_percentage, targets),
            "units": w.total_units_produced,
            "units_per_hour": w.units_per_hour,
            "active_h": round(w.total_active_time_minutes / 60, 2),
            "idle_h": round(w.total_idle_time_minutes / 60, 2),
            "absent_h": round(w.total_absent_time_minutes / 60, 2),
        }
        for rank, w in enumerate(ranked, start=1)
    ]


def kpi_text(kpi: Kpi) -> tuple[str, str]:
    """The card's value and its change against the previous period, as shown."""
    if kpi.value is None:
        return "—", ""
    value = f"{kpi.value:,.1f}" if isinstance(kpi.value, float) else f"{kpi.value:,}"
    shown = f"{value} {kpi.unit}".strip()
    if kpi.previous is None:
        return shown, ""
    change = kpi.value - kpi.previous
    arrow = "▲" if change > 0 else "▼" if change < 0 else "■"
    return shown, f"{arrow} {abs(change):,.1f} vs previous period"


def _kpi_card(kpi: Kpi) -> html.Div:
    value, change = kpi_text(kpi)
    return html.Div(
        [
            html.Div(kpi.label, className="kpi-label"),
            html.Div(value, className="kpi-value", id=f"kpi-{kpi.key}"),
            html.Div(change, className="kpi-change"),
        ],
        className="kpi card",
    )


def _event_item(event: EventOut) -> html.Li:
    marks = [
        html.Span("low confidence", className="mark") if event.low_confidence else None,
        html.Span("backfilled", className="mark") if event.backfilled else None,
    ]
    label = STATE_LABELS.get(event.event_type, event.event_type)
    if event.event_type == "product_count":
        label = f"{event.count} units"
    return html.Li(
        [
            html.Time(event.timestamp.strftime("%H:%M:%S"), dateTime=event.timestamp.isoformat()),
            html.Span(label, className=f"badge badge-{event.event_type}"),
            html.Span(f"{event.worker_id} @ {event.workstation_id}"),
            html.Span(f"{event.confidence:.0%}", className="confidence"),
            *[mark for mark in marks if mark],
        ],
        className="event low" if event.low_confidence else "event",
    )


def _panel(title: str, *children: Any) -> html.Section:
    return html.Section([html.H2(title), *children], className="panel card")


def _graph(graph_id: str) -> dcc.Graph:
    return dcc.Graph(id=graph_id, config=GRAPH_CONFIG, className="graph")
