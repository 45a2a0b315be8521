"""The filters every panel shares, kept in the URL's query string so a view can be bookmarked.

Pure: a query string in, a Filters out, and back; no Dash, no database.
"""

from dataclasses import astuple, dataclass, fields, replace
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Literal, get_args
from urllib.parse import parse_qsl, quote, unquote, urlencode

from floorpulse.analytics.schemas import MetricsQuery

Range = Literal["shift", "today", "24h", "7d", "named", "custom"]
RANGES: tuple[str, ...] = get_args(Range)
RANGE_LABELS = {
    "shift": "Current shift",
    "today": "Today",
    "24h": "Last 24 h",
    "7d": "Last 7 days",
    "named": "A shift on a date",
    "custom": "Custom",
}
View = Literal["all", "workers", "workstations"]
VIEWS: tuple[str, ...] = get_args(View)
VIEW_LABELS = {"all": "All", "workers": "Workers", "workstations": "Workstations"}
Page = Literal["overview", "worker", "workstation"]
# An entity page's path: /workers/W1 shows worker W1, /workstations/S3 station S3.
PAGE_PATHS: dict[str, Page] = {"workers": "worker", "workstations": "workstation"}


@dataclass(frozen=True)
class Filters:
    """What the viewer asked to see; hashable, so views can be cached by it."""

    range: Range = "today"
    worker: str | None = None
    workstation: str | None = None
    site: str | None = None
    view: View = "all"
    shift: str | None = None  # with range=named
    day: date | None = None  # with range=named
    start: datetime | None = None  # with range=custom
    end: datetime | None = None
    page: Page = "overview"  # a worker's or station's own page: the path names it


# The custom range's times of day: from any half hour, until any half hour (24:00: midnight).
FROM_TIMES = [f"{hour:02d}:{minute:02d}" for hour in range(24) for minute in (0, 30)]
UNTIL_TIMES = [*FROM_TIMES[1:], "24:00"]


@dataclass(frozen=True)
class Controls:
    """What the filter bar's controls hold, in the order the callbacks list them: days as
    ISO dates (as Dash's date pickers give them), times of day as HH:MM in site time."""

    range: str | None = None
    worker: str | None = None
    workstation: str | None = None
    site: str | None = None
    view: str | None = None
    shift: str | None = None
    day: str | None = None  # the named shift's date
    from_day: str | None = None
    from_time: str | None = None
    to_day: str | None = None
    to_time: str | None = None

    @classmethod
    def showing(cls, filters: Filters, zone: tzinfo) -> "Controls":
        """The controls that show `filters`, the custom range's ends in site time."""
        from_day, from_time = _local(filters.start, zone, until=False)
        to_day, to_time = _local(filters.end, zone, until=True)
        return cls(
            filters.range,
            filters.worker,
            filters.workstation,
            filters.site,
            filters.view,
            filters.shift,
            filters.day.isoformat() if filters.day else None,
            from_day,
            from_time,
            to_day,
            to_time,
        )

    def values(self) -> tuple[str | None, ...]:
        return astuple(self)

    def applied_to(self, given: Filters, zone: tzinfo, picking: Range | None = None) -> Filters:
        """`given` as these controls set it. A range's pickers count only when `picking` that
        range: a link's shift or instant that no picker offers then survives other changes."""
        named, custom = picking == "named", picking == "custom"
        return replace(
            given,
            range=self.range if self.range in RANGES else given.range,  # type: ignore[arg-type]
            worker=self.worker,
            workstation=self.workstation,
            site=self.site,
            view=self.view if self.view in VIEWS else given.view,  # type: ignore[arg-type]
            shift=self.shift if named else given.shift,
            day=_date(self.day[:10] if self.day else None) if named else given.day,
            start=_instant_at(self.from_day, self.from_time, zone) if custom else given.start,
            end=_instant_at(self.to_day, self.to_time or "24:00", zone) if custom else given.end,
        )


CONTROLS = [field.name for field in fields(Controls)]


def parse(search: str | None, path: str | None = None) -> Filters:
    """Filters from a query string (`?range=24h&worker=W1`) and, on an entity page, its path
    (`/workers/W1`), which wins over the query; what cannot be read is left out."""
    given = dict(parse_qsl((search or "").lstrip("?")))
    filters = _from_query(given)
    kind, _, entity = (path or "/").strip("/").partition("/")
    if kind in PAGE_PATHS and entity:
        page, named = PAGE_PATHS[kind], unquote(entity)
        if page == "worker":
            return replace(filters, page=page, worker=named)
        return replace(filters, page=page, workstation=named)
    return filters


