"""Drift statistics of the camera models: pure functions of counts per day, no I/O.

What a model version's (or a camera's) detections look like day by day is all a signal needs:
its mean confidence and how far that fell, its share of low-confidence detections, the mix of
event types against a baseline (the population stability index), a figure's distance from its
own trailing baseline (a z-score), and whether a camera is quieter than its habit. Each signal
says whether it calls for attention and carries the numbers that say why.
"""

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

EVENT_TYPES = ("working", "idle", "absent", "product_count")


@dataclass(frozen=True)
class Counts:
    """Detections of a span (a day, a week; a camera, a model version): `+` merges two."""

    events: int = 0
    confidence_sum: float = 0.0
    low_confidence: int = 0
    by_type: Mapping[str, int] = field(default_factory=dict)

    def __add__(self, other: "Counts") -> "Counts":
        kinds = {*self.by_type, *other.by_type}
        return Counts(
            self.events + other.events,
            self.confidence_sum + other.confidence_sum,
            self.low_confidence + other.low_confidence,
            {k: self.by_type.get(k, 0) + other.by_type.get(k, 0) for k in kinds},
        )

    @property
    def mean_confidence(self) -> float | None:
        return self.confidence_sum / self.events if self.events else None

    @property
    def low_share(self) -> float | None:
        """The share of detections below the confidence threshold."""
        return self.low_confidence / self.events if self.events else None

    def mix(self) -> dict[str, float]:
        """Each event type's share of the detections (all four types, zeros included)."""
        return {
            k: self.by_type.get(k, 0) / self.events if self.events else 0.0 for k in EVENT_TYPES
        }


def total(counts: Iterable[Counts]) -> Counts:
    return sum(counts, Counts())


def days_ending(days: Mapping[date, Counts], end: date, length: int) -> Counts:
    """The `length` days ending with `end` (inclusive), summed; days with nothing count none."""
    return total(days.get(end - timedelta(days=n), Counts()) for n in range(length))


def rolling_means(
    days: Mapping[date, Counts], first: date, last: date, length: int = 7
) -> list[tuple[date, float | None]]:
    """Per day from `first` to `last`: the mean confidence of the `length` days ending then,
    each detection weighing the same (a quiet day does not count as much as a busy one)."""
    count = (last - first).days + 1
    return [
        (day, days_ending(days, day, length).mean_confidence)
        for day in (first + timedelta(days=n) for n in range(count))
    ]


@dataclass(frozen=True)
class ConfidenceSignal:
    """The mean confidence of the `span_days` ending a day against the span before them."""

    mean: float | None
    previous_mean: float | None
    drop: float | None  # the fall as a share of the previous mean: 0.2 is 20 % lower
    low_share: float | None
    events: int
    floor: float
    max_drop: float
    compared_with: str = "own"  # the span before: the scope's own, or its cameras' (fallback)

    @property
    def below_floor(self) -> bool:
        return self.mean is not None and self.mean < self.floor

    @property
    def dropped(self) -> bool:
        return self.drop is not None and self.drop > self.max_drop

    @property
    def alert(self) -> bool:
        return self.below_floor or self.dropped


def confidence_signal(
    days: Mapping[date, Counts],
    end: date,
    *,
    span_days: int = 7,
    floor: float = 0.75,
    max_drop: float = 0.15,
    min_events: int = 1,
    fallback: Mapping[date, Counts] | None = None,
) -> ConfidenceSignal:
    """Below `floor`, or more than `max_drop` lower than the span before: a model to look at.
    A span with fewer than `min_events` detections says nothing (its figures are None). When
    the span before has too few of the scope's own (a model version new in this span), it is
    taken from `fallback`: what its cameras saw then, whichever version ran on them."""
    now = days_ending(days, end, span_days)
    before_end = end - timedelta(days=span_days)
    before, compared_with = days_ending(days, before_end, span_days), "own"
    if before.events < min_events and fallback is not None:
        before, compared_with = days_ending(fallback, before_end, span_days), "cameras"
    mean = now.mean_confidence if now.events >= min_events else None
    previous = before.mean_confidence if before.events >= min_events else None
    drop = 1 - mean / previous if mean is not None and previous else None
    low = now.low_share if mean is not None else None
    return ConfidenceSignal(mean, previous, drop, low, now.events, floor, max_drop, compared_with)


def psi(baseline: Mapping[str, float], current: Mapping[str, float], floor: float = 1e-4) -> float:
    """The population stability index of two distributions over the same categories:
    sum of (current - baseline) * ln(current / baseline). A share of zero is taken as `floor`,
    so that a category new or gone counts heavily instead of making the index infinite.
    Rule of thumb: below 0.1 stable, 0.1-0.2 moved, above 0.2 shifted."""
    index = 0.0
    for kind in {*baseline, *current}:
        b = max(baseline.get(kind, 0.0), floor)
        c = max(current.get(kind, 0.0), floor)
        index += (c - b) * math.log(c / b)
    return index


