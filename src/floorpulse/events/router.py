"""HTTP endpoints of events: parse the request, call the service, shape the answer."""

import re
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from floorpulse.deps import (
    READS,
    REFUSALS,
    SENDS,
    AdmitDep,
    EventServiceDep,
    IngestDep,
    TelemetryDep,
    ViewingDep,
)
from floorpulse.events.schemas import (
    EDGE_AGENT_HEADER,
    EDGE_BACKLOG_HEADER,
    EDGE_OLDEST_HEADER,
    BatchResult,
    EventOut,
    EventQuery,
)
from floorpulse.events.service import decode_json
from floorpulse.observability.telemetry import Telemetry

AGENT_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
router = APIRouter(prefix="/api/events", tags=["events"], responses=REFUSALS)

PROBLEMS: dict[int | str, dict[str, Any]] = {
    400: {"description": "The body is not JSON."},
    413: {"description": "The body is larger than FLOORPULSE_MAX_BODY_BYTES."},
    429: {"description": "Over a rate limit; nothing stored; `Retry-After` says when to retry."},
    422: {"description": "The input breaks a rule; `errors` names each field and why."},
}


def _json_body(schema: dict[str, Any]) -> dict[str, Any]:
    # The body is read raw so one bad event cannot sink a batch; this documents it anyway.
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


ONE_EVENT = {"$ref": "#/components/schemas/EventIn"}
BATCH = {
    "oneOf": [
        # Each item is judged on its own: one that is no event is rejected in the answer.
        {"type": "array", "items": {"anyOf": [ONE_EVENT, {}]}, "maxItems": 10_000},
        {"$ref": "#/components/schemas/EventBatchIn"},
    ]
}


@router.post(
    "",
    status_code=201,
    responses={
        200: {"model": EventOut, "description": "A duplicate: the event stored before."},
        **PROBLEMS,
    },
    openapi_extra=_json_body(ONE_EVENT),
    dependencies=[SENDS],
)
async def post_event(
    request: Request, response: Response, ingest: IngestDep, admit: AdmitDep
) -> EventOut:
    """Ingest one event; sending it again answers 200 with the event stored the first time."""
    payload = decode_json(await request.body())
    stored, created = await ingest.one(payload, admit)
    if not created:
        response.status_code = 200
    return stored


@router.post("/batch", responses=PROBLEMS, openapi_extra=_json_body(BATCH), dependencies=[SENDS])
async def post_batch(
    request: Request, ingest: IngestDep, admit: AdmitDep, telemetry: TelemetryDep
) -> BatchResult:
    """Ingest up to 10,000 events; each is judged on its own, none sinks the others."""
    result = await ingest.batch(await request.body(), admit)
    _edge_report(request, telemetry)
    return result


def _edge_report(request: Request, telemetry: Telemetry) -> None:
    """An edge agent's account of its queue, from its batch's headers (kept if well-formed)."""
    agent = request.headers.get(EDGE_AGENT_HEADER, "")
    backlog = request.headers.get(EDGE_BACKLOG_HEADER, "")
    oldest = request.headers.get(EDGE_OLDEST_HEADER, "0")
    if AGENT_ID.fullmatch(agent) and backlog.isdigit() and oldest.replace(".", "", 1).isdigit():
        telemetry.edge_report(agent, int(backlog), float(oldest))


@router.get("", responses={422: PROBLEMS[422]}, dependencies=[READS])
def list_events(
    query: Annotated[EventQuery, Query()],
    request: Request,
    response: Response,
    service: EventServiceDep,
    viewing: ViewingDep,
) -> list[EventOut]:
    """Stored events, newest first; the next page's URL is in the `Link` header (rel="next")."""
    viewing.individuals()
    page, cursor = service.list_events(viewing.event_query(query))
    if cursor is not None:
        next_url = request.url.include_query_params(cursor=cursor)
        response.headers["Link"] = f'<{next_url}>; rel="next"'
    return viewing.events(page)
