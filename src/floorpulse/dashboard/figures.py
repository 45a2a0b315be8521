"""Figure builders: plain data in (the API's own models), Plotly figures out. No Dash, no SQL."""

from datetime import datetime

import plotly.graph_objects as go

from floorpulse.analytics.schemas import Band, Point, Series
from floorpulse.dashboard.theme import STATE_COLOURS, STATE_LABELS, Palette

TIMELINE_STATES = ("working", "idle", "absent", "unobserved")


def _frame(figure: go.Figure, colours: Palette, height: int) -> go.Figure:
    figure.update_layout(
        height=height,
        margin={"l": 8, "r": 8, "t": 28, "b": 8},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        font={"color": colours.text, "size": 13},
        # Above the plot: below it, the legend collides with date ticks on a phone.
        legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
        uirevision="keep",  # a live refresh keeps the viewer's zoom and hidden traces
    )
    figure.update_xaxes(gridcolor=colours.grid, zeroline=False, automargin=True)
    figure.update_yaxes(gridcolor=colours.grid, zeroline=False, automargin=True)
    return figure


def heatmap(series: list[Series], colours: Palette) -> go.Figure:
    """Workstation-by-hour utilization; hours with no one at the station are blank."""
    hours = [p.start for p in series[0].points] if series else []
    figure = go.Figure(
        go.Heatmap(
            x=hours,
            y=[s.name or s.key for s in series],
            z=[[p.utilization_percentage for p in s.points] for s in series],
            customdata=[[s.key] * len(s.points) for s in series],  # a click opens the station
            zmin=0,
            zmax=100,
            colorscale="Viridis",  # perceptually uniform, readable without colour vision
            colorbar={"title": {"text": "%"}, "thickness": 10},
            hovertemplate="%{y}<br>%{x|%a %H:%M}<br>utilization %{z:.0f} %<extra></extra>",
        )
    )
    return _frame(figure, colours, height=max(220, 26 * len(series) + 80))


def trend(points: list[Point], colours: Palette) -> go.Figure:
    """Hourly utilization (line, left axis) and units (bars, right axis)."""
    starts = [p.start for p in points]
    figure = go.Figure(
        [
            go.Bar(
                x=starts,
                y=[p.units for p in points],
                name="Units",
                marker_color=STATE_COLOURS["product_count"],
                yaxis="y2",
                opacity=0.6,
            ),
            go.Scatter(
                x=starts,
                y=[p.utilization_percentage for p in points],
                name="Utilization %",
                mode="lines+markers",
                line={"color": STATE_COLOURS["working"], "width": 3},
                connectgaps=False,
            ),
        ]
    )
    figure.update_layout(
        yaxis={"title": {"text": "Utilization %"}, "range": [0, 100]},
        yaxis2={"title": {"text": "Units"}, "overlaying": "y", "side": "right", "showgrid": False},
    )
    return _frame(figure, colours, height=280)


def timeline(bands: list[Band], colours: Palette) -> go.Figure:
    """One row per worker, a coloured, labelled band per state over time."""
    figure = go.Figure()
    for state in TIMELINE_STATES:
        mine = [b for b in bands if b.state == state]
        figure.add_bar(
            name=STATE_LABELS[state],
            orientation="h",
            y=[b.name or b.worker_id for b in mine],
            base=[b.start for b in mine],
            x=[_ms(b.start, b.end) for b in mine],
            marker_color=STATE_COLOURS[state],
            marker_pattern_shape="/" if state == "unobserved" else "",
            customdata=[[b.start, b.end, b.worker_id] for b in mine],  # a click opens the worker
            hovertemplate=f"%{{y}}: {STATE_LABELS[state]}<br>%{{customdata[0]|%H:%M}} to "
            "%{customdata[1]|%H:%M}<extra></extra>",
        )
    rows = len({b.worker_id for b in bands})
    figure.update_layout(barmode="overlay", bargap=0.25)
    figure.update_xaxes(type="date")
    figure.update_yaxes(autorange="reversed", type="category")
    return _frame(figure, colours, height=max(200, 28 * rows + 90))


def _ms(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() * 1000
