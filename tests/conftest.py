"""Fixtures: a fresh, migrated database per test; the app built by create_app; a fixed clock.

SQLite (default): each test gets a copy of one migrated template file.
PostgreSQL (`--database-url postgresql+psycopg://…`): each test gets a database created from a
migrated template database, dropped afterwards. Tests that use the database are marked `db`,
which is what the PostgreSQL pass runs (browser tests aside: they run once, on SQLite).
"""

import itertools
import os
import shutil
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from floorpulse import devtools
from floorpulse.access.keys import Scope
from floorpulse.access.schemas import KeyIn
from floorpulse.app import create_app
from floorpulse.db.engine import Database
from floorpulse.db.migrate import upgrade
from floorpulse.privacy.lens import View
from floorpulse.settings import Settings
from tests.factories import LOCAL, FixedClock, Issue
from tests.server.live import LiveServer, StartServer

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--database-url",
        default=None,
        help="Run database tests on this PostgreSQL server (a user allowed to create databases).",
    )
    parser.addoption(
        "--ports",
        default=None,
        help="Start test servers on ports of this range (FIRST-LAST), apart from another suite's.",
    )


def pytest_configure(config: pytest.Config) -> None:
    ports = config.getoption("--ports")
    if ports:
        first, last = (int(end) for end in ports.split("-"))
        devtools.PORTS = range(first, last + 1)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--database-url") is None:
        needing = [item for item in items if item.get_closest_marker("postgresql")]
        if needing:
            config.hook.pytest_deselected(items=needing)
            items[:] = [item for item in items if item not in needing]
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if "database_url" in fixtures:
            item.add_marker(pytest.mark.db)
        if "start_server" in fixtures:
            item.add_marker(pytest.mark.server)
    # Browser tests last, as their own tier: Playwright's sync API leaves an event loop running
    # in this thread, and later tests that call asyncio.run() would fail.
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)


@pytest.fixture(scope="session")
def _template(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    server_url = request.config.getoption("--database-url")
    if server_url is None:
        path = tmp_path_factory.mktemp("template") / "floorpulse.db"
        _migrate(f"sqlite:///{path}")
        yield str(path)
        return
    name = f"fp_template_{os.getpid()}"
    _admin(server_url, f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"')
    _migrate(make_url(server_url).set(database=name).render_as_string(hide_password=False))
    yield name
    _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


_numbers = itertools.count()


@pytest.fixture
def database_url(request: pytest.FixtureRequest, _template: str, tmp_path: Path) -> Iterator[str]:
    """A fresh database at the current schema, for this test alone."""
    server_url = request.config.getoption("--database-url")
    if server_url is None:
        shutil.copy(_template, tmp_path / "floorpulse.db")
        yield f"sqlite:///{tmp_path / 'floorpulse.db'}"
        return
    name = f"fp_test_{os.getpid()}_{next(_numbers)}"
    _admin(server_url, f'CREATE DATABASE "{name}" TEMPLATE "{_template}"')
    yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def settings(database_url: str) -> Settings:
    # Rollups are rebuilt when a test says so (the keeper runs once, at start).
    return Settings(  # type: ignore[call-arg]
        database_url=database_url,
        sqlite_synchronous="NORMAL",
        rollup_interval_s=3600,
        alert_interval_s=3600,
        _env_file=None,
    )


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def app(settings: Settings, clock: FixedClock) -> FastAPI:
    return create_app(settings, clock=clock)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, client=LOCAL) as test_client:
        yield test_client


@pytest.fixture
def issue(app: FastAPI) -> Issue:
    """Creates an API key on the app's database and answers it: the server is keyed from then."""

    def create(scope: Scope, name: str = "", view: View = View.NAMED) -> str:
        wanted = KeyIn(name=name or f"{scope.value} holder", scope=scope, view=view)
        return str(app.state.access.create(wanted).key)

    return create


@pytest.fixture
def db(app: FastAPI) -> Database:
    """The app's own database, for looking behind the API."""
    database: Database = app.state.database
    return database


@pytest.fixture
def start_server(database_url: str, tmp_path: Path) -> Iterator[StartServer]:
    """Starts servers on the test's database; all are stopped after the test."""
    started: list[LiveServer] = []

    def start(port: int | None = None, *args: str, **env: str) -> LiveServer:
        started.append(LiveServer(database_url, tmp_path, port, args, env))
        return started[-1]

    yield start
    for server in started:
        server.stop()


def _migrate(url: str) -> None:
    database = Database(url)
    upgrade(database)
    if database.is_sqlite:  # fold the WAL into the main file, which is what gets copied
        with database.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.dispose()


def _admin(server_url: str, *statements: str) -> None:
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)
    engine.dispose()


BROKER = ("127.0.0.1", int(os.environ.get("FLOORPULSE_TEST_MQTT_PORT", "1883")))


@pytest.fixture
def broker() -> tuple[str, int]:
    """The local MQTT broker; missing, the test is skipped, except under CI where it must run."""
    try:
        socket.create_connection(BROKER, timeout=2).close()
    except OSError:
        if os.environ.get("CI") == "true":
            pytest.fail(f"no MQTT broker on {BROKER}; CI needs one (docs/EDGE.md)")
        pytest.skip(f"no MQTT broker on {BROKER}")
    return BROKER
