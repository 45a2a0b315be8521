"""What keeps the dashboard live: Dash callbacks, registered on one app.

The decorated functions are thin: each hands its work to a plain function of plain data
(filters_and_url, destination, seed_message; refresh.panels), which the tests call directly.
Callbacks hold no SQL and never block the event loop: a view is read and drawn in the drawing
process (drawing.py), through the same services the API answers with, once for every viewer
that asks for it at the same moment.

The panels refresh when the server pushes a beat over Dash's websocket (push.Pulse: at once
on a change, every few seconds anyway); a one-second poll takes over in a browser that has not
heard a beat lately, so a proxy that drops websockets costs liveness nothing.
"""

import asyncio
import time
from collections.abc import Callable
from datetime import tzinfo
from typing import Any

import orjson
from dash import ClientsideFunction, Dash, Input, Output, State, ctx, no_update, set_props
from dash.exceptions import PreventUpdate

from floorpulse.access.gate import viewer_may, viewer_view
from floorpulse.access.keys import Scope
from floorpulse.dashboard import ids
from floorpulse.dashboard.drawing import Drawing
from floorpulse.dashboard.filters import (
    CONTROLS,
    FROM_TIMES,
    UNTIL_TIMES,
    Controls,
    Filters,
    Page,
    Range,
    page_path,
    parse,
    rewritten,
    wallboard,
)
from floorpulse.dashboard.models import MODELS_PATH
from floorpulse.dashboard.push import Pace, Pulse
from floorpulse.dashboard.refresh import OFFERED, PANEL_OUTPUTS
from floorpulse.dashboard.sites import SITES_PATH
from floorpulse.dashboard.views import VIEW_TTL_S, DashboardService, Moment
from floorpulse.demo.schemas import SeedResult
from floorpulse.errors import Conflict
from floorpulse.privacy.lens import View
from floorpulse.settings import Settings
from floorpulse.shared import Shared

# Where each of the filter bar's Controls lives: (component, property).
CONTROL_PROPS = {
    "range": (ids.RANGE, "value"),
    "worker": (ids.WORKER, "value"),
    "workstation": (ids.WORKSTATION, "value"),
    "site": (ids.SITE, "value"),
    "view": (ids.VIEW, "value"),
    "shift": (ids.SHIFT, "value"),
    "day": (ids.SHIFT_DAY, "date"),
    "from_day": (ids.CUSTOM_DAYS, "start_date"),
    "from_time": (ids.FROM_TIME, "value"),
    "to_day": (ids.CUSTOM_DAYS, "end_date"),
    "to_time": (ids.TO_TIME, "value"),
}
# The pickers of a range: a change in one of them applies that range's values.
RANGE_PICKERS: dict[str, Range] = {
    ids.SHIFT: "named",
    ids.SHIFT_DAY: "named",
    ids.CUSTOM_DAYS: "custom",
    ids.FROM_TIME: "custom",
    ids.TO_TIME: "custom",
}
# The custom range's time dropdowns and their half hours; a link may add a time between them.
TIME_PICKERS = [(ids.FROM_TIME, FROM_TIMES), (ids.TO_TIME, UNTIL_TIMES)]
RESEED_HIDDEN = PANEL_OUTPUTS.index((ids.RESEED, "hidden"))


