"""What one refresh of a dashboard sends: every panel drawn from a view, in the refresh
callback's output order, and encoded as JSON once for every viewer it goes to.

Plain functions of plain data: the drawing process (drawing.py) calls them, the tests too.
"""

from datetime import datetime
from typing import Any

import orjson

from floorpulse.dashboard import ids, overview
from floorpulse.dashboard.filters import Filters
from floorpulse.dashboard.views import Overview

PANELS = [
    ids.KPIS,
    ids.LEADERBOARD,
    ids.TEAMS,
    ids.STATIONS,
    ids.HEATMAP,
    ids.TIMELINE,
    ids.TREND,
    ids.STREAM,
]
PROPERTY = {
    ids.LEADERBOARD: "data",
    ids.TEAMS: "data",
    ids.STATIONS: "data",
    ids.HEATMAP: "figure",
    ids.TIMELINE: "figure",
    ids.TREND: "figure",
}
OFFERED = [ids.WORKER, ids.WORKSTATION, ids.SITE]  # dropdowns whose options come from data
# What panels() answers, in order.
PANEL_OUTPUTS = [
    *[(key, PROPERTY.get(key, "children")) for key in PANELS],
    *[(key, "options") for key in OFFERED],
    (ids.DEMO_BADGE, "hidden"),
    (ids.RESEED, "hidden"),
    (ids.EMPTY, "hidden"),
    (ids.PAGE, "className"),
    (ids.PAGE_HEAD, "hidden"),
    (ids.TITLE, "children"),
    (ids.WINDOW_LABEL, "children"),
    (ids.UPDATED_AT, "children"),
]
PLAIN = orjson.OPT_NON_STR_KEYS  # as Plotly's orjson engine encodes


def panels(
    view: Overview,
    filters: Filters,
    theme: str,
    targets: tuple[float, float],
    wall: bool = False,
) -> tuple[Any, ...]:
    """The refresh callback's outputs, in its Output order."""
    entity = filters.worker if filters.page == "worker" else filters.workstation
    content = overview.render(view, theme, targets, wall)
    return (
        *[content[key] for key in PANELS],
        [{"label": name, "value": key} for key, name in view.worker_choices],
        [{"label": name, "value": key} for key, name in view.station_choices],
        [{"label": site, "value": site} for site in view.site_choices],
        not view.demo,
        not view.demo,
        not view.empty,
        overview.page_class(filters.view, filters.page, view.empty, view.individuals),
        filters.page == "overview",
        overview.page_title(view, filters.page, entity),
        window_text(view.start, view.end, view.shift),
        f"updated {view.updated_at:%H:%M:%S}",
    )


def encode(values: tuple[Any, ...]) -> list[bytes]:
    """Each output as JSON, which Dash's encoder (orjson, app.py) copies into each answer as it
    stands (an orjson.Fragment): a drawn view is encoded once, not once for every viewer it is
    sent to (a day's timeline took 20 ms a viewer on the event loop, ingestion's too). Straight
    to orjson: the panels are plain data and Dash components, and Plotly's own encoder first
    walks every value in Python (7 of a refresh's 80 ms)."""
    return [orjson.dumps(value, default=_component, option=PLAIN) for value in values]


def _component(value: Any) -> Any:
    """A Dash component as Dash sends it; anything else orjson cannot encode is a mistake."""
    if hasattr(value, "to_plotly_json"):
        return value.to_plotly_json()
    raise TypeError(f"cannot send {type(value).__name__} to the browser")


def window_text(start: datetime, end: datetime, shift: str | None) -> str:
    """The window a page measured, as its header shows it."""
    named = f"shift {shift}: " if shift else ""
    return f"{named}{start:%a %d %b %H:%M} to {end:%H:%M} UTC"
