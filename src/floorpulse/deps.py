"""Dependencies shared by the routers: what the app factory built, as short Annotated aliases.

Those that only read what the app holds are `async def`: FastAPI runs a plain `def` dependency on
a worker thread, and five such hops cost a small batch more than storing it. One that may read
the database (get_viewing) stays a plain `def`, off the event loop.
"""

from functools import partial
from typing import Annotated, Any

from fastapi import Depends, Path, Request
from fastapi.security import APIKeyHeader, HTTPBearer
from starlette.requests import HTTPConnection

from floorpulse import openapi
from floorpulse.access.keys import Principal, Scope
from floorpulse.access.service import Access
from floorpulse.access.throttle import Throttle
from floorpulse.analytics.service import MetricsService
from floorpulse.clock import Clock
from floorpulse.db.engine import Database
from floorpulse.demo.service import DemoService
from floorpulse.errors import Forbidden, InvalidInput, Unauthorized
from floorpulse.events.ingest import Admit, Ingest
from floorpulse.events.service import EventService
from floorpulse.mlops.alerts import Alerts
from floorpulse.mlops.service import ModelHealth
from floorpulse.observability.telemetry import Telemetry
from floorpulse.privacy.lens import View
from floorpulse.privacy.viewing import Lenses, Viewing
from floorpulse.registry.service import RegistryService
from floorpulse.settings import Settings
from floorpulse.validation import FieldError, summarize


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


async def get_clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


async def get_ingest(request: Request) -> Ingest:
    ingest: Ingest = request.app.state.ingest
    return ingest


SettingsDep = Annotated[Settings, Depends(get_settings)]
IngestDep = Annotated[Ingest, Depends(get_ingest)]
DatabaseDep = Annotated[Database, Depends(get_database)]
ClockDep = Annotated[Clock, Depends(get_clock)]


async def get_event_service(
    db: DatabaseDep, settings: SettingsDep, clock: ClockDep
) -> EventService:
    return EventService(db, settings, clock)


async def get_registry_service(db: DatabaseDep, clock: ClockDep) -> RegistryService:
    return RegistryService(db, clock)


async def get_metrics_service(request: Request) -> MetricsService:
    """The app's one metrics service: it keeps timeline pieces between requests."""
    metrics: MetricsService = request.app.state.metrics
    return metrics


EventServiceDep = Annotated[EventService, Depends(get_event_service)]


async def get_demo_service(
    db: DatabaseDep, settings: SettingsDep, events: EventServiceDep, clock: ClockDep
) -> DemoService:
    return DemoService(db, settings, events, clock)


DemoServiceDep = Annotated[DemoService, Depends(get_demo_service)]
MetricsServiceDep = Annotated[MetricsService, Depends(get_metrics_service)]
RegistryServiceDep = Annotated[RegistryService, Depends(get_registry_service)]


async def get_model_health(request: Request) -> ModelHealth:
    health: ModelHealth = request.app.state.model_health
    return health


ModelHealthDep = Annotated[ModelHealth, Depends(get_model_health)]


async def get_alerts(request: Request) -> Alerts:
    alerts: Alerts = request.app.state.alerts
    return alerts


AlertsDep = Annotated[Alerts, Depends(get_alerts)]


async def get_access(request: Request) -> Access:
    access: Access = request.app.state.access
    return access


AccessDep = Annotated[Access, Depends(get_access)]


async def get_telemetry(request: Request) -> Telemetry:
    telemetry: Telemetry = request.app.state.telemetry
    return telemetry


TelemetryDep = Annotated[Telemetry, Depends(get_telemetry)]


async def get_admission(request: Request) -> Admit:
    """Counts a request's events against its key's and address's rate limits (429 if over)."""
    throttle: Throttle = request.app.state.throttle
    principal = getattr(request.state, "principal", None)
    address = request.client.host if request.client else None
    return partial(throttle.events, principal, address)


AdmitDep = Annotated[Admit, Depends(get_admission)]


def get_viewing(request: Request, registry: RegistryServiceDep, settings: SettingsDep) -> Viewing:
    """Answers as the request's key sees workers: named, pseudonymous, or not at all."""
    principal: Principal | None = getattr(request.state, "principal", None)
    lenses: Lenses = request.app.state.lenses
    view = principal.view if principal else View.NAMED
    return Viewing(lenses.of(view), registry, settings.default_site, settings.min_team_size)


ViewingDep = Annotated[Viewing, Depends(get_viewing)]

# The gate (access/gate.py) reads the key; these only describe it in the OpenAPI document.
_bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer fpk_…`")
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="An API key.")


def requires(scope: Scope) -> Any:
    """A dependency that refuses requests whose key does not cover `scope` (403)."""

    async def check(
        request: Request, _bearer: Any = Depends(_bearer), _header: Any = Depends(_api_key)
    ) -> Principal:
        principal: Principal | None = getattr(request.state, "principal", None)
        if principal is None:
            raise Unauthorized("this request needs an API key")
        if not principal.may(scope):
            raise Forbidden(
                f"this needs a key with scope {scope.value} (or admin); "
                f"{principal.name!r} holds a {principal.scope.value} key"
            )
        return principal

    return Depends(check)


# A row id in a path: the database's 64-bit integer; a larger number is no row (404), not a crash.
RowIdPath = Annotated[int, Path(ge=1, le=2**63 - 1)]

REFUSALS: dict[int | str, dict[str, Any]] = {
    401: {"description": "No API key, or one not valid (mistyped or revoked)."},
    403: {
        "description": "The key's scope does not cover this, its view does not show "
        "individual workers, or no keys exist yet and the client is not on this machine."
    },
}
READS = requires(Scope.READ)
CHANGES = requires(Scope.ADMIN)
SENDS = requires(Scope.INGEST)


async def _named_view(principal: Annotated[Principal, READS]) -> None:
    """Refuses keys that see workers under pseudonyms or not at all (403)."""
    if principal.view is not View.NAMED:
        raise Forbidden(
            f"this names workers, and {principal.name!r} holds a key with the "
            f"{principal.view.value} view; it needs a read key with the named view"
        )


NAMES = Depends(_named_view)


async def one_value_each(connection: HTTPConnection) -> None:
    """`?site=a&site=b` is ambiguous: a parameter that is not a list may be given once (422).
    (A connection, not a request: every route has this dependency, the push websocket too.)"""
    route = connection.scope.get("route")
    method = connection.scope.get("method", "")
    lists = openapi.repeatable(connection.app, getattr(route, "path", ""), method)
    if lists is None:
        return
    names = [name for name, _ in connection.query_params.multi_items()]
    twice = sorted({name for name in names if names.count(name) > 1} - lists)
    if twice:
        errors = [FieldError(f"query.{name}", "is given more than once") for name in twice]
        raise InvalidInput(summarize(errors), errors)
