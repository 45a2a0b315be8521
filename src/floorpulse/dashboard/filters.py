"""The filters every panel shares, kept in the URL's query string so a view can be bookmarked.

Pure: a query string in, a Filters out, and back; no Dash, no database.
"""

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
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
    pairs = {
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
    kept = {key: value for key, value in pairs.items() if value}
    return "?" + urlencode(kept) if kept else ""


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
