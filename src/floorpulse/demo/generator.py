"""A factory's camera events, made up but lifelike: the one generator of demo, tests and benchmarks.

Pure and deterministic. The events of one worker's shift depend only on the seed, the worker and
the date the shift starts, so a window of time yields exactly the events of a longer run that
fall in it, and the live simulator carries on the seeded history without a seam.

A shift, as the cameras see it: the worker arrives near its start and is slow for the first half
hour; spells of work alternate with idle spells (how much of each depends on the worker); two
short breaks and a meal (13:00-13:45 for a shift running then, for most workers) are absences;
at the end the worker leaves. While present, the state is re-sent every `heartbeat_s`, so a
worker never times out while watched; units are counted only while working. A few detections
come with low confidence. Faults of real cameras and networks are switched on with `Faults`.
"""

import heapq
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from random import Random
from typing import NamedTuple

from floorpulse.db.epoch import to_epoch_us
from floorpulse.metrics import shifts
from floorpulse.metrics.shifts import DEFAULT_SHIFTS, Shift

MODEL = "yolo-w-2.1"
NEW_MODEL = "yolo-w-2.2"
LOW_CONFIDENCE_SHARE = 0.03
SLOW_START_S = 30 * 60
LUNCH = (time(13, 0), time(13, 45))
LUNCH_SHARE = 0.8  # of the workers on shift at 13:00 who take it then
WORK_SPELL_S = 1200.0  # mean lengths
IDLE_SPELL_S = 240.0
LATENCY_S = 0.2  # camera to agent, when nothing goes wrong
US = 1_000_000

WORKER_NAMES = (
    "Amara Okafor", "Lukas Meyer", "Sofia Rossi", "Kenji Sato", "Priya Nair", "Mateo Garcia",
    "Elif Yilmaz", "Jonas Berg", "Chen Wei", "Fatima Haddad", "Tomasz Nowak", "Grace Mensah",
)  # fmt: skip
STATION_NAMES = (
    "Assembly", "Welding", "CNC Milling", "Painting", "Quality Check", "Packing",
    "Drilling", "Soldering", "Inspection", "Labelling",
)  # fmt: skip


@dataclass(frozen=True)
class Faults:
    """What goes wrong between a camera and the server; everything is off by default."""

    duplicate_share: float = 0.0  # events sent twice
    out_of_order_share: float = 0.0  # events overtaken by later ones of their camera
    late_share: float = 0.0  # camera-hours whose first 10 minutes arrive in one late batch
    late_by_s: tuple[float, float] = (600.0, 1800.0)
    model_change_at: datetime | None = None  # when the cameras switch to NEW_MODEL
    confidence_drift: float = 0.08  # mean confidence NEW_MODEL loses
    idle_misread: float = 0.0  # share of working heartbeats NEW_MODEL calls idle


def realistic_faults(model_change_at: datetime | None = None) -> Faults:
    """The fault rates the demo runs with."""
    return Faults(0.01, 0.02, 0.03, model_change_at=model_change_at)


def drifting_model(model_change_at: datetime) -> Faults:
    """The drift scenario: from `model_change_at` the cameras run NEW_MODEL, which is much
    less sure of itself and takes two in five working heartbeats for idle ones."""
    return Faults(model_change_at=model_change_at, confidence_drift=0.2, idle_misread=0.4)


@dataclass(frozen=True)
class Factory:
    """The floor to simulate: who works where and when, in the site's time zone."""

    workers: int = 6
    stations: int = 6
    seed: int = 0
    shifts: tuple[Shift, ...] = DEFAULT_SHIFTS
    zone: tzinfo = UTC
    heartbeat_s: float = 60.0
    faults: Faults = field(default_factory=Faults)

    def __post_init__(self) -> None:
        if self.workers < 1 or self.stations < 1 or not self.shifts:
            raise ValueError("a factory needs at least one worker, station and shift")
        if self.heartbeat_s <= 0:
            raise ValueError("heartbeat_s must be positive")


@dataclass(frozen=True)
class Station:
    workstation_id: str
    name: str
    camera_id: str


@dataclass(frozen=True)
class Person:
    worker_id: str
    name: str
    shift: Shift
    home: Station
    units_per_hour: float  # while working: skill
    working_share: float  # of present, non-break time: diligence


