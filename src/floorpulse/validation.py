"""Field-level validation errors, shared by the HTTP problem documents and the wire schemas.

Imports only the standard library and pydantic-core, so the edge agent can use it.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pydantic_core import ErrorDetails


@dataclass(frozen=True)
class FieldError:
    """One thing wrong with one field of the input."""

    field: str
    message: str


# Pydantic's wording, where it leaves a camera integrator guessing what to send instead.
CLEARER = {
    "datetime_type": "must be an ISO 8601 string with an offset, e.g. 2026-01-15T10:15:00Z",
    "datetime_from_date_parsing": "must be an ISO 8601 date-time, e.g. 2026-01-15T10:15:00Z",
    "datetime_parsing": "must be an ISO 8601 date-time, e.g. 2026-01-15T10:15:00Z",
    "timezone_aware": "has no UTC offset; end it with Z or an offset such as +02:00",
    "dict_type": "is not a JSON object",
    "model_type": "is not a JSON object",
    "model_attributes_type": "is not a JSON object",
}


def field_errors(details: Iterable[ErrorDetails], whole: str = "event") -> list[FieldError]:
    """Pydantic error details as FieldErrors named by dotted path (`query.from`).

    An error about the input as a whole (not one field of it) is named `whole`.
    """
    return [
        FieldError(
            ".".join(str(part) for part in d["loc"]) or whole, CLEARER.get(d["type"], d["msg"])
        )
        for d in details
    ]


def summarize(errors: Sequence[FieldError]) -> str:
    """A one-line human reason: `confidence: Input should be ...; count: ...`."""
    return "; ".join(f"{e.field}: {e.message}" for e in errors)
