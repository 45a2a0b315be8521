"""Instants are stored as integer microseconds since the Unix epoch (UTC).

Integers compare as instants whatever offset the client wrote (`Z`, `+00:00`, `+02:00`), index
smaller and insert faster than text, and mean the same on SQLite and PostgreSQL.
"""

from datetime import UTC, datetime, timedelta

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_MICROSECOND = timedelta(microseconds=1)


def to_epoch_us(instant: datetime) -> int:
    """An aware datetime as exact integer microseconds since the epoch."""
    return (instant - EPOCH) // ONE_MICROSECOND


def from_epoch_us(epoch_us: int) -> datetime:
    """Integer microseconds since the epoch as an aware UTC datetime."""
    return EPOCH + timedelta(microseconds=epoch_us)
