"""The `floorpulse` command."""

from typing import Annotated

import typer
import uvicorn

from floorpulse import __version__
from floorpulse.db.engine import Database
from floorpulse.db.migrate import upgrade
from floorpulse.edge.cli import app as edge_app
from floorpulse.settings import Settings, get_settings

app = typer.Typer(
    help="FloorPulse: worker-productivity analytics for factories.", no_args_is_help=True
)
app.add_typer(edge_app, name="edge")


def _migrate(settings: Settings) -> None:
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
) -> None:
    """Apply database migrations, then serve the API, its docs and the dashboard."""
    settings = get_settings()
    _migrate(settings)
    typer.echo(
        f"FloorPulse {__version__} on http://{host or settings.host}:{port or settings.port}"
    )
    uvicorn.run(
        "floorpulse.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        log_level=settings.log_level,
    )


@app.command()
def migrate() -> None:
    """Bring the database schema up to date (serve does this too)."""
    settings = get_settings()
    _migrate(settings)
    typer.echo(f"database schema is current ({settings.database_url})")


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(__version__)
