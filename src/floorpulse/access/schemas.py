"""Wire models of API keys."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from floorpulse.access.keys import Scope

KeyName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[\w .@-]+$"),
]


class KeyIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"name": "camera-3", "scope": "ingest"}]}
    )

    name: KeyName = Field(description="Who holds it: a device, a person, a dashboard screen.")
    scope: Scope = Field(description="ingest: send events; read: dashboard and reads; admin: all.")


class Holder(BaseModel):
    name: str = Field(description='The key\'s name; "this machine" while no key exists.')
    scope: Scope


class KeyOut(BaseModel):
    id: int
    name: str
    scope: Scope
    prefix: str = Field(description="The key's first characters, to tell keys apart.")
    created: datetime
    revoked: datetime | None


class KeyCreated(KeyOut):
    key: str = Field(description="The key itself. It is shown this once and stored only hashed.")