def register(dash_app: Dash, views: DashboardService, drawing: Drawing, settings: Settings) -> None:

    @dash_app.callback(
        Output(ids.URL, "search"),
        *[Output(*CONTROL_PROPS[name]) for name in CONTROLS],
        *[Output(key, "options", allow_duplicate=True) for key in OFFERED],
        *[Output(key, "options") for key, _ in TIME_PICKERS],
        Output(ids.NAMED_RANGE, "hidden"),
        Output(ids.CUSTOM_RANGE, "hidden"),
        Input(ids.URL, "search"),
        Input(ids.URL, "pathname"),
        *[Input(*CONTROL_PROPS[name]) for name in CONTROLS],
        prevent_initial_call="initial_duplicate",  # a deep link's controls are set on load
    )
    def sync_filters(search: str, path: str, *values: str | None) -> tuple[Any, ...]:
        zone = settings.zone_of(parse(search, path).site)  # the custom range is in site time
        return filters_and_url(ctx.triggered_id, search, path, Controls(*values), zone)

    @dash_app.callback(
        Output(ids.URL, "pathname"),
        Output(ids.LEADERBOARD, "active_cell"),
        Output(ids.STATIONS, "active_cell"),
        Input(ids.LEADERBOARD, "active_cell"),
        Input(ids.STATIONS, "active_cell"),
        Input(ids.HEATMAP, "clickData"),
        Input(ids.TIMELINE, "clickData"),
        Input(ids.BACK, "n_clicks"),
        prevent_initial_call=True,
    )
    def navigate(*_clicks: Any) -> Any:
        # A table's clicked cell is let go, so that the same row, clicked again after a
        # return to the overview, is a change that opens it again.
        return destination(ctx.triggered_id, ctx.triggered[0]["value"]), None, None

    @dash_app.callback(
        *[Output(key, prop) for key, prop in PANEL_OUTPUTS],
        Output(ids.FILTER_PROBLEM, "children"),
        Output(ids.FILTER_PROBLEM, "hidden"),
        Input(ids.URL, "search"),
        Input(ids.URL, "pathname"),
        Input(ids.PUSHED, "data"),
        Input(ids.POLL, "n_intervals"),
        Input(ids.THEME, "data"),
    )
    async def refresh(
        search: str, path: str, pushed: dict[str, float] | None, _poll: int, theme: str
    ) -> tuple[Any, ...]:
        if path in (MODELS_PATH, SITES_PATH):
            raise PreventUpdate  # those pages draw their own panels
        filters, wall = parse(search, path), wallboard(search)
        seen = moment(ctx.triggered_id, pushed, time.time())
        sight = viewer_view()
        outputs = await asyncio.to_thread(render, filters, seen, theme or "dark", wall, sight)
        return outputs if viewer_may(Scope.ADMIN) else _without_reseed(outputs)

    def draw(
        filters: Filters, seen: Moment, theme: str, wall: bool, sight: View
    ) -> tuple[Any, ...]:
        drawn = drawing.draw(filters, seen, theme, wall, sight)
        if drawn.refused is not None:
            unchanged = [no_update] * len(PANEL_OUTPUTS)
            return *unchanged, f"Cannot show this window: {drawn.refused}", False
        return *[orjson.Fragment(output) for output in drawn.outputs], "", True

    # Drawn once per view and look for every viewer, as the views are read once.
    pace = Pace()
    render = Shared(pace.timed(draw), VIEW_TTL_S, maxsize=128)

    pulse = Pulse(views.version, drawing_s=pace.drawing_s)

    @dash_app.callback(Input(ids.PUSH_ON, "data"), websocket=True, persistent=True)
    async def watch(_asked: Any) -> None:
        if ctx.websocket is None:  # no websocket in this browser: the poll serves it
            raise PreventUpdate
        async for beat in pulse.beats():
            set_props(ids.PUSHED, {"data": beat.wire()})

    @dash_app.callback(
        Output(ids.SEED_RESULT, "children"),
        Input(ids.RESEED_CONFIRM, "submit_n_clicks"),
        Input(ids.SEED_FIRST, "n_clicks"),
        prevent_initial_call=True,
        running=[
            (Output(ids.RESEED, "disabled"), True, False),
            (Output(ids.SEED_FIRST, "disabled"), True, False),
        ],
    )
    async def reseed(_confirmed: int | None, _first: int | None) -> str:
        if not viewer_may(Scope.ADMIN):
            return "Not reseeded: that needs an admin key"
        try:
            result = await asyncio.to_thread(views.reseed)
        except Conflict as refused:
            return f"Not reseeded: {refused.detail}"
        render.clear()  # no viewer is drawn the old data again
        return seed_message(result)

    in_browser = _in_browser(dash_app)
    tables = (
        (ids.LEADERBOARD_CSV, ids.LEADERBOARD),
        (ids.TEAMS_CSV, ids.TEAMS),
        (ids.STATIONS_CSV, ids.STATIONS),
        (ids.SITES_CSV, ids.SITES_TABLE),
    )
    for button, table in tables:
        in_browser(
            "tableCsv",
            Output(f"{button}-file", "data"),
            Input(button, "n_clicks"),
            State(table, "derived_virtual_data"),
            State(table, "columns"),
        )
    in_browser(
        "toggleTheme",
        Output(ids.THEME, "data"),
        Input(ids.THEME_TOGGLE, "n_clicks"),
        State(ids.THEME, "data"),
    )
    in_browser("applyTheme", Output(ids.THEME_TOGGLE, "title"), Input(ids.THEME, "data"))
    in_browser(
        "wallboard",
        Output(ids.SHELL, "className"),
        Input(ids.TICK, "n_intervals"),
        State(ids.URL, "search"),
    )
    in_browser(
        "live",
        Output(ids.POLL, "disabled"),
        Output(ids.LIVE, "children"),
        Output(ids.PUSH_ON, "data"),
        Input(ids.TICK, "n_intervals"),
        Input(ids.PUSHED, "data"),
    )
    in_browser(
        "section",
        Output(ids.OVERVIEW_WRAP, "hidden"),
        Output(ids.MODELS_PAGE, "hidden"),
        Output(ids.SITES_PAGE, "hidden"),
        Output(ids.FILTERS, "hidden"),
        Input(ids.URL, "pathname"),
    )
    in_browser(
        "connection",
        Output(ids.BANNER, "children"),
        Output(ids.BANNER, "hidden"),
        Input(ids.TICK, "n_intervals"),
    )


