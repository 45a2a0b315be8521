"""The dashboard: a Dash app on the FastAPI app itself, at `/`.

This module builds the page frame; callbacks.py keeps it live. Browser-side behaviour (theme,
the connection banner) lives in assets/floorpulse.js.
"""

import logging
from functools import partial
from pathlib import Path
from typing import Any, NoReturn

import plotly.io.json
from dash import Dash, dcc, html
from fastapi import FastAPI

from floorpulse.access.gate import current_principal, viewer_may, viewer_view
from floorpulse.access.keys import Principal, Scope
from floorpulse.dashboard import callbacks, ids, models, overview, sites
from floorpulse.dashboard.drawing import Drawing
from floorpulse.dashboard.filters import FROM_TIMES, RANGE_LABELS, UNTIL_TIMES, VIEW_LABELS
from floorpulse.dashboard.views import DashboardService
from floorpulse.metrics.shifts import Shift
from floorpulse.mlops.alerts import Alerts
from floorpulse.mlops.service import ModelHealth
from floorpulse.privacy.lens import View
from floorpulse.settings import Settings

log = logging.getLogger(__name__)

ASSETS = Path(__file__).parent / "assets"
# The fallback poll, while no push is heard: with the 0.5 s view cache, a new event shows
# within 2 s. The tick drives what the browser does alone (banner, wallboard, the poll switch).
POLL_MS = 1000
TICK_MS = 1000
RESEED_QUESTION = (
    "Reseed sample data? Every stored event is deleted and a fresh made-up history written."
)


def attach(
    server: FastAPI,
    views: DashboardService,
    drawing: Drawing,
    settings: Settings,
    health: tuple[ModelHealth, Alerts],
) -> Dash:
    """Serve the dashboard from `server` at `/`; its views are drawn by `drawing`, the model
    health page from the model-health services."""
    # Dash encodes answers with Plotly's JSON engine: orjson is fast, and it copies the panels
    # the drawing process encoded once for every viewer into each answer as they are.
    plotly.io.json.config.default_engine = "orjson"
    dash_app = Dash(
        __name__,
        server=server,  # type: ignore[arg-type]  # Dash's hints predate its FastAPI backend
        title="FloorPulse",
        update_title=None,  # type: ignore[arg-type]  # None: the tab title never flickers
        assets_folder=str(ASSETS),
        serve_locally=True,  # a shop floor network may have no internet
        on_error=_logged,
    )
    dash_app.layout = partial(shell, settings.shifts)
    callbacks.register(dash_app, views, drawing, settings)
    models.register(dash_app, *health)
    sites.register(dash_app, views.metrics)
    # Dash finds its assets (our CSS and clientside JS) at the first request that passes its
    # middleware, and on the FastAPI backend only its own paths do: a server's first page
    # opened at a deep link (/models, /workers/W1) came without them, and stayed broken.
    dash_app._setup_server()  # type: ignore[no-untyped-call]
    return dash_app


def _logged(error: Exception) -> NoReturn:
    """A callback that failed, in the server log: Dash's FastAPI backend answers 500 and logs
    nothing, so a dashboard whose panels stopped updating left no trace of why."""
    log.error("dashboard callback failed", exc_info=error)
    raise error


def shell(shifts: list[Shift]) -> html.Div:
    """The page frame: header, connection banner, filters, the overview, and the clocks.

    Built for each viewer: what only an admin key may do is hidden from the others (and
    refused by its callback). Outside a request (Dash's layout check) everything is built.
    """
    viewer, admin = current_principal(), viewer_may(Scope.ADMIN)
    individuals = viewer_view() is not View.PROCESS
    return html.Div(
        [
            dcc.Location(id=ids.URL, refresh=False),
            dcc.Interval(id=ids.TICK, interval=TICK_MS),
            dcc.Interval(id=ids.POLL, interval=POLL_MS),
            dcc.Store(id=ids.PUSH_ON, data=0),  # a new value (re)starts the push
            dcc.Store(id=ids.PUSHED),
            dcc.Store(id=ids.THEME, storage_type="local", data="dark"),
            _header(viewer, admin),
            html.Div(id=ids.BANNER, role="alert", className="banner", hidden=True),
            _filter_bar(shifts, individuals),
            html.Div(id=ids.FILTER_PROBLEM, role="alert", className="problem", hidden=True),
            html.Main(
                [
                    html.Div(
                        overview.layout(admin, individuals),
                        id=ids.OVERVIEW_WRAP,
                        className="page-wrap",
                    ),
                    models.layout(),
                    sites.layout(),
                ],
            ),
        ],
        id=ids.SHELL,
        className="shell",
    )


