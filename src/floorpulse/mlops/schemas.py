"""Wire models of model health: versions, drift signals and their evidence."""

import datetime as dt
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from floorpulse.events.schemas import EventOut, Id, QueryTime


class HealthQuery(BaseModel):
    """A window of model health; `from` inclusive, `to` exclusive."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    from_: QueryTime | None = Field(
        default=None,
        alias="from",
        description="Default: the start of the local day 13 days before `to` (two weeks).",
    )
    to: QueryTime | None = Field(default=None, description="Default: now. Capped at now.")
    site: Id | None = Field(default=None, description="Default: FLOORPULSE_DEFAULT_SITE.")


class Window(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    from_: datetime = Field(alias="from")
    to: datetime
    timezone: str


class ModelVersion(BaseModel):
    model_version: str | None = Field(description="null: events that named no version.")
    first_seen: datetime = Field(description="Its earliest event time, ever.")
    last_seen: datetime = Field(description="Its latest event time, ever.")
    cameras: list[str] = Field(description="Cameras it has run on, ever.")
    events: int = Field(description="Its detections in the window.")
    mean_confidence: float | None = Field(description="In the window; null without events.")
    low_confidence_share: float | None = Field(
        description="Share of its detections in the window below FLOORPULSE_CONFIDENCE_THRESHOLD."
    )


class ModelList(Window):
    models: list[ModelVersion]


class Day(BaseModel):
    date: dt.date
    events: int
    mean_confidence: float | None
    rolling_mean_confidence: float | None = Field(
        description="Over the span (FLOORPULSE_DRIFT_SPAN_DAYS) ending this day."
    )
    low_confidence_share: float | None
    mix: dict[str, float] = Field(description="Each event type's share of the day's detections.")


class ConfidenceEvidence(BaseModel):
    span_days: int
    mean: float | None = Field(description="Mean confidence of the span ending the window.")
    previous_mean: float | None = Field(description="Of the span before it.")
    drop: float | None = Field(description="The fall as a share of previous_mean: 0.2 is 20 %.")
    low_confidence_share: float | None
    events: int
    floor: float
    max_drop: float
    compared_with: Literal["own", "cameras"] = Field(
        description="cameras: the scope had too few detections the span before (a version new "
        "in this span), so what its cameras saw then, whichever version ran on them, is the "
        "comparison."
    )
    below_floor: bool
    dropped: bool
    alert: bool


class MixEvidence(BaseModel):
    baseline: dict[str, float]
    current: dict[str, float]
    psi: float | None = Field(description="Population stability index; null: too few events.")
    baseline_events: int
    current_events: int
    threshold: float
    compared_with: Literal["own", "cameras"]
    alert: bool


class ScopeDrift(BaseModel):
    scope: Literal["model", "camera"]
    key: str | None = Field(description="The model version or camera id (null: none named).")
    days: list[Day]
    confidence: ConfidenceEvidence
    mix: MixEvidence


class Deviation(BaseModel):
    key: str = Field(description="Worker or workstation id.")
    value: float
    baseline_mean: float
    baseline_sd: float
    z: float


class ProductivityShift(BaseModel):
    scope: Literal["worker", "workstation"]
    metric: Literal["utilization", "units_per_hour"]
    date: dt.date = Field(description="The last whole day of the window, against the days before.")
    baseline_days: int
    judged: int = Field(description="Entities with enough baseline to be judged.")
    deviating: list[Deviation] = Field(description="Off by more than the limit, the same way.")
    direction: Literal["fell", "rose", "none"]
    share: float | None
    limit_sd: float
    min_share: float
    alert: bool


class Silence(BaseModel):
    camera_id: str
    last_seen: datetime | None = Field(description="Its latest event before `to`.")
    silent_seconds: float | None = Field(description="null: heard within the silence limit.")
    usual_days: int = Field(
        description="Of the last 7 days, those it was heard all through this time of day."
    )
    min_days: int
    limit_seconds: float
    workers_seen_elsewhere: list[str] = Field(
        description="Workers it usually sees at this time who other cameras see now: they "
        "moved, and the silence is explained."
    )
    alert: bool


class DriftReport(Window):
    models: list[ScopeDrift]
    cameras: list[ScopeDrift]
    productivity: list[ProductivityShift]
    silence: list[Silence]


AlertState = Literal["open", "acknowledged", "resolved"]
Signal = Literal["confidence", "mix", "productivity", "silence"]


class AlertQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    state: list[AlertState] = Field(
        default=["open", "acknowledged"],
        description="Repeat to ask for several; default: the unresolved ones.",
    )
    site: Id | None = Field(default=None, description="Default: every site.")
    limit: int = Field(default=100, ge=1, le=1000)


class AlertOut(BaseModel):
    id: int
    site_id: str
    cause: str = Field(description="signal:scope:subject; one unresolved alert per cause.")
    signal: Signal
    scope: str = Field(description="model, camera, worker or workstation.")
    subject: str = Field(description="The model version, camera id or metric concerned.")
    state: AlertState
    summary: str
    evidence: dict[str, Any] = Field(description="The signal's figures at the latest evaluation.")
    retraining_trigger: bool = Field(description="A drift alert: sent to the webhooks.")
    opened_at: datetime
    updated_at: datetime = Field(description="Its latest evaluation that still found it.")
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    resolved_by: Literal["cleared", "person"] | None = Field(
        description="cleared: an evaluation no longer found the cause."
    )


class Evaluation(BaseModel):
    evaluated_at: datetime
    opened: list[AlertOut]
    updated: list[AlertOut]
    resolved: list[AlertOut]


class DeliveryOut(BaseModel):
    id: int
    alert_id: int
    url: str
    state: Literal["pending", "delivered", "failed"]
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None = Field(description="null once delivered or failed.")
    delivered_at: datetime | None
    last_status: int | None = Field(description="The receiver's latest HTTP status.")
    last_error: str | None


class SampleQuery(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    n: int = Field(default=100, ge=1, le=5000, description="Events to sample.")
    days: int = Field(default=7, ge=1, le=90, description="Recent days to sample from.")
    seed: int = Field(
        default=0, ge=0, le=2**31 - 1, description="The same seed gives the same sample."
    )
    format: Literal["json", "csv"] = "json"
    site: Id | None = None


class Stratum(BaseModel):
    event_type: str
    camera_id: str | None
    confidence_band: Literal["low", "mid", "high"] = Field(
        description="low: under FLOORPULSE_CONFIDENCE_THRESHOLD; mid: under 0.9; high: 0.9 on."
    )
    available: int
    sampled: int


class Sample(Window):
    model_version: str
    n: int
    strata: list[Stratum]
    events: list[EventOut]


class CompareQuery(HealthQuery):
    a: str = Field(min_length=1, max_length=64, description="A model version.")
    b: str = Field(min_length=1, max_length=64, description="Another model version.")


class VersionFigures(BaseModel):
    model_version: str
    events: int
    cameras: list[str]
    first_seen: datetime | None = Field(description="In the window.")
    last_seen: datetime | None = Field(description="In the window (the end of its last hour).")
    mean_confidence: float | None
    low_confidence_share: float | None
    mix: dict[str, float]
    implied_utilization_percentage: float | None = Field(
        description="Working detections over working and idle ones: the utilization its calls "
        "imply (state events are heartbeats, so their counts follow the time in each state)."
    )
    units_per_1000_detections: float | None = Field(
        description="product_count detections per thousand of its detections."
    )


class Comparison(Window):
    a: VersionFigures
    b: VersionFigures
    shared_cameras: list[str] = Field(description="Cameras both ran on in the window.")
    mix_psi: float | None = Field(description="Of b's event mix against a's.")
    confidence_difference: float | None = Field(description="b's mean minus a's.")