def _without_reseed(outputs: tuple[Any, ...]) -> tuple[Any, ...]:
    """A view drawn for every viewer, with the reseed button hidden: only admins may."""
    at = RESEED_HIDDEN
    return (*outputs[:at], True, *outputs[at + 1 :])


def _in_browser(dash_app: Dash) -> Callable[..., None]:
    """Registers a callback run by a function of assets/floorpulse.js (no server round trip)."""

    def register(function: str, *dependencies: Output | Input | State) -> None:
        dash_app.clientside_callback(  # type: ignore[no-untyped-call]
            ClientsideFunction("floorpulse", function), *dependencies
        )

    return register


def moment(trigger: str | None, pushed: dict[str, float] | None, now_s: float) -> Moment:
    """Which state of the store a refresh shows, and so which viewers share its view: those
    pushed the same generation, or those polling in the same half second (a view half a
    second old at most, so that a poll a second shows a new event within 2 s)."""
    if trigger == ids.POLL or not pushed:
        return ("half-second", int(now_s * 2))
    return ("generation", int(pushed.get("generation", 0)))


def filters_and_url(
    trigger: str | None, search: str, path: str | None, controls: Controls, zone: tzinfo
) -> tuple[Any, ...]:
    """Keep the URL and the filter controls in step: a deep link sets the controls (offering
    its worker, station, site and times of day, which a dropdown would otherwise drop); a
    changed control rewrites the URL, so the view can be bookmarked. The named shift's and
    the custom range's pickers show only with their range.

    A control is set only when it shows something else: a date picker told its empty date
    again reports a change, and answering that cost a round trip before the first view."""
    given = parse(search, path)
    if trigger in (None, ids.URL):
        shown = Controls.showing(given, zone)
        values = [
            no_update if value == now else value
            for value, now in zip(shown.values(), controls.values(), strict=True)
        ]
        offers = [_offer(value) for value in (given.worker, given.workstation, given.site)]
        picked = (shown.from_time, shown.to_time)
        times = [_times(grid, time) for (_, grid), time in zip(TIME_PICKERS, picked, strict=True)]
        return no_update, *values, *offers, *times, *_range_pickers_hidden(given)
    changed = controls.applied_to(given, zone, RANGE_PICKERS.get(trigger or ""))
    url = rewritten(search, changed)
    unchanged = [no_update] * (len(CONTROLS) + len(OFFERED) + len(TIME_PICKERS))
    return url if url != (search or "") else no_update, *unchanged, *_range_pickers_hidden(changed)


def _range_pickers_hidden(filters: Filters) -> tuple[bool, bool]:
    return filters.range != "named", filters.range != "custom"


def _times(grid: list[str], shown: str | None) -> Any:
    """A time dropdown's options: its half hours, and a link's time between them."""
    return no_update if shown in grid or shown is None else sorted([*grid, shown])


def _offer(value: str | None) -> Any:
    return [{"label": value, "value": value}] if value else no_update


def destination(trigger: str | None, clicked: Any) -> Any:
    """The page a click opens: a worker's from the leaderboard or the timeline, a station's
    from its table or the heatmap, the overview from the back button. A table's click names
    its row's id (the worker's or station's), wherever the viewer's sorting put the row."""
    if trigger == ids.BACK:
        return "/"
    if not clicked:
        return no_update
    if trigger in (ids.LEADERBOARD, ids.STATIONS):
        page: Page = "worker" if trigger == ids.LEADERBOARD else "workstation"
        row = clicked.get("row_id")
        return page_path(page, row) if row else no_update
    points = clicked.get("points") or [{}]
    entity = points[0].get("customdata")
    if entity is None:
        return no_update
    return page_path("workstation" if trigger == ids.HEATMAP else "worker", entity)


def seed_message(result: SeedResult) -> str:
    hours = (result.to - result.from_).total_seconds() / 3600
    return f"Sample data written: {result.accepted:,} events over {hours:.0f} h"
