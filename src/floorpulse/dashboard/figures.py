"""Figure builders: plain data in (the API's own models), Plotly figures out. No Dash, no SQL.

The figures are plain dicts in Plotly's JSON form, not graph objects: every open dashboard is
sent them each second, and the graph objects' validation and conversion took ten times as
long as the rest of the drawing (a day's timeline: 45 ms to build and 19 ms to encode, against
about 2 ms). The tests validate them against Plotly's schema instead.
"""

from typing import Any

from floorpulse.analytics.schemas import Point, Series
from floorpulse.dashboard.theme import STATE_COLOURS, STATE_LABELS, Palette
from floorpulse.metrics.intervals import Band as StateBand
from floorpulse.mlops.schemas import ScopeDrift

Figure = dict[str, Any]
US_PER_MS = 1000
CHAR_EM = 0.62  # a label character's width, in ems: wide enough for system-ui's widest
TIMELINE_STATES = ("working", "idle", "absent", "unobserved")


def _frame(
    traces: list[dict[str, Any]],
    colours: Palette,
    height: int,
    margin: dict[str, int],
    **layout: Any,
) -> Figure:
    axis = {"gridcolor": colours.grid, "zeroline": False, "automargin": True}
    # Without a height a figure autosizes: a wallboard's fill the screen's space (CSS) exactly.
    size = {"autosize": True} if colours.fills else {"height": height}
    return {
        "data": traces,
        "layout": {
            **size,
            "margin": margin,
            "paper_bgcolor": "rgba(0,0,0,0)",
            "plot_bgcolor": "rgba(0,0,0,0)",
            "font": {"color": colours.text, "size": colours.font_px},
            # Above the plot: below it, the legend collides with date ticks on a phone.
            "legend": {"orientation": "h", "x": 0, "y": 1, "yanchor": "bottom"},
            "uirevision": "keep",  # a live refresh keeps the viewer's zoom and hidden traces
            **layout,
            "xaxis": {**axis, **layout.get("xaxis", {})},
            "yaxis": {**axis, **layout.get("yaxis", {})},
        },
    }


def heatmap(series: list[Series], colours: Palette) -> Figure:
    """Workstation-by-hour utilization; hours with no one at the station are blank."""
    trace = {
        "type": "heatmap",
        "x": [p.start for p in series[0].points] if series else [],
        "y": [s.name or s.key for s in series],
        "z": [[p.utilization_percentage for p in s.points] for s in series],
        "customdata": [[s.key] * len(s.points) for s in series],  # a click opens the station
        "zmin": 0,
        "zmax": 100,
        "colorscale": "Viridis",  # perceptually uniform, readable without colour vision
        "colorbar": {"title": {"text": "%"}, "thickness": 10},
        "hovertemplate": "%{y}<br>%{x|%a %H:%M}<br>utilization %{z:.0f} %<extra></extra>",
    }
    names = [s.name or s.key for s in series]
    return _frame(
        [trace],
        colours,
        height=_height(colours, 220, rows=len(series), extra_px=80),
        margin=margin(colours, left=max(map(len, names), default=0), right=9),
    )


def trend(points: list[Point], colours: Palette) -> Figure:
    """Hourly utilization (line, left axis) and units (bars, right axis), each hour's bar as
    wide as most of its hour and the axis spanning the hours drawn: left to itself, Plotly
    spread the one hour of a window just begun over the whole chart, and the axis read in
    ten-thousandths of a second."""
    starts = [p.start for p in points]
    units = {
        "type": "bar",
        "x": starts,
        "y": [p.units for p in points],
        "width": [0.8 * (p.end - p.start).total_seconds() * 1000 for p in points],
        "name": "Units",
        "marker": {"color": STATE_COLOURS["product_count"]},
        "yaxis": "y2",
        "opacity": 0.6,
    }
    span = {}
    if points:
        half = (points[-1].end - points[-1].start) / 2
        span = {"range": [points[0].start - half, points[-1].start + half]}
    utilization = {
        "type": "scatter",
        "x": starts,
        "y": [p.utilization_percentage for p in points],
        "name": "Utilization %",
        "mode": "lines+markers",
        "line": {"color": STATE_COLOURS["working"], "width": 3},
        "connectgaps": False,
    }
    most = max((p.units for p in points), default=0)
    return _frame(
        [units, utilization],
        colours,
        height=_height(colours, 280),
        margin=margin(colours, left=6, right=len(f"{most:,}") + 3),  # ticks beside titles
        xaxis={"type": "date", **span},
        yaxis={"title": {"text": "Utilization %"}, "range": [0, 100]},
        yaxis2={
            "title": {"text": "Units"},
            "overlaying": "y",
            "side": "right",
            "showgrid": False,
            "tickmode": "auto",  # its own round numbers of units, not the left axis' grid lines
            "rangemode": "tozero",
            "automargin": True,  # room for its title beside its ticks
        },
    )


