"""The dashboard: a Dash app on the FastAPI app itself, at `/`.

Callbacks hold no SQL and never block the event loop: each one hands its work to a thread and
reads the same services the API answers with, through the shared view cache.
"""

import asyncio
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from dash import Dash, Input, Output, State, ctx, dcc, html, no_update
from fastapi import FastAPI

from floorpulse.dashboard import ids, overview
from floorpulse.dashboard.filters import RANGE_LABELS, parse, to_search
from floorpulse.dashboard.views import DashboardService, Overview
from floorpulse.settings import Settings

ASSETS = Path(__file__).parent / "assets"
REFRESH_MS = 1000  # with the 0.5 s view cache: a new event shows within 2 s


def attach(server: FastAPI, views: DashboardService, settings: Settings) -> Dash:
    """Serve the dashboard from `server` at `/`."""
    dash_app = Dash(
        __name__,
        server=server,  # type: ignore[arg-type]  # Dash's hints predate its FastAPI backend
        title="FloorPulse",
        update_title=None,  # type: ignore[arg-type]  # None: the tab title never flickers
        assets_folder=str(ASSETS),
        serve_locally=True,  # a shop floor network may have no internet
    )
    dash_app.layout = shell
    _register(dash_app, views, settings.utilization_targets)
    return dash_app


def shell() -> html.Div:
    """The page frame: header, filters, the overview, and the clocks that keep it live."""
    return html.Div(
        [
            dcc.Location(id=ids.URL, refresh=False),
            dcc.Interval(id=ids.TICK, interval=REFRESH_MS),
            dcc.Store(id=ids.THEME, storage_type="local", data="dark"),
            _header(),
            _filter_bar(),
            html.Main(overview.layout(), id=ids.PAGE),
        ],
        className="shell",
    )


def _header() -> html.Header:
    return html.Header(
        [
            html.Div([html.Span("Floor", className="brand-a"), "Pulse"], className="brand"),
            html.Span("demo data", id=ids.DEMO_BADGE, className="badge-demo", hidden=True),
            html.Span(id=ids.WINDOW_LABEL, className="window"),
            html.Span(id=ids.UPDATED_AT, className="updated"),
            html.Button("Light / dark", id=ids.THEME_TOGGLE, className="button"),
        ],
        className="header",
    )


def _filter_bar() -> html.Nav:
    ranges = [{"label": label, "value": key} for key, label in RANGE_LABELS.items()]
    return html.Nav(
        [
            _labelled("Time range", dcc.Dropdown(ranges, "today", id=ids.RANGE, clearable=False)),
            _labelled("Worker", dcc.Dropdown([], None, id=ids.WORKER, placeholder="All workers")),
            _labelled(
                "Workstation",
                dcc.Dropdown([], None, id=ids.WORKSTATION, placeholder="All workstations"),
            ),
        ],
        className="filters",
    )


def _labelled(label: str, control: Any) -> html.Label:
    return html.Label([html.Span(label), control], className="filter")


def _register(dash_app: Dash, views: DashboardService, targets: tuple[float, float]) -> None:
    @dash_app.callback(
        Output(ids.URL, "search"),
        Output(ids.RANGE, "value"),
        Output(ids.WORKER, "value"),
        Output(ids.WORKSTATION, "value"),
        Output(ids.WORKER, "options", allow_duplicate=True),
        Output(ids.WORKSTATION, "options", allow_duplicate=True),
        Input(ids.URL, "search"),
        Input(ids.RANGE, "value"),
        Input(ids.WORKER, "value"),
        Input(ids.WORKSTATION, "value"),
        prevent_initial_call="initial_duplicate",  # a deep link's controls are set on load
    )
    def sync_filters(search: str, range_: str, worker: str, station: str) -> tuple[Any, ...]:
        return filters_and_url(ctx.triggered_id, search, range_, worker, station)

    @dash_app.callback(
        *[Output(key, _PROPERTY.get(key, "children")) for key in _PANELS],
        Output(ids.WORKER, "options"),
        Output(ids.WORKSTATION, "options"),
        Output(ids.DEMO_BADGE, "hidden"),
        Output(ids.WINDOW_LABEL, "children"),
        Output(ids.UPDATED_AT, "children"),
        Input(ids.URL, "search"),
        Input(ids.TICK, "n_intervals"),
        Input(ids.THEME, "data"),
    )
    async def refresh(search: str, _tick: int, theme: str) -> tuple[Any, ...]:
        view = await asyncio.to_thread(views.overview, parse(search))
        return panels(view, theme or "dark", targets)

    @dash_app.callback(
        Output(ids.LEADERBOARD, "exportDataAsCsv"),
        Input(ids.LEADERBOARD_CSV, "n_clicks"),
        prevent_initial_call=True,
    )
    def download_csv(_clicks: int) -> bool:
        return True

    dash_app.clientside_callback(  # type: ignore[no-untyped-call]
        """(clicks, theme) => clicks ? (theme === 'light' ? 'dark' : 'light') : theme""",
        Output(ids.THEME, "data"),
        Input(ids.THEME_TOGGLE, "n_clicks"),
        State(ids.THEME, "data"),
    )
    dash_app.clientside_callback(  # type: ignore[no-untyped-call]
        """(theme) => { document.documentElement.dataset.theme = theme || 'dark'; return ''; }""",
        Output(ids.THEME_TOGGLE, "title"),
        Input(ids.THEME, "data"),
    )


_PANELS = [ids.KPIS, ids.LEADERBOARD, ids.HEATMAP, ids.TIMELINE, ids.TREND, ids.STREAM]
_PROPERTY = {
    ids.LEADERBOARD: "rowData",
    ids.HEATMAP: "figure",
    ids.TIMELINE: "figure",
    ids.TREND: "figure",
}


def filters_and_url(
    trigger: str | None, search: str, range_: str, worker: str | None, station: str | None
) -> tuple[Any, ...]:
    """Keep the URL and the filter controls in step: a deep link sets the controls (offering
    its worker and station, which a dropdown would otherwise drop before the lists arrive), a
    changed control rewrites the URL (so the view can be bookmarked)."""
    if trigger in (None, ids.URL):
        given = parse(search)
        workers = [{"label": given.worker, "value": given.worker}] if given.worker else no_update
        station = given.workstation
        stations = [{"label": station, "value": station}] if station else no_update
        return no_update, given.range, given.worker, station, workers, stations
    current = parse(search)
    chosen: Any = range_ or current.range  # the range dropdown offers only RANGES
    changed = replace(current, range=chosen, worker=worker, workstation=station)
    return to_search(changed), *[no_update] * 5


def panels(view: Overview, theme: str, targets: tuple[float, float]) -> tuple[Any, ...]:
    """The refresh callback's outputs, in its Output order."""
    content = overview.render(view, theme, targets)
    workers = [{"label": name, "value": key} for key, name in view.worker_choices]
    stations = [{"label": name, "value": key} for key, name in view.station_choices]
    return (
        *[content[key] for key in _PANELS],
        workers,
        stations,
        not view.demo,
        _window_text(view.start, view.end, view.shift),
        f"updated {view.updated_at:%H:%M:%S}",
    )


def _window_text(start: datetime, end: datetime, shift: str | None) -> str:
    named = f"shift {shift}: " if shift else ""
    return f"{named}{start:%a %d %b %H:%M} to {end:%H:%M} UTC"
