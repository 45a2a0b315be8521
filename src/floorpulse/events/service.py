"""Use cases of events: ingest one, ingest a batch, list them page by page."""

import base64
import binascii
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pydantic_core
from pydantic import TypeAdapter, ValidationError
from sqlalchemy import Connection, Row

from floorpulse.analytics.repository import StaleKey, mark_stale
from floorpulse.analytics.rollups import changed_hours
from floorpulse.clock import Clock, utc_now
from floorpulse.db.engine import Database
from floorpulse.db.epoch import from_epoch_us, to_epoch_us
from floorpulse.errors import InvalidInput, MalformedBody
from floorpulse.events import repository
from floorpulse.events.repository import EventFilter, NewEvent
from floorpulse.events.schemas import (
    BatchResult,
    EventBatchIn,
    EventIn,
    EventOut,
    EventQuery,
    RejectedEvent,
)
from floorpulse.metrics.tally import hour_start
from floorpulse.mlops import repository as models
from floorpulse.mlops.repository import NONE, Sighting, SightingKey
from floorpulse.registry import repository as registry
from floorpulse.settings import Settings
from floorpulse.validation import FieldError, field_errors, summarize

Judged = EventIn | list[FieldError]  # a valid event, or what is wrong with it

_EVENT = TypeAdapter(EventIn)
_EVENT_ARRAY = TypeAdapter(list[EventIn])
_BATCH_OBJECT = TypeAdapter(EventBatchIn)


