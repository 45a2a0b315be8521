"""Liveness and readiness probes."""

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import text

from floorpulse.db.migrate import current_revision
from floorpulse.deps import DatabaseDep
from floorpulse.errors import NotReady

router = APIRouter(tags=["health"])


@router.get("/health")
def health() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "healthy"}


@router.get(
    "/health/ready", responses={503: {"description": "Database unreachable or not migrated."}}
)
def ready(request: Request, db: DatabaseDep) -> dict[str, Any]:
    """Readiness: the database answers and its schema is the one this code expects."""
    head = request.app.state.schema_head
    try:
        with db.read() as conn:
            conn.execute(text("SELECT 1"))
            revision = current_revision(conn)
    except Exception as error:
        raise NotReady(f"database unreachable: {type(error).__name__}") from error
    if revision != head:
        raise NotReady(
            f"database schema is at {revision}, this server needs {head}; run `floorpulse migrate`"
        )
    return {"status": "ready", "database": db.url.get_backend_name(), "schema": revision}
