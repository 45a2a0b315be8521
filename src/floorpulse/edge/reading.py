"""What a source hands the agent, checked with the server's own wire schema before it is queued.

A line (or MQTT message) is one event or a JSON array of them. An event the server would refuse
is caught here, with the same reason, and kept as a dead letter instead of being sent.
"""

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import TypeAdapter, ValidationError

from floorpulse.edge.queue import Incoming
from floorpulse.events.schemas import EventIn
from floorpulse.validation import field_errors, summarize

_EVENT = TypeAdapter(EventIn)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def parse(raw: str | bytes) -> list[Incoming]:
    """The events of one line or message; an unreadable one is a single item with its problem."""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    try:
        document = json.loads(text)
    except ValueError as error:
        return [Incoming(None, text, f"not JSON: {error}")]
    items = document if isinstance(document, list) else [document]
    return [check(item) for item in items]


def check(item: object) -> Incoming:
    """One parsed event, validated as the server will validate it."""
    raw = json.dumps(item)
    try:
        valid = _EVENT.validate_json(raw)
    except ValidationError as error:
        return Incoming(None, raw, summarize(field_errors(error.errors())))
    assert isinstance(item, dict)
    ts_us = (valid["timestamp"] - _EPOCH) // _MICROSECOND
    return Incoming(_as_dict(item), raw, ts_us=ts_us)


def _as_dict(item: dict[Any, Any]) -> dict[str, Any]:
    return {str(key): value for key, value in item.items()}
