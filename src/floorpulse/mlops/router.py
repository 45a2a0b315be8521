"""HTTP endpoints of model health: parse the query, call the service."""

import csv
import io
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from floorpulse.deps import (
    CHANGES,
    NAMES,
    READS,
    REFUSALS,
    AlertsDep,
    ModelHealthDep,
    RowIdPath,
)
from floorpulse.events.schemas import EventOut, Id
from floorpulse.mlops.schemas import (
    AlertOut,
    AlertQuery,
    CompareQuery,
    Comparison,
    DeliveryOut,
    DriftReport,
    Evaluation,
    HealthQuery,
    ModelList,
    Sample,
    SampleQuery,
)

router = APIRouter(
    prefix="/api/models", tags=["model health"], dependencies=[READS], responses=REFUSALS
)

PROBLEMS: dict[int | str, dict[str, Any]] = {
    422: {"description": "A bad window or site; `errors` names each parameter and why."}
}
HealthQueryDep = Annotated[HealthQuery, Query()]
CompareQueryDep = Annotated[CompareQuery, Query()]
SampleQueryDep = Annotated[SampleQuery, Query()]


@router.get("", responses=PROBLEMS)
def list_models(query: HealthQueryDep, health: ModelHealthDep) -> ModelList:
    """Every camera model version seen: first and last seen and the cameras it ran on (ever),
    its detections, mean confidence and low-confidence share in the window."""
    return health.models(query)


@router.get("/drift", responses=PROBLEMS, dependencies=[NAMES])
def model_drift(query: HealthQueryDep, health: ModelHealthDep) -> DriftReport:
    """Drift signals with their evidence, per model version and per camera: daily and rolling
    confidence, the event-type mix against its baseline (PSI); productivity against each
    worker's and station's own baseline; cameras silent when they are usually heard."""
    return health.drift(query)


@router.get("/compare", responses=PROBLEMS)
def compare_models(query: CompareQueryDep, health: ModelHealthDep) -> Comparison:
    """Two model versions side by side over the window (on different cameras or in different
    periods): confidence, event mix and its PSI, and the productivity figures their calls imply."""
    return health.compare(query)


SAMPLE_RESPONSES: dict[int | str, dict[str, Any]] = {
    **PROBLEMS,
    200: {"content": {"text/csv": {}}, "description": "JSON, or CSV with format=csv."},
    404: {"description": "The version has no events in those days."},
}


@router.get(
    "/{version}/sample",
    responses=SAMPLE_RESPONSES,
    response_model=Sample,
    dependencies=[NAMES],
)
def sample_events(version: str, query: SampleQueryDep, health: ModelHealthDep) -> Any:
    """A stratified random sample of a version's recent events for human review: equal shares
    of each event type, camera and confidence band. `none` is the version of events that named
    none. With format=csv, a file to open in a spreadsheet."""
    sample = health.sample(version, query)
    if query.format == "json":
        return sample
    name = f"floorpulse-sample-{version}.csv".replace("/", "_")
    return Response(
        to_csv(sample),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def to_csv(sample: Sample) -> str:
    out = io.StringIO()
    columns = list(EventOut.model_fields)
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for event in sample.events:
        writer.writerow(event.model_dump(mode="json"))
    return out.getvalue()


alerts_router = APIRouter(prefix="/api/alerts", tags=["model health"], responses=REFUSALS)
AlertQueryDep = Annotated[AlertQuery, Query()]
UNKNOWN: dict[int | str, dict[str, Any]] = {404: {"description": "No alert has this id."}}


@alerts_router.get("", responses=PROBLEMS, dependencies=[READS, NAMES])
def list_alerts(query: AlertQueryDep, alerts: AlertsDep) -> list[AlertOut]:
    """Alerts, newest first: by default the open and acknowledged ones."""
    return alerts.listed(query)


@alerts_router.post("/evaluate", dependencies=[CHANGES])
def evaluate_alerts(alerts: AlertsDep, site: Annotated[Id | None, Query()] = None) -> Evaluation:
    """Evaluate now (the server also does every FLOORPULSE_ALERT_INTERVAL_S): open alerts for
    new causes, refresh the evidence of those still found, resolve those no longer found."""
    return alerts.evaluate(site)


@alerts_router.get("/{alert_id:int}", responses=UNKNOWN, dependencies=[READS, NAMES])
def get_alert(alert_id: RowIdPath, alerts: AlertsDep) -> AlertOut:
    return alerts.get(alert_id)


@alerts_router.post(
    "/{alert_id:int}/ack",
    responses=UNKNOWN | {409: {"description": "Resolved."}},
    dependencies=[CHANGES],
)
def acknowledge_alert(alert_id: RowIdPath, alerts: AlertsDep) -> AlertOut:
    """Somebody is on it: it stays listed and its evidence is kept fresh."""
    return alerts.acknowledge(alert_id)


@alerts_router.post("/{alert_id:int}/resolve", responses=UNKNOWN, dependencies=[CHANGES])
def resolve_alert(alert_id: RowIdPath, alerts: AlertsDep) -> AlertOut:
    """Dealt with. Should the cause still be found, the next evaluation opens a new alert."""
    return alerts.resolve(alert_id)


@alerts_router.get("/{alert_id:int}/deliveries", responses=UNKNOWN, dependencies=[READS, NAMES])
def alert_deliveries(alert_id: RowIdPath, alerts: AlertsDep) -> list[DeliveryOut]:
    """The webhook delivery log of a drift alert: attempts, answers, errors."""
    return alerts.deliveries(alert_id)
