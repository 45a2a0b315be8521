"""Wire models of workers and workstations."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class WorkerOut(BaseModel):
    worker_id: str
    site_id: str
    name: str | None
    named: bool = Field(description="False until a supervisor gives the worker a display name.")
    first_seen: datetime


class WorkerIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"name": "Ana Costa"}]}
    )

    name: Name | None = Field(description="Display name; null removes it.")


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