def timeline(bands: list[StateBand], names: dict[str, str], colours: Palette) -> Figure:
    """One row per worker (by name, from `names`), a coloured, labelled band per state.

    A day of a hundred workers is thousands of bands, sent to every screen each second: each
    is its start and length in milliseconds and its worker's id (what a click opens); the
    hover reads its start and end from the bar itself, in the axis' hover format."""
    traces = []
    for state in TIMELINE_STATES:
        mine = [b for b in bands if b.state == state]
        traces.append(
            {
                "type": "bar",
                "name": STATE_LABELS[state],
                "orientation": "h",
                "y": [names.get(b.worker_id, b.worker_id) for b in mine],
                "base": [b.start_us // US_PER_MS for b in mine],
                "x": [b.end_us // US_PER_MS - b.start_us // US_PER_MS for b in mine],
                "customdata": [b.worker_id for b in mine],
                "marker": {
                    "color": STATE_COLOURS[state],
                    "pattern": {"shape": "/" if state == "unobserved" else ""},
                },
                "hovertemplate": f"%{{y}}: {STATE_LABELS[state]}<br>%{{base}} to %{{x}}"
                "<extra></extra>",
            }
        )
    shown = {names.get(b.worker_id, b.worker_id) for b in bands}
    return _frame(
        traces,
        colours,
        height=_height(colours, 200, rows=len(shown), extra_px=90),
        margin=margin(colours, left=max(map(len, shown), default=0)),
        barmode="overlay",
        bargap=0.25,
        # Milliseconds since the epoch: a date axis reads them as UTC, as the other charts' times.
        xaxis={"type": "date", "hoverformat": "%a %H:%M"},
        yaxis={"autorange": "reversed", "type": "category"},
    )


# Model versions and cameras are told apart by colour and by name (legend, hover): the
# Okabe-Ito colours the states do not use, then greys.
SERIES_COLOURS = ("#0072B2", "#CC79A7", "#F0E442", "#56B4E9", "#009E73", "#999999")
EVENT_TYPES = ("working", "idle", "absent", "product_count")


def confidence_trend(scopes: list[ScopeDrift], floor: float, colours: Palette) -> Figure:
    """Per model version: each day's mean confidence (dots) and the rolling mean (line), and
    the floor under which its rolling mean alerts (dashed)."""
    traces = []
    for n, scope in enumerate(scopes):
        colour = SERIES_COLOURS[n % len(SERIES_COLOURS)]
        name = scope.key or "(none named)"
        days = [d.date.isoformat() for d in scope.days]
        traces += [
            {
                "type": "scatter",
                "x": days,
                "y": [d.rolling_mean_confidence for d in scope.days],
                "name": f"{name}, 7-day",
                "legendgroup": name,
                "mode": "lines",
                "line": {"color": colour, "width": 3},
                "hovertemplate": f"{name}<br>%{{x}}<br>7-day mean %{{y:.3f}}<extra></extra>",
            },
            {
                "type": "scatter",
                "x": days,
                "y": [d.mean_confidence for d in scope.days],
                "name": f"{name}, daily",
                "legendgroup": name,
                "mode": "markers",
                "marker": {"color": colour, "size": 7},
                "hovertemplate": f"{name}<br>%{{x}}<br>daily mean %{{y:.3f}}<extra></extra>",
            },
        ]
    floor_line = {
        "type": "line",
        "xref": "paper",
        "x0": 0,
        "x1": 1,
        "y0": floor,
        "y1": floor,
        "line": {"color": STATE_COLOURS["absent"], "dash": "dash", "width": 2},
    }
    label = {
        "xref": "paper",
        "x": 1,
        "y": floor,
        "xanchor": "right",
        "yanchor": "bottom",
        "text": f"alert floor {floor}",
        "showarrow": False,
        "font": {"color": STATE_COLOURS["absent"]},
    }
    return _frame(
        traces,
        colours,
        height=_height(colours, 300),
        margin=margin(colours, left=6),
        shapes=[floor_line],
        annotations=[label],
        yaxis={"title": {"text": "Mean confidence"}, "range": [min(0.5, floor - 0.05), 1]},
        xaxis={"type": "date", "tickformat": "%d %b"},
    )


def mix_shift(scopes: list[ScopeDrift], colours: Palette) -> Figure:
    """Per model version, how far each event type's share of its detections moved against its
    baseline, in percentage points; its PSI in the legend."""
    traces = []
    for n, scope in enumerate(scopes):
        mix = scope.mix
        name = scope.key or "(none named)"
        psi = f"PSI {mix.psi:.2f}" if mix.psi is not None else "too few to judge"
        traces.append(
            {
                "type": "bar",
                "x": [STATE_LABELS[kind] for kind in EVENT_TYPES],
                "y": [
                    round(100 * (mix.current.get(k, 0.0) - mix.baseline.get(k, 0.0)), 1)
                    for k in EVENT_TYPES
                ],
                "name": f"{name} ({psi})",
                "marker": {"color": SERIES_COLOURS[n % len(SERIES_COLOURS)]},
                "hovertemplate": f"{name}<br>%{{x}}: %{{y:+.1f}} points<extra></extra>",
            }
        )
    return _frame(
        traces,
        colours,
        height=_height(colours, 260),
        margin=margin(colours, left=6),
        barmode="group",
        yaxis={"title": {"text": "Share moved, points"}, "zeroline": True},
    )


def margin(colours: Palette, left: int = 0, right: int = 0) -> dict[str, int]:
    """Margins that hold the labels beside the plot (`left`, `right`: the longest's length
    in characters), the legend above and two lines of date ticks below, guessed generously:
    a margin Plotly's automargin has to widen costs a second drawing of the whole chart
    (thousands of timeline bands) at every refresh. A longer label still gets its room."""
    font = colours.font_px
    return {
        "l": round(20 + CHAR_EM * font * left),
        "r": round(8 + CHAR_EM * font * right),
        "t": round(2.6 * font + 12),
        "b": round(3.4 * font + 12),
    }


def _height(colours: Palette, least_px: int, rows: int = 0, extra_px: int = 0) -> int:
    """A chart's height in pixels: rows with room for their labels, and a least height, both
    growing with the type (set for 13 px)."""
    row_px = 2 * colours.font_px + 2
    return max(least_px * colours.font_px // 13, row_px * rows + extra_px)
