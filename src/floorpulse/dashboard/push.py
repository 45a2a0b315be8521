"""Push: one watcher tells every open dashboard that the stored data changed.

The watcher reads a cheap version of the store (the newest row's id and the latest seeding) a
few times a second, and only while someone listens, so its cost does not grow with the number
of viewers. A change starts a new generation of the store, at most one a MIN_GAP_S, or one every
two drawings of a view when drawing takes longer (a browser shows the answer to its latest
request only: asked again before the last view arrived, it would show none); a quiet
store gets one every HEARTBEAT_S anyway, which keeps the time windows sliding and tells the
browser that push is alive. Every viewer hears every generation and asks for the same view,
which is read once for all: twenty screens cost what one does, busy or quiet. A generation is
named by the tick of the wall clock it began at, and every watcher looks at the store on the
same ticks, so the server processes of a host name the same change alike and their viewers'
views are drawn once for all of them (drawing.py). Their beats of a
generation are spread over SPREAD_S, each viewer at an offset of its own, so that their
twenty requests do not reach the server in one burst, which ingestion's requests would wait
behind (a refresh answered from the shared view still costs the server ~1.6 ms).
"""

import asyncio
import logging
import math
import time
from collections.abc import AsyncIterator, Callable, Hashable
from contextlib import suppress
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

log = logging.getLogger(__name__)

WATCH_S = 0.25
MIN_GAP_S = 1.0
DRAWINGS_A_GAP = 2  # a busy store's generations leave room for a view's drawing, and its way
HEARTBEAT_S = 5.0
SPREAD_S = 0.5
# Offsets at multiples of the golden ratio: however many viewers, they fall evenly apart.
GOLDEN = (5**0.5 - 1) / 2


def offset_s(listener: int, spread_s: float = SPREAD_S) -> float:
    """How long after a generation begins the `listener`-th viewer to join hears of it."""
    return (listener * GOLDEN) % 1 * spread_s


P = ParamSpec("P")
T = TypeVar("T")


class Pace:
    """How long the latest view took to draw."""

    def __init__(self) -> None:
        self.latest_s = 0.0

    def timed(self, draw: Callable[P, T]) -> Callable[P, T]:
        def timed_draw(*args: P.args, **kwargs: P.kwargs) -> T:
            started = time.monotonic()
            try:
                return draw(*args, **kwargs)
            finally:
                self.latest_s = time.monotonic() - started

        return timed_draw

    def drawing_s(self) -> float:
        return self.latest_s


@dataclass(frozen=True)
class Beat:
    """What a viewer is pushed: the store's generation (it grows on every change and every
    heartbeat), the beat's number on this connection (it grows on every beat, so each one is
    news) and how often beats come at the least."""

    generation: int
    n: int
    heartbeat_s: float

    def wire(self) -> dict[str, float]:
        """As the browser gets it; it falls back to polling after a heartbeat or so of silence."""
        return {"generation": self.generation, "n": self.n, "heartbeat_s": self.heartbeat_s}


class Pulse:
    """Wakes listeners when `read_version()` answers something new; lives on one event loop."""

    def __init__(
        self,
        read_version: Callable[[], Hashable],
        watch_s: float = WATCH_S,
        min_gap_s: float = MIN_GAP_S,
        heartbeat_s: float = HEARTBEAT_S,
        spread_s: float = SPREAD_S,
        drawing_s: Callable[[], float] = lambda: 0.0,
    ) -> None:
        self.read_version, self.drawing_s = read_version, drawing_s
        self.watch_s, self.min_gap_s, self.heartbeat_s = watch_s, min_gap_s, heartbeat_s
        self.spread_s = spread_s
        self.generation = 0
        self.listeners = 0
        self.joined = 0
        self._changed: asyncio.Condition | None = None
        self._watcher: asyncio.Task[None] | None = None

    async def beats(self) -> AsyncIterator[Beat]:
        """A listener's beats, for as long as it iterates."""
        self.listeners += 1
        delay_s = offset_s(self.joined, self.spread_s)
        self.joined += 1
        self._watch()
        try:
            seen, n = self.generation, 0
            while True:
                n += 1
                yield Beat(seen, n, self.heartbeat_s)
                await self._change_after(seen)
                seen = self.generation
                await asyncio.sleep(delay_s)
        finally:
            self.listeners -= 1

    async def _change_after(self, seen: int) -> None:
        """Returns when the generation moved past `seen`; after two heartbeats' silence too,
        so that a listener still beats should the watcher stall."""
        changed = self._condition()
        async with changed:
            with suppress(TimeoutError):
                news = changed.wait_for(lambda: self.generation != seen)
                await asyncio.wait_for(news, 2 * self.heartbeat_s)

    def _condition(self) -> asyncio.Condition:
        if self._changed is None:  # made on first use, inside the loop that serves the viewers
            self._changed = asyncio.Condition()
        return self._changed

    def _watch(self) -> None:
        if self._watcher is None or self._watcher.done():
            self._watcher = asyncio.create_task(self._watching())

    async def _watching(self) -> None:
        last = await self._read()
        moved_at, tick = time.monotonic(), self._tick()
        while self.listeners:
            tick += 1
            await asyncio.sleep(max(0.0, tick * self.watch_s - time.time()))
            version = await self._read()
            if version is not None and version != last:
                last = version
                moved_at = await self._next_generation(tick)
                # One generation a gap at most, the same for every viewer: each is read once.
                gap_s = max(self.min_gap_s, DRAWINGS_A_GAP * self.drawing_s())
                tick += max(1, math.ceil(gap_s / self.watch_s)) - 1
            elif time.monotonic() - moved_at >= self.heartbeat_s:
                moved_at = await self._next_generation(tick)
            tick = max(tick, math.floor(time.time() / self.watch_s))  # a read over a tick long

    async def _next_generation(self, tick: int) -> float:
        changed = self._condition()
        async with changed:
            # Named by its tick; one more than the last should the wall clock step back.
            self.generation = max(self.generation + 1, tick)
            changed.notify_all()
        return time.monotonic()

    def _tick(self) -> int:
        """The tick of the wall clock nearest now: a sleep may end a hair early."""
        return round(time.time() / self.watch_s)

    async def _read(self) -> Hashable | None:
        try:
            return await asyncio.to_thread(self.read_version)
        except Exception:  # the database may be away for a moment; the next read tells
            log.warning("could not read the store's version", exc_info=True)
            return None
