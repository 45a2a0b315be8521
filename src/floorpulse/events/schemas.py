"""Wire models of events: what cameras and edge agents send, and what the server answers.

Imports only pydantic and the standard library, so the edge agent can share it.
"""

import re
from datetime import date, datetime
from typing import Annotated, Literal, NotRequired, get_args

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    with_config,
)
from typing_extensions import TypedDict  # pydantic needs this one before Python 3.12

from floorpulse.validation import FieldError

MAX_UNITS_PER_EVENT = 1_000_000


# A Literal validates several times faster than an Enum, and ingestion is the hot path.
EventType = Literal["working", "idle", "absent", "product_count"]
EVENT_TYPES: tuple[str, ...] = get_args(EventType)


def _number_to_str(value: object) -> object:
    # Seed clients send `"worker_id": 1`; an integer id is the same id as its decimal text.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:\-]*$"
# Ids end up in URLs, logs and CSV files, so they are kept to a safe, printable alphabet.
Id = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=ID_PATTERN)]
# The seed API's clients send worker and workstation ids as integers. A Python validator costs a
# call per field, so the newer id fields, which no old client sends as numbers, do without one.
LegacyId = Annotated[
    Id,
    BeforeValidator(_number_to_str),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "minLength": 1, "maxLength": 64, "pattern": ID_PATTERN},
                {"type": "integer", "minimum": 0, "description": "the seed API's integer ids"},
            ]
        }
    ),
]
Label = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[\x21-\x7e]+$")]
EventId = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[\x21-\x7e]+$")]
# Strict, and events are validated from JSON: only an ISO 8601 string is a timestamp, never a
# bare number that would be read as Unix seconds.
# Headers an edge agent sends with each batch: its id, and its queue as it stands.
EDGE_AGENT_HEADER = "X-Edge-Agent"
EDGE_BACKLOG_HEADER = "X-Edge-Backlog"
EDGE_OLDEST_HEADER = "X-Edge-Oldest-S"

Timestamp = Annotated[AwareDatetime, Field(strict=True)]


def _iso_only(value: object) -> object:
    if isinstance(value, str) and NUMBER.fullmatch(value.strip()):
        raise ValueError("must be an ISO 8601 date-time with an offset, e.g. 2026-01-15T10:15:00Z")
    return value


def _plausible(value: date) -> date:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"must be between the years {FIRST_YEAR} and {LAST_YEAR}")
    return value


FIRST_YEAR, LAST_YEAR = 1970, 9000
NUMBER = re.compile(r"[-+]?[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?")
# A time or date in a query string: text, as the document says, never a number read as Unix
# seconds.
# Years far from any factory's are refused too: windows and baselines reach days around them.
QueryTime = Annotated[AwareDatetime, BeforeValidator(_iso_only), AfterValidator(_plausible)]
QueryDate = Annotated[date, BeforeValidator(_iso_only), AfterValidator(_plausible)]


# A TypedDict, not a model: a batch of 1,000 validates in two thirds of the time, and ingestion
# is the hot path. Optional fields may be absent from the dict; read them with `.get`.
@with_config(
    ConfigDict(
        # Strict: no silent conversions (a bool is no confidence, "3" no count); also faster.
        strict=True,
        extra="ignore",
        title="EventIn",
        json_schema_extra={
            "examples": [
                {
                    "timestamp": "2026-01-15T10:15:00Z",
                    "worker_id": "W1",
                    "workstation_id": "S3",
                    "event_type": "working",
                    "confidence": 0.93,
                    "count": 1,
                    "model_version": "yolov8-w-2.1",
                    "camera_id": "CAM-3",
                    "event_id": "0b6f8a52-8a1e-4a8e-9f0c-3f4f2b7f1c11",
                }
            ]
        },
    )
)
class EventIn(TypedDict):
    """One detection from a camera model."""

    timestamp: Annotated[Timestamp, Field(description="Event time: ISO 8601 with an offset or Z.")]
    worker_id: LegacyId
    workstation_id: LegacyId
    event_type: EventType
    confidence: Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
    count: NotRequired[
        Annotated[int, Field(ge=1, le=MAX_UNITS_PER_EVENT, description="Units; absent: 1.")]
    ]
    model_version: NotRequired[Label | None]
    camera_id: NotRequired[Id | None]
    site_id: NotRequired[
        Annotated[Id | None, Field(description="Absent: the server's default site.")]
    ]
    event_id: NotRequired[Annotated[EventId | None, Field(description="Client-chosen unique id.")]]


@with_config(ConfigDict(strict=True, title="EventBatchIn"))
class EventBatchIn(TypedDict):
    """The object form of a batch, as the seed API sends it; a bare JSON array works too."""

    events: list[EventIn]


class EventOut(BaseModel):
    """A stored event: what was sent, plus the server's id and receive time."""

    id: int
    timestamp: datetime
    worker_id: str
    workstation_id: str
    event_type: EventType
    confidence: float
    count: int
    model_version: str | None
    camera_id: str | None
    site_id: str
    event_id: str | None
    low_confidence: bool = Field(description="Below the confidence threshold: kept, not counted.")
    backfilled: bool = Field(
        description="Received long after it happened (FLOORPULSE_BACKFILL_AFTER_S): late."
    )
    received_at: datetime
    created_at: datetime = Field(description="Same as received_at; the seed API's name for it.")


class RejectedEvent(BaseModel):
    """Why one event of a batch was not stored."""

    index: int = Field(description="Position of the event in the batch, from 0.")
    reason: str
    errors: list[FieldError]


class BatchResult(BaseModel):
    """What happened to each event of a batch: accepted + duplicates + rejected = total."""

    total: int
    accepted: int = Field(description="Newly stored, low-confidence ones included.")
    duplicates: int = Field(description="Already stored; not stored again.")
    low_confidence: int = Field(description="Of the accepted, how many are below the threshold.")
    rejected: int
    rejected_events: list[RejectedEvent]


class EventQuery(BaseModel):
    """Filters of `GET /api/events`; `from` is inclusive, `to` exclusive."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    worker_id: Id | None = None
    workstation_id: Id | None = None
    event_type: EventType | None = None
    site: Id | None = None
    from_: QueryTime | None = Field(default=None, alias="from")
    to: QueryTime | None = None
    limit: int = Field(default=100, ge=1, le=1000)
    cursor: str | None = Field(
        default=None, max_length=64, description="From the `Link: rel=next`."
    )
