"""Wire models of workers and workstations."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Team = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class WorkerOut(BaseModel):
    worker_id: str
    site_id: str
    name: str | None
    named: bool = Field(description="False until a supervisor gives the worker a display name.")
    team: str | None = Field(description="The team a supervisor put the worker in, if any.")
    first_seen: datetime


class WorkerIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"name": "Ana Costa", "team": "Line 2"}]}
    )

    name: Name | None = Field(description="Display name; null removes it.")
    team: Team | None = Field(
        default=None,
        description="The worker's team (teams' figures: GET /api/metrics/teams); null takes the "
        "worker out of its team; absent leaves it as it is.",
    )


class WorkstationOut(BaseModel):
    workstation_id: str
    site_id: str
    name: str | None
    station_type: str | None
    named: bool
    first_seen: datetime


class WorkstationIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"name": "Assembly 3", "station_type": "assembly"}]},
    )

    name: Name | None
    station_type: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)] | None
    ) = None
