"""Dashboard views are read and drawn in a process of their own, beside the server.

A view is tens of milliseconds of Python: tallies and the timeline read from the store, the
figures drawn, the answer encoded. In the serving process that time holds the GIL, and every
ingestion request arriving meanwhile waits for it: twenty dashboards refreshing tripled
ingestion's p95 latency. In its own process the drawing runs on the other core, and the server
only passes the encoded answer on. The process reads the same store through the same services
as the API, so the dashboard and the API still agree.
"""

import gc
import logging
import multiprocessing
import multiprocessing.connection
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import TypeVar

from floorpulse.analytics.service import MetricsService
from floorpulse.dashboard.filters import Filters
from floorpulse.dashboard.refresh import encode, panels
from floorpulse.dashboard.views import DashboardService, Moment, dashboard_views
from floorpulse.db.engine import Database
from floorpulse.errors import Forbidden, InvalidInput, NotFound
from floorpulse.events.service import EventService
from floorpulse.privacy.lens import View
from floorpulse.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class Drawn:
    """A view's outputs as JSON, in the refresh callback's order; or, when the filters ask for
    what the metrics cannot answer, why not (and no outputs)."""

    outputs: list[bytes]
    refused: str | None = None


class Drawing:
    """The drawing process, started on first use and started again should it die."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        """Have the process start now, not wait: it takes a second or two to start."""
        self._submit(_ready)

    def draw(self, filters: Filters, moment: Moment, theme: str, wall: bool, view: View) -> Drawn:
        """The view of `filters` at `moment` as a viewer with `view` sees workers, drawn;
        blocks the calling thread meanwhile."""
        asked = (filters, moment, theme, wall, view)
        try:
            return self._submit(_draw, *asked).result()
        except BrokenProcessPool:  # it died drawing (killed, out of memory): one more try
            return self._submit(_draw, *asked).result()

    def _submit(self, task: Callable[..., T], *args: object) -> "Future[T]":
        """`task(*args)` in the process; in a new one if it has died."""
        pool = self._running()
        try:
            return pool.submit(task, *args)
        except BrokenProcessPool:
            log.warning("the dashboard's drawing process ended; starting it again")
            return self._replace(pool).submit(task, *args)

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    def _running(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=1,
                    # A fresh interpreter: forking a server with threads running is unsafe.
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_begin,
                    initargs=(self.settings,),
                )
            return self._pool

    def _replace(self, broken: ProcessPoolExecutor) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is broken:  # not replaced already by another thread that saw it die
                self._pool = None
        broken.shutdown(wait=False)
        return self._running()


# In the drawing process: the views it reads, built once as it starts.
_views: DashboardService | None = None


def _begin(settings: Settings) -> None:
    global _views
    threading.Thread(target=_end_with_server, name="server-watch", daemon=True).start()
    database = Database(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)
    events = EventService(database, settings)
    _views = dashboard_views(MetricsService(database, settings, keep_recent=True), events)
    gc.freeze()  # as the server does: what lives as long as the process is never rescanned


def _end_with_server() -> None:
    """Exit when the server does, killed or not: else the process would hold its memory and
    a database connection for nothing, for ever."""
    server = multiprocessing.parent_process()
    if server is not None:
        multiprocessing.connection.wait([server.sentinel])
        os._exit(0)


def _ready() -> None:
    """Nothing: starting the process is the point."""


def _draw(filters: Filters, moment: Moment, theme: str, wall: bool, sight: View) -> Drawn:
    assert _views is not None, "the drawing process starts with _begin"
    try:
        view = _views.overview(filters, moment, sight)
    # A link or pick the metrics cannot answer, or a worker the viewer may not ask for.
    except (InvalidInput, Forbidden, NotFound) as refused:
        return Drawn([], refused.detail)
    targets = _views.metrics.settings.utilization_targets
    return Drawn(encode(panels(view, filters, theme, targets, wall)))
