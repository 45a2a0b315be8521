"""HTTP endpoints of the demo: seed made-up history, and say whether demo data is shown."""

from typing import Annotated

from fastapi import APIRouter, Query, Request

from floorpulse.demo.schemas import DemoStatus, SeedResult
from floorpulse.demo.service import SeedPlan
from floorpulse.deps import CHANGES, READS, REFUSALS, DemoServiceDep
from floorpulse.errors import InvalidInput
from floorpulse.validation import FieldError

router = APIRouter(prefix="/api", tags=["demo"], responses=REFUSALS)

MAX_SEED_HOURS = 24 * 31
# A request's work stays bounded: a week of the demo's six workers, written in about 15 s.
MAX_WORKER_HOURS = 2_000


@router.post("/admin/seed", dependencies=[CHANGES])
def seed(
    service: DemoServiceDep,
    clear_existing: Annotated[
        bool, Query(description="Delete every stored event (and all derived) first.")
    ] = False,
    hours: Annotated[float, Query(gt=0, le=MAX_SEED_HOURS, description="History up to now.")] = 24,
    workers: Annotated[int, Query(ge=1, le=500)] = 6,
    stations: Annotated[int, Query(ge=1, le=200)] = 6,
    seed: Annotated[int, Query(ge=0, description="Same seed, same factory.")] = 0,
) -> SeedResult:
    """Write made-up history through the ingestion path (validation, dedup, rollups); at most
    2,000 worker-hours in one request (`floorpulse seed` writes more)."""
    if hours * workers > MAX_WORKER_HOURS:
        reason = (
            f"{hours:g} hours x {workers} workers is over {MAX_WORKER_HOURS} worker-hours in one "
            "request; use `floorpulse seed` on the server for more"
        )
        raise InvalidInput(reason, [FieldError("query.hours", reason)])
    plan = SeedPlan(
        hours=hours, workers=workers, stations=stations, seed=seed, clear=clear_existing
    )
    return service.seed(plan)


@router.get("/demo", dependencies=[READS])
def demo_status(service: DemoServiceDep, request: Request) -> DemoStatus:
    """Whether the data shown was seeded, and whether the factory simulator runs."""
    latest = service.latest_run()
    live = getattr(request.app.state, "simulator", None) is not None
    return DemoStatus(demo=latest is not None, live=live, latest=latest)
