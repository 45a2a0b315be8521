"""Metrics over stored events: hourly rollups kept fresh, and the windows people ask about."""
