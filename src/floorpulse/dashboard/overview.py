"""The overview page: KPI cards, leaderboard, workstation table and heatmap, trend, timeline
and the event stream; the view switch (all / workers / workstations) hides what is not asked for.

layout() builds the empty page; render() fills it from an Overview. Both are plain functions
of plain data, tested without a browser.
"""

from typing import Any

from dash import dcc, html
from dash.dash_table.DataTable import DataTable

from floorpulse.analytics.schemas import TeamMetrics, WorkerMetrics
from floorpulse.dashboard import figures, ids
from floorpulse.dashboard.theme import STATE_LABELS, band, palette
from floorpulse.dashboard.views import Kpi, Overview
from floorpulse.events.schemas import EventOut

GRAPH_CONFIG: Any = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2}}
# (field, heading): the rows' fields the tables show, in order.
LEADERBOARD_COLUMNS = [
    ("rank", "#"),
    ("worker", "Worker"),
    ("utilization", "Utilization %"),
    ("units", "Units"),
    ("units_per_hour", "Units/h"),
    ("active_h", "Active h"),
    ("idle_h", "Idle h"),
    ("absent_h", "Absent h"),
]
TEAM_COLUMNS = [
    ("team", "Team"),
    ("members", "Members seen"),
    ("utilization", "Utilization %"),
    ("units", "Units"),
    ("units_per_hour", "Units/h"),
    ("active_h", "Active h"),
    ("idle_h", "Idle h"),
]
STATION_COLUMNS = [
    ("workstation", "Workstation"),
    ("utilization", "Utilization %"),
    ("units", "Units"),
    ("throughput", "Units/h"),
    ("occupied_h", "Occupied h"),
]
# The tables take the page's colours (CSS variables), so they follow the light/dark switch;
# utilization is coloured by the row's band against FLOORPULSE_UTILIZATION_TARGETS.
TABLE_STYLE: dict[str, Any] = {
    "style_as_list_view": True,
    "style_table": {"overflowX": "auto"},
    "style_header": {
        "backgroundColor": "var(--bg)",
        "color": "var(--muted)",
        "fontWeight": 600,
        "borderTop": "none",
        "borderBottom": "1px solid var(--line)",
    },
    "style_cell": {
        "backgroundColor": "var(--card)",
        "color": "var(--text)",
        "borderBottom": "1px solid var(--line)",
        "fontFamily": "var(--font)",  # the page's type; the table's own is monospace
        "fontSize": "var(--table-font, 14px)",
        "textAlign": "left",
        "padding": "5px 10px",
        "cursor": "pointer",
    },
    "style_data_conditional": [
        {"if": {"state": "active"}, "backgroundColor": "var(--card)", "border": "none"},
        *[
            {
                "if": {"filter_query": f'{{band}} = "{band}"', "column_id": "utilization"},
                "color": f"var(--{band})",
                "fontWeight": 700,
            }
            for band in ("good", "mid", "low")
        ],
    ],
}
# Which panels each view shows: class names the page's CSS hides by view.
WORKERS_ONLY, STATIONS_ONLY = "for-workers", "for-stations"
# Panels about one worker, which the process view (docs/PRIVACY.md) hides: it gets no data
# for them either.
INDIVIDUALS = "for-individuals"
NO_TEAM = "No team"
FIRST_EVENT = """curl -X POST http://HOST:8000/api/events -H 'Content-Type: application/json' \\
  -d '{"timestamp": "2026-01-15T10:15:00Z", "worker_id": "W1", "workstation_id": "S3",
       "event_type": "working", "confidence": 0.93, "count": 1}'"""


