"""The app factory: builds the one ASGI app (API under /api, docs at /docs). Nothing at import."""

import asyncio
import gc
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from functools import partial

from fastapi import Depends, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from starlette.exceptions import HTTPException as StarletteHTTPException

from floorpulse import __version__, openapi
from floorpulse.access.gate import Gate
from floorpulse.access.headers import SecurityHeaders
from floorpulse.access.keys import Scope
from floorpulse.access.router import pages as access_pages
from floorpulse.access.router import router as keys_router
from floorpulse.access.router import whoami
from floorpulse.access.schemas import KeyIn
from floorpulse.access.service import Access
from floorpulse.access.throttle import Throttle
from floorpulse.analytics.rollups import Rollups, keep_fresh
from floorpulse.analytics.router import router as metrics_router
from floorpulse.analytics.service import MetricsService
from floorpulse.bodylimit import BodySizeLimit
from floorpulse.clock import Clock, utc_now
from floorpulse.dashboard.app import attach as attach_dashboard
from floorpulse.dashboard.drawing import Drawing
from floorpulse.dashboard.group import Group
from floorpulse.dashboard.views import dashboard_views
from floorpulse.db.engine import Database
from floorpulse.db.leases import MIN_LEASE_S, Leases
from floorpulse.db.migrate import head_revision
from floorpulse.db.partitions import KEEP_AHEAD_S, keep_months_ahead
from floorpulse.demo.live import Simulator, start_simulator
from floorpulse.demo.router import router as demo_router
from floorpulse.demo.service import DemoService
from floorpulse.deps import one_value_each
from floorpulse.errors import install_problem_handlers
from floorpulse.events.ingest import Ingest
from floorpulse.events.router import router as events_router
from floorpulse.events.schemas import EventBatchIn, EventIn
from floorpulse.events.service import EventService
from floorpulse.health.router import router as health_router
from floorpulse.mlops.alerts import Alerts, keep_evaluating
from floorpulse.mlops.router import alerts_router
from floorpulse.mlops.router import router as models_router
from floorpulse.mlops.service import ModelHealth
from floorpulse.mlops.webhooks import Webhooks, keep_delivering
from floorpulse.observability.requests import RequestLog
from floorpulse.observability.router import router as metrics_endpoint
from floorpulse.observability.telemetry import Telemetry
from floorpulse.privacy.retention import Retention, keep_purging
from floorpulse.privacy.viewing import Lenses
from floorpulse.registry.router import router as registry_router
from floorpulse.settings import Settings, get_settings

API_CATCH_ALL = "/api/{rest:path}"
EVERY_METHOD = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE")
# The demo's simulated cameras send as any camera does: with an ingest key, once keys exist.
SIMULATOR_KEY = KeyIn(name="demo simulator", scope=Scope.INGEST)
DESCRIPTION = """Worker-productivity analytics for factories.

AI CCTV cameras post detections (`working`, `idle`, `absent`, `product_count`) to
`/api/events`; FloorPulse validates, deduplicates and stores them with both event and receive
time. Errors are RFC 9457 problem documents that name each offending field.
"""


