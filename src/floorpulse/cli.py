"""The `floorpulse` command.

Server modules are imported by the commands that use them, so `floorpulse edge`, on a camera's
gateway, loads no server code (nor its start-up time).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from floorpulse import __version__
from floorpulse.access.cli import app as keys_app
from floorpulse.edge.cli import app as edge_app

if TYPE_CHECKING:
    from fastapi import FastAPI

    from floorpulse.demo.schemas import SeedResult
    from floorpulse.demo.service import DemoService, SeedPlan
    from floorpulse.settings import Settings

app = typer.Typer(
    help="FloorPulse: worker-productivity analytics for factories.", no_args_is_help=True
)
app.add_typer(edge_app, name="edge")
app.add_typer(keys_app, name="keys")


def _migrate(settings: Settings) -> None:
    from floorpulse.db.engine import Database
    from floorpulse.db.migrate import upgrade

    database = Database(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)
    try:
        upgrade(database)
    finally:
        database.dispose()


@app.command()
def serve(
    host: Annotated[
        str | None, typer.Option(help="Address to bind [default: FLOORPULSE_HOST]")
    ] = None,
    port: Annotated[int | None, typer.Option(help="Port [default: FLOORPULSE_PORT]")] = None,
    demo: Annotated[
        bool, typer.Option("--demo", help="Seed 24 h of history if empty; simulate live cameras")
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(help="Server processes [default: FLOORPULSE_WORKERS]; >1 needs PostgreSQL"),
    ] = None,
) -> None:
    """Apply database migrations, then serve the API, its docs and the dashboard."""
    from floorpulse.observability import logs
    from floorpulse.settings import get_settings

    given = {"host": host, "port": port, "demo": demo or None, "workers": workers}
    settings = get_settings().model_copy(
        update={key: value for key, value in given.items() if value is not None}
    )
    logs.configure(settings.log_level)
    _check_processes(settings)
    _migrate(settings)
    typer.echo(_who_may_connect(settings))
    if settings.demo:
        _seed_demo(settings)
    many = f", {settings.workers} processes" if settings.workers > 1 else ""
    typer.echo(f"FloorPulse {__version__} on http://{settings.host}:{settings.port}{many}")
    with _shared_metrics(settings.workers):
        _share_drawing(settings.workers)
        _run(settings)


def _run(settings: Settings) -> None:
    import uvicorn

    from floorpulse.observability import logs

    uvicorn.run(
        served_app(settings) if settings.workers == 1 else "floorpulse.cli:served_app",
        factory=settings.workers > 1,  # each process builds its own app
        workers=settings.workers,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        http="floorpulse.slowclients:HeaderDeadline",
        log_config=logs.config(settings.log_level),
        access_log=False,  # RequestLog writes one line per request, with its id
        limit_concurrency=settings.max_connections,
    )


def _share_drawing(processes: int) -> None:
    """The processes of one `serve --workers N` draw dashboard views in one drawing process
    (dashboard/drawing.py): they inherit the secret that names their group."""
    import os
    import secrets
    import sys

    from floorpulse.dashboard.group import GROUP

    if processes > 1 and sys.platform == "linux":  # its socket is in Linux's abstract namespace
        os.environ[GROUP] = secrets.token_hex(16)


@contextmanager
def _shared_metrics(processes: int) -> Iterator[None]:
    """Several processes keep their /metrics figures in one folder (prometheus_client's
    multiprocess mode), which each reads when scraped; it must start empty."""
    import os
    import shutil
    import tempfile
    from pathlib import Path

    from floorpulse.observability.telemetry import MULTIPROCESS_DIR

    if processes == 1:
        yield
        return
    given = os.environ.get(MULTIPROCESS_DIR)
    folder = Path(given) if given else Path(tempfile.mkdtemp(prefix="floorpulse-metrics-"))
    for stale in folder.glob("*.db"):  # an earlier run's
        stale.unlink()
    os.environ[MULTIPROCESS_DIR] = str(folder)  # the worker processes inherit it
    try:
        yield
    finally:
        if not given:
            shutil.rmtree(folder, ignore_errors=True)


def served_app(settings: Settings | None = None) -> FastAPI:
    """The app one server process serves; `serve --workers N` has uvicorn call it in each."""
    from floorpulse.app import create_app
    from floorpulse.observability import logs
    from floorpulse.settings import get_settings
    from floorpulse.slowclients import HeaderDeadline

    settings = settings or get_settings()
    logs.configure(settings.log_level)
    HeaderDeadline.header_timeout_s = settings.header_timeout_s
    app = create_app(settings)
    app.state.drawing.start()  # the dashboard's first view need not wait for its process
    return app


def _check_processes(settings: Settings) -> None:
    """Several processes share one database: PostgreSQL's, which takes many writers; the
    demo's simulated cameras are one program, not one per process."""
    refusal = None
    if settings.workers > 1 and settings.database_url.startswith("sqlite"):
        refusal = (
            f"refusing --workers {settings.workers} on SQLite: it takes one writer at a time, so "
            "more processes only wait for each other. Serve one process, or set "
            "FLOORPULSE_DATABASE_URL to PostgreSQL (docs/SCALING.md)."
        )
    elif settings.workers > 1 and settings.demo:
        refusal = "refusing --demo with --workers: the demo runs in one process"
    if refusal:
        typer.echo(refusal, err=True)
        raise typer.Exit(2)


