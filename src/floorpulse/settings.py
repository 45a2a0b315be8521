"""The one Settings object: every FLOORPULSE_* environment variable (and .env) is read here."""

import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    AnyHttpUrl,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from floorpulse.metrics.shifts import DEFAULT_SHIFTS, Shift

MiB = 1024 * 1024
SHIFT_NAME = re.compile(r"[A-Za-z0-9_-]{1,32}")


def _zone(value: object) -> object:
    if not isinstance(value, str):
        return value
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {value!r}; use an IANA name like Europe/Berlin"
        ) from None


def _named_once(shifts: list[Shift]) -> list[Shift]:
    names = [shift.name for shift in shifts]
    for name in names:
        if names.count(name) > 1:
            raise ValueError(f"shift name {name!r} is used twice")
        if not SHIFT_NAME.fullmatch(name) or name == "current":
            raise ValueError(
                f"shift name {name!r}: use 1-32 letters, digits, '_' or '-', not 'current'"
            )
    return shifts


# A time zone by its IANA name, and shifts with distinct, usable names: the server's and a site's.
Zone = Annotated[ZoneInfo, BeforeValidator(_zone)]
Shifts = Annotated[list[Shift], AfterValidator(_named_once)]


class SiteClock(BaseModel):
    """A site's own time zone and shifts, where they differ from the server's."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    timezone: Zone | None = None
    shifts: Shifts | None = None


class Settings(BaseSettings):
    """FloorPulse configuration; `.env.example` documents each field."""

    model_config = SettingsConfigDict(
        env_prefix="FLOORPULSE_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    database_url: str = "sqlite:///data/floorpulse.db"
    # SQLite only. FULL syncs the WAL on every commit, so an acknowledged event survives a power
    # cut too; NORMAL survives a process crash but may lose the last commits on power loss.
    sqlite_synchronous: Literal["FULL", "NORMAL"] = "FULL"

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    # Server processes sharing the port (`serve --workers`); more than one needs PostgreSQL.
    workers: int = Field(default=1, ge=1, le=64)

    # `floorpulse mqtt`: the broker, the topics (one level a site: floorpulse/<site>/events),
    # the shared subscription's group (its processes split the messages) and this process's
    # client id (default floorpulse-ingest-<host>; each process on a host needs its own).
    mqtt_host: str = "127.0.0.1"
    mqtt_port: int = Field(default=1883, ge=1, le=65535)
    mqtt_topic: str = Field(default="floorpulse/+/events", min_length=1)
    mqtt_group: str = Field(default="floorpulse", pattern=r"^[A-Za-z0-9_-]{1,64}$")
    mqtt_client_id: str | None = Field(default=None, max_length=128)
    log_level: Literal["critical", "error", "warning", "info", "debug"] = "info"

    default_site: str = Field(default="main", min_length=1, max_length=64)
    timezone: Zone = ZoneInfo("UTC")
    confidence_threshold: float = Field(default=0.7, ge=0.0, le=1.0)
    max_clock_skew_s: float = Field(default=300.0, ge=0.0)
    # An event received this long after its event time was held up (an edge agent's backlog
    # after an outage, a late batch): it is marked backfilled.
    backfill_after_s: float = Field(default=120.0, gt=0)

    # A state holds until the worker's next state event, but never longer than this; then the
    # worker is unobserved (docs/METRICS.md).
    state_timeout_s: float = Field(default=600.0, gt=0, le=86_400)
    max_window_days: int = Field(default=366, ge=1)
    # How often stale hourly rollups are rebuilt from events in the background, and how long
    # no event may have touched an hour before it is (an hour still being written waits).
    rollup_interval_s: float = Field(default=2.0, gt=0)
    rollup_settle_s: float = Field(default=10.0, ge=0)
    # Named daily spans of site time that windows can be asked by (`?shift=A&date=...`).
    shifts: Shifts = Field(default_factory=lambda: list(DEFAULT_SHIFTS))
    # A site whose clocks or shifts differ from those above, by site id: its days, shifts and
    # hourly buckets are its own (`{"north": {"timezone": "America/Chicago", "shifts": [...]}}`).
    sites: dict[str, SiteClock] = Field(default_factory=dict)

    # Utilization bands of the leaderboard and KPI colours, in %: below the first is low, from
    # the second on is on target (a plant sets its own: 85 is world class, 60 typical).
    utilization_targets: tuple[float, float] = (60.0, 80.0)

    # Model health (docs/MODEL-HEALTH.md). A camera model is judged on the `drift_span_days`
    # ending now, against the span before: a week holds every shift and weekday once.
    drift_span_days: int = Field(default=7, ge=1, le=90)
    # Detections a vision model is sure of score 0.9 and more; a mean under 0.75 means many
    # calls near the point where it could as well have called another state.
    drift_confidence_floor: float = Field(default=0.75, ge=0.0, le=1.0)
    # Day-to-day means of a steady model move by a few percent; a fall of 15 % is a new
    # model, a new angle, or a dirty lens, not chance.
    drift_confidence_max_drop: float = Field(default=0.15, gt=0.0, le=1.0)
    # Population stability index of the event-type mix: under 0.1 stable, 0.1-0.2 moved,
    # over 0.2 shifted (the credit-scoring rule of thumb it comes from).
    drift_mix_psi: float = Field(default=0.2, gt=0.0)
    # A span with fewer detections than this says nothing: its shares are mostly chance.
    drift_min_events: int = Field(default=500, ge=1)
    # Productivity baseline: a day's utilization or units/h of each worker and station against
    # its own `drift_baseline_days` before; a shift when at least `drift_baseline_share` of
    # them (and at least 3) are more than `drift_baseline_sd` standard deviations off the
    # same way. One worker's bad day is not the model's doing; most of them at once is.
    drift_baseline_days: int = Field(default=14, ge=3, le=90)
    drift_baseline_sd: float = Field(default=2.0, gt=0.0)
    drift_baseline_share: float = Field(default=0.5, gt=0.0, le=1.0)
    # Silence: a camera that has sent nothing for `silence_s` at a time of day when, on at
    # least `silence_min_days` of the last 7, it was heard all through that span (in each
    # half of it). Half an hour outlasts any break (heartbeats go on through them) and any
    # hand-over between shifts.
    silence_s: float = Field(default=1800.0, ge=60.0)
    silence_min_days: int = Field(default=4, ge=1, le=7)

    # Raw events older than this many days are deleted (every retention_interval_s), their
    # hourly and daily rollups kept; none: kept for ever (docs/PRIVACY.md).
    retention_days: int | None = Field(default=None, ge=1, le=36_500)
    retention_interval_s: float = Field(default=3600.0, ge=1.0)

    # Alerts are evaluated this often (seconds) inside the server, and on demand.
    alert_interval_s: float = Field(default=300.0, ge=1.0)
    # Retraining hooks: each gets a signed POST when a drift alert opens (docs/MODEL-HEALTH.md).
    # The signature is HMAC-SHA256 of the body with webhook_secret, which they need then.
    webhook_urls: list[AnyHttpUrl] = Field(default_factory=list)
    webhook_secret: SecretStr | None = None
    webhook_timeout_s: float = Field(default=10.0, gt=0)
    # A failed delivery is tried again after webhook_retry_s, then twice as long each time,
    # up to webhook_max_attempts in all (8 from 5 s: the last about 10 minutes after the first).
    webhook_retry_s: float = Field(default=5.0, gt=0)
    webhook_max_attempts: int = Field(default=8, ge=1, le=30)

    # A dashboard sign-in lasts this long (a shift and its hand-over), then asks for the key.
    session_hours: float = Field(default=12.0, gt=0, le=24 * 30)

    # A process-view key (docs/PRIVACY.md) sees a team only when at least this many of its
    # members were seen in the window: smaller teams' figures would be one or two people's.
    min_team_size: int = Field(default=3, ge=2, le=1000)

    # Rate limits (docs/SECURITY.md), per API key and per client address (loopback is never
    # limited by address), each process on its own. Events may come in a burst of
    # limit_burst_s of their rate: an edge agent back after an hour's outage flushes that
    # hour at once. Requests may burst by limit_request_burst_s of theirs.
    rate_limits: bool = True
    limit_key_events_per_s: float = Field(default=100.0, gt=0)
    limit_address_events_per_s: float = Field(default=400.0, gt=0)
    limit_burst_s: float = Field(default=3600.0, gt=0)
    limit_key_requests_per_s: float = Field(default=50.0, gt=0)
    limit_address_requests_per_s: float = Field(default=200.0, gt=0)
    limit_request_burst_s: float = Field(default=60.0, gt=0)

    # Browsers may call the API from these origins (CORS); none by default: only the dashboard,
    # served from the same origin, does. Example: ["https://mes.plant.example"].
    cors_origins: list[str] = Field(default_factory=list)
    # Slow clients: headers must arrive within header_timeout_s, each part of a body within
    # body_timeout_s; at most max_connections at once (more are answered 503).
    header_timeout_s: float = Field(default=10.0, gt=0)
    body_timeout_s: float = Field(default=30.0, gt=0)
    max_connections: int = Field(default=1000, ge=10)

    max_batch_events: int = Field(default=10_000, ge=1)
    # Threads that validate and store posted events. SQLite takes one writer at a time, and one
    # thread doing it all beats several contending for the lock and the GIL (+25 % measured).
    ingest_threads: int | None = Field(default=None, ge=1, le=64)
    max_body_bytes: int = Field(default=8 * MiB, ge=1024)

    # Demo mode (`serve --demo`, never on by default): seed history into an empty database and
    # stream simulated cameras through an edge agent whose queue is this file.
    demo: bool = False
    demo_queue_path: Path = Path("data/demo-edge-queue.db")

    def zone_of(self, site: str | None) -> ZoneInfo:
        """The site's time zone: its own (FLOORPULSE_SITES), else FLOORPULSE_TIMEZONE."""
        own = self.sites.get(site or self.default_site)
        return own.timezone if own and own.timezone else self.timezone

    def shifts_of(self, site: str | None) -> list[Shift]:
        """The site's shifts: its own (FLOORPULSE_SITES), else FLOORPULSE_SHIFTS."""
        own = self.sites.get(site or self.default_site)
        return own.shifts if own and own.shifts is not None else self.shifts

    @field_validator("utilization_targets")
    @classmethod
    def _ordered_targets(cls, targets: tuple[float, float]) -> tuple[float, float]:
        low, good = targets
        if not 0 <= low <= good <= 100:
            raise ValueError(f"give two percentages, low then target, e.g. [60, 80]; got {targets}")
        return targets

    @model_validator(mode="after")
    def _hooks_are_signed(self) -> "Settings":
        if self.webhook_urls and self.webhook_secret is None:
            raise ValueError(
                "FLOORPULSE_WEBHOOK_URLS needs FLOORPULSE_WEBHOOK_SECRET: every delivery is "
                "signed with it, so that a receiver can tell FloorPulse's from anyone's"
            )
        return self

    @model_validator(mode="after")
    def _a_full_batch_can_pass(self) -> "Settings":
        for name in ("limit_key_events_per_s", "limit_address_events_per_s"):
            burst = getattr(self, name) * self.limit_burst_s
            if self.rate_limits and burst < self.max_batch_events:
                raise ValueError(
                    f"FLOORPULSE_{name.upper()} x FLOORPULSE_LIMIT_BURST_S is {burst:.0f} events, "
                    f"under one full batch ({self.max_batch_events}): such a batch would never pass"
                )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def backfill_after_us(self) -> int:
        return round(self.backfill_after_s * 1_000_000)

    @property
    def state_timeout_us(self) -> int:
        return round(self.state_timeout_s * 1_000_000)

    @property
    def ingest_thread_count(self) -> int:
        """ingest_threads, or by default 1 on SQLite and 4 on PostgreSQL."""
        return self.ingest_threads or (1 if self.is_sqlite else 4)


@lru_cache
def get_settings() -> Settings:
    """Settings read once from the environment and `.env`."""
    return Settings()
