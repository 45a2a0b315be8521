"""HTTP endpoints of metrics: parse the query, call the service."""

from typing import Annotated, Any

from fastapi import APIRouter, Query

from floorpulse.analytics.schemas import (
    FactoryMetrics,
    MetricsQuery,
    Timeline,
    Timeseries,
    TimeseriesQuery,
    WorkerMetrics,
    WorkstationMetrics,
)
from floorpulse.deps import READS, REFUSALS, MetricsServiceDep

router = APIRouter(
    prefix="/api/metrics", tags=["metrics"], dependencies=[READS], responses=REFUSALS
)

PROBLEMS: dict[int | str, dict[str, Any]] = {
    422: {"description": "A bad window or filter; `errors` names each parameter and why."}
}
MetricsQueryDep = Annotated[MetricsQuery, Query()]
TimeseriesQueryDep = Annotated[TimeseriesQuery, Query()]


@router.get("/workers", responses=PROBLEMS)
def worker_metrics(query: MetricsQueryDep, service: MetricsServiceDep) -> list[WorkerMetrics]:
    """Active, idle and absent time, utilization and units of each worker over the window."""
    return service.workers(query)


@router.get("/workstations", responses=PROBLEMS)
def workstation_metrics(
    query: MetricsQueryDep, service: MetricsServiceDep
) -> list[WorkstationMetrics]:
    """Occupancy, utilization, units and throughput of each workstation over the window."""
    return service.workstations(query)


@router.get("/factory", responses=PROBLEMS)
def factory_metrics(query: MetricsQueryDep, service: MetricsServiceDep) -> FactoryMetrics:
    """Totals and averages of the site over the window, and how many work right now."""
    return service.factory(query)


@router.get("/timeseries", responses=PROBLEMS)
def timeseries(query: TimeseriesQueryDep, service: MetricsServiceDep) -> Timeseries:
    """Working, idle and absent seconds, units and utilization per local hour or day: one
    series for the site, or one per worker or workstation (trend charts, heatmaps)."""
    return service.timeseries(query)


@router.get("/timeline", responses=PROBLEMS)
def timeline(query: MetricsQueryDep, service: MetricsServiceDep) -> Timeline:
    """Each worker's working, idle, absent and unobserved spans over the window (its last 24 h
    if longer): the state timeline."""
    return service.timeline(query)
