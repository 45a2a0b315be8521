"""The schema: migrations match the table definitions, and events are append-only."""

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import exc, text

from floorpulse.db.engine import Database
from floorpulse.db.migrate import alembic_config, current_revision, head_revision, upgrade
from floorpulse.db.partitions import is_partition
from floorpulse.db.tables import Base


def test_migrations_build_exactly_the_declared_tables(database_url: str) -> None:
    db = Database(database_url)
    with db.read() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": _not_a_partition})
        diff = compare_metadata(context, Base.metadata)
    db.dispose()

    assert diff == []


def _not_a_partition(name: str | None, kind: str, _parents: object) -> bool:
    """PostgreSQL's month tables of events are made as time goes by, not declared."""
    return not (kind == "table" and name is not None and is_partition(name))


def test_upgrading_twice_is_harmless(database_url: str) -> None:
    db = Database(database_url)
    upgrade(db)
    with db.read() as conn:
        assert current_revision(conn) == head_revision() == "0014"
    db.dispose()


def test_an_empty_database_is_at_no_revision(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'empty.db'}")
    with db.read() as conn:
        assert current_revision(conn) is None
    db.dispose()


def test_asking_the_revision_again_and_again_keeps_the_statement_cache_as_it_was(
    database_url: str,
) -> None:
    db = Database(database_url)
    with db.read() as conn:
        current_revision(conn)
    cached = len(db.engine._compiled_cache)

    for _ in range(20):  # the readiness probe, polled by every open dashboard
        with db.read() as conn:
            current_revision(conn)

    assert len(db.engine._compiled_cache) == cached
    db.dispose()


def test_a_stored_event_cannot_be_updated(database_url: str) -> None:
    db = Database(database_url)
    with db.write() as conn:
        conn.execute(
            text(
                "INSERT INTO events (site_id, ts_us, worker_id, workstation_id, event_type,"
                " confidence, count, low_confidence, received_us)"
                " VALUES ('main', 1, 'W1', 'S1', 'idle', 0.9, 1, false, 2)"
            )
        )
    with pytest.raises(exc.DatabaseError, match="append-only"), db.write() as conn:
        conn.execute(text("UPDATE events SET confidence = 0.1"))
    db.dispose()


def test_constraints_hold_below_the_api(database_url: str) -> None:
    db = Database(database_url)
    with pytest.raises(exc.IntegrityError), db.write() as conn:
        conn.execute(
            text(
                "INSERT INTO events (site_id, ts_us, worker_id, workstation_id, event_type,"
                " confidence, count, low_confidence, received_us)"
                " VALUES ('main', 1, 'W1', 'S1', 'sleeping', 0.9, 1, false, 2)"
            )
        )
    db.dispose()


def test_rollups_survive_the_move_to_daily_rollups(database_url: str) -> None:
    db = Database(database_url)
    config = alembic_config()
    with db.write() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0002")
        hour = 3_600_000_000
        for hour_us, station, working_us in [(0, "S1", 60), (hour, "S1", 40), (25 * hour, "S2", 7)]:
            conn.execute(
                text(
                    "INSERT INTO rollups_hourly (site_id, worker_id, hour_us, workstation_id,"
                    " working_us, idle_us, absent_us, units)"
                    " VALUES ('main', 'W1', :hour_us, :station, :working_us, 1, 0, 2)"
                ),
                {"hour_us": hour_us, "station": station, "working_us": working_us},
            )
    upgrade(db)

    with db.read() as conn:
        hourly = conn.execute(text("SELECT count(*) FROM rollups_hourly")).scalar_one()
        daily = conn.execute(
            text(
                "SELECT day_us, workstation_id, working_us, idle_us, units FROM rollups_daily"
                " ORDER BY day_us"
            )
        ).all()
    assert hourly == 3
    assert [tuple(row) for row in daily] == [(0, "S1", 100, 2, 4), (24 * hour, "S2", 7, 1, 2)]
    db.dispose()
