"""Every table, in one metadata, so that Alembic sees the whole schema."""

from typing import Any, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from floorpulse.events.schemas import EVENT_TYPES

# Named constraints make migrations reproducible on both engines.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
# SQLite only makes INTEGER PRIMARY KEY an alias of its fast rowid; PostgreSQL wants 64 bits.
RowId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


METRICS_COLUMNS = ("site_id", "workstation_id", "event_type", "count", "confidence")


class Event(Base):
    """Append-only: rows are inserted, never updated (a trigger refuses UPDATE)."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    site_id: Mapped[str] = mapped_column(String(64))
    event_id: Mapped[str | None] = mapped_column(String(128))
    ts_us: Mapped[int] = mapped_column(BigInteger, comment="event time, µs since epoch (UTC)")
    worker_id: Mapped[str] = mapped_column(String(64))
    workstation_id: Mapped[str] = mapped_column(String(64))
    event_type: Mapped[str] = mapped_column(String(16))
    confidence: Mapped[float]
    count: Mapped[int]
    low_confidence: Mapped[bool]
    model_version: Mapped[str | None] = mapped_column(String(64))
    camera_id: Mapped[str | None] = mapped_column(String(64))
    received_us: Mapped[int] = mapped_column(BigInteger, comment="receive time, µs since epoch")

    __table_args__ = (
        CheckConstraint(f"event_type IN {EVENT_TYPES!r}", name="event_type"),
        CheckConstraint("confidence >= 0 AND confidence <= 1", name="confidence"),
        CheckConstraint('"count" >= 1', name="count"),
        # A client id names one event at one instant (a retry repeats both); NULLs never
        # collide, so id-less events pass here ... The instant is in the key because a table
        # partitioned by time (PostgreSQL's, TimescaleDB's) can only enforce unique keys that
        # include it, and both engines keep one meaning.
        Index("uq_events_event_id", "event_id", "ts_us", unique=True),
        # ... and are deduplicated on their natural key instead.
        Index(
            "uq_events_natural_key",
            "site_id",
            "ts_us",
            "worker_id",
            "workstation_id",
            "event_type",
            unique=True,
            sqlite_where=text("event_id IS NULL"),
            postgresql_where=text("event_id IS NULL"),
        ),
        # By time, and by worker and time, each carrying what the metrics read: a window's
        # events are read from the index alone, without a lookup per row.
        Index("ix_events_by_time", "ts_us", "worker_id", *METRICS_COLUMNS),
        Index("ix_events_by_worker", "worker_id", "ts_us", *METRICS_COLUMNS),
    )


class Worker(Base):
    """A person seen by the cameras; registered on first sight, named by a supervisor."""

    __tablename__ = "workers"

    site_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    worker_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    first_seen_us: Mapped[int] = mapped_column(BigInteger)
    team: Mapped[str | None] = mapped_column(String(64))


class Workstation(Base):
    """A place of work seen by the cameras; registered on first sight."""

    __tablename__ = "workstations"

    site_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    workstation_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    station_type: Mapped[str | None] = mapped_column(String(64))
    first_seen_us: Mapped[int] = mapped_column(BigInteger)


class _Tallied:
    """Microseconds per state and units of one worker at one station in one period (UTC)."""

    site_id: Mapped[str] = mapped_column(String(64))
    worker_id: Mapped[str] = mapped_column(String(64))
    workstation_id: Mapped[str] = mapped_column(String(64))
    working_us: Mapped[int] = mapped_column(BigInteger)
    idle_us: Mapped[int] = mapped_column(BigInteger)
    absent_us: Mapped[int] = mapped_column(BigInteger)
    units: Mapped[int] = mapped_column(BigInteger)


def _rollup_keys(table: str, period: str) -> tuple[Any, ...]:
    # Period first: a window's rows are one contiguous range of the key, read without lookups
    # (SQLite stores the table in key order); a worker's own rows have their own index.
    return (
        PrimaryKeyConstraint("site_id", period, "worker_id", "workstation_id", name=f"pk_{table}"),
        Index(f"ix_{table}_site_id_worker_id_{period}", "site_id", "worker_id", period),
        {"sqlite_with_rowid": False},
    )


class HourlyRollup(_Tallied, Base):
    """Derived from events and rebuilt whenever they change (see analytics/rollups.py): unlike
    events, rows here are replaced."""

    __tablename__ = "rollups_hourly"

    hour_us: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = _rollup_keys("rollups_hourly", "hour_us")


class DailyRollup(_Tallied, Base):
    """The hourly rollups of a UTC day summed, rewritten with them: long windows read 24 times
    fewer rows."""

    __tablename__ = "rollups_daily"

    day_us: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = _rollup_keys("rollups_daily", "day_us")


class StaleHour(Base):
    """A worker's hour whose rollup no longer matches its events.

    `version` counts the changes, so a rebuild computed before the latest one is not saved;
    `marked_us` is the receive time of the latest, so hours still being written wait.
    """

    __tablename__ = "rollups_stale"

    site_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    worker_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    hour_us: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)
    marked_us: Mapped[int] = mapped_column(BigInteger)


class RollupBasis(Base):
    """The settings the rollups were computed with; when they change, every hour is stale."""

    __tablename__ = "rollups_basis"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


class ModelHourly(Base):
    """Detections per model version, camera and event type of one worker's hour: what the
    drift signals read. Derived from events and rebuilt with the hourly rollups, for the same
    stale hours (low-confidence events mark theirs too). A missing model version or camera is
    stored as '' (a key column cannot be NULL)."""

    __tablename__ = "model_hourly"

    site_id: Mapped[str] = mapped_column(String(64))
    hour_us: Mapped[int] = mapped_column(BigInteger)
    worker_id: Mapped[str] = mapped_column(String(64))
    model_version: Mapped[str] = mapped_column(String(64))
    camera_id: Mapped[str] = mapped_column(String(64))
    event_type: Mapped[str] = mapped_column(String(16))
    events: Mapped[int] = mapped_column(BigInteger)
    confidence_sum: Mapped[float]
    low_confidence: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (
        PrimaryKeyConstraint(
            "site_id",
            "hour_us",
            "worker_id",
            "model_version",
            "camera_id",
            "event_type",
            name="pk_model_hourly",
        ),
        Index("ix_model_hourly_site_id_worker_id_hour_us", "site_id", "worker_id", "hour_us"),
        {"sqlite_with_rowid": False},
    )


class ModelSighting(Base):
    """When a model version was first and last seen on a camera (event time), and when its
    latest event was received. Kept at ingest with min and max, so a duplicate changes
    nothing; '' stands for a missing version or camera, as in model_hourly."""

    __tablename__ = "model_sightings"

    site_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    model_version: Mapped[str] = mapped_column(String(64), primary_key=True)
    camera_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    first_us: Mapped[int] = mapped_column(BigInteger)
    last_us: Mapped[int] = mapped_column(BigInteger)
    last_received_us: Mapped[int] = mapped_column(BigInteger)


ALERT_STATES = ("open", "acknowledged", "resolved")


class Alert(Base):
    """Something about the camera models that needs a person's attention, with the evidence.

    One unresolved alert per cause (a signal of a subject: `confidence:model:v2`): evaluating
    again updates its evidence instead of repeating it."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    site_id: Mapped[str] = mapped_column(String(64))
    cause: Mapped[str] = mapped_column(String(200))
    signal: Mapped[str] = mapped_column(String(32))
    scope: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(128))
    state: Mapped[str] = mapped_column(String(16))
    summary: Mapped[str] = mapped_column(String(500))
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)
    opened_us: Mapped[int] = mapped_column(BigInteger)
    updated_us: Mapped[int] = mapped_column(BigInteger)
    acknowledged_us: Mapped[int | None] = mapped_column(BigInteger)
    resolved_us: Mapped[int | None] = mapped_column(BigInteger)
    resolved_by: Mapped[str | None] = mapped_column(String(16), comment="cleared | person")

    __table_args__ = (
        CheckConstraint(f"state IN {ALERT_STATES!r}", name="state"),
        Index(
            "uq_alerts_unresolved_cause",
            "site_id",
            "cause",
            unique=True,
            sqlite_where=text("state != 'resolved'"),
            postgresql_where=text("state != 'resolved'"),
        ),
        Index("ix_alerts_opened_us", "opened_us"),
    )


