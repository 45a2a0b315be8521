"""Use cases of model health: the versions seen, and the drift signals with their evidence.

Counts per hour come from the store (mlops/repository.py); grouping them into the site's days
and judging them is the pure core's (mlops/drift.py); productivity comes from the metrics
service, so model health and the dashboards agree on every figure.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from floorpulse.analytics.schemas import Point, TimeseriesQuery
from floorpulse.analytics.service import MetricsService
from floorpulse.analytics.windows import refuse
from floorpulse.clock import Clock, utc_now
from floorpulse.db.engine import Database
from floorpulse.db.epoch import from_epoch_us, to_epoch_us
from floorpulse.errors import NotFound
from floorpulse.events.service import event_out
from floorpulse.metrics.shifts import day_window
from floorpulse.metrics.tally import US_PER_HOUR
from floorpulse.mlops import drift, repository
from floorpulse.mlops.drift import Counts
from floorpulse.mlops.repository import NONE, HourCount
from floorpulse.mlops.sampling import allocate
from floorpulse.mlops.schemas import (
    CompareQuery,
    Comparison,
    ConfidenceEvidence,
    Day,
    Deviation,
    DriftReport,
    HealthQuery,
    MixEvidence,
    ModelList,
    ModelVersion,
    ProductivityShift,
    Sample,
    SampleQuery,
    ScopeDrift,
    Silence,
    Stratum,
    VersionFigures,
)
from floorpulse.settings import Settings

Days = dict[date, Counts]
UNNAMED = "none"  # the path name of events that named no model version
HIGH_CONFIDENCE = 0.9
BANDS = {0: "low", 1: "mid", 2: "high"}
KeyOf = Callable[[HourCount], str]
HABIT_DAYS = 7  # a camera's habit at a time of day: the last week's days


@dataclass(frozen=True)
class Span:
    """A window of model health: site, instants and the local days they cover."""

    site: str
    start: datetime
    end: datetime
    first_day: date
    last_day: date


class ModelHealth:
    def __init__(
        self, db: Database, settings: Settings, metrics: MetricsService, clock: Clock = utc_now
    ) -> None:
        self.db = db
        self.settings = settings
        self.metrics = metrics
        self.clock = clock

    def models(self, query: HealthQuery) -> ModelList:
        """Every model version ever seen, with its detections in the window."""
        span = self._span(query)
        with self.db.read() as conn:
            seen = repository.sightings(conn, span.site)
            hours = self._hours(conn, span, span.start)
        per_version = _by_scope(hours, lambda h: h.model_version, self.settings)
        versions: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
        for row in seen:
            versions[row.model_version].append((row.first_us, row.last_us, row.camera_id))
        return ModelList(
            from_=span.start,
            to=span.end,
            timezone=str(self.settings.timezone),
            models=[
                _version(name, sightings, drift.total(per_version.get(name, {}).values()))
                for name, sightings in sorted(versions.items())
            ],
        )

    def drift(self, query: HealthQuery) -> DriftReport:
        """Per model version and camera: daily confidence and mix, and the signals at the
        window's end; the productivity baseline; each camera's silence."""
        span = self._span(query)
        s = self.settings
        reach = min(
            span.first_day - timedelta(days=s.drift_span_days - 1),
            span.last_day - timedelta(days=2 * s.drift_span_days - 1),
        )
        with self.db.read() as conn:
            hours = self._hours(conn, span, self._day_start(reach))
            silence = self._silence(conn, span, hours)
        by_camera = _by_scope(hours, lambda h: h.camera_id, s)
        by_model = _by_scope(hours, lambda h: h.model_version, s)
        current_us = to_epoch_us(
            self._day_start(span.last_day - timedelta(days=s.drift_span_days - 1))
        )
        cameras_of: dict[str, set[str]] = defaultdict(set)
        for h in hours:
            if h.hour_us >= current_us:
                cameras_of[h.model_version].add(h.camera_id)

        def on_its_cameras(version: str) -> Days:
            return _merged(by_camera[camera] for camera in cameras_of[version])

        return DriftReport(
            from_=span.start,
            to=span.end,
            timezone=str(s.timezone),
            models=self._scopes("model", by_model, on_its_cameras, span),
            cameras=self._scopes("camera", by_camera, lambda _: None, span),
            productivity=self._productivity(span),
            silence=silence,
        )

    def sample(self, version: str, query: SampleQuery) -> Sample:
        """A stratified random sample of a version's recent events, for people to review:
        equal shares of each (event type, camera, confidence band)."""
        s = self.settings
        site = query.site or s.default_site
        end = self.clock()
        start = end - timedelta(days=query.days)
        span = (to_epoch_us(start), to_epoch_us(end))
        bands = (s.confidence_threshold, max(s.confidence_threshold, HIGH_CONFIDENCE))
        key = NONE if version == UNNAMED else version
        with self.db.read() as conn:
            sizes = repository.strata(conn, site, key, span, bands)
            if not sizes:
                raise NotFound(
                    f"no events of model version {version!r} in the last {query.days} days"
                )
            shares = allocate(sizes, query.n)
            ranked = repository.sample_ids(
                conn, site, key, span, bands, max(shares.values()), query.seed
            )
            ids = [i for k, taken in shares.items() for i in ranked.get(k, [])[:taken]]
            rows = repository.events_by_id(conn, ids)
        late_us = s.backfill_after_us
        return Sample(
            from_=start,
            to=end,
            timezone=str(s.timezone),
            model_version=version,
            n=len(rows),
            strata=[
                Stratum(
                    event_type=kind,
                    camera_id=camera or None,
                    confidence_band=BANDS[band],
                    available=sizes[(kind, camera, band)],
                    sampled=shares[(kind, camera, band)],
                )
                for kind, camera, band in sorted(sizes)
            ],
            events=[event_out(row, late_us) for row in rows],
        )

    def compare(self, query: CompareQuery) -> Comparison:
        """Two versions side by side over the window, on whichever cameras and hours each ran:
        confidence, event mix, and the productivity figures their calls imply."""
        span = self._span(query)
        with self.db.read() as conn:
            hours = self._hours(conn, span, span.start)
        a, b = (_figures(v, [h for h in hours if h.model_version == v]) for v in (query.a, query.b))
        psi = (
            drift.psi(a.mix, b.mix)
            if a.events >= self.settings.drift_min_events
            and b.events >= self.settings.drift_min_events
            else None
        )
        difference = (
            b.mean_confidence - a.mean_confidence
            if a.mean_confidence is not None and b.mean_confidence is not None
            else None
        )
        return Comparison(
            from_=span.start,
            to=span.end,
            timezone=str(self.settings.timezone),
            a=a,
            b=b,
            shared_cameras=sorted(set(a.cameras) & set(b.cameras)),
            mix_psi=_round(psi),
            confidence_difference=_round(difference),
        )

    def _span(self, query: HealthQuery) -> Span:
        now = self.clock()
        end = min(query.to or now, now)
        zone = self.settings.timezone
        last_day = (end - timedelta(microseconds=1)).astimezone(zone).date()
        start = query.from_ or self._day_start(last_day - timedelta(days=13))
        if start >= end:
            refuse("query.from", "is not before `to`")
        if end - start > timedelta(days=self.settings.max_window_days):
            days = self.settings.max_window_days
            refuse("query.from", f"spans more than {days} days (FLOORPULSE_MAX_WINDOW_DAYS)")
        first_day = start.astimezone(zone).date()
        return Span(query.site or self.settings.default_site, start, end, first_day, last_day)

    def _day_start(self, day: date) -> datetime:
        return day_window(day, self.settings.timezone)[0]

    def _hours(self, conn: Connection, span: Span, start: datetime) -> list[HourCount]:
        return repository.hourly_counts(conn, span.site, to_epoch_us(start), to_epoch_us(span.end))

    def _scopes(
        self,
        scope: str,
        per_key: dict[str, Days],
        fallback_of: Callable[[str], Days | None],
        span: Span,
    ) -> list[ScopeDrift]:
        """Each key's signals. A key with too few detections of its own the span before (a
        model version new in this one) is compared with `fallback_of(key)`, if any."""
        s = self.settings
        found = []
        for key, days in sorted(per_key.items()):
            fallback = fallback_of(key)
            confidence = drift.confidence_signal(
                days,
                span.last_day,
                span_days=s.drift_span_days,
                floor=s.drift_confidence_floor,
                max_drop=s.drift_confidence_max_drop,
                min_events=s.drift_min_events,
                fallback=fallback,
            )
            found.append(
                ScopeDrift(
                    scope=scope,
                    key=key or None,
                    days=_series(days, span, s.drift_span_days),
                    confidence=_confidence_evidence(confidence, s.drift_span_days),
                    mix=self._mix(days, fallback, span.last_day),
                )
            )
        return found

    def _mix(self, days: Days, fallback: Days | None, end: date) -> MixEvidence:
        s = self.settings
        n = s.drift_span_days
        before = end - timedelta(days=n)
        current = drift.days_ending(days, end, n)
        baseline, compared_with = drift.days_ending(days, before, n), "own"
        if baseline.events < s.drift_min_events and fallback is not None:
            baseline, compared_with = drift.days_ending(fallback, before, n), "cameras"
        signal = drift.mix_signal(
            baseline, current, threshold=s.drift_mix_psi, min_events=s.drift_min_events
        )
        return MixEvidence(
            baseline=signal.baseline,
            current=signal.current,
            psi=signal.psi,
            baseline_events=signal.baseline_events,
            current_events=signal.current_events,
            threshold=signal.threshold,
            compared_with=compared_with,
            alert=signal.alert,
        )

    def _productivity(self, span: Span) -> list[ProductivityShift]:
        """The last whole day of the window against the days before it, per worker and
        station: utilization and units per working hour."""
        s = self.settings
        day = span.last_day
        if self._day_start(day + timedelta(days=1)) > span.end:
            day -= timedelta(days=1)  # the window's last day is not over
        first = day - timedelta(days=s.drift_baseline_days)
        found = []
        for scope in ("worker", "workstation"):
            series = self.metrics.timeseries(
                TimeseriesQuery(
                    from_=self._day_start(first),
                    to=self._day_start(day + timedelta(days=1)),
                    site=span.site,
                    bucket="day",
                    scope=scope,
                )
            ).series
            for metric in ("utilization", "units_per_hour"):
                entities = {
                    one.key: figures
                    for one in series
                    if (figures := _history_and_value(one.points, metric)) is not None
                }
                shift = drift.baseline_shift(
                    entities,
                    limit=s.drift_baseline_sd,
                    min_history=min(7, s.drift_baseline_days),
                    min_share=s.drift_baseline_share,
                )
                found.append(_shift_evidence(scope, metric, day, shift, s))
        return found

    def _silence(self, conn: Connection, span: Span, hours: list[HourCount]) -> list[Silence]:
        """Each camera heard in the days read: silent for longer than the limit at a time of
        day it is usually heard all through, while the workers it then sees are seen nowhere?"""
        s = self.settings
        limit_us = round(s.silence_s * 1_000_000)
        end_us = to_epoch_us(span.end)
        day_us = 24 * US_PER_HOUR
        spans = [(end_us - limit_us, end_us)]
        for k in range(1, HABIT_DAYS + 1):
            at = end_us - k * day_us
            spans += [(at - limit_us, at - limit_us // 2), (at - limit_us // 2, at)]
        now, *before = repository.cameras_heard(conn, span.site, spans)
        cameras_now = {camera for camera, _ in now}
        workers_now = {worker for _, worker in now}
        last_hour: dict[str, int] = {}
        for h in hours:
            if h.camera_id != NONE:
                last_hour[h.camera_id] = max(last_hour.get(h.camera_id, 0), h.hour_us)
        found = []
        for camera, hour in sorted(last_hour.items()):
            halves = [{w for c, w in heard if c == camera} for heard in before]
            usual = sum(bool(a) and bool(b) for a, b in zip(halves[::2], halves[1::2], strict=True))
            if camera in cameras_now:
                found.append(_silence(camera, None, None, usual, [], s))
                continue
            elsewhere = sorted(set().union(*halves) & workers_now)
            within = (hour, min(hour + US_PER_HOUR, end_us))
            last_us = repository.last_heard(conn, span.site, camera, within)
            gap_s = (end_us - last_us) / 1e6 if last_us is not None else None
            found.append(_silence(camera, last_us, gap_s, usual, elsewhere, s))
        return found


def _by_scope(hours: Iterable[HourCount], key_of: KeyOf, settings: Settings) -> dict[str, Days]:
    """Counts per scope key and local day of the site."""
    zone = settings.timezone
    # Summed in plain lists, each day's Counts made once: adding Counts row by row (a merged
    # dict each time) took half of a drift report over 10 million events (0.49 of 0.89 s).
    sums: dict[tuple[str, date], list[Any]] = {}
    day_of: dict[int, date] = {}
    for h in hours:
        day = day_of.get(h.hour_us)
        if day is None:
            day = day_of[h.hour_us] = from_epoch_us(h.hour_us).astimezone(zone).date()
        scope_day = (key_of(h), day)
        acc = sums.get(scope_day)
        if acc is None:
            acc = sums[scope_day] = [0, 0.0, 0, {}]
        acc[0] += h.events
        acc[1] += h.confidence_sum
        acc[2] += h.low_confidence
        acc[3][h.event_type] = acc[3].get(h.event_type, 0) + h.events
    found: dict[str, Days] = defaultdict(dict)
    for (key, day), (events, confidence, low, by_type) in sums.items():
        found[key][day] = Counts(events, confidence, low, by_type)
    return found


def _merged(parts: Iterable[Days]) -> Days:
    merged: Days = {}
    for days in parts:
        for day, counts in days.items():
            merged[day] = merged.get(day, Counts()) + counts
    return merged


def _series(days: Mapping[date, Counts], span: Span, span_days: int) -> list[Day]:
    count = (span.last_day - span.first_day).days + 1
    series = []
    for n in range(count):
        day = span.first_day + timedelta(days=n)
        counts = days.get(day, Counts())
        rolling = drift.days_ending(days, day, span_days).mean_confidence
        series.append(
            Day(
                date=day,
                events=counts.events,
                mean_confidence=_round(counts.mean_confidence),
                rolling_mean_confidence=_round(rolling),
                low_confidence_share=_round(counts.low_share),
                mix={k: round(v, 4) for k, v in counts.mix().items()},
            )
        )
    return series


def _figures(version: str, hours: list[HourCount]) -> VersionFigures:
    counts = drift.total(
        Counts(h.events, h.confidence_sum, h.low_confidence, {h.event_type: h.events})
        for h in hours
    )
    states = counts.by_type.get("working", 0) + counts.by_type.get("idle", 0)
    units = counts.by_type.get("product_count", 0)
    first = min((h.hour_us for h in hours), default=None)
    last = max((h.hour_us for h in hours), default=None)
    return VersionFigures(
        model_version=version,
        events=counts.events,
        cameras=sorted({h.camera_id for h in hours if h.camera_id != NONE}),
        first_seen=from_epoch_us(first) if first is not None else None,
        last_seen=from_epoch_us(last + US_PER_HOUR) if last is not None else None,
        mean_confidence=_round(counts.mean_confidence),
        low_confidence_share=_round(counts.low_share),
        mix={k: round(v, 4) for k, v in counts.mix().items()},
        implied_utilization_percentage=(
            round(100 * counts.by_type.get("working", 0) / states, 1) if states else None
        ),
        units_per_1000_detections=round(1000 * units / counts.events, 1) if counts.events else None,
    )


def _version(name: str, sightings: list[tuple[int, int, str]], counts: Counts) -> ModelVersion:
    return ModelVersion(
        model_version=name or None,
        first_seen=from_epoch_us(min(first for first, _, _ in sightings)),
        last_seen=from_epoch_us(max(last for _, last, _ in sightings)),
        cameras=sorted({camera for _, _, camera in sightings if camera != NONE}),
        events=counts.events,
        mean_confidence=_round(counts.mean_confidence),
        low_confidence_share=_round(counts.low_share),
    )


def _confidence_evidence(signal: drift.ConfidenceSignal, span_days: int) -> ConfidenceEvidence:
    return ConfidenceEvidence(
        span_days=span_days,
        mean=_round(signal.mean),
        previous_mean=_round(signal.previous_mean),
        drop=_round(signal.drop),
        low_confidence_share=_round(signal.low_share),
        events=signal.events,
        floor=signal.floor,
        max_drop=signal.max_drop,
        compared_with=signal.compared_with,
        below_floor=signal.below_floor,
        dropped=signal.dropped,
        alert=signal.alert,
    )


def _history_and_value(points: list[Point], metric: str) -> tuple[list[float], float] | None:
    """A series' daily figures: those of the days before the last, and the last's (None: the
    last day has none, say a day off)."""
    values = [_figure(p, metric) for p in points]
    *before, last = values
    if last is None:
        return None
    return [v for v in before if v is not None], last


def _figure(point: Point, metric: str) -> float | None:
    if metric == "utilization":
        return point.utilization_percentage
    return point.units / (point.working_seconds / 3600) if point.working_seconds > 0 else None


def _shift_evidence(
    scope: str, metric: str, day: date, shift: drift.BaselineShift, s: Settings
) -> ProductivityShift:
    direction = {-1: "fell", 1: "rose", 0: "none"}[shift.direction]
    return ProductivityShift(
        scope=scope,
        metric=metric,
        date=day,
        baseline_days=s.drift_baseline_days,
        judged=shift.judged,
        deviating=[
            Deviation(
                key=key,
                value=round(signal.value, 2),
                baseline_mean=round(signal.mean or 0.0, 2),
                baseline_sd=round(signal.sd or 0.0, 3),
                z=round(signal.z or 0.0, 2),
            )
            for key, signal in sorted(shift.deviating.items())
        ],
        direction=direction,
        share=_round(shift.share),
        limit_sd=s.drift_baseline_sd,
        min_share=s.drift_baseline_share,
        alert=shift.alert,
    )


def _silence(
    camera: str,
    last_us: int | None,
    gap_s: float | None,
    usual: int,
    elsewhere: list[str],
    s: Settings,
) -> Silence:
    signal = drift.silence_signal(
        gap_s or 0.0,
        usual,
        seen_elsewhere=len(elsewhere),
        days=HABIT_DAYS,
        silence_s=s.silence_s,
        min_days=s.silence_min_days,
    )
    return Silence(
        camera_id=camera,
        last_seen=from_epoch_us(last_us) if last_us is not None else None,
        silent_seconds=round(gap_s, 1) if gap_s is not None else None,
        usual_days=usual,
        min_days=s.silence_min_days,
        limit_seconds=s.silence_s,
        workers_seen_elsewhere=elsewhere,
        alert=signal.alert,
    )


def _round(value: float | None, digits: int = 4) -> float | None:
    return round(value, digits) if value is not None else None
