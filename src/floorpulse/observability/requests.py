"""Every request: an id (the client's `X-Request-ID`, or a new one) on its answer and on every
log line written while serving it; one access-log line; a count by route and status."""

import logging
import re
import time
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from floorpulse.observability.logs import request_id
from floorpulse.observability.telemetry import Telemetry

log = logging.getLogger("floorpulse.access")
# An id a client gives is kept if it could not smuggle anything into a log line.
GIVEN_ID = re.compile(r"[A-Za-z0-9._:/-]{1,128}")
UNROUTED = "(unrouted)"  # refused before routing (no key, over a limit), or no such path


class RequestLog:
    def __init__(self, app: ASGIApp, telemetry: Telemetry) -> None:
        self.app = app
        self.telemetry = telemetry

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        given = Headers(scope=scope).get("x-request-id", "")
        rid = given if GIVEN_ID.fullmatch(given) else uuid.uuid4().hex
        token = request_id.set(rid)
        status, started = 500, time.perf_counter()

        async def answer(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)["X-Request-ID"] = rid
            await send(message)

        try:
            await self.app(scope, receive, answer)
        finally:
            self._record(scope, status, time.perf_counter() - started)
            request_id.reset(token)

    def _record(self, scope: Scope, status: int, took_s: float) -> None:
        # The template as documented: /api/alerts/{alert_id}, not its {alert_id:int}.
        route = getattr(scope.get("route"), "path_format", UNROUTED)
        principal = scope.get("state", {}).get("principal")
        self.telemetry.requests.labels(route, str(status)).inc()
        log.info(
            "%s %s %s",
            scope.get("method", "WEBSOCKET"),
            route,
            status,
            extra={
                "method": scope.get("method", "WEBSOCKET"),
                "route": route,
                "status": status,
                "duration_ms": round(took_s * 1000, 1),
                "key_id": getattr(principal, "key_id", None),
            },
        )
