"""Wire models of API keys."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from floorpulse.access.keys import Scope
from floorpulse.privacy.lens import View

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
    view: View = Field(
        default=View.NAMED,
        description="What a read key sees of workers: named (ids and names), pseudonymous "
        "(a stable pseudonym each, no names) or process (no individual: stations, teams, site).",
    )

    @model_validator(mode="after")
    def _view_of_read_keys_only(self) -> "KeyIn":
        if self.view is not View.NAMED and self.scope is not Scope.READ:
            raise ValueError(
                f"only read keys have a view other than named; an {self.scope.value} key "
                "can change names and settings, so it sees them"
            )
        return self


class Holder(BaseModel):
    name: str = Field(description='The key\'s name; "this machine" while no key exists.')
    scope: Scope
    view: View


class KeyOut(BaseModel):
    id: int
    name: str
    scope: Scope
    prefix: str = Field(description="The key's first characters, to tell keys apart.")
    view: View
    created: datetime
    revoked: datetime | None


class KeyCreated(KeyOut):
    key: str = Field(description="The key itself. It is shown this once and stored only hashed.")