def _who_may_connect(settings: Settings) -> str:
    """Say who may connect; refuse to listen beyond this machine while no key guards it."""
    from floorpulse.access.keys import is_loopback
    from floorpulse.access.service import Access
    from floorpulse.db.engine import Database

    database = Database(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)
    try:
        access = Access(database, settings.session_hours)
        access.refresh()
        keyed = access.any_keys()
    finally:
        database.dispose()
    if keyed:
        return "API keys are set: every request needs one (dashboard: sign in with a read key)"
    if not is_loopback(settings.host):
        typer.echo(
            f"refusing to listen on {settings.host}: no API key exists, so anyone on the network "
            "could send and read everything. Create keys first (floorpulse keys create --scope "
            "admin --name you), or listen on 127.0.0.1.",
            err=True,
        )
        raise typer.Exit(2)
    return "no API keys: answering this machine only (loopback); `floorpulse keys` adds some"


@app.command()
def seed(
    hours: Annotated[float, typer.Option(min=0.01, max=24 * 31, help="History up to now")] = 24,
    workers: Annotated[int, typer.Option(min=1, max=500)] = 6,
    stations: Annotated[int, typer.Option(min=1, max=200)] = 6,
    seed: Annotated[int, typer.Option(min=0, help="Same seed, same factory")] = 0,
    clear: Annotated[bool, typer.Option("--clear", help="Delete every stored event first")] = False,
) -> None:
    """Write made-up history through the ingestion path (validation, dedup, rollups)."""
    from floorpulse.demo.service import SeedPlan
    from floorpulse.settings import get_settings

    settings = get_settings()
    _migrate(settings)
    plan = SeedPlan(hours=hours, workers=workers, stations=stations, seed=seed, clear=clear)
    with _demo(settings) as demo:
        _report(_seed(demo, plan))


@contextmanager
def _demo(settings: Settings) -> Iterator[DemoService]:
    """The demo's use cases on the configured database, closed afterwards."""
    from floorpulse.db.engine import Database
    from floorpulse.demo.service import DemoService
    from floorpulse.events.service import EventService

    database = Database(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)
    try:
        yield DemoService(database, settings, EventService(database, settings))
    finally:
        database.dispose()


def _seed_demo(settings: Settings) -> None:
    """History for the demo: a day of it in an empty database; in a demo database, what the
    factory did while FloorPulse was stopped. A database of real data gets none."""
    from floorpulse.demo.service import SeedPlan

    with _demo(settings) as demo:
        if demo.is_empty():
            typer.echo("demo: the database is empty; seeding 24 hours of history")
            _report(_seed(demo, SeedPlan()))
            return
        caught_up = demo.catch_up()
        if caught_up is not None:
            typer.echo("demo: wrote what the demo factory did while FloorPulse was stopped")
            _report(caught_up)


def _seed(demo: DemoService, plan: SeedPlan) -> SeedResult:
    with typer.progressbar(length=round(plan.hours * 3600), label="seeding") as bar:
        done = [0]

        def advance(seconds: float) -> None:
            bar.update(round(seconds) - done[0])
            done[0] = round(seconds)

        return demo.seed(plan, advance)


def _report(result: SeedResult) -> None:
    typer.echo(
        f"seeded {result.from_:%Y-%m-%d %H:%M} to {result.to:%Y-%m-%d %H:%M} UTC: "
        f"{result.accepted} events stored, {result.duplicates} camera duplicates dropped, "
        f"{result.rejected} rejected, {result.cleared_events} cleared first"
    )


@app.command()
def mqtt(
    host: Annotated[str | None, typer.Option(help="Broker [default: FLOORPULSE_MQTT_HOST]")] = None,
    port: Annotated[int | None, typer.Option(help="[default: FLOORPULSE_MQTT_PORT]")] = None,
    topic: Annotated[
        str | None, typer.Option(help="Topic filter [default: floorpulse/+/events]")
    ] = None,
    group: Annotated[
        str | None, typer.Option(help="Shared subscription group [default: floorpulse]")
    ] = None,
    client_id: Annotated[
        str | None, typer.Option(help="This process's id [default: floorpulse-ingest-<host>]")
    ] = None,
) -> None:
    """Store the events published to an MQTT broker, acknowledging each message once stored;
    run several (each its own --client-id) and the broker splits the messages among them."""
    import signal
    import threading

    from floorpulse.db.engine import Database
    from floorpulse.events.mqtt import Broker, MqttIngest, consume, default_client_id
    from floorpulse.events.service import EventService
    from floorpulse.observability import logs
    from floorpulse.settings import get_settings

    given = {
        "mqtt_host": host,
        "mqtt_port": port,
        "mqtt_topic": topic,
        "mqtt_group": group,
        "mqtt_client_id": client_id,
    }
    settings = get_settings().model_validate(
        get_settings().model_dump() | {k: v for k, v in given.items() if v is not None}
    )
    logs.configure(settings.log_level)
    _migrate(settings)
    broker = Broker(
        settings.mqtt_host,
        settings.mqtt_port,
        settings.mqtt_topic,
        settings.mqtt_group,
        settings.mqtt_client_id or default_client_id(),
    )
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    database = Database(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)
    typer.echo(
        f"storing {broker.topic} from mqtt://{broker.host}:{broker.port} "
        f"(group {broker.group}, client {broker.client_id})"
    )
    try:
        consume(MqttIngest(EventService(database, settings)), broker, stop)
    except OSError as error:  # once connected, the client reconnects by itself
        typer.echo(
            f"cannot reach the MQTT broker at {broker.host}:{broker.port}: {error}", err=True
        )
        raise typer.Exit(1) from None
    finally:
        database.dispose()


@app.command()
def migrate() -> None:
    """Bring the database schema up to date (serve does this too)."""
    from floorpulse.settings import get_settings

    settings = get_settings()
    _migrate(settings)
    typer.echo(f"database schema is current ({settings.database_url})")


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(__version__)
