"""Views drawn in the drawing process: what the server's own services draw, a process that
dies is replaced, the process never outlives the server, and the server processes of one group
draw in one process."""

import multiprocessing
import multiprocessing.connection
import os
import secrets
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import orjson
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from floorpulse.dashboard import ids, refresh
from floorpulse.dashboard.drawing import Drawing
from floorpulse.dashboard.filters import Filters
from floorpulse.dashboard.group import Group
from floorpulse.dashboard.views import DashboardService
from floorpulse.privacy.lens import View
from floorpulse.settings import Settings
from tests.analytics.test_metrics_api import at, post
from tests.conftest import StartServer

# A closed window (the drawing process's clock is the real one, the test app's stands still).
DAY = Filters(
    range="custom",
    start=datetime(2026, 1, 15, 8, tzinfo=UTC),
    end=datetime(2026, 1, 15, 12, tzinfo=UTC),
)
T = TypeVar("T")
COMPARED = [ids.KPIS, ids.LEADERBOARD, ids.STATIONS, ids.HEATMAP, ids.TREND, ids.STREAM]


@pytest.fixture
def drawing(settings: Settings) -> Iterator[Drawing]:
    drawing = Drawing(settings)
    yield drawing
    drawing.close()


@pytest.fixture
def group_of_two(settings: Settings) -> Iterator[list[Drawing]]:
    """Two server processes' drawings, of one group."""
    group = Group(secrets.token_hex(8))
    drawings = [Drawing(settings, group), Drawing(settings, group)]
    yield drawings
    for drawing in drawings:
        drawing.close()


def drawn_here(app: FastAPI, filters: Filters) -> dict[str, object]:
    """What the server's own services draw, decoded, by output."""
    views: DashboardService = app.state.dashboard
    values = refresh.panels(views.overview(filters), filters, "dark", (60.0, 80.0))
    return _by_output([orjson.loads(value) for value in refresh.encode(values)])


def drawn_there(drawing: Drawing, filters: Filters, moment: int = 1) -> dict[str, object]:
    drawn = drawing.draw(filters, ("generation", moment), "dark", False, View.NAMED)
    assert drawn.refused is None
    return _by_output([orjson.loads(output) for output in drawn.outputs])


def _by_output(values: list[object]) -> dict[str, object]:
    keys = [key for key, _ in refresh.PANEL_OUTPUTS]
    return dict(zip(keys, values, strict=True))


def test_the_drawing_process_draws_what_the_servers_services_draw(
    client: TestClient, app: FastAPI, drawing: Drawing
) -> None:
    post(client, at("08:30"), at("09:10", "product_count", count=4), at("10:15", "idle"))

    there, here = drawn_there(drawing, DAY), drawn_here(app, DAY)

    for key in COMPARED:
        assert there[key] == here[key], key
    assert "4" in orjson.dumps(there[ids.KPIS]).decode()


def test_a_window_the_metrics_refuse_is_told_not_drawn(drawing: Drawing) -> None:
    backwards = Filters(range="custom", start=DAY.end, end=DAY.start)

    drawn = drawing.draw(backwards, ("generation", 1), "dark", False, View.NAMED)

    assert drawn.outputs == []
    assert drawn.refused


def test_a_drawing_process_that_dies_is_replaced_by_the_next_view(
    client: TestClient, drawing: Drawing
) -> None:
    post(client, at("08:30"))
    drawn_there(drawing, DAY)
    (pid,) = _children(os.getpid(), "spawn_main")

    os.kill(pid, signal.SIGKILL)

    assert drawn_there(drawing, DAY, moment=2)[ids.KPIS]
    (replaced,) = _children(os.getpid(), "spawn_main")
    assert replaced != pid


def test_the_server_processes_of_a_group_draw_in_one_process(
    client: TestClient, app: FastAPI, group_of_two: list[Drawing]
) -> None:
    post(client, at("08:30"), at("09:10", "product_count", count=4), at("10:15", "idle"))
    first, second = group_of_two

    drawing_one = first.drawer()  # the first to start claims the group

    assert second.drawer() == drawing_one
    assert len(_children(os.getpid(), "spawn_main")) == 2  # each server process started one
    there, here = drawn_there(second, DAY), drawn_here(app, DAY)
    for key in COMPARED:
        assert there[key] == here[key], key


