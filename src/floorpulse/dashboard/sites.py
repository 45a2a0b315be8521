"""The Sites page (/sites): every site over the window the filter bar sets, side by side, from
the figures GET /api/metrics/sites answers with. A click on a site opens its overview.

rows() is a plain function of plain data; the callbacks at the end only pass it along, off
the event loop, reading the sites once for every viewer each half second.
"""

import asyncio
import time
from typing import Any
from urllib.parse import urlencode

from dash import Dash, Input, Output, html, no_update
from dash.exceptions import PreventUpdate

from floorpulse.analytics.schemas import SitesMetrics
from floorpulse.analytics.service import MetricsService
from floorpulse.clock import utc_now
from floorpulse.dashboard import ids, refresh
from floorpulse.dashboard.filters import Filters, metrics_query, parse
from floorpulse.dashboard.overview import download, panel, table
from floorpulse.dashboard.theme import band
from floorpulse.errors import InvalidInput
from floorpulse.shared import Shared

SITES_PATH = "/sites"
SITES_TTL_S = 0.5  # as fresh as a polled overview
SITE_COLUMNS = [
    ("site", "Site"),
    ("active", "Active now"),
    ("utilization", "Utilization %"),
    ("units", "Units"),
    ("rate", "Units/h"),
    ("hours", "Productive h"),
    ("workers", "Workers"),
    ("stations", "Workstations"),
]


def layout() -> html.Div:
    return html.Div(
        [
            html.H1("Sites", className="page-title"),
            html.P(id=ids.SITES_WINDOW, className="window"),
            panel(
                "Every site over the window",
                table(ids.SITES_TABLE, SITE_COLUMNS),
                *download(ids.SITES_CSV, "floorpulse-sites.csv"),
            ),
        ],
        id=ids.SITES_PAGE,
        className="sites-page",
        hidden=True,
    )


def rows(report: SitesMetrics, targets: tuple[float, float]) -> list[dict[str, Any]]:
    """A row a site, busiest first (by units); each row's id is its site."""
    ranked = sorted(report.sites, key=lambda s: (-s.total_production_count, s.site_id))
    return [
        {
            "id": s.site_id,
            "site": s.site_id,
            "active": s.active_workers,
            "utilization": s.average_utilization_percentage,
            "band": band(s.average_utilization_percentage, targets),
            "units": s.total_production_count,
            "rate": s.average_production_rate,
            "hours": round(s.total_productive_time_minutes / 60, 1),
            "workers": s.total_workers,
            "stations": s.total_workstations,
        }
        for s in ranked
    ]


def window_text(report: SitesMetrics) -> str:
    """The window the sites were measured over; each its own where their clocks differ."""
    windows = {(s.from_, s.to, s.shift) for s in report.sites}
    if len(windows) != 1:
        return "each site over its own day or shift, in its own time zone"
    return refresh.window_text(*windows.pop())


def register(dash_app: Dash, metrics: MetricsService) -> None:
    targets = metrics.settings.utilization_targets

    def read(filters: Filters, _half_second: int) -> SitesMetrics:
        everywhere = metrics_query(filters, utc_now()).model_copy(update={"site": None})
        return metrics.sites(everywhere)

    shared = Shared(read, SITES_TTL_S, maxsize=16)

    @dash_app.callback(
        Output(ids.SITES_WINDOW, "children"),
        Output(ids.SITES_TABLE, "data"),
        Input(ids.URL, "search"),
        Input(ids.URL, "pathname"),
        Input(ids.POLL, "n_intervals"),
        Input(ids.PUSHED, "data"),
    )
    async def refresh_sites(search: str, path: str, *_beats: Any) -> tuple[Any, ...]:
        if path != SITES_PATH:
            raise PreventUpdate
        filters = parse(search, "/")
        try:
            report = await asyncio.to_thread(shared, filters, int(time.time() * 2))
        except InvalidInput as refused:
            return f"Cannot show this window: {refused.detail}", no_update
        return window_text(report), rows(report, targets)

    @dash_app.callback(
        Output(ids.URL, "pathname", allow_duplicate=True),
        Output(ids.URL, "search", allow_duplicate=True),
        Output(ids.SITES_TABLE, "active_cell"),
        Input(ids.SITES_TABLE, "active_cell"),
        prevent_initial_call=True,
    )
    def open_site(cell: dict[str, Any] | None) -> Any:
        """A site's overview: the row clicked, found by its id whatever the sort order."""
        if not cell or not cell.get("row_id"):
            raise PreventUpdate
        return "/", "?" + urlencode({"site": cell["row_id"]}), None
