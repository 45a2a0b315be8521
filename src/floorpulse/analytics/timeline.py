"""The state timeline from hourly pieces, each kept until the events it is drawn from change.

Every open dashboard draws the last day's timeline each second, and building a day of bands
from raw events takes hundreds of milliseconds; yet all but the open hour is history, which
changes only when a late event arrives. So each hour's observed bands (a tile) is kept with the
fingerprints of the hours whose events can change it (its own, and those a state timeout
before it): one indexed query reads all the fingerprints, and only the tiles whose
fingerprints moved are rebuilt from raw events, in one read per run of neighbouring hours.
"""

import threading
from collections.abc import Iterator
from itertools import chain
from typing import TypeVar

from cachetools import LRUCache
from sqlalchemy import Connection

from floorpulse.analytics import repository
from floorpulse.analytics.repository import Fingerprint
from floorpulse.metrics.intervals import Band, Window, observed, state_intervals
from floorpulse.metrics.tally import US_PER_HOUR, hour_start

# Kept bands, all tiles together: a busy floor's hour of a hundred workers is a few thousand
# bands of ~150 bytes, so this is some 30 MiB, a few days of tiles for a few filter choices.
MAX_BANDS = 200_000
K = TypeVar("K")
# site, worker filter, the tile's start.
TileKey = tuple[str, str | None, int]
# What a tile is drawn from: the fingerprints of the hours its events lie in. A tile is always
# a whole hour, the open one too: its states are drawn as far as their events take them, and
# bands() cuts them where the window ends, so a tile does not change as the clock moves.
Basis = tuple[Fingerprint | None, ...]


class Tiles:
    """Timelines of one store; safe to share between threads."""

    def __init__(self, timeout_us: int, min_confidence: float) -> None:
        self.timeout_us = timeout_us
        self.min_confidence = min_confidence
        # One version of each tile: the open hour's is replaced with every event, not added to.
        self._kept: LRUCache[TileKey, tuple[Basis, list[Band]]] = LRUCache(
            MAX_BANDS, getsizeof=_size
        )
        self._lock = threading.Lock()

    def __len__(self) -> int:
        """How many tiles are kept."""
        with self._lock:
            return len(self._kept)

    def observed(
        self, conn: Connection, site: str, window: Window, worker_id: str | None = None
    ) -> list[Band]:
        """The states observed in the window's hours, hour after hour and, within an hour,
        worker by worker (metrics.intervals.observed); whole hours, for bands() or
        at_resolution() to cut to the window and fill."""
        tiles = list(_hours(window))
        if not tiles:
            return []
        prints = repository.hourly_fingerprints(
            conn, site, tiles[0].start_us - self.timeout_us, tiles[-1].end_us, worker_id
        )
        keys: list[TileKey] = [(site, worker_id, t.start_us) for t in tiles]
        bases = {key: self._basis(t, prints) for key, t in zip(keys, tiles, strict=True)}
        with self._lock:
            kept = {key: self._kept[key] for key in keys if key in self._kept}
        found = {key: drawn for key, (basis, drawn) in kept.items() if basis == bases[key]}
        missing = [(key, tile) for key, tile in zip(keys, tiles, strict=True) if key not in found]
        for run in _runs(missing):
            run_keys = [key for key, _ in run]
            built = self._build(conn, site, [tile for _, tile in run], worker_id)
            found.update(zip(run_keys, built, strict=True))
            self._keep({key: (bases[key], found[key]) for key in run_keys})
        return list(chain.from_iterable(found[key] for key in keys))

    def _keep(self, drawn: dict[TileKey, tuple[Basis, list[Band]]]) -> None:
        with self._lock:
            for key, kept in drawn.items():
                if _size(kept) <= MAX_BANDS:  # a tile too big to keep is drawn every time
                    self._kept[key] = kept

    def _basis(self, tile: Window, prints: dict[int, Fingerprint]) -> Basis:
        first = hour_start(tile.start_us - self.timeout_us)
        return tuple(prints.get(h) for h in range(first, tile.end_us, US_PER_HOUR))

    def _build(
        self, conn: Connection, site: str, tiles: list[Window], worker_id: str | None
    ) -> list[list[Band]]:
        """Neighbouring tiles, from one read of their events (a timeout's more before)."""
        states, _ = repository.load_events(
            conn,
            site,
            tiles[0].start_us - self.timeout_us,
            tiles[-1].end_us,
            self.min_confidence,
            worker_id,
        )
        return observed(state_intervals(states, self.timeout_us), tiles)


def _size(kept: tuple[Basis, list[Band]]) -> int:
    return 1 + len(kept[1])


def _hours(window: Window) -> Iterator[Window]:
    """The whole hours the window touches."""
    for start in range(hour_start(window.start_us), window.end_us, US_PER_HOUR):
        yield Window(start, start + US_PER_HOUR)


def _runs(missing: list[tuple[K, Window]]) -> Iterator[list[tuple[K, Window]]]:
    """Missing tiles in runs of neighbours: a late event rebuilds its hours, not the day."""
    run: list[tuple[K, Window]] = []
    for item in missing:
        if run and run[-1][1].end_us != item[1].start_us:
            yield run
            run = []
        run.append(item)
    if run:
        yield run