class EventService:
    """Validates, deduplicates and stores events; lists stored ones."""

    def __init__(self, db: Database, settings: Settings, clock: Clock = utc_now) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock

    def prepare_one(self, payload: object) -> NewEvent:
        """Validate one event (parsed JSON) into the row to store; raises what is wrong with it."""
        row = self._to_row(judge(payload), to_epoch_us(self.clock()))
        if isinstance(row, list):
            raise InvalidInput(summarize(row), row)
        return row

    def store_one(self, row: NewEvent) -> tuple[EventOut, bool]:
        """Store one row; answer the stored event and whether it is new (False: a duplicate)."""
        with self.db.write() as conn:
            created = repository.insert_new(conn, [row]) == 1
            self._record(conn, [self._footprint([row])], row.received_us, row.received_us)
            stored = repository.find_stored(conn, row)
        if stored is None:  # a conflict without a stored twin means the indexes changed
            raise RuntimeError("insert conflicted but no stored duplicate was found")
        return event_out(stored, self.settings.backfill_after_us), created

    def prepare_batch(self, body: bytes) -> "PreparedBatch":
        """Validate a posted batch into rows to store and rejections; no database work.

        Raises the batch's error when the body as a whole cannot be taken (not JSON, not a
        batch, too many events). Kept apart from storing so that, under load, the next batch is
        validated while the previous one is written (SQLite releases the GIL while it writes).
        """
        received_us = to_epoch_us(self.clock())
        events = judge_batch(body)
        if len(events) > self.settings.max_batch_events:
            reason = f"{len(events)} events in one batch; at most {self.settings.max_batch_events}"
            raise InvalidInput(reason, [FieldError("events", reason)])
        batch = PreparedBatch(total=len(events), received_us=received_us)
        # The first of repeats within a batch is the one kept; the low-confidence rows are stored
        # in a statement of their own, so the database alone would not see which came first.
        seen: set[object] = set()
        for index, event in enumerate(events):
            row = self._to_row(event, received_us)
            if isinstance(row, list):
                batch.rejected.append(RejectedEvent(index=index, reason=summarize(row), errors=row))
                continue
            key = (row.event_id, row.ts_us) if row.event_id else repository.natural_key(row)
            if key in seen:
                continue  # a duplicate: result() counts it
            seen.add(key)
            if row.low_confidence:
                batch.low_confidence_rows.append(row)
            else:
                batch.rows.append(row)
        # Worked out here, on the validating threads, so the single writer only writes.
        batch.footprint = self._footprint([*batch.rows, *batch.low_confidence_rows])
        return batch

    def store_batches(self, batches: Sequence["PreparedBatch"]) -> list[BatchResult]:
        """Store prepared batches in one transaction; answer each on its own.

        One commit for the group is what makes this worth it: under load, batches queue up while
        one is stored, and each commit (an fsync on SQLite) is paid once for all of them.
        """
        with self.db.write() as conn:
            # Low-confidence rows go in statements of their own: the row counts then tell how
            # many of each were new, without reading every stored row back.
            results = [
                batch.result(
                    repository.insert_new(conn, batch.rows),
                    repository.insert_new(conn, batch.low_confidence_rows),
                )
                for batch in batches
            ]
            received = [batch.received_us for batch in batches]
            self._record(conn, [b.footprint for b in batches], min(received), max(received))
        return results

    def newest_id(self) -> int:
        """Grows whenever an event is stored: a cheap way to tell that something arrived."""
        with self.db.read() as conn:
            return repository.newest_id(conn)

    def list_events(self, query: EventQuery) -> tuple[list[EventOut], str | None]:
        """A page of events, newest first, and the cursor of the next page (None: last page)."""
        where = EventFilter(
            site_id=query.site,
            worker_id=query.worker_id,
            workstation_id=query.workstation_id,
            event_type=query.event_type,
            from_us=to_epoch_us(query.from_) if query.from_ else None,
            to_us=to_epoch_us(query.to) if query.to else None,
            before=decode_cursor(query.cursor) if query.cursor else None,
        )
        if where.from_us is not None and where.to_us is not None and where.from_us >= where.to_us:
            problem = FieldError("query.from", "is not before `to`")
            raise InvalidInput("`from` must be before `to`", [problem])
        with self.db.read() as conn:
            rows = repository.list_newest_first(conn, where, query.limit + 1)
        page = rows[: query.limit]
        more = len(rows) > query.limit
        late_us = self.settings.backfill_after_us
        return [event_out(r, late_us) for r in page], encode_cursor(page[-1]) if more else None

    def _to_row(self, event: Judged, received_us: int) -> NewEvent | list[FieldError]:
        if isinstance(event, list):
            return event
        ts_us = to_epoch_us(event["timestamp"])
        ahead_s = (ts_us - received_us) / 1e6
        if ahead_s > self.settings.max_clock_skew_s:
            return [FieldError("timestamp", self._too_far_ahead(ahead_s))]
        days = self.settings.retention_days
        if days is not None and -ahead_s > days * 86_400:
            return [
                FieldError(
                    "timestamp",
                    f"is older than the {days} days raw events are kept "
                    "(FLOORPULSE_RETENTION_DAYS); figures that old are final",
                )
            ]
        confidence = event["confidence"]
        # Positional: keyword construction of a NamedTuple costs 2 µs an event on the hot path.
        return NewEvent(
            event.get("site_id") or self.settings.default_site,
            event.get("event_id"),
            ts_us,
            event["worker_id"],
            event["workstation_id"],
            event["event_type"],
            confidence,
            event.get("count", 1),
            confidence < self.settings.confidence_threshold,
            event.get("model_version"),
            event.get("camera_id"),
            received_us,
        )

    def _too_far_ahead(self, ahead_s: float) -> str:
        return (
            f"is {ahead_s:.0f} s ahead of the server clock; at most "
            f"{self.settings.max_clock_skew_s:.0f} s allowed (FLOORPULSE_MAX_CLOCK_SKEW_S)"
        )

    def _footprint(self, rows: Sequence[NewEvent]) -> "Footprint":
        counted = (row for row in rows if not row.low_confidence)
        hours = changed_hours(counted, timeout_us=self.settings.state_timeout_us)
        # A low-confidence event changes no figure, but the detections counted per model do.
        hours.update(
            (r.site_id, r.worker_id, hour_start(r.ts_us)) for r in rows if r.low_confidence
        )
        return Footprint(
            workers={(r.site_id, r.worker_id) for r in rows},
            stations={(r.site_id, r.workstation_id) for r in rows},
            hours=hours,
            sightings=_sightings(rows),
        )

    @staticmethod
    def _record(
        conn: Connection, footprints: Sequence["Footprint"], seen_us: int, marked_us: int
    ) -> None:
        """Register the rows' workers and stations, and mark the hours they change stale."""
        # Registering ids already known is a no-op, so every valid row's ids can be offered.
        workers = set().union(*(f.workers for f in footprints))
        stations = set().union(*(f.stations for f in footprints))
        registry.register(conn, registry.workers, "worker_id", workers, seen_us)
        registry.register(conn, registry.workstations, "workstation_id", stations, seen_us)
        mark_stale(conn, set().union(*(f.hours for f in footprints)), marked_us)
        models.record_sightings(conn, _merged([f.sightings for f in footprints]))


@dataclass(frozen=True)
class Footprint:
    """What storing some rows touches besides the events: ids to register, hours gone stale,
    model versions seen on cameras."""

    workers: set[tuple[str, str]]
    stations: set[tuple[str, str]]
    hours: set[StaleKey]
    sightings: dict[SightingKey, Sighting] = field(default_factory=dict)


