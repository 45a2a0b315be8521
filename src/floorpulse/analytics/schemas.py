"""Wire models of metrics; field names follow the seed API so its clients work unchanged."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from floorpulse.events.schemas import Id, QueryDate, QueryTime


class MetricsQuery(BaseModel):
    """The window and filters of a metrics request; `from` inclusive, `to` exclusive."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    from_: QueryTime | None = Field(
        default=None, alias="from", description="Default: the start of today in the site's zone."
    )
    to: QueryTime | None = Field(default=None, description="Default: now. Capped at now.")
    shift: str | None = Field(
        default=None,
        max_length=32,
        description="A shift's name (FLOORPULSE_SHIFTS), or `current`: the window is that shift "
        "(on `date`, or its latest start). Not with `from`/`to`.",
        examples=["current", "A"],
    )
    day: QueryDate | None = Field(
        default=None,
        alias="date",
        description="A date in site time: the day the named shift starts, or without `shift` "
        "the whole day.",
    )
    site: Id | None = Field(default=None, description="Default: FLOORPULSE_DEFAULT_SITE.")
    worker_id: Id | None = None
    workstation_id: Id | None = None


class TimeseriesQuery(MetricsQuery):
    bucket: Literal["hour", "day"] = Field(
        default="hour", description="Local hours or days of the site."
    )
    scope: Literal["factory", "worker", "workstation"] = Field(
        default="factory", description="One series for the site, or one per worker or station."
    )


class WorkerMetrics(BaseModel):
    worker_id: str
    name: str | None
    total_active_time_minutes: float
    total_idle_time_minutes: float
    total_absent_time_minutes: float
    utilization_percentage: float | None = Field(description="null when neither working nor idle.")
    total_units_produced: int
    units_per_hour: float | None = Field(description="Units per working hour; null if none.")
    active_seconds: float
    idle_seconds: float
    absent_seconds: float


class TeamMetrics(BaseModel):
    team: str | None = Field(
        description="A team set on its workers (PUT /api/workers/{id}); "
        "null: the workers in no team."
    )
    members_seen: int = Field(description="Its workers with any time or units in the window.")
    total_active_time_minutes: float
    total_idle_time_minutes: float
    total_absent_time_minutes: float
    utilization_percentage: float | None = Field(description="null when neither working nor idle.")
    total_units_produced: int
    units_per_hour: float | None = Field(description="Units per working hour; null if none.")


class WorkstationMetrics(BaseModel):
    workstation_id: str
    name: str | None
    occupancy_time_minutes: float = Field(description="Working plus idle time at the station.")
    utilization_percentage: float | None = Field(description="Working / occupancy; null if none.")
    total_units_produced: int
    throughput_rate: float | None = Field(description="Units per occupied hour; null if none.")
    working_seconds: float
    idle_seconds: float


class MeasuredWindow(BaseModel):
    """The window a response measured: capped at now, and the shift that named it."""

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    from_: datetime = Field(alias="from", description="The window measured, capped at now.")
    to: datetime
    shift: str | None = Field(default=None, description="The shift that named the window.")


class FactoryMetrics(MeasuredWindow):
    total_productive_time_minutes: float
    total_production_count: int
    average_production_rate: float | None = Field(description="Units per working hour.")
    average_utilization_percentage: float | None
    total_workers: int
    total_workstations: int
    active_workers: int = Field(description="Working or idle now, seen within the state timeout.")


class SiteFigures(MeasuredWindow):
    """One site's factory figures, beside the others', over the window as that site reads it
    (`today`, a shift: in its own time zone and shifts)."""

    site_id: str
    total_productive_time_minutes: float
    total_production_count: int
    average_production_rate: float | None = Field(description="Units per working hour.")
    average_utilization_percentage: float | None
    total_workers: int
    total_workstations: int
    active_workers: int


class SitesMetrics(BaseModel):
    """Every site over the same window, by site id: the cross-site roll-up."""

    sites: list[SiteFigures]


class Point(BaseModel):
    start: datetime = Field(description="In the site's time zone.")
    end: datetime
    working_seconds: float
    idle_seconds: float
    absent_seconds: float
    units: int
    utilization_percentage: float | None


class Series(BaseModel):
    key: str = Field(description="The worker or workstation id; the site for scope=factory.")
    name: str | None
    points: list[Point]


class Timeseries(MeasuredWindow):
    bucket: Literal["hour", "day"]
    scope: Literal["factory", "worker", "workstation"]
    timezone: str
    series: list[Series]


class Band(BaseModel):
    worker_id: str
    name: str | None
    start: datetime
    end: datetime
    state: Literal["working", "idle", "absent", "unobserved"] = Field(
        description="unobserved: no state event within the state timeout."
    )


class Timeline(MeasuredWindow):
    """Each worker's states over the window (its last 24 h if it is longer), in worker order."""

    bands: list[Band]
