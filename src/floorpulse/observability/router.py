"""GET /metrics: Prometheus's text format, for a scraper holding a read key."""

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST

from floorpulse.db.epoch import to_epoch_us
from floorpulse.deps import READS, REFUSALS, DatabaseDep
from floorpulse.observability import repository
from floorpulse.observability.telemetry import Telemetry

router = APIRouter(tags=["health"], dependencies=[READS], responses=REFUSALS)


@router.get("/metrics", response_class=Response)
def metrics(request: Request, db: DatabaseDep) -> Response:
    """Counters of this process (events by outcome, rejections by field, ingest latency,
    requests), and the rollup lag and open alerts read from the database now."""
    telemetry: Telemetry = request.app.state.telemetry
    now_us = to_epoch_us(request.app.state.clock())
    with db.read() as conn:
        stale, oldest_us = repository.rollup_backlog(conn)
        alerts = repository.open_alerts(conn)
    telemetry.rollup_stale.set(stale)
    telemetry.rollup_lag_s.set(0 if oldest_us is None else max(0, now_us - oldest_us) / 1e6)
    telemetry.alerts.clear()
    for (signal, state), count in alerts.items():
        telemetry.alerts.labels(signal, state).set(count)
    return Response(telemetry.exposition(), media_type=CONTENT_TYPE_LATEST)