@dataclass(frozen=True)
class MixSignal:
    """The event-type mix of a span against a baseline span."""

    baseline: dict[str, float]
    current: dict[str, float]
    psi: float | None
    baseline_events: int
    current_events: int
    threshold: float

    @property
    def alert(self) -> bool:
        return self.psi is not None and self.psi > self.threshold


def mix_signal(
    baseline: Counts, current: Counts, *, threshold: float = 0.2, min_events: int = 1
) -> MixSignal:
    """PSI of the current mix against the baseline's; None with too few events on a side."""
    enough = min(baseline.events, current.events) >= min_events
    index = psi(baseline.mix(), current.mix()) if enough else None
    return MixSignal(
        baseline.mix(), current.mix(), index, baseline.events, current.events, threshold
    )


@dataclass(frozen=True)
class BaselineSignal:
    """A figure (a day's utilization, say) against its own trailing days."""

    value: float
    mean: float | None
    sd: float | None
    z: float | None
    history: int
    limit: float

    @property
    def alert(self) -> bool:
        return self.z is not None and abs(self.z) > self.limit


def baseline_signal(
    history: Sequence[float], value: float, *, limit: float = 2.0, min_history: int = 7
) -> BaselineSignal:
    """How many standard deviations (of the sample `history`) `value` lies from its mean.
    Fewer than `min_history` values, or none that differ, say nothing (z is None)."""
    n = len(history)
    if n < max(2, min_history):
        return BaselineSignal(value, None, None, None, n, limit)
    mean = sum(history) / n
    sd = math.sqrt(sum((x - mean) ** 2 for x in history) / (n - 1))
    z = (value - mean) / sd if sd > 0 else None
    return BaselineSignal(value, mean, sd, z, n, limit)


@dataclass(frozen=True)
class BaselineShift:
    """Many workers' (or stations') figures off their own baselines the same way on one day.

    One worker's bad day is no model's fault, and with dozens of workers some are 2 standard
    deviations off on any day by chance; a model that starts calling work idle moves most of
    them at once, and the same way. Only that is alerted on."""

    deviating: dict[str, BaselineSignal]  # beyond the limit, in the direction most went
    judged: int  # with a baseline to be judged against
    direction: int  # -1: fell, +1: rose, 0: none deviated
    min_share: float
    min_entities: int

    @property
    def share(self) -> float | None:
        return len(self.deviating) / self.judged if self.judged else None

    @property
    def alert(self) -> bool:
        share = self.share
        return self.judged >= self.min_entities and share is not None and share >= self.min_share


def baseline_shift(
    entities: Mapping[str, tuple[Sequence[float], float]],
    *,
    limit: float = 2.0,
    min_history: int = 7,
    min_share: float = 0.5,
    min_entities: int = 3,
) -> BaselineShift:
    """Each entity's (history, value) judged by baseline_signal; those beyond `limit` in the
    more common direction, and their share of the judged."""
    judged = {
        key: signal
        for key, (history, value) in entities.items()
        if (signal := baseline_signal(history, value, limit=limit, min_history=min_history)).z
        is not None
    }
    fell = {k: s for k, s in judged.items() if s.alert and (s.z or 0) < 0}
    rose = {k: s for k, s in judged.items() if s.alert and (s.z or 0) > 0}
    deviating, direction = (fell, -1) if len(fell) >= len(rose) else (rose, 1)
    return BaselineShift(
        deviating, len(judged), direction if deviating else 0, min_share, min_entities
    )


@dataclass(frozen=True)
class SilenceSignal:
    """A camera that has sent nothing for `gap_s`, against its habit at this time of day."""

    gap_s: float
    seen_days: int  # of the days before, those on which it sent something at this time of day
    days: int
    silence_s: float
    min_days: int
    seen_elsewhere: int = 0  # of the workers it usually sees then, those other cameras see now

    @property
    def usual(self) -> bool:
        """It usually sends something at this time of day."""
        return self.seen_days >= self.min_days

    @property
    def alert(self) -> bool:
        return self.usual and self.gap_s > self.silence_s and not self.seen_elsewhere


def silence_signal(
    gap_s: float,
    seen_days: int,
    *,
    seen_elsewhere: int = 0,
    days: int = 7,
    silence_s: float = 900,
    min_days: int = 4,
) -> SilenceSignal:
    """Silent longer than `silence_s` at a time of day when, on at least `min_days` of the last
    `days` days, the camera did send something: a camera a shift or a weekend leaves idle
    every day is not missed. Cameras see workers, and a station left empty is silent: if a
    worker it usually sees then is seen by another camera now, the silence is explained."""
    return SilenceSignal(gap_s, seen_days, days, silence_s, min_days, seen_elsewhere)