def layout(admin: bool = True, individuals: bool = True) -> html.Div:
    """The overview; `admin` shows what only an admin key may do (load sample data), and
    `individuals` what is about one worker (the leaderboard, the state timeline)."""
    return html.Div(
        [
            _empty_state(admin),
            _page_head(),
            html.Section(id=ids.KPIS, className="kpis"),
            panel(
                "Worker leaderboard",
                *_table(
                    ids.LEADERBOARD,
                    LEADERBOARD_COLUMNS,
                    ids.LEADERBOARD_CSV,
                    "floorpulse-leaderboard.csv",
                ),
                only=f"{WORKERS_ONLY} {INDIVIDUALS} ranking",
            ),
            panel(
                "Teams",
                *_table(ids.TEAMS, TEAM_COLUMNS, ids.TEAMS_CSV, "floorpulse-teams.csv"),
                only=f"{WORKERS_ONLY} ranking teams-panel",
            ),
            panel(
                "Workstations",
                *_table(
                    ids.STATIONS, STATION_COLUMNS, ids.STATIONS_CSV, "floorpulse-workstations.csv"
                ),
                only=f"{STATIONS_ONLY} ranking",
            ),
            panel(
                "Workstation utilization by hour",
                graph(ids.HEATMAP),
                only=f"{STATIONS_ONLY} heatmap-panel",
            ),
            panel(
                "State timeline",
                graph(ids.TIMELINE),
                only=f"{WORKERS_ONLY} {INDIVIDUALS} timeline-panel",
            ),
            panel("Utilization and units per hour", graph(ids.TREND), only="trend-panel"),
            panel("Live events", html.Ol(id=ids.STREAM, className="stream"), only="stream-panel"),
        ],
        className=page_class("all", "overview", False, individuals),
        id=ids.PAGE,
    )


def page_class(view: str, page: str, empty: bool, individuals: bool = True) -> str:
    """The overview's classes: `view-workers` hides the station panels (and the other way
    round); `page-worker` keeps what is about one worker; `is-empty` leaves only the empty
    state, until the first event arrives; `no-individuals` hides every panel about one
    worker (the process view)."""
    marks = [(empty, "is-empty"), (not individuals, "no-individuals")]
    return f"overview view-{view} page-{page}" + "".join(f" {m}" for on, m in marks if on)


def page_title(view: Overview, page: str, entity: str | None) -> str:
    """An entity page's heading: what it is, its name and id."""
    if page == "overview" or entity is None:
        return ""
    choices = view.worker_choices if page == "worker" else view.station_choices
    name = dict(choices).get(entity, entity)
    shown = name if name == entity else f"{name} ({entity})"
    return f"{'Worker' if page == 'worker' else 'Workstation'}: {shown}"


def _page_head() -> html.Div:
    return html.Div(
        [
            html.Button("← Overview", id=ids.BACK, className="button"),
            html.H1(id=ids.TITLE, className="page-title"),
        ],
        id=ids.PAGE_HEAD,
        className="page-head",
        hidden=True,
    )


def _empty_state(admin: bool) -> html.Section:
    return html.Section(
        [
            html.H2("No events yet"),
            html.P(
                "FloorPulse shows what the cameras report. Point an edge agent or a camera at "
                "this server, or send a first event by hand:"
            ),
            html.Pre(FIRST_EVENT, className="code"),
            html.P("Or look around with a made-up day of a small factory first."),
            html.Button(
                "Load sample data", id=ids.SEED_FIRST, className="button primary", hidden=not admin
            ),
        ],
        id=ids.EMPTY,
        className="empty-state card",
        hidden=True,
    )


def table(table_id: str, columns: list[tuple[str, str]]) -> DataTable:
    """A table of `columns` ((field, heading)), in the page's theme, sortable in the browser;
    its rows are set by a callback."""
    return DataTable(
        id=table_id,
        columns=[{"id": field, "name": heading} for field, heading in columns],
        data=[],
        sort_action="native",
        **TABLE_STYLE,
    )


def _table(
    table_id: str, columns: list[tuple[str, str]], button_id: str, csv_name: str
) -> tuple[Any, ...]:
    """A ranking's table, sortable by any column (in the browser: nothing is asked again),
    and its CSV download: the rows as the table shows them, written in the browser
    (assets/floorpulse.js). A click on a row opens its page (callbacks.destination)."""
    return (table(table_id, columns), *download(button_id, csv_name))