def page_path(page: Page, entity: str) -> str:
    """The path of a worker's or station's page."""
    kind = next(kind for kind, named in PAGE_PATHS.items() if named == page)
    return f"/{kind}/{quote(entity, safe='')}"


def _from_query(given: dict[str, str]) -> Filters:
    range_ = given.get("range", "today")
    view = given.get("view", "all")
    return Filters(
        range=range_ if range_ in RANGES else "today",  # type: ignore[arg-type]
        worker=given.get("worker") or None,
        workstation=given.get("workstation") or None,
        site=given.get("site") or None,
        view=view if view in VIEWS else "all",  # type: ignore[arg-type]
        shift=given.get("shift") or None,
        day=_date(given.get("date")),
        start=_instant(given.get("from")),
        end=_instant(given.get("to")),
    )


def to_search(filters: Filters) -> str:
    """The query string that parse() reads back as `filters` (with the page's path); defaults,
    and the entity an entity page's path names, are left out."""
    kept = {key: value for key, value in _query(filters).items() if value}
    return "?" + urlencode(kept) if kept else ""


def wallboard(search: str | None) -> bool:
    """`?kiosk=1`: the page is a wallboard (the browser hides its controls; charts grow)."""
    return ("kiosk", "1") in parse_qsl((search or "").lstrip("?"))


def rewritten(search: str | None, filters: Filters) -> str:
    """`search` saying `filters` instead; what filters do not own (`kiosk=1`) is kept."""
    ours = _query(filters).keys()
    others = [
        (key, value) for key, value in parse_qsl((search or "").lstrip("?")) if key not in ours
    ]
    joined = "&".join(part for part in (to_search(filters)[1:], urlencode(others)) if part)
    return "?" + joined if joined else ""


def _query(filters: Filters) -> dict[str, str | None]:
    return {
        "range": filters.range if filters.range != "today" else None,
        "worker": filters.worker if filters.page != "worker" else None,
        "workstation": filters.workstation if filters.page != "workstation" else None,
        "site": filters.site,
        "view": filters.view if filters.view != "all" else None,
        "shift": filters.shift if filters.range == "named" else None,
        "date": filters.day.isoformat() if filters.day and filters.range == "named" else None,
        "from": filters.start.isoformat() if filters.start and filters.range == "custom" else None,
        "to": filters.end.isoformat() if filters.end and filters.range == "custom" else None,
    }


def metrics_query(filters: Filters, now: datetime) -> MetricsQuery:
    """The metrics API query for these filters at `now` (an aware datetime)."""
    common = {
        "site": filters.site,
        "worker_id": filters.worker,
        "workstation_id": filters.workstation,
    }
    if filters.range == "shift":
        return MetricsQuery(shift="current", **common)
    if filters.range == "24h":
        return MetricsQuery(from_=now - timedelta(hours=24), to=now, **common)
    if filters.range == "7d":
        return MetricsQuery(from_=now - timedelta(days=7), to=now, **common)
    if filters.range == "named" and filters.shift:
        return MetricsQuery(shift=filters.shift, day=filters.day, **common)
    if filters.range == "custom" and filters.start:
        return MetricsQuery(from_=filters.start, to=filters.end, **common)
    return MetricsQuery(**common)


def _local(instant: datetime | None, zone: tzinfo, *, until: bool) -> tuple[str | None, str]:
    """An instant as a day and time of day in `zone`; a midnight that ends a range is 24:00
    of the day before, so a range picked as 'the 15th to the 16th' reads back the same."""
    if instant is None:
        return None, "24:00" if until else "00:00"
    local = instant.astimezone(zone)
    if until and local.time() == time(0):
        return (local.date() - timedelta(days=1)).isoformat(), "24:00"
    return local.date().isoformat(), f"{local:%H:%M}"


def _instant_at(day: str | None, clock: str | None, zone: tzinfo) -> datetime | None:
    """The instant of a day (ISO) at a time of day (HH:MM, or 24:00) in `zone`."""
    picked = _date(day[:10] if day else None)
    if picked is None:
        return None
    if clock == "24:00":
        return datetime.combine(picked + timedelta(days=1), time(0), tzinfo=zone)
    try:
        return datetime.combine(picked, time.fromisoformat(clock or "00:00"), tzinfo=zone)
    except ValueError:
        return None


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _instant(text: str | None) -> datetime | None:
    try:
        instant = datetime.fromisoformat(text) if text else None
    except ValueError:
        return None
    return instant if instant and instant.tzinfo else None
