"""Colours and targets: state colours from the Okabe-Ito palette, safe for colour-blind viewers,
always shown with their labels."""

from dataclasses import dataclass

STATE_COLOURS = {
    "working": "#009E73",  # bluish green
    "idle": "#E69F00",  # orange
    "absent": "#D55E00",  # vermillion
    "unobserved": "#7f8c8d",  # grey: no camera saw the worker
    "product_count": "#56B4E9",  # sky blue
}
STATE_LABELS = {
    "working": "Working",
    "idle": "Idle",
    "absent": "Absent",
    "unobserved": "Unobserved",
    "product_count": "Units",
}


@dataclass(frozen=True)
class Palette:
    """What a figure needs to sit on the page's theme."""

    text: str
    grid: str
    muted: str


DARK = Palette(text="#e6e9ee", grid="#2c333d", muted="#8b95a3")
LIGHT = Palette(text="#1d232b", grid="#dfe3e8", muted="#5b6674")


def palette(theme: str) -> Palette:
    return LIGHT if theme == "light" else DARK


def band(utilization_pct: float | None, targets: tuple[float, float]) -> str:
    """`low`, `mid` or `good` against the target bands (FLOORPULSE_UTILIZATION_TARGETS)."""
    if utilization_pct is None:
        return "none"
    low, good = targets
    if utilization_pct >= good:
        return "good"
    return "mid" if utilization_pct >= low else "low"
