"""GET /metrics: Prometheus's text format, for a scraper holding a read key."""

from typing import get_args

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST

from floorpulse.db.epoch import to_epoch_us
from floorpulse.deps import READS, REFUSALS, DatabaseDep
from floorpulse.mlops.schemas import Signal
from floorpulse.observability import repository
from floorpulse.observability.telemetry import Telemetry

UNRESOLVED = ("open", "acknowledged")
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
    # Every pair, zeros too: under several processes a pair left out would read as the count
    # some process set last, not as none.
    for signal in get_args(Signal):
        for state in UNRESOLVED:
            telemetry.alerts.labels(signal, state).set(alerts.get((signal, state), 0))
    return Response(telemetry.exposition(), media_type=CONTENT_TYPE_LATEST)
