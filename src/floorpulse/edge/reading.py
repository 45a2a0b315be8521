"""What a source hands the agent, checked with the server's own wire schema before it is queued.

A line (or MQTT message) is one event or a JSON array of them. An event the server would refuse
is caught here, with the same reason, and kept as a dead letter instead of being sent.
"""

import json
from typing import Any

from pydantic import TypeAdapter, ValidationError

from floorpulse.db.epoch import to_epoch_us
from floorpulse.edge.queue import Incoming
from floorpulse.events.schemas import EventIn
from floorpulse.validation import field_errors, summarize

_EVENT = TypeAdapter(EventIn)


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
    assert isinstance(item, dict)  # a valid event is a JSON object: its keys are strings
    event: dict[str, Any] = item
    return Incoming(event, raw, ts_us=to_epoch_us(valid["timestamp"]))
