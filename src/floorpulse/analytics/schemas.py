"""Wire models of metrics; field names follow the seed API so its clients work unchanged."""

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from floorpulse.events.schemas import Id


class MetricsQuery(BaseModel):
    """The window and filters of a metrics request; `from` inclusive, `to` exclusive."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    from_: AwareDatetime | None = Field(
        default=None, alias="from", description="Default: the start of today in the site's zone."
    )
    to: AwareDatetime | None = Field(default=None, description="Default: now. Capped at now.")
    site: Id | None = Field(default=None, description="Default: FLOORPULSE_DEFAULT_SITE.")
    worker_id: Id | None = None
    workstation_id: Id | None = None


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


class WorkstationMetrics(BaseModel):
    workstation_id: str
    name: str | None
    occupancy_time_minutes: float = Field(description="Working plus idle time at the station.")
    utilization_percentage: float | None = Field(description="Working / occupancy; null if none.")
    total_units_produced: int
    throughput_rate: float | None = Field(description="Units per occupied hour; null if none.")
    working_seconds: float
    idle_seconds: float


class FactoryMetrics(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    total_productive_time_minutes: float
    total_production_count: int
    average_production_rate: float | None = Field(description="Units per working hour.")
    average_utilization_percentage: float | None
    total_workers: int
    total_workstations: int
    active_workers: int = Field(description="Working or idle now, seen within the state timeout.")
    from_: datetime = Field(alias="from", description="The window measured, capped at now.")
    to: datetime