def _header(viewer: Principal | None, admin: bool) -> html.Header:
    return html.Header(
        [
            html.Div([html.Span("Floor", className="brand-a"), "Pulse"], className="brand"),
            html.Nav(
                [
                    dcc.Link("Overview", href="/", className="nav-link"),
                    dcc.Link("Sites", href=sites.SITES_PATH, className="nav-link"),
                    dcc.Link("Model health", href=models.MODELS_PATH, className="nav-link"),
                ],
                id=ids.NAV,
                className="nav",
            ),
            html.Span("demo data", id=ids.DEMO_BADGE, className="badge-demo", hidden=True),
            html.Span(id=ids.WINDOW_LABEL, className="window"),
            html.Span(id=ids.UPDATED_AT, className="updated"),
            html.Span(id=ids.LIVE, className="live"),
            html.Span(id=ids.SEED_RESULT, className="seed-result", role="status"),
            dcc.ConfirmDialogProvider(
                html.Button(
                    "Reseed sample data", id=ids.RESEED, className="button", hidden=not admin
                ),
                id=ids.RESEED_CONFIRM,
                message=RESEED_QUESTION,
            ),
            html.Button("Light / dark", id=ids.THEME_TOGGLE, className="button"),
            *_signed_in(viewer),
        ],
        className="header",
    )


def _signed_in(viewer: Principal | None) -> list[Any]:
    """Who is signed in, and the way out; nothing while no key exists (loopback only)."""
    if viewer is None or viewer.key_id is None:
        return []
    return [
        html.Span(viewer.name, className="viewer", title=f"{viewer.scope.value} key"),
        html.Form(
            html.Button("Sign out", type="submit", className="button"),
            method="post",
            action="/signout",
            className="sign-out",
        ),
    ]


def _filter_bar(shifts: list[Shift], individuals: bool = True) -> html.Nav:
    """The filters; without `individuals` (the process view) no worker can be picked."""
    ranges = [{"label": label, "value": key} for key, label in RANGE_LABELS.items()]
    views = [{"label": label, "value": key} for key, label in VIEW_LABELS.items()]
    return html.Nav(
        [
            _labelled("Time range", dcc.Dropdown(ranges, "today", id=ids.RANGE, clearable=False)),
            _named_shift(shifts),
            _custom_range(),
            _labelled(
                "Worker",
                dcc.Dropdown([], None, id=ids.WORKER, placeholder="All workers"),
                "on-worker-page",
                hidden=not individuals,
                label_id=ids.WORKER_FILTER,
            ),
            _labelled(
                "Workstation",
                dcc.Dropdown([], None, id=ids.WORKSTATION, placeholder="All workstations"),
                "on-workstation-page",
            ),
            _labelled("Site", dcc.Dropdown([], None, id=ids.SITE, placeholder="Default site")),
            _labelled(
                "Show",
                dcc.RadioItems(views, "all", id=ids.VIEW, inline=True, className="switch"),
                "on-worker-page on-workstation-page",
            ),
        ],
        id=ids.FILTERS,
        className="filters",
    )


def _named_shift(shifts: list[Shift]) -> html.Div:
    named = [
        {"label": f"{shift.name} · {shift.start:%H:%M} to {shift.end:%H:%M}", "value": shift.name}
        for shift in shifts
    ]
    return html.Div(
        [
            _labelled("Shift", dcc.Dropdown(named, None, id=ids.SHIFT, placeholder="Shift")),
            _labelled(
                "On",
                dcc.DatePickerSingle(
                    id=ids.SHIFT_DAY, display_format="YYYY-MM-DD", placeholder="its latest"
                ),
            ),
        ],
        id=ids.NAMED_RANGE,
        className="filter-group",
        hidden=True,
    )


def _custom_range() -> html.Div:
    return html.Div(
        [
            _labelled(
                "Days (site time)",
                dcc.DatePickerRange(
                    id=ids.CUSTOM_DAYS, display_format="YYYY-MM-DD", minimum_nights=0
                ),
            ),
            _labelled("From", dcc.Dropdown(FROM_TIMES, "00:00", id=ids.FROM_TIME, clearable=False)),
            _labelled("Until", dcc.Dropdown(UNTIL_TIMES, "24:00", id=ids.TO_TIME, clearable=False)),
        ],
        id=ids.CUSTOM_RANGE,
        className="filter-group",
        hidden=True,
    )


def _labelled(
    label: str, control: Any, hidden_on: str = "", hidden: bool = False, label_id: str = ""
) -> html.Label:
    # hidden_on: the entity pages where the control has nothing to choose (the path chose).
    named: dict[str, Any] = {"id": label_id} if label_id else {}
    return html.Label(
        [html.Span(label), control],
        className=f"filter {hidden_on}".strip(),
        hidden=hidden,
        **named,
    )
