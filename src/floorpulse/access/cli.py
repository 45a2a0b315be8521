"""`floorpulse keys`: create, list and revoke API keys on the server's own database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails

    from floorpulse.access.service import Access

app = typer.Typer(help="API keys: ingest (cameras), read (dashboards), admin (everything).")


@contextmanager
def _access() -> Iterator[Access]:
    from floorpulse.access.service import Access
    from floorpulse.db.engine import Database
    from floorpulse.db.migrate import upgrade
    from floorpulse.settings import get_settings

    settings = get_settings()
    database = Database(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)
    try:
        upgrade(database)
        yield Access(database, settings.session_hours)
    finally:
        database.dispose()


@app.command()
def create(
    name: Annotated[str, typer.Option(help="Who holds it: camera-3, line-2-tv, ana")],
    scope: Annotated[str, typer.Option(help="ingest | read | admin")],
    view: Annotated[
        str, typer.Option(help="What a read key sees of workers: named | pseudonymous | process")
    ] = "named",
) -> None:
    """Create a key and print it, this once: only its hash is stored."""
    from pydantic import ValidationError

    from floorpulse.access.schemas import KeyIn

    try:
        wanted = KeyIn.model_validate({"name": name, "scope": scope, "view": view})
    except ValidationError as error:
        problems = "; ".join(_option(e) for e in error.errors())
        raise typer.BadParameter(problems) from None
    with _access() as access:
        created = access.create(wanted)
    typer.echo(created.key)
    typer.echo(
        f"key {created.id} ({created.scope.value}, {created.view.value} view) for "
        f"{created.name!r}: copy it now, "
        "it cannot be shown again",
        err=True,
    )


def _option(error: ErrorDetails) -> str:
    """A validation error as the option it is about says it (the model's own checks name none)."""
    where = f"--{error['loc'][0]}: " if error["loc"] else ""
    return where + error["msg"].removeprefix("Value error, ")


@app.command("list")
def list_keys() -> None:
    """Every key: id, scope, name, first characters, created, revoked."""
    with _access() as access:
        keys = access.listed()
    if not keys:
        typer.echo("no API keys: the server answers this machine only (loopback)")
    for key in keys:
        state = f"revoked {key.revoked:%Y-%m-%d %H:%M}" if key.revoked else "active"
        typer.echo(
            f"{key.id:>4}  {key.scope.value:<6}  {key.view.value:<12}  {key.name:<24}  "
            f"{key.prefix}…  "
            f"created {key.created:%Y-%m-%d %H:%M}  {state}"
        )


@app.command()
def revoke(key_id: Annotated[int, typer.Argument(help="The key's id (keys list)")]) -> None:
    """Revoke a key; every server process refuses it within seconds, its sign-ins end."""
    from floorpulse.errors import NotFound

    with _access() as access:
        try:
            key = access.revoke(key_id)
        except NotFound as missing:
            typer.echo(missing.detail, err=True)
            raise typer.Exit(1) from None
    typer.echo(f"revoked key {key.id} ({key.scope.value}) of {key.name!r}")
