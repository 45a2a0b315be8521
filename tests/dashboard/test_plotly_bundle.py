"""The dashboard draws its charts with plotly.js's cartesian bundle (a third of the full one):
it must be the version Plotly for Python speaks, and hold every trace type the figures use."""

import re
from pathlib import Path

import plotly.offline

from floorpulse.dashboard import figures
from floorpulse.dashboard.theme import DARK
from tests.dashboard.builders import overview as a_view

BUNDLE = Path(figures.__file__).parent / "assets" / "plotly-cartesian.min.js"
# From the bundle's README (plotly.js-cartesian-dist-min).
CARTESIAN = {"bar", "box", "contour", "heatmap", "histogram", "histogram2d"} | {
    "histogram2dcontour", "image", "pie", "scatter", "scatterternary", "violin"
}  # fmt: skip


def test_the_bundle_is_the_plotly_js_that_plotly_for_python_ships() -> None:
    header = BUNDLE.read_text()[:200]

    version = re.search(r"plotly\.js \(cartesian - minified\) v(\S+)", header)

    assert version is not None
    assert version.group(1) == plotly.offline.get_plotlyjs_version()


def test_every_chart_of_the_dashboard_uses_trace_types_the_bundle_holds() -> None:
    view = a_view()
    drawn = [
        figures.heatmap(view.heatmap, DARK),
        figures.trend(view.trend, DARK),
        figures.timeline(view.timeline, {}, DARK),
    ]

    used = {trace["type"] for figure in drawn for trace in figure["data"]}

    assert used <= CARTESIAN
    assert used == {"bar", "scatter", "heatmap"}