def test_when_the_groups_drawing_process_ends_the_next_to_ask_draws(
    client: TestClient, group_of_two: list[Drawing]
) -> None:
    post(client, at("08:30"))
    first, second = group_of_two
    drawing_one = first.drawer()
    second.drawer()

    os.kill(drawing_one, signal.SIGKILL)  # as when its server process is killed

    assert drawn_there(second, DAY, moment=2)[ids.KPIS]
    took_over = second.drawer()
    assert took_over != drawing_one
    assert first.drawer() == took_over  # the first's new process asks the one drawing now


def test_processes_asking_as_one_takes_over_all_get_their_views(
    client: TestClient, settings: Settings
) -> None:
    post(client, at("08:30"))
    group = Group(secrets.token_hex(8))
    drawings = [Drawing(settings, group) for _ in range(3)]
    try:
        drawing_one = drawings[0].drawer()
        assert {drawing.drawer() for drawing in drawings[1:]} == {drawing_one}
        os.kill(drawing_one, signal.SIGKILL)

        # Both find it gone at once: one claims the group, the other asks it while it starts.
        with ThreadPoolExecutor(2) as pool:
            drawn = list(pool.map(lambda d: drawn_there(d, DAY, 2), drawings[1:]))

        assert all(views[ids.KPIS] for views in drawn)
        assert drawings[1].drawer() == drawings[2].drawer() != drawing_one
    finally:
        for drawing in drawings:
            drawing.close()


def test_a_drawing_process_still_ending_is_waited_for_then_taken_over(
    client: TestClient, settings: Settings
) -> None:
    post(client, at("08:30"))
    group = Group(secrets.token_hex(8))
    # The group's drawing process on its way out: its socket still taken, every connection
    # dropped as it comes.
    ending = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    ending.bind(group.address)
    ending.listen()
    threading.Thread(target=_drop_all, args=(ending,), daemon=True).start()
    drawing = Drawing(settings, group)
    try:
        drawing.start().result()  # found the group's socket taken: it asks, not draws
        with ThreadPoolExecutor(1) as pool:
            asked = pool.submit(drawn_there, drawing, DAY)
            time.sleep(0.5)
            ending.shutdown(socket.SHUT_RDWR)  # now it has ended
            ending.close()

            assert asked.result(timeout=30)[ids.KPIS]
        assert drawing.drawer() in _children(os.getpid(), "spawn_main")  # it draws itself
    finally:
        drawing.close()


def _drop_all(listening: socket.socket) -> None:
    while True:
        try:
            connection, _ = listening.accept()
        except OSError:
            return
        connection.close()


def test_a_process_without_the_groups_secret_is_not_answered(group_of_two: list[Drawing]) -> None:
    first, _ = group_of_two
    first.drawer()
    address = first.group.address if first.group else ""

    with pytest.raises(multiprocessing.AuthenticationError):
        multiprocessing.connection.Client(address, authkey=b"a guess")


def test_without_a_group_each_server_process_draws_in_its_own(settings: Settings) -> None:
    drawings = [Drawing(settings), Drawing(settings)]
    try:
        assert drawings[0].drawer() != drawings[1].drawer()
    finally:
        for drawing in drawings:
            drawing.close()


def test_the_drawing_process_ends_with_a_killed_server(start_server: StartServer) -> None:
    server = start_server()  # `floorpulse serve` starts the drawing process with the server
    pid = server.process.pid
    drawing = _eventually(lambda: _children(pid, "spawn_main"))

    server.kill()

    assert _eventually(lambda: not any(Path(f"/proc/{p}").exists() for p in drawing))


def _children(parent: int, marker: str) -> list[int]:
    """The processes `parent` started whose command line holds `marker`."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().decode(errors="replace")
        except (OSError, ValueError):
            continue
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        if int(ppid) == parent and state != "Z" and marker in command:  # Z: dead, not reaped
            found.append(int(entry.name))
    return found


def _eventually(check: Callable[[], T], within_s: float = 20) -> T:
    deadline = time.monotonic() + within_s
    while not (found := check()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert found
    return found