class WebhookDelivery(Base):
    """A retraining hook's notice of an alert: written with the alert (an outbox), so none is
    lost, and sent until the receiver answers 2xx or the attempts run out."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    alert_id: Mapped[int] = mapped_column(RowId, ForeignKey("alerts.id"))
    url: Mapped[str] = mapped_column(String(2000))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16), comment="pending | delivered | failed")
    attempts: Mapped[int]
    created_us: Mapped[int] = mapped_column(BigInteger)
    next_attempt_us: Mapped[int] = mapped_column(BigInteger)
    delivered_us: Mapped[int | None] = mapped_column(BigInteger)
    last_status: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(String(500))

    __table_args__ = (
        Index("ix_webhook_deliveries_state_next_attempt_us", "state", "next_attempt_us"),
        Index("ix_webhook_deliveries_alert_id", "alert_id"),
    )


class DemoRun(Base):
    """One seeding of made-up history: while any is recorded, the data shown is (partly) demo.

    Enough of the generator's input is kept for the live simulator to carry the history on.
    """

    __tablename__ = "demo_runs"

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    site_id: Mapped[str] = mapped_column(String(64))
    seeded_us: Mapped[int] = mapped_column(BigInteger)
    start_us: Mapped[int] = mapped_column(BigInteger)
    end_us: Mapped[int] = mapped_column(BigInteger)
    seed: Mapped[int] = mapped_column(BigInteger)
    workers: Mapped[int]
    stations: Mapped[int]
    model_change_us: Mapped[int | None] = mapped_column(BigInteger)
    events_sent: Mapped[int] = mapped_column(BigInteger)


class ApiKey(Base):
    """A key a device or person presents; only its SHA-256 digest is kept (docs/SECURITY.md)."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64))
    scope: Mapped[str] = mapped_column(String(16))
    # The key's first characters, shown in lists so that a person can tell keys apart.
    prefix: Mapped[str] = mapped_column(String(16))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_us: Mapped[int] = mapped_column(BigInteger)
    revoked_us: Mapped[int | None] = mapped_column(BigInteger)
    # What its holder sees of individuals (privacy.lens.View): names, pseudonyms, or no one.
    view: Mapped[str] = mapped_column(String(16), server_default="named")

    __table_args__ = (
        CheckConstraint("scope IN ('ingest', 'read', 'admin')", name="scope"),
        CheckConstraint("view IN ('named', 'pseudonymous', 'process')", name="view"),
    )


