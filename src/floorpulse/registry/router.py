"""HTTP endpoints of workers and workstations."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from sqlalchemy import Row

from floorpulse.db.epoch import from_epoch_us
from floorpulse.deps import CHANGES, READS, REFUSALS, RegistryServiceDep, SettingsDep, ViewingDep
from floorpulse.events.schemas import Id
from floorpulse.registry.schemas import WorkerIn, WorkerOut, WorkstationIn, WorkstationOut
from floorpulse.registry.service import WORKERS, WORKSTATIONS

router = APIRouter(prefix="/api", tags=["registry"], responses=REFUSALS)

SiteFilter = Annotated[Id | None, Query(description="Only this site; all sites when absent.")]
Site = Annotated[Id | None, Query(description="The worker's site; the default site when absent.")]
CREATED: dict[int | str, dict[str, Any]] = {
    201: {"description": "Not seen before: registered with this name."}
}


def _worker(row: Row[Any]) -> WorkerOut:
    return WorkerOut(
        worker_id=row.worker_id,
        site_id=row.site_id,
        name=row.name,
        named=row.name is not None,
        team=row.team,
        first_seen=from_epoch_us(row.first_seen_us),
    )


def _workstation(row: Row[Any]) -> WorkstationOut:
    return WorkstationOut(
        workstation_id=row.workstation_id,
        site_id=row.site_id,
        name=row.name,
        station_type=row.station_type,
        named=row.name is not None,
        first_seen=from_epoch_us(row.first_seen_us),
    )


@router.get("/workers", dependencies=[READS])
def list_workers(
    service: RegistryServiceDep, viewing: ViewingDep, site: SiteFilter = None
) -> list[WorkerOut]:
    """Every worker the cameras have seen (or a supervisor registered)."""
    viewing.individuals()
    return viewing.registered([_worker(row) for row in service.list(WORKERS, site)])


@router.put("/workers/{worker_id}", responses=CREATED, dependencies=[CHANGES])
def put_worker(
    worker_id: Annotated[Id, Path()],
    body: WorkerIn,
    service: RegistryServiceDep,
    settings: SettingsDep,
    response: Response,
    site: Site = None,
) -> WorkerOut:
    """Set a worker's display name and team."""
    row, created = service.save(
        WORKERS, site or settings.default_site, worker_id, body.model_dump(exclude_unset=True)
    )
    response.status_code = 201 if created else 200
    return _worker(row)


@router.get("/workstations", dependencies=[READS])
def list_workstations(service: RegistryServiceDep, site: SiteFilter = None) -> list[WorkstationOut]:
    """Every workstation the cameras have seen (or a supervisor registered)."""
    return [_workstation(row) for row in service.list(WORKSTATIONS, site)]


@router.put("/workstations/{workstation_id}", responses=CREATED, dependencies=[CHANGES])
def put_workstation(
    workstation_id: Annotated[Id, Path()],
    body: WorkstationIn,
    service: RegistryServiceDep,
    settings: SettingsDep,
    response: Response,
    site: Site = None,
) -> WorkstationOut:
    """Set a workstation's display name and type."""
    values = body.model_dump()
    row, created = service.save(WORKSTATIONS, site or settings.default_site, workstation_id, values)
    response.status_code = 201 if created else 200
    return _workstation(row)