class Detection(NamedTuple):
    """One event as a camera sends it, and when it reaches the agent (µs since the epoch).

    Delivery time comes first: detections sort in the order they arrive.
    """

    deliver_us: int
    ts_us: int
    worker_id: str
    workstation_id: str
    event_type: str
    confidence: float
    units: int  # the `count` field (a tuple field cannot be called count)
    model_version: str
    camera_id: str
    event_id: str

    def wire(self) -> dict[str, object]:
        """The event's JSON body, as `POST /api/events` takes it."""
        stamp = datetime.fromtimestamp(self.ts_us / US, UTC)
        return {
            "timestamp": stamp.isoformat(timespec="microseconds").replace("+00:00", "Z"),
            "worker_id": self.worker_id,
            "workstation_id": self.workstation_id,
            "event_type": self.event_type,
            "confidence": self.confidence,
            "count": self.units,
            "model_version": self.model_version,
            "camera_id": self.camera_id,
            "event_id": self.event_id,
        }


def stations(factory: Factory) -> list[Station]:
    """S1…Sn, each watched by its own camera."""
    return [
        Station(f"S{n}", _numbered(STATION_NAMES, n), f"CAM-S{n}")
        for n in range(1, factory.stations + 1)
    ]


def roster(factory: Factory) -> list[Person]:
    """W1…Wn: earlier shifts get more people (3:2:1 over three), each a home station."""
    places = stations(factory)
    weights = [len(factory.shifts) - k for k in range(len(factory.shifts))]
    people = []
    for index in range(factory.workers):
        rng = Random(f"{factory.seed}:person:{index}")
        position = (index + 0.5) / factory.workers * sum(weights)
        shift = factory.shifts[_bucket(weights, position)]
        people.append(
            Person(
                worker_id=f"W{index + 1}",
                name=_numbered(WORKER_NAMES, index + 1),
                shift=shift,
                home=places[index % len(places)],
                units_per_hour=round(rng.uniform(8, 18), 1),
                working_share=round(rng.uniform(0.72, 0.92), 2),
            )
        )
    return people


def generate(factory: Factory, start: datetime, end: datetime | None) -> Iterator[Detection]:
    """Every event with an event time in [start, end) (no end: forever), in delivery order."""
    start_us, end_us = to_epoch_us(start), to_epoch_us(end) if end else None
    people, places = roster(factory), stations(factory)
    pending: list[Detection] = []
    day = start.astimezone(factory.zone).date() - timedelta(days=1)  # a night shift reaches in
    while end_us is None or _day_start_us(factory, day) < end_us:
        for person in people:
            for event in _shift(factory, person, places, day):
                if event.ts_us >= start_us and (end_us is None or event.ts_us < end_us):
                    heapq.heappush(pending, event)
        day += timedelta(days=1)
        # Events of shifts starting later happen (so arrive) no earlier than an hour before.
        horizon_us = _day_start_us(factory, day) - 3600 * US
        while pending and pending[0].deliver_us < horizon_us:
            yield heapq.heappop(pending)
    while pending:
        yield heapq.heappop(pending)


def _shift(factory: Factory, person: Person, places: list[Station], day: date) -> list[Detection]:
    """The events of `person`'s shift starting on `day`, delivery times included."""
    rng = Random(f"{factory.seed}:{person.worker_id}:{day.isoformat()}")
    window = shifts.on(person.shift, day, factory.zone)
    arrive_us = to_epoch_us(window.start) + round(rng.uniform(-5, 10) * 60 * US)
    leave_us = to_epoch_us(window.end) + round(rng.uniform(-10, 5) * 60 * US)
    camera = _Camera(factory, rng)
    for begin_us, stop_us, state, station in _spells(factory, person, places, day, rng):
        begin_us, stop_us = max(begin_us, arrive_us), min(stop_us, leave_us)
        if begin_us < stop_us:
            slow = begin_us < arrive_us + SLOW_START_S * US
            camera.spell(person, station, state, begin_us, stop_us, slow=slow)
    camera.emit(person, person.home, "absent", leave_us, 1)
    return camera.events