def create_app(settings: Settings | None = None, *, clock: Clock = utc_now) -> FastAPI:
    """Build FloorPulse around one database; the caller applies migrations first."""
    settings = settings or get_settings()
    database = Database(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)

    telemetry = Telemetry()
    ingest = Ingest(
        EventService(database, settings, clock),
        writers=settings.ingest_thread_count,
        telemetry=telemetry,
    )

    rollups = Rollups(database, settings, clock)
    retention = Retention(database, settings, rollups, clock)
    drawing = Drawing(settings, Group.of_environment())
    leases = Leases(database, clock)

    def lease(job: str, interval_s: float) -> Callable[[], bool]:
        """Whether this process runs `job`'s turn: a process that dies hands it on within
        three of its intervals (half a minute at least)."""
        return partial(leases.hold, job, max(3 * interval_s, MIN_LEASE_S))

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        rollup_s, alert_s = settings.rollup_interval_s, settings.alert_interval_s
        purge_s, webhooks = settings.retention_interval_s, Webhooks(database, settings, clock)
        tasks = [
            asyncio.create_task(keep_fresh(rollups, rollup_s, lease("rollups", rollup_s))),
            asyncio.create_task(
                keep_evaluating(app.state.alerts, alert_s, may_run=lease("alerts", alert_s))
            ),
            asyncio.create_task(keep_delivering(webhooks, may_run=lease("webhooks", 1.0))),
            *_partitioned(database, clock, lease("partitions", KEEP_AHEAD_S)),
            asyncio.create_task(keep_purging(retention, purge_s, lease("retention", purge_s))),
        ]
        simulator = _start_demo(app, ingest.service) if settings.demo else None
        app.state.simulator = simulator
        # What exists now lives as long as the app: keep it out of every later full collection,
        # which otherwise rescans it all: the slowest metrics requests went from ~70 to ~21 ms.
        gc.freeze()
        yield
        if simulator:
            simulator.stop()
        drawing.close()
        for task in tasks:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
        ingest.close()  # let accepted batches finish their commit
        with suppress(Exception):  # the database gone too: the leases expire by themselves
            leases.release()
        database.dispose()

    app = FastAPI(
        title="FloorPulse",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        dependencies=[Depends(one_value_each)],
    )
    app.state.settings = settings
    app.state.database = database
    app.state.ingest = ingest
    app.state.rollups = rollups
    app.state.drawing = drawing
    app.state.clock = clock
    app.state.schema_head = head_revision()
    app.state.simulator = None
    app.state.access = Access(database, settings.session_hours, clock)
    app.state.telemetry = telemetry
    app.state.lenses = Lenses(database)
    app.state.leases = leases
    install_problem_handlers(app)
    app.add_middleware(
        BodySizeLimit, max_bytes=settings.max_body_bytes, chunk_timeout_s=settings.body_timeout_s
    )
    app.state.throttle = Throttle(settings)
    # Outermost: a stranger, or a client over its limit, sends no body.
    app.add_middleware(Gate, access=app.state.access, throttle=app.state.throttle)
    routers = (
        health_router,
        metrics_endpoint,
        access_pages,
        keys_router,
        whoami,
        events_router,
        registry_router,
        metrics_router,
        models_router,
        alerts_router,
        demo_router,
    )
    for router in routers:
        app.include_router(router)
    app.add_api_route(
        API_CATCH_ALL, _no_such_api, methods=list(EVERY_METHOD), include_in_schema=False
    )
    openapi.complete(app, [EventIn, EventBatchIn])
    # One for the API and the dashboard: both answer from the same kept timeline pieces.
    app.state.metrics = MetricsService(database, settings, clock)
    app.state.model_health = ModelHealth(database, settings, app.state.metrics, clock)
    app.state.alerts = Alerts(database, settings, app.state.model_health, clock)
    app.state.dashboard = dashboard_views(app.state.metrics, ingest.service, clock)
    health = (app.state.model_health, app.state.alerts)
    dash_app = attach_dashboard(app, app.state.dashboard, drawing, settings, health)
    _guard_browsers(app, settings, list(dash_app.csp_hashes()))
    return app


def _partitioned(
    database: Database, clock: Clock, may_run: Callable[[], bool]
) -> list["asyncio.Task[None]"]:
    """PostgreSQL's events are partitioned by month: the months ahead are made as time goes."""
    if database.is_sqlite:
        return []
    return [asyncio.create_task(keep_months_ahead(database, clock, may_run))]


def _guard_browsers(app: FastAPI, settings: Settings, script_hashes: list[str]) -> None:
    """Outside the gate: a CORS preflight carries no key, and refusals get the headers too."""
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "POST", "PUT", "DELETE"],
        allow_headers=["Authorization", "X-API-Key", "Content-Type", "X-Request-ID"],
        expose_headers=["Link", "Retry-After", "X-Request-ID"],
    )
    app.add_middleware(SecurityHeaders, script_hashes=script_hashes)
    # Outermost of all: every answer, refusals included, carries and logs its request id.
    app.add_middleware(RequestLog, telemetry=app.state.telemetry)


async def _no_such_api(request: Request) -> None:
    """Registered before the dashboard's catch-all, which would answer any GET with the page:
    a path the API has for other methods is a 405, any other a 404."""
    allowed = openapi.methods_at(request.app, request.url.path)
    if allowed:
        raise StarletteHTTPException(405, headers={"Allow": ", ".join(allowed)})
    raise StarletteHTTPException(404)


def _start_demo(app: FastAPI, events: EventService) -> Simulator | None:
    """Carry the seeded demo factory on in real time (none seeded: nothing to carry on)."""
    settings, access = app.state.settings, app.state.access
    factory = DemoService(app.state.database, settings, events).live_factory()
    if factory is None:
        return None
    access.refresh()
    key = access.replace(SIMULATOR_KEY).key if access.any_keys() else None
    return start_simulator(factory, settings, key)
