"""The dashboard's filters live in the URL: what a link says is what the page shows."""

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import assume, given
from hypothesis import strategies as st

from floorpulse.dashboard.filters import (
    RANGES,
    VIEWS,
    Controls,
    Filters,
    metrics_query,
    page_path,
    parse,
    rewritten,
    to_search,
)

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
some_names = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=1, max_size=12
)
names = st.none() | some_names
instants = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), allow_imaginary=False
).map(lambda moment: moment.replace(tzinfo=timezone(timedelta(hours=5, minutes=30))))


@st.composite
def filters(draw: st.DrawFn) -> Filters:
    """Filters as the controls can set them: a shift and date only with a named shift, a
    start and end only with a custom range, an entity page always names its entity."""
    range_ = draw(st.sampled_from(RANGES))
    named, custom = range_ == "named", range_ == "custom"
    page = draw(st.sampled_from(["overview", "worker", "workstation"]))
    return Filters(
        range=range_,  # type: ignore[arg-type]
        page=page,  # type: ignore[arg-type]
        worker=draw(some_names if page == "worker" else names),
        workstation=draw(some_names if page == "workstation" else names),
        site=draw(names),
        view=draw(st.sampled_from(VIEWS)),  # type: ignore[arg-type]
        shift=draw(names) if named else None,
        day=draw(st.none() | st.dates()) if named else None,
        start=draw(st.none() | instants) if custom else None,
        end=draw(st.none() | instants) if custom else None,
    )


def path_of(filters: Filters) -> str:
    if filters.page == "worker":
        return page_path("worker", filters.worker or "")
    if filters.page == "workstation":
        return page_path("workstation", filters.workstation or "")
    return "/"


@given(filters())
def test_a_link_restores_exactly_the_filters_it_was_made_from(chosen: Filters) -> None:
    assert parse(to_search(chosen), path_of(chosen)) == chosen


def test_an_entity_page_path_names_its_entity_and_wins_over_the_query() -> None:
    shown = parse("?worker=W2&range=24h", "/workers/W%201%2F2")

    assert (shown.page, shown.worker, shown.range) == ("worker", "W 1/2", "24h")
    assert to_search(shown) == "?range=24h"
    assert parse("", "/elsewhere/W1") == Filters()


def test_the_default_view_has_a_bare_url() -> None:
    assert to_search(Filters()) == ""
    assert parse("") == Filters()


def test_what_cannot_be_read_falls_back_to_the_default() -> None:
    given = parse("?range=fortnight&view=everything&date=15.01.2026&from=2026-01-15T08:00")

    assert (given.range, given.view, given.day) == ("today", "all", None)
    assert given.start is None  # an instant without an offset names no moment


def test_rolling_ranges_end_now() -> None:
    last_day = metrics_query(Filters(range="24h", worker="W1"), NOW)
    last_week = metrics_query(Filters(range="7d"), NOW)

    assert (last_day.from_, last_day.to, last_day.worker_id) == (
        NOW - timedelta(hours=24),
        NOW,
        "W1",
    )
    assert (last_week.from_, last_week.to) == (NOW - timedelta(days=7), NOW)


def test_shift_ranges_ask_the_api_for_the_shift() -> None:
    current = metrics_query(Filters(range="shift"), NOW)
    named = metrics_query(Filters(range="named", shift="B", day=date(2026, 1, 14)), NOW)

    assert (current.shift, current.from_) == ("current", None)
    assert (named.shift, named.day) == ("B", date(2026, 1, 14))


def test_a_custom_range_is_taken_as_given() -> None:
    start = datetime(2026, 1, 14, 6, tzinfo=UTC)

    asked = metrics_query(Filters(range="custom", start=start, end=start + timedelta(hours=8)), NOW)

    assert (asked.from_, asked.to) == (start, start + timedelta(hours=8))


BERLIN = ZoneInfo("Europe/Berlin")
half_hours = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2028, 1, 1), timezones=st.just(UTC)
).map(lambda moment: moment.replace(minute=moment.minute // 30 * 30, second=0, microsecond=0))


@given(half_hours, half_hours)
def test_a_custom_range_shown_in_the_pickers_is_what_they_pick(
    start: datetime, end: datetime
) -> None:
    # A wall time the clocks show twice (the hour they go back) picks the first of the two.
    assume(not any(_repeated(instant, BERLIN) for instant in (start, end)))
    chosen = Filters(range="custom", start=start, end=end)

    picked = Controls.showing(chosen, BERLIN).applied_to(Filters(range="custom"), BERLIN, "custom")

    assert (picked.start, picked.end) == (start, end)


def _repeated(instant: datetime, zone: ZoneInfo) -> bool:
    local = instant.astimezone(zone).replace(tzinfo=None)
    return (
        local.replace(tzinfo=zone, fold=0).utcoffset()
        != local.replace(tzinfo=zone, fold=1).utcoffset()
    )


def test_a_rewritten_link_keeps_what_the_filters_do_not_own() -> None:
    search = "?kiosk=1&worker=W1&cycle=5"

    assert rewritten(search, Filters(range="24h")) == "?range=24h&kiosk=1&cycle=5"
    assert rewritten("?worker=W1", Filters()) == ""