def _sightings(rows: Iterable[NewEvent]) -> dict[SightingKey, Sighting]:
    """Each (site, model version, camera)'s first and last event time, and last receipt."""
    seen: dict[SightingKey, Sighting] = {}
    for r in rows:
        key = (r.site_id, r.model_version or NONE, r.camera_id or NONE)
        models.widen(seen, key, (r.ts_us, r.ts_us, r.received_us))
    return seen


def _merged(parts: Iterable[dict[SightingKey, Sighting]]) -> dict[SightingKey, Sighting]:
    merged: dict[SightingKey, Sighting] = {}
    for part in parts:
        for key, sighting in part.items():
            models.widen(merged, key, sighting)
    return merged


@dataclass
class PreparedBatch:
    """A posted batch, validated: the rows to store and the events rejected, by index."""

    total: int
    received_us: int
    rows: list[NewEvent] = field(default_factory=list)  # the ones that count in the metrics
    low_confidence_rows: list[NewEvent] = field(default_factory=list)  # stored, flagged
    rejected: list[RejectedEvent] = field(default_factory=list)
    footprint: Footprint = field(default_factory=lambda: Footprint(set(), set(), set()))

    def result(self, new: int, new_low_confidence: int) -> BatchResult:
        """The answer, given how many rows and low-confidence rows were new."""
        valid = self.total - len(self.rejected)
        accepted = new + new_low_confidence
        return BatchResult(
            total=self.total,
            accepted=accepted,
            duplicates=valid - accepted,
            low_confidence=new_low_confidence,
            rejected=len(self.rejected),
            rejected_events=self.rejected,
        )


def judge(item: object) -> Judged:
    """One event (parsed JSON) validated, or the errors that reject it."""
    try:  # validated as JSON, as the fast path does, so that both judge alike
        return _EVENT.validate_json(pydantic_core.to_json(item))
    except ValidationError as error:
        return field_errors(error.errors())


def judge_batch(body: bytes) -> list[Judged]:
    """Each event of a batch body (a JSON array, or `{"events": [...]}`), judged on its own."""
    try:  # the common case, all valid, in one pass of the validator
        if body.lstrip()[:1] == b"[":
            events = _EVENT_ARRAY.validate_json(body)
        else:
            events = _BATCH_OBJECT.validate_json(body)["events"]
        return list(events)
    except ValidationError:
        pass  # a bad event, or a bad envelope: find out which, one event at a time
    return [judge(item) for item in batch_items(decode_json(body))]


def decode_json(body: bytes) -> object:
    """Parse a request body; malformed JSON is the client's error, named with its position."""
    try:
        return pydantic_core.from_json(body, allow_inf_nan=False)
    except ValueError as error:
        raise MalformedBody(f"body is not valid JSON: {error}") from None


def batch_items(document: object) -> list[object]:
    """The events of a batch: a bare JSON array, or the seed API's `{"events": [...]}`."""
    if isinstance(document, dict) and "events" in document:
        document = document["events"]
    if not isinstance(document, list):
        reason = 'a batch is a JSON array of events, or an object {"events": [...]}'
        raise InvalidInput(reason, [FieldError("events", reason)])
    return document


def event_out(row: Row[Any], backfill_after_us: int) -> EventOut:
    """A stored row as the wire model; one received `backfill_after_us` late is backfilled."""
    received_at = from_epoch_us(row.received_us)
    return EventOut(
        id=row.id,
        timestamp=from_epoch_us(row.ts_us),
        worker_id=row.worker_id,
        workstation_id=row.workstation_id,
        event_type=row.event_type,
        confidence=row.confidence,
        count=row.count,
        model_version=row.model_version,
        camera_id=row.camera_id,
        site_id=row.site_id,
        event_id=row.event_id,
        low_confidence=row.low_confidence,
        backfilled=row.received_us - row.ts_us > backfill_after_us,
        received_at=received_at,
        created_at=received_at,
    )


def encode_cursor(row: Row[Any]) -> str:
    return base64.urlsafe_b64encode(f"{row.ts_us}:{row.id}".encode()).decode()


def decode_cursor(cursor: str) -> tuple[int, int]:
    """The (ts_us, id) a cursor points after; a cursor not made here is a 422."""
    try:
        ts_us, row_id = base64.urlsafe_b64decode(cursor.encode()).decode().split(":")
        return int(ts_us), int(row_id)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        problem = FieldError(
            "query.cursor", "is not a cursor this server issued; use the Link header"
        )
        raise InvalidInput("cursor is not one this server issued", [problem]) from None
