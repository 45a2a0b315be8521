"""Colours and targets: state colours from the Okabe-Ito palette, safe for colour-blind viewers,
always shown with their labels."""

from dataclasses import dataclass, replace

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
    """What a figure needs to sit on the page's theme, and the size of its type."""

    text: str
    grid: str
    muted: str
    font_px: int = 13
    # A wallboard's charts fill the place the screen leaves them instead of a height their own.
    fills: bool = False


DARK = Palette(text="#e6e9ee", grid="#2c333d", muted="#8b95a3")
LIGHT = Palette(text="#1d232b", grid="#dfe3e8", muted="#5b6674")
WALLBOARD_FONT_PX = 22  # charts read from 5 m away on a TV, as the page's own kiosk type


def palette(theme: str, wallboard: bool = False) -> Palette:
    chosen = LIGHT if theme == "light" else DARK
    return replace(chosen, font_px=WALLBOARD_FONT_PX, fills=True) if wallboard else chosen


def band(utilization_pct: float | None, targets: tuple[float, float]) -> str:
    """`low`, `mid` or `good` against the target bands (FLOORPULSE_UTILIZATION_TARGETS)."""
    if utilization_pct is None:
        return "none"
    low, good = targets
    if utilization_pct >= good:
        return "good"
    return "mid" if utilization_pct >= low else "low"