def _spells(
    factory: Factory, person: Person, places: list[Station], day: date, rng: Random
) -> Iterator[tuple[int, int, str, Station]]:
    """(begin, end, state, station) from the shift's start to its end, breaks included."""
    window = shifts.on(person.shift, day, factory.zone)
    begin_us, end_us = to_epoch_us(window.start) - 600 * US, to_epoch_us(window.end) + 600 * US
    breaks = _breaks(factory, window.start, window.end, day, rng)
    clock_us = begin_us
    slow_until_us = to_epoch_us(window.start) + SLOW_START_S * US
    for break_begin_us, break_end_us in [*breaks, (end_us, end_us)]:
        while clock_us < break_begin_us:
            state, length_s = _next_spell(person, rng, slow=clock_us < slow_until_us)
            stop_us = min(clock_us + round(length_s * US), break_begin_us)
            yield clock_us, stop_us, state, _station_for(person, places, state, rng)
            clock_us = stop_us
        if break_begin_us < break_end_us:
            yield break_begin_us, break_end_us, "absent", person.home
            clock_us = break_end_us


def _next_spell(person: Person, rng: Random, *, slow: bool) -> tuple[str, float]:
    """A spell of work (about 20 minutes) or idleness (about 4), in the worker's proportions."""
    time_share = person.working_share * (0.6 if slow else 1.0)
    # Working spells are longer: choose them less often than their share of the time.
    odds = time_share * IDLE_SPELL_S / (time_share * IDLE_SPELL_S + (1 - time_share) * WORK_SPELL_S)
    if rng.random() < odds:
        return "working", min(max(rng.expovariate(1 / WORK_SPELL_S), 180), 3600)
    return "idle", rng.uniform(0.25, 1.75) * IDLE_SPELL_S


def _station_for(person: Person, places: list[Station], state: str, rng: Random) -> Station:
    # Now and then (about one shift in three) a worker covers another station for a spell.
    if state == "working" and len(places) > 1 and rng.random() < 0.02:
        return rng.choice([p for p in places if p != person.home])
    return person.home


def _breaks(
    factory: Factory, start: datetime, end: datetime, day: date, rng: Random
) -> list[tuple[int, int]]:
    """Two short breaks at a third and two thirds of the shift, and the meal."""
    start_us, end_us = to_epoch_us(start), to_epoch_us(end)
    length_us = end_us - start_us
    breaks = []
    for third in (1, 2):
        at_us = start_us + length_us * third // 3 + round(rng.uniform(-20, 20) * 60 * US)
        breaks.append((at_us, at_us + round(rng.uniform(8, 15) * 60 * US)))
    meal = _meal(factory, start_us, end_us, day, rng)
    if meal:
        breaks.append(meal)
    breaks.sort()
    merged: list[tuple[int, int]] = []
    for begin_us, stop_us in breaks:  # breaks that overlap are taken as one
        if merged and begin_us <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], stop_us))
        else:
            merged.append((begin_us, stop_us))
    return merged


def _meal(
    factory: Factory, start_us: int, end_us: int, day: date, rng: Random
) -> tuple[int, int] | None:
    """Lunch 13:00-13:45 if the shift runs then (most take it); else 30 minutes mid-shift."""
    for lunch_day in (day, day + timedelta(days=1)):
        lunch_us = [
            to_epoch_us(datetime.combine(lunch_day, at, tzinfo=factory.zone)) for at in LUNCH
        ]
        if start_us < lunch_us[0] and lunch_us[1] < end_us:
            if rng.random() >= LUNCH_SHARE:
                return None
            jitter_us = round(rng.uniform(-2, 2) * 60 * US)
            return lunch_us[0] + jitter_us, lunch_us[1] + jitter_us
    middle_us = (start_us + end_us) // 2
    return middle_us, middle_us + 30 * 60 * US


