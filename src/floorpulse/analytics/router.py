"""HTTP endpoints of metrics: parse the query, call the service."""

from typing import Annotated, Any

from fastapi import APIRouter, Query

from floorpulse.analytics.schemas import (
    FactoryMetrics,
    MetricsQuery,
    SitesMetrics,
    TeamMetrics,
    Timeline,
    Timeseries,
    TimeseriesQuery,
    WorkerMetrics,
    WorkstationMetrics,
)
from floorpulse.deps import READS, REFUSALS, MetricsServiceDep, ViewingDep

router = APIRouter(
    prefix="/api/metrics", tags=["metrics"], dependencies=[READS], responses=REFUSALS
)

PROBLEMS: dict[int | str, dict[str, Any]] = {
    422: {"description": "A bad window or filter; `errors` names each parameter and why."}
}
MetricsQueryDep = Annotated[MetricsQuery, Query()]
TimeseriesQueryDep = Annotated[TimeseriesQuery, Query()]


@router.get("/workers", responses=PROBLEMS)
def worker_metrics(
    query: MetricsQueryDep, service: MetricsServiceDep, viewing: ViewingDep
) -> list[WorkerMetrics]:
    """Active, idle and absent time, utilization and units of each worker over the window."""
    viewing.individuals()
    return viewing.workers(service.workers(viewing.metrics_query(query)), query.site)


@router.get("/teams", responses=PROBLEMS)
def team_metrics(
    query: MetricsQueryDep, service: MetricsServiceDep, viewing: ViewingDep
) -> list[TeamMetrics]:
    """Each team's active, idle and absent time, utilization and units over the window; for a
    process-view key, only teams of at least FLOORPULSE_MIN_TEAM_SIZE members seen."""
    return service.teams(viewing.metrics_query(query), viewing.smallest_team)


@router.get("/workstations", responses=PROBLEMS)
def workstation_metrics(
    query: MetricsQueryDep, service: MetricsServiceDep, viewing: ViewingDep
) -> list[WorkstationMetrics]:
    """Occupancy, utilization, units and throughput of each workstation over the window."""
    return service.workstations(viewing.metrics_query(query))


@router.get("/factory", responses=PROBLEMS)
def factory_metrics(
    query: MetricsQueryDep, service: MetricsServiceDep, viewing: ViewingDep
) -> FactoryMetrics:
    """Totals and averages of the site over the window, and how many work right now."""
    return service.factory(viewing.metrics_query(query))


@router.get("/sites", responses=PROBLEMS)
def sites_metrics(
    query: MetricsQueryDep, service: MetricsServiceDep, viewing: ViewingDep
) -> SitesMetrics:
    """Every site's figures over the same window, side by side (`site`: that one only)."""
    return service.sites(viewing.metrics_query(query))


@router.get("/timeseries", responses=PROBLEMS)
def timeseries(
    query: TimeseriesQueryDep, service: MetricsServiceDep, viewing: ViewingDep
) -> Timeseries:
    """Working, idle and absent seconds, units and utilization per local hour or day: one
    series for the site, or one per worker or workstation (trend charts, heatmaps)."""
    if query.scope == "worker":
        viewing.individuals()
    return viewing.series(service.timeseries(viewing.metrics_query(query)), query.site)


@router.get("/timeline", responses=PROBLEMS)
def timeline(query: MetricsQueryDep, service: MetricsServiceDep, viewing: ViewingDep) -> Timeline:
    """Each worker's working, idle, absent and unobserved spans over the window (its last 24 h
    if longer): the state timeline."""
    viewing.individuals()
    return viewing.timeline(service.timeline(viewing.metrics_query(query)), query.site)
