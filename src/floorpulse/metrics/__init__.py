"""The metrics model, pure: events in, state intervals and mergeable tallies out.

Imports only the standard library, so every rule of docs/METRICS.md is tested on plain data.
"""