class _Camera:
    """Turns spells into detections: heartbeats, units, confidence, and the faults."""

    def __init__(self, factory: Factory, rng: Random) -> None:
        self.factory = factory
        self.faults = factory.faults
        self.rng = rng
        self.change_us = (
            to_epoch_us(self.faults.model_change_at) if self.faults.model_change_at else None
        )
        self.late_hours: dict[tuple[str, int], int] = {}
        self.events: list[Detection] = []

    def spell(
        self,
        person: Person,
        station: Station,
        state: str,
        begin_us: int,
        stop_us: int,
        *,
        slow: bool,
    ) -> None:
        beat_us = round(self.factory.heartbeat_s * US)
        at_us = begin_us
        while at_us < stop_us:
            self.emit(person, station, state, at_us, 1)
            at_us += round(beat_us * self.rng.uniform(0.85, 1.0))
        if state == "working":
            self._units(person, station, begin_us, stop_us, slow=slow)

    def _units(
        self, person: Person, station: Station, begin_us: int, stop_us: int, *, slow: bool
    ) -> None:
        rate_per_s = person.units_per_hour / 3600 * (0.5 if slow else 1.0)
        at_us = begin_us + round(self.rng.expovariate(rate_per_s) * US)
        while at_us < stop_us:
            self.emit(person, station, "product_count", at_us, 2 if self.rng.random() < 0.1 else 1)
            at_us += round(self.rng.expovariate(rate_per_s) * US)

    def emit(self, person: Person, station: Station, kind: str, ts_us: int, count: int) -> None:
        new_model = self.change_us is not None and ts_us >= self.change_us
        if new_model and kind == "working" and self.faults.idle_misread:
            kind = "idle" if self.rng.random() < self.faults.idle_misread else kind
        event = Detection(
            ts_us=ts_us,
            deliver_us=self._delivery_us(station.camera_id, ts_us),
            worker_id=person.worker_id,
            workstation_id=station.workstation_id,
            event_type=kind,
            confidence=self._confidence(new_model),
            units=count,
            model_version=NEW_MODEL if new_model else MODEL,
            camera_id=station.camera_id,
            event_id=f"{station.camera_id}-{person.worker_id}-{ts_us}-{kind[0]}",
        )
        self.events.append(event)
        if self.rng.random() < self.faults.duplicate_share:
            resent_us = event.deliver_us + round(self.rng.uniform(0.5, 30) * US)
            self.events.append(event._replace(deliver_us=resent_us))

    def _confidence(self, new_model: bool) -> float:
        drift = self.faults.confidence_drift if new_model else 0.0
        low_share = LOW_CONFIDENCE_SHARE * (2 if new_model else 1)
        if self.rng.random() < low_share:
            value = self.rng.uniform(0.35, 0.69)
        else:
            value = 0.99 - min(self.rng.expovariate(1 / 0.05), 0.25) - drift
        return round(min(max(value, 0.05), 0.99), 3)

    def _delivery_us(self, camera_id: str, ts_us: int) -> int:
        delivered_us = ts_us + round(LATENCY_S * US)
        if self.rng.random() < self.faults.out_of_order_share:
            # Held up long enough for the camera's next events to overtake it.
            delivered_us += round(self.rng.uniform(1, 3) * self.factory.heartbeat_s * US)
        return delivered_us + self._late_by_us(camera_id, ts_us)

    def _late_by_us(self, camera_id: str, ts_us: int) -> int:
        """A camera-hour chosen for an outage delivers its first 10 minutes in one late batch."""
        if not self.faults.late_share:
            return 0
        hour_us, into_us = divmod(ts_us, 3600 * US)
        if into_us >= 600 * US:
            return 0
        key = (camera_id, hour_us)
        if key not in self.late_hours:  # decided by camera and hour alone: every worker agrees
            rng = Random(f"{self.factory.seed}:late:{camera_id}:{hour_us}")
            late = rng.random() < self.faults.late_share
            self.late_hours[key] = round(rng.uniform(*self.faults.late_by_s) * US) if late else 0
        outage_end_us = hour_us * 3600 * US + 600 * US
        return max(0, outage_end_us - ts_us + self.late_hours[key]) if self.late_hours[key] else 0


def _bucket(weights: list[int], position: float) -> int:
    for index, weight in enumerate(weights):
        if position < weight:
            return index
        position -= weight
    return len(weights) - 1


def _numbered(names: tuple[str, ...], n: int) -> str:
    """The n-th name (from 1); past the list, names repeat with a number."""
    name = names[(n - 1) % len(names)]
    return name if n <= len(names) else f"{name} {(n - 1) // len(names) + 1}"


def _day_start_us(factory: Factory, day: date) -> int:
    return to_epoch_us(datetime.combine(day, time(0), tzinfo=factory.zone))