class Session(Base):
    """A dashboard sign-in: the cookie's digest, the key it was opened with, its end."""

    __tablename__ = "sessions"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    key_id: Mapped[int] = mapped_column(RowId, ForeignKey("api_keys.id"))
    created_us: Mapped[int] = mapped_column(BigInteger)
    expires_us: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (Index("ix_sessions_key_id", "key_id"),)


class Purge(Base):
    """Raw events before `before_us` were deleted (FLOORPULSE_RETENTION_DAYS); the rollups of
    those hours are final: nothing may mark them stale again."""

    __tablename__ = "purges"

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    before_us: Mapped[int] = mapped_column(BigInteger)
    done_us: Mapped[int] = mapped_column(BigInteger)
    deleted: Mapped[int] = mapped_column(BigInteger)


class InstallSecret(Base):
    """A secret drawn once per install by its migration (the pseudonyms' key)."""

    __tablename__ = "install_secrets"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))


class JobLease(Base):
    """A scheduled job (rollups, alerts, webhooks, retention) runs in the one server process
    holding its lease until `expires_us` (db/leases.py)."""

    __tablename__ = "job_leases"

    job: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    expires_us: Mapped[int] = mapped_column(BigInteger)


class DeadLetter(Base):
    """A message (or one event of it) that arrived over MQTT and was not stored, and why:
    kept for a person to read, since MQTT has no answer to tell the sender."""

    __tablename__ = "dead_letters"

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    received_us: Mapped[int] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(String(256))  # mqtt:<topic>
    payload: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("ix_dead_letters_received_us", "received_us"),)


# Core handles for the repositories' statements (the ORM types them as generic FromClauses).
events = cast(Table, Event.__table__)
workers = cast(Table, Worker.__table__)
workstations = cast(Table, Workstation.__table__)
hourly_rollups = cast(Table, HourlyRollup.__table__)
daily_rollups = cast(Table, DailyRollup.__table__)
stale_hours = cast(Table, StaleHour.__table__)
rollup_basis = cast(Table, RollupBasis.__table__)
demo_runs = cast(Table, DemoRun.__table__)
model_hourly = cast(Table, ModelHourly.__table__)
model_sightings = cast(Table, ModelSighting.__table__)
alerts = cast(Table, Alert.__table__)
webhook_deliveries = cast(Table, WebhookDelivery.__table__)
api_keys = cast(Table, ApiKey.__table__)
sessions = cast(Table, Session.__table__)
purges = cast(Table, Purge.__table__)
install_secrets = cast(Table, InstallSecret.__table__)
job_leases = cast(Table, JobLease.__table__)
dead_letters = cast(Table, DeadLetter.__table__)
