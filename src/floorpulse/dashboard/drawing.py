"""Dashboard views are read and drawn in a process of their own, beside the server.

A view is tens of milliseconds of Python: tallies and the timeline read from the store, the
figures drawn, the answer encoded. In the serving process that time holds the GIL, and every
ingestion request arriving meanwhile waits for it: twenty dashboards refreshing tripled
ingestion's p95 latency. In its own process the drawing runs on the other core, and the server
only passes the encoded answer on. The process reads the same store through the same services
as the API, so the dashboard and the API still agree.

The processes of one `serve --workers N` share one drawing process. Each server process starts
its own; the first to claim the group's socket draws, and the others pass their views on to it.
Else each would read every new event into its kept hours and draw every moment's view again,
and the dashboards' cost would grow with the processes, not the viewers (on 2 cores, four
processes' drawing took 58 % of a core during a burst, two processes' 45 %). Should the drawing
one end with its server, the next to ask claims the socket and draws.
"""

import gc
import logging
import multiprocessing
import multiprocessing.connection
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from floorpulse.analytics.service import MetricsService
from floorpulse.dashboard.filters import Filters
from floorpulse.dashboard.group import Group
from floorpulse.dashboard.refresh import encode, panels
from floorpulse.dashboard.views import VIEW_TTL_S, DashboardService, Moment, dashboard_views
from floorpulse.db.engine import Database
from floorpulse.errors import Forbidden, InvalidInput, NotFound
from floorpulse.events.service import EventService
from floorpulse.privacy.lens import View
from floorpulse.settings import Settings
from floorpulse.shared import Shared

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

    def __init__(self, settings: Settings, group: Group | None = None) -> None:
        self.settings, self.group = settings, group
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def start(self) -> "Future[None]":
        """Have the process start now, not wait: it takes a second or two to start. Done once
        it has started."""
        return self._submit(_ready)

    def draw(self, filters: Filters, moment: Moment, theme: str, wall: bool, view: View) -> Drawn:
        """The view of `filters` at `moment` as a viewer with `view` sees workers, drawn;
        blocks the calling thread meanwhile."""
        asked = (filters, moment, theme, wall, view)
        try:
            return self._submit(_draw, *asked).result()
        except BrokenProcessPool:  # it died drawing (killed, out of memory): one more try
            return self._submit(_draw, *asked).result()

    def drawer(self) -> int:
        """The pid of the process that draws this server's views."""
        return self._submit(_drawer).result()

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
                    initargs=(self.settings, self.group),
                )
            return self._pool

    def _replace(self, broken: ProcessPoolExecutor) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is broken:  # not replaced already by another thread that saw it die
                self._pool = None
        broken.shutdown(wait=False)
        return self._running()


# In the drawing process: the views it reads, built once as it starts to draw; or, while
# another process of its group draws, the connection to that one.
_settings: Settings | None = None
_group: Group | None = None
_views: DashboardService | None = None
_drawing_one: Connection | None = None
# A drawing process that ends with its server takes a moment to: its socket is not free yet.
ASKS, ASK_AGAIN_S = 20, 0.1


def _begin(settings: Settings, group: Group | None) -> None:
    global _settings, _group
    threading.Thread(target=_end_with_server, name="server-watch", daemon=True).start()
    _settings, _group = settings, group
    if group is None:
        _start_drawing()
    else:
        _draw_for(group)
    gc.freeze()  # as the server does: what lives as long as the process is never rescanned


def _start_drawing() -> None:
    global _views
    assert _settings is not None, "the drawing process starts with _begin"
    database = Database(_settings.database_url, sqlite_synchronous=_settings.sqlite_synchronous)
    events = EventService(database, _settings)
    _views = dashboard_views(MetricsService(database, _settings, keep_recent=True), events)


def _draw_for(group: Group) -> bool:
    """Whether this process now draws for `group`: false if another one does. The views are
    ready before the first process of the group is answered; those asking meanwhile wait."""
    try:
        listener = multiprocessing.connection.Listener(group.address, backlog=64, authkey=group.key)
    except OSError:  # claimed: EADDRINUSE
        return False
    _start_drawing()
    threading.Thread(target=_answer_all, args=(listener,), name="group", daemon=True).start()
    return True


def _answer_all(listener: multiprocessing.connection.Listener) -> None:
    while True:
        try:
            asker = listener.accept()
        except (EOFError, ConnectionError, multiprocessing.AuthenticationError):
            continue  # gone before it was answered, or not of the group: it gets nothing
        except OSError:  # out of file descriptors, say: not a reason to spin
            log.warning("could not take a connection from the group", exc_info=True)
            time.sleep(ASK_AGAIN_S)
            continue
        threading.Thread(target=_answer, args=(asker,), name="group-asker", daemon=True).start()


def _answer(asker: Connection) -> None:
    """Draw what another server process of the group asks for, for as long as it asks."""
    with asker:
        while True:
            try:
                asked = asker.recv()
            except (EOFError, OSError):
                return
            try:
                answer: Any = os.getpid() if asked is None else _drawn(*asked)
            except Exception as failed:  # the server that asked raises it as its own
                answer = failed
            try:
                asker.send(answer)
            except OSError:  # its server process ended meanwhile
                return


def _end_with_server() -> None:
    """Exit when the server does, killed or not: else the process would hold its memory and
    a database connection for nothing, for ever."""
    server = multiprocessing.parent_process()
    if server is not None:
        multiprocessing.connection.wait([server.sentinel])
        os._exit(0)


def _ready() -> None:
    """Nothing: starting the process is the point."""


def _drawer() -> int:
    return os.getpid() if _views is not None else int(_through_group(None))


def _draw(filters: Filters, moment: Moment, theme: str, wall: bool, sight: View) -> Drawn:
    asked = (filters, moment, theme, wall, sight)
    if _views is not None:
        return _drawn(*asked)
    answer: Drawn = _through_group(asked)
    return answer


def _through_group(asked: tuple[Any, ...] | None) -> Any:
    """What the group's drawing process answers. Should it have ended, this process claims the
    group and answers itself, or asks the one that claimed it first; while the one that ended
    is still going (its socket taken, its connections reset), it tries again a moment later."""
    global _drawing_one
    assert _group is not None, "only a process of a group asks another"
    for attempt in range(ASKS):
        try:
            if _drawing_one is None:
                _drawing_one = multiprocessing.connection.Client(_group.address, authkey=_group.key)
            _drawing_one.send(asked)
            answer = _drawing_one.recv()
            break
        except (OSError, EOFError):
            _drawing_one = None
            if _draw_for(_group):
                log.info("this process now draws its group's dashboard views")
                return _drawer() if asked is None else _drawn(*asked)
            if attempt == ASKS - 1:
                raise
            time.sleep(ASK_AGAIN_S)
    if isinstance(answer, Exception):
        raise answer
    return answer


def _draw_here(filters: Filters, moment: Moment, theme: str, wall: bool, sight: View) -> Drawn:
    assert _views is not None, "drawn by the process that claimed the group, or has none"
    try:
        view = _views.overview(filters, moment, sight)
    # A link or pick the metrics cannot answer, or a worker the viewer may not ask for.
    except (InvalidInput, Forbidden, NotFound) as refused:
        return Drawn([], refused.detail)
    targets = _views.metrics.settings.utilization_targets
    return Drawn(encode(panels(view, filters, theme, targets, wall)))


# Each moment's view drawn once, for every server process of the group that asks for it.
_drawn = Shared(_draw_here, VIEW_TTL_S, maxsize=128)
