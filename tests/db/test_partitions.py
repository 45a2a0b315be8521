"""PostgreSQL's events by month: each month's events in its own table, made ahead, moved out
of the default partition when made later, and dropped whole by retention."""

from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import Connection, exc, text

from floorpulse.db import partitions
from floorpulse.db.engine import Database
from floorpulse.db.epoch import to_epoch_us
from floorpulse.db.migrate import alembic_config, upgrade
from floorpulse.privacy.repository import delete_events_before

pytestmark = pytest.mark.postgresql


def us(year: int, month: int, day: int) -> int:
    return to_epoch_us(datetime(year, month, day, tzinfo=UTC))


def store(conn: Connection, *instants: int) -> None:
    for n, ts_us in enumerate(instants):
        conn.execute(
            text(
                "INSERT INTO events (site_id, event_id, ts_us, worker_id, workstation_id,"
                " event_type, confidence, count, low_confidence, received_us)"
                " VALUES ('main', :event_id, :ts_us, 'W1', 'S1', 'working', 0.9, 1, false, 0)"
            ),
            {"event_id": f"e{n}", "ts_us": ts_us},
        )


def where(conn: Connection) -> dict[str, list[int]]:
    """The ids of the stored events, by the table that holds them."""
    rows = conn.execute(text("SELECT tableoid::regclass::text, id FROM events ORDER BY id"))
    found: dict[str, list[int]] = {}
    for table, row_id in rows:
        found.setdefault(table, []).append(row_id)
    return found


@pytest.fixture
def db(database_url: str) -> Database:
    database = Database(database_url)
    yield database
    database.dispose()


def test_the_months_ahead_are_made_once(db: Database) -> None:
    with db.write() as conn:
        made = partitions.keep_ahead(conn, us(2031, 11, 20))
        again = partitions.keep_ahead(conn, us(2031, 11, 21))

    assert made == ["events_y2031m11", "events_y2031m12", "events_y2032m01", "events_y2032m02"]
    assert again == []


def test_a_month_made_later_takes_its_events_out_of_the_default_partition(db: Database) -> None:
    with db.write() as conn:
        store(conn, us(2030, 3, 5), us(2030, 3, 31), us(2030, 4, 1))
        before = where(conn)
        partitions.make_months(conn, us(2030, 3, 1), us(2030, 3, 1))
        after = where(conn)

    assert before == {"events_default": [1, 2, 3]}
    assert after == {"events_y2030m03": [1, 2], "events_default": [3]}


def test_retention_drops_whole_months_and_deletes_the_rest(db: Database) -> None:
    with db.write() as conn:
        partitions.make_months(conn, us(2030, 1, 1), us(2030, 3, 1))
        store(
            conn, us(2030, 1, 10), us(2030, 1, 20), us(2030, 2, 10), us(2030, 2, 20), us(2030, 3, 1)
        )
        gone = delete_events_before(conn, us(2030, 2, 15))
        left = where(conn)

    assert gone == 3
    assert left == {"events_y2030m02": [4], "events_y2030m03": [5]}
    assert "events_y2030m01" not in partitions.made(db.engine.connect())


def test_upgrading_moves_the_stored_events_into_their_months(db: Database) -> None:
    config = alembic_config()
    with db.write() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0013")
        store(conn, us(2025, 7, 4), us(2025, 8, 9), 0)
    upgrade(db)

    with db.read() as conn:
        assert where(conn) == {
            "events_y2025m07": [1],
            "events_y2025m08": [2],
            "events_default": [3],  # more than ten years old
        }
        assert conn.execute(text("SELECT nextval('events_id_seq')")).scalar_one() == 4
    with pytest.raises(Exception, match="append-only"), db.write() as conn:
        conn.execute(text("UPDATE events SET confidence = 0.1"))


def test_making_a_month_gives_way_to_a_read_held_open(db: Database) -> None:
    """A view's thread holds a read open while it reads again on another connection: a month
    attached meanwhile would have both wait on each other for ever."""
    with db.write() as conn:
        store(conn, us(2030, 3, 5))
    with db.read() as held:
        held.execute(text("SELECT count(*) FROM events")).scalar_one()
        with pytest.raises(exc.OperationalError, match="lock timeout"), db.write() as conn:
            partitions.make_months(conn, us(2030, 3, 1), us(2030, 3, 1))
        with db.read() as again:  # not queued behind a month waiting to be attached
            assert again.execute(text("SELECT count(*) FROM events")).scalar_one() == 1

    with db.write() as conn:  # tried again later, it is made
        assert partitions.make_months(conn, us(2030, 3, 1), us(2030, 3, 1)) == ["events_y2030m03"]
