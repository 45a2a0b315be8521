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


def field_errors(details: Iterable[ErrorDetails], whole: str = "event") -> list[FieldError]:
    """Pydantic error details as FieldErrors named by dotted path (`query.from`).

    An error about the input as a whole (not one field of it) is named `whole`.
    """
    return [
        FieldError(".".join(str(part) for part in d["loc"]) or whole, d["msg"]) for d in details
    ]


def summarize(errors: Sequence[FieldError]) -> str:
    """A one-line human reason: `confidence: Input should be ...; count: ...`."""
    return "; ".join(f"{e.field}: {e.message}" for e in errors)
