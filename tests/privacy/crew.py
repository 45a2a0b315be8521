"""The crew the privacy tests look at: ids and names that must not show where hidden."""

import re

# Three workers on one line, one alone on nights; ids and names that would show in any answer.
CREW = {
    "ana-7": ("Ana Costa", "Line 1"),
    "ben-2": ("Ben Okafor", "Line 1"),
    "cai-5": ("Cai Lin", "Line 1"),
    "dan-9": ("Dan Roe", "Night"),
}
IDENTIFYING = re.compile("|".join([*CREW, *(name for name, _ in CREW.values())]))
TODAY = {"from": "2026-01-15T08:00:00Z", "to": "2026-01-15T12:00:00Z"}
PER_WORKER = [
    ("/api/metrics/workers", {}),
    ("/api/metrics/timeline", {}),
    ("/api/metrics/timeseries", {"scope": "worker"}),
    ("/api/events", {}),
    ("/api/workers", {}),
]
