from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.server.live import LiveServer

StartServer = Callable[[], LiveServer]


@pytest.fixture
def start_server(database_url: str, tmp_path: Path) -> Iterator[StartServer]:
    """Starts servers on the test's database; all are stopped after the test."""
    started: list[LiveServer] = []

    def start() -> LiveServer:
        started.append(LiveServer(database_url, tmp_path))
        return started[-1]

    yield start
    for server in started:
        server.stop()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "start_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.server)