def download(button_id: str, csv_name: str) -> tuple[html.Button, dcc.Download]:
    """A table's "Download CSV" button and the download it starts (assets/floorpulse.js)."""
    named: dict[str, Any] = {"data-filename": csv_name}
    return (
        html.Button("Download CSV", id=button_id, className="button", **named),
        dcc.Download(id=f"{button_id}-file"),
    )


def render(
    view: Overview, theme: str, targets: tuple[float, float], wallboard: bool = False
) -> dict[str, Any]:
    """Every panel's content, keyed by component id; a wallboard's charts in larger type."""
    colours = palette(theme, wallboard)
    return {
        ids.KPIS: [_kpi_card(kpi) for kpi in view.kpis],
        ids.LEADERBOARD: leaderboard_rows(view, targets),
        ids.TEAMS: team_rows(view, targets),
        ids.STATIONS: station_rows(view, targets),
        ids.HEATMAP: figures.heatmap(view.heatmap, colours),
        ids.TIMELINE: figures.timeline(view.timeline, dict(view.worker_choices), colours),
        ids.TREND: figures.trend(view.trend, colours),
        ids.STREAM: [_event_item(event) for event in view.events]
        or [html.Li("No events in this view yet.", className="empty")],
    }


def leaderboard_rows(view: Overview, targets: tuple[float, float]) -> list[dict[str, Any]]:
    """Workers ranked by utilization (those never working or idle last); each row's id is
    its worker's, which a click on it opens."""
    ranked = sorted(view.workers, key=lambda w: -(w.utilization_percentage or -1))
    return [
        {"id": w.worker_id, "rank": rank, "worker": w.name or w.worker_id, **_work(w, targets)}
        for rank, w in enumerate(ranked, start=1)
    ]


def team_rows(view: Overview, targets: tuple[float, float]) -> list[dict[str, Any]]:
    return [
        {
            "id": t.team or NO_TEAM,
            "team": t.team or NO_TEAM,
            "members": t.members_seen,
            **_work(t, targets),
        }
        for t in view.teams
    ]


def _work(row: WorkerMetrics | TeamMetrics, targets: tuple[float, float]) -> dict[str, Any]:
    """The cells a worker's row and a team's share."""
    return {
        "utilization": row.utilization_percentage,
        "band": band(row.utilization_percentage, targets),
        "units": row.total_units_produced,
        "units_per_hour": row.units_per_hour,
        "active_h": round(row.total_active_time_minutes / 60, 2),
        "idle_h": round(row.total_idle_time_minutes / 60, 2),
        "absent_h": round(row.total_absent_time_minutes / 60, 2),
    }


def station_rows(view: Overview, targets: tuple[float, float]) -> list[dict[str, Any]]:
    return [
        {
            "id": s.workstation_id,
            "workstation": s.name or s.workstation_id,
            "utilization": s.utilization_percentage,
            "band": band(s.utilization_percentage, targets),
            "units": s.total_units_produced,
            "throughput": s.throughput_rate,
            "occupied_h": round(s.occupancy_time_minutes / 60, 2),
        }
        for s in view.workstations
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
        label = f"{event.count} unit" + ("s" if event.count != 1 else "")
    return html.Li(
        [
            html.Time(event.timestamp.strftime("%H:%M:%S"), dateTime=event.timestamp.isoformat()),
            html.Span(label, className=f"badge badge-{event.event_type}"),
            html.Span(
                f"{event.worker_id} @ {event.workstation_id}"
                if event.worker_id  # none in the process view: the station only
                else event.workstation_id
            ),
            html.Span(f"{event.confidence:.0%}", className="confidence"),
            *[mark for mark in marks if mark],
        ],
        className="event low" if event.low_confidence else "event",
    )


def panel(title: str, *children: Any, only: str = "") -> html.Section:
    return html.Section([html.H2(title), *children], className=f"panel card {only}".strip())


def graph(graph_id: str) -> dcc.Graph:
    return dcc.Graph(id=graph_id, config=GRAPH_CONFIG, className="graph")
