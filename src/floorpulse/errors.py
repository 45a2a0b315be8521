"""Typed errors and their one mapping to RFC 9457 problem documents (application/problem+json)."""

import logging
import math
from collections.abc import Sequence
from dataclasses import asdict
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from floorpulse.validation import FieldError, field_errors, summarize

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger(__name__)


class FloorPulseError(Exception):
    """Base of every error a client may see; carries its HTTP status and problem type."""

    status = HTTPStatus.INTERNAL_SERVER_ERROR
    problem = "internal-error"
    headers: dict[str, str] = {}  # noqa: RUF012  # read only: what the answer must carry

    def __init__(self, detail: str, errors: Sequence[FieldError] = ()) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = tuple(errors)


class MalformedBody(FloorPulseError):
    status = HTTPStatus.BAD_REQUEST
    problem = "malformed-body"


class NotFound(FloorPulseError):
    status = HTTPStatus.NOT_FOUND
    problem = "not-found"


class Unauthorized(FloorPulseError):
    """No key, or one that is not (or no longer) valid."""

    status = HTTPStatus.UNAUTHORIZED
    problem = "unauthorized"
    headers = {"WWW-Authenticate": 'Bearer realm="floorpulse"'}  # noqa: RUF012


class Forbidden(FloorPulseError):
    """A valid key whose scope does not cover the request, or a client that may not connect."""

    status = HTTPStatus.FORBIDDEN
    problem = "forbidden"


class TooManyRequests(FloorPulseError):
    """Over a rate limit: nothing was taken, and `Retry-After` says when to try again."""

    status = HTTPStatus.TOO_MANY_REQUESTS
    problem = "too-many-requests"

    def __init__(self, detail: str, retry_after_s: float) -> None:
        super().__init__(detail)
        self.headers = {"Retry-After": str(max(1, math.ceil(retry_after_s)))}


class InvalidInput(FloorPulseError):
    status = HTTPStatus.UNPROCESSABLE_ENTITY
    problem = "invalid-input"


class Conflict(FloorPulseError):
    """The request contradicts what is stored (e.g. reseeding over observed data)."""

    status = HTTPStatus.CONFLICT
    problem = "conflict"


class NotReady(FloorPulseError):
    status = HTTPStatus.SERVICE_UNAVAILABLE
    problem = "not-ready"


def slug(status: int) -> str:
    """A problem type for a status with no more specific one: `content-too-large`."""
    return HTTPStatus(status).phrase.lower().replace(" ", "-")


def problem_response(
    request: Request,
    status: int,
    detail: str,
    errors: Sequence[FieldError] = (),
    problem: str | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"urn:floorpulse:problem:{problem or slug(status)}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    if errors:
        body["errors"] = [asdict(e) for e in errors]
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


async def _on_floorpulse_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, FloorPulseError)
    response = problem_response(request, exc.status, exc.detail, exc.errors, exc.problem)
    response.headers.update(exc.headers)
    return response


async def _on_request_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    # FastAPI prefixes locations with where the value came from ("query", "path", "body").
    errors = field_errors(exc.errors())
    return problem_response(request, 422, summarize(errors), errors, "invalid-input")


async def _on_http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    if exc.status_code == 404:
        detail = f"no such resource: {request.method} {request.url.path}"
    response = problem_response(request, exc.status_code, detail)
    response.headers.update(exc.headers or {})
    return response


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem_response(request, 500, "internal server error; see the server log")


def install_problem_handlers(app: FastAPI) -> None:
    """Map every error a request can raise to a problem document, in one place."""
    app.add_exception_handler(FloorPulseError, _on_floorpulse_error)
    app.add_exception_handler(RequestValidationError, _on_request_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http_exception)
    app.add_exception_handler(Exception, _on_unexpected)
