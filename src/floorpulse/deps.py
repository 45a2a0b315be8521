"""Dependencies shared by the routers: what the app factory built, as short Annotated aliases."""

import asyncio
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Annotated, TypeVar

from fastapi import Depends, Request

from floorpulse.clock import Clock
from floorpulse.db.engine import Database
from floorpulse.events.groupcommit import GroupCommit
from floorpulse.events.service import EventService
from floorpulse.registry.service import RegistryService
from floorpulse.settings import Settings


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


def get_clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


T = TypeVar("T")


class IngestPool:
    """Where posted events are validated and stored: off the event loop, in the app's pool."""

    def __init__(self, executor: Executor) -> None:
        self.executor = executor

    async def run(self, work: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.executor, work)


def get_ingest_pool(request: Request) -> IngestPool:
    return IngestPool(request.app.state.ingest_pool)


def get_group_commit(request: Request) -> GroupCommit:
    group_commit: GroupCommit = request.app.state.group_commit
    return group_commit


SettingsDep = Annotated[Settings, Depends(get_settings)]
IngestPoolDep = Annotated[IngestPool, Depends(get_ingest_pool)]
GroupCommitDep = Annotated[GroupCommit, Depends(get_group_commit)]
DatabaseDep = Annotated[Database, Depends(get_database)]
ClockDep = Annotated[Clock, Depends(get_clock)]


def get_event_service(db: DatabaseDep, settings: SettingsDep, clock: ClockDep) -> EventService:
    return EventService(db, settings, clock)


def get_registry_service(db: DatabaseDep, clock: ClockDep) -> RegistryService:
    return RegistryService(db, clock)


EventServiceDep = Annotated[EventService, Depends(get_event_service)]
RegistryServiceDep = Annotated[RegistryService, Depends(get_registry_service)]
