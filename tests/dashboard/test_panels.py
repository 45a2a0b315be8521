"""What each panel shows, given the view: the callbacks' and builders' plain functions."""

from datetime import UTC, datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

import orjson
import plotly.graph_objects as go
import plotly.io.json
import pytest
from dash import no_update
from plotly.io.json import to_json_plotly

from floorpulse.analytics.schemas import TeamMetrics
from floorpulse.dashboard import callbacks, figures, ids, overview, refresh
from floorpulse.dashboard.filters import CONTROLS, Controls, Filters, parse, wallboard
from floorpulse.dashboard.theme import DARK, STATE_LABELS, palette
from floorpulse.dashboard.views import Kpi, Overview
from floorpulse.demo.schemas import SeedResult
from tests.dashboard.builders import END, START, event
from tests.dashboard.builders import overview as a_view

FIGURES = {
    "total_active_time_minutes": 120.0,
    "total_idle_time_minutes": 30.0,
    "total_absent_time_minutes": 0.0,
    "utilization_percentage": 80.0,
    "total_units_produced": 24,
    "units_per_hour": 12.0,
}

TARGETS = (60.0, 80.0)
BERLIN = ZoneInfo("Europe/Berlin")


def outputs(
    view: Overview | None = None, filters: Filters | None = None, wall: bool = False
) -> dict[str, object]:
    """The refresh callback's outputs, by the name of what they set."""
    names = [*refresh.PANELS, "workers", "stations", "sites"]
    names += ["badge_hidden", "reseed_hidden", "empty_hidden", "page_class", "head_hidden"]
    names += ["title", "window", "updated"]
    values = refresh.panels(view or a_view(), filters or Filters(), "dark", TARGETS, wall)
    assert len(values) == len(names)
    return dict(zip(names, values, strict=True))


class Synced(NamedTuple):
    url: object
    answered: dict[str, object]  # what the callback sets each control to (or no_update)
    controls: dict[str, object]  # what each control shows after it
    offers: list[object]
    named_hidden: bool
    custom_hidden: bool


# The filter bar's controls as the page lays them out.
LAID_OUT = {"range": "today", "view": "all", "from_time": "00:00", "to_time": "24:00"}


def sync(trigger: str | None, search: str, path: str = "/", **controls: str | None) -> Synced:
    """The sync callback's answer to `trigger`, the controls holding `controls` (by default,
    as the page lays them out)."""
    held = Controls(**{**LAID_OUT, **controls})
    url, *rest = callbacks.filters_and_url(trigger, search, path, held, BERLIN)
    values = rest[: len(CONTROLS)]
    offered = len(callbacks.OFFERED) + len(callbacks.TIME_PICKERS)
    offers = rest[len(CONTROLS) : len(CONTROLS) + offered]
    named_hidden, custom_hidden = rest[len(CONTROLS) + offered :]
    answered = dict(zip(CONTROLS, values, strict=True))
    shown = {
        name: before if answered[name] is no_update else answered[name]
        for name, before in zip(CONTROLS, held.values(), strict=True)
    }
    return Synced(url, answered, shown, offers, named_hidden, custom_hidden)


def test_a_deep_link_sets_every_control_and_offers_its_choices_before_the_lists_arrive() -> None:
    synced = sync(None, "?range=24h&worker=W7&site=north&view=workers")

    assert synced.url is no_update
    shown = synced.controls
    assert [shown[key] for key in ("range", "worker", "workstation", "site", "view")] == [
        "24h",
        "W7",
        None,
        "north",
        "workers",
    ]
    assert synced.offers == [
        [{"label": "W7", "value": "W7"}],
        no_update,
        [{"label": "north", "value": "north"}],
        no_update,  # the times of day offer the half hours
        no_update,
    ]
    assert synced.named_hidden
    assert synced.custom_hidden


def test_a_page_opened_without_a_link_sets_no_control_it_shows_already() -> None:
    # A date picker told its empty date again reports a change: a round trip before the view.
    synced = sync(None, "")

    assert all(value is no_update for value in synced.answered.values())
    assert synced.url is no_update


def test_a_link_sets_only_the_controls_that_show_something_else() -> None:
    synced = sync(None, "?range=24h&worker=W7", worker="W3")

    assert {name for name, value in synced.answered.items() if value is not no_update} == {
        "range",
        "worker",
    }


def test_a_changed_control_rewrites_the_url_and_keeps_the_rest() -> None:
    synced = sync(
        ids.WORKSTATION,
        "?range=24h&worker=W7",
        range="24h",
        worker="W7",
        workstation="S2",
        view="workstations",
    )

    assert synced.url == "?range=24h&worker=W7&workstation=S2&view=workstations"
    assert all(value is no_update for value in [*synced.answered.values(), *synced.offers])


def test_clearing_a_filter_drops_it_from_the_url() -> None:
    assert sync(ids.WORKER, "?worker=W7", range="today", view="all").url == ""


def test_a_named_shift_on_a_date_shows_its_pickers_and_goes_into_the_url() -> None:
    picked = sync(ids.SHIFT_DAY, "?range=named", range="named", shift="C", day="2026-01-14")

    assert picked.url == "?range=named&shift=C&date=2026-01-14"
    assert not picked.named_hidden
    assert picked.custom_hidden
    assert sync(None, picked.url).controls["day"] == "2026-01-14"


def test_a_links_time_between_half_hours_is_offered_and_survives_other_changes() -> None:
    link = (
        "?range=custom&from=2026-01-15T08%3A10%3A00%2B00%3A00&to=2026-01-15T09%3A00%3A00%2B00%3A00"
    )
    shown = sync(None, link)
    from_options = shown.offers[3]
    assert isinstance(from_options, list)
    assert "09:10" in from_options  # 08:10 UTC in Berlin
    assert from_options == sorted(from_options)

    changed = sync(ids.WORKER, link, **{**shown.controls, "worker": "W2"})  # type: ignore[arg-type]

    assert parse(str(changed.url)).start == datetime(2026, 1, 15, 8, 10, tzinfo=UTC)


def test_a_custom_range_is_picked_in_site_time_and_reads_back_the_same() -> None:
    picked = sync(
        ids.TO_TIME,
        "?range=custom",
        range="custom",
        from_day="2026-01-14",
        from_time="22:00",
        to_day="2026-01-15",
        to_time="24:00",
    )

    chosen = parse(str(picked.url))
    assert chosen.start == datetime(2026, 1, 14, 21, 0, tzinfo=UTC)  # Berlin is UTC+1 in January
    assert chosen.end == datetime(2026, 1, 15, 23, 0, tzinfo=UTC)
    assert picked.custom_hidden is False
    shown = sync(None, str(picked.url)).controls
    assert [shown[key] for key in ("from_day", "from_time", "to_day", "to_time")] == [
        "2026-01-14",
        "22:00",
        "2026-01-15",
        "24:00",
    ]


def test_the_leaderboard_ranks_by_utilization_with_those_never_measured_last() -> None:
    rows = overview.leaderboard_rows(a_view(), TARGETS)

    assert [(r["rank"], r["id"], r["band"]) for r in rows] == [
        (1, "W2", "good"),
        (2, "W1", "low"),
        (3, "W3", "none"),
    ]
    assert rows[0]["worker"] == "Name W2"


def test_the_team_table_shows_each_team_and_the_workers_in_none_as_no_team() -> None:
    teams = [
        TeamMetrics(team="Crew A", members_seen=4, **FIGURES),
        TeamMetrics(team=None, members_seen=1, **FIGURES),
    ]

    rows = overview.team_rows(a_view(teams=teams), TARGETS)

    assert [(r["team"], r["members"], r["band"], r["active_h"]) for r in rows] == [
        ("Crew A", 4, "good", 2.0),
        ("No team", 1, "good", 2.0),
    ]


def test_the_workstation_table_names_stations_by_id_when_unnamed() -> None:
    (row,) = overview.station_rows(a_view(), TARGETS)

    assert (row["workstation"], row["band"], row["occupied_h"]) == ("S1", "mid", 1.5)


def test_kpi_cards_show_the_change_against_the_previous_period() -> None:
    assert overview.kpi_text(Kpi("units", "Units", 12, 10)) == ("12", "▲ 2.0 vs previous period")
    assert overview.kpi_text(Kpi("u", "U", 40.0, 55.5, "%")) == (
        "40.0 %",
        "▼ 15.5 vs previous period",
    )
    assert overview.kpi_text(Kpi("active", "Active", 3, None)) == ("3", "")
    assert overview.kpi_text(Kpi("rate", "Rate", None, 4.0, "units/h")) == ("—", "")


def test_the_stream_labels_types_and_marks_doubtful_and_late_events() -> None:
    view = a_view(
        events=[
            event("product_count", count=3, low_confidence=True),
            event("idle", backfilled=True),
        ]
    )

    units, idle = overview.render(view, "dark", TARGETS)[ids.STREAM]

    assert "3 units" in str(units)
    assert "low confidence" in str(units)
    assert units.className == "event low"
    assert "Idle" in str(idle)
    assert "backfilled" in str(idle)


def test_a_view_with_no_events_says_so_instead_of_a_blank_panel() -> None:
    (item,) = overview.render(a_view(events=[]), "dark", TARGETS)[ids.STREAM]

    assert "No events" in str(item.children)


def test_the_empty_state_shows_until_the_first_event_and_the_demo_badge_only_over_demo_data() -> (
    None
):
    empty = outputs(a_view(empty=True))
    demo = outputs(a_view(demo=True))

    assert (empty["empty_hidden"], empty["page_class"]) == (
        False,
        "overview view-all page-overview is-empty",
    )
    assert (demo["empty_hidden"], demo["badge_hidden"], demo["reseed_hidden"]) == (
        True,
        False,
        False,
    )
    assert outputs()["reseed_hidden"] is True  # never offered over observed data


def test_the_view_switch_sets_the_page_class_that_hides_the_other_panels() -> None:
    assert outputs(filters=Filters(view="workers"))["page_class"] == (
        "overview view-workers page-overview"
    )


def test_an_entity_page_is_headed_by_its_name_and_id() -> None:
    worker_page = outputs(filters=parse("", "/workers/W1"))
    station_page = outputs(filters=parse("", "/workstations/S9"))

    assert (worker_page["head_hidden"], worker_page["title"]) == (False, "Worker: Name W1 (W1)")
    assert "page-worker" in str(worker_page["page_class"])
    assert station_page["title"] == "Workstation: S9"  # not registered: its id alone
    assert outputs()["head_hidden"] is True


def test_a_changed_range_on_an_entity_page_keeps_the_page() -> None:
    synced = sync(ids.RANGE, "", "/workers/W1", range="24h", worker="W1", view="all")

    assert synced.url == "?range=24h"  # the path still names the worker


@pytest.mark.parametrize(
    ("trigger", "clicked", "opened"),
    [
        (ids.LEADERBOARD, {"row": 4, "column_id": "units", "row_id": "W 2"}, "/workers/W%202"),
        (ids.STATIONS, {"row": 0, "column_id": "utilization", "row_id": "S1"}, "/workstations/S1"),
        (ids.HEATMAP, {"points": [{"customdata": "S 4", "x": "06:00"}]}, "/workstations/S%204"),
        (ids.TIMELINE, {"points": [{"customdata": "W3", "x": "07:00"}]}, "/workers/W3"),
        (ids.BACK, 1, "/"),
    ],
)
def test_a_click_on_a_row_cell_or_band_opens_that_entitys_page(
    trigger: str, clicked: object, opened: str
) -> None:
    assert callbacks.destination(trigger, clicked) == opened


def test_a_click_on_nothing_goes_nowhere() -> None:
    assert callbacks.destination(ids.HEATMAP, {"points": []}) is no_update
    assert callbacks.destination(ids.TIMELINE, None) is no_update
    assert callbacks.destination(ids.LEADERBOARD, None) is no_update  # the click let go


def test_filter_lists_offer_names_and_keep_ids_as_values() -> None:
    shown = outputs()

    assert shown["workers"] == [{"label": "Name W1", "value": "W1"}, {"label": "W2", "value": "W2"}]
    assert shown["sites"] == [
        {"label": "default", "value": "default"},
        {"label": "north", "value": "north"},
    ]
    assert shown["window"] == "Thu 15 Jan 06:00 to 10:00 UTC"
    assert shown["updated"] == "updated 10:00:00"


def test_the_timeline_has_one_labelled_trace_per_state_and_hatches_unobserved_time() -> None:
    view = a_view()
    figure = go.Figure(figures.timeline(view.timeline, {"W2": "Ann"}, DARK))  # Plotly checks it

    names = [trace.name for trace in figure.data]
    assert names == [STATE_LABELS[s] for s in figures.TIMELINE_STATES]
    unobserved = figure.data[names.index("Unobserved")]
    assert list(unobserved.y) == ["Ann"]  # by name
    assert list(figure.data[0].y) == ["W1"]  # by id, where the registry knows no name
    assert list(unobserved.customdata) == ["W2"]  # what a click on the band opens
    assert unobserved.marker.pattern.shape == "/"
    working = figure.data[0]
    assert list(working.base) == [START.timestamp() * 1000]  # read as UTC on the date axis
    assert list(working.x) == [(END - START).total_seconds() * 1000]
    assert figure.layout.xaxis.hoverformat == "%a %H:%M"  # the hover's start and end


def test_a_charts_margin_makes_room_for_its_longest_label_from_the_start() -> None:
    bands = a_view().timeline

    short = figures.timeline(bands, {"W2": "Ann"}, DARK)["layout"]["margin"]
    long = figures.timeline(bands, {"W2": "Annemarie Vandenberghe"}, DARK)["layout"]["margin"]
    wallboard = figures.timeline(bands, {"W2": "Ann"}, palette("dark", True))["layout"]["margin"]

    assert long["l"] - short["l"] >= 19 * 0.55 * DARK.font_px  # 19 more characters
    assert wallboard["t"] > short["t"]  # the legend's larger type


def test_the_heatmap_leaves_hours_nobody_worked_blank() -> None:
    (trace,) = go.Figure(figures.heatmap(a_view().heatmap, DARK)).data

    assert list(trace.y) == ["Press"]
    assert list(trace.customdata[0]) == ["S1", "S1"]  # what a click on a cell opens
    assert [list(row) for row in trace.z] == [[50.0, None]]


def test_the_trend_puts_units_and_utilization_on_their_own_axes() -> None:
    figure = go.Figure(figures.trend(a_view().trend, DARK))

    bars, line = figure.data
    assert (list(bars.y), bars.yaxis) == ([3, 9], "y2")
    assert list(line.y) == [50.0, 75.0]
    assert figure.layout.uirevision == "keep"  # a live refresh keeps the viewer's zoom


def test_a_window_of_one_hour_draws_one_hours_bar_on_an_axis_of_that_hour() -> None:
    first = a_view().trend[0]

    figure = go.Figure(figures.trend([first], DARK))

    hour_ms = (first.end - first.start).total_seconds() * 1000
    assert list(figure.data[0].width) == [0.8 * hour_ms]
    half = (first.end - first.start) / 2
    assert tuple(figure.layout.xaxis.range) == (first.start - half, first.start + half)


def test_the_seed_message_says_what_was_written() -> None:
    result = SeedResult(
        from_=START,
        to=END,
        seed=0,
        workers=6,
        workstations=6,
        sent=12_400,
        accepted=12_345,
        duplicates=55,
        low_confidence=300,
        rejected=0,
        cleared_events=0,
    )

    assert callbacks.seed_message(result) == "Sample data written: 12,345 events over 4 h"


def test_viewers_pushed_one_generation_share_one_view_whatever_the_time() -> None:
    beat = {"generation": 7, "n": 3, "heartbeat_s": 5}

    assert callbacks.moment(ids.PUSHED, beat, 100.2) == callbacks.moment(ids.URL, beat, 100.9)
    assert callbacks.moment(ids.PUSHED, beat, 100.2) != callbacks.moment(
        ids.PUSHED, {**beat, "generation": 8}, 100.2
    )


def test_viewers_polling_share_a_view_a_half_second_and_ignore_an_old_push() -> None:
    old_beat = {"generation": 7, "n": 3, "heartbeat_s": 5}

    assert callbacks.moment(ids.POLL, old_beat, 100.2) == callbacks.moment(ids.POLL, None, 100.4)
    assert callbacks.moment(ids.POLL, None, 100.4) != callbacks.moment(ids.POLL, None, 100.5)
    assert callbacks.moment(None, None, 100.7) == callbacks.moment(ids.POLL, None, 100.5)


@pytest.mark.parametrize(("search", "wall"), [("?kiosk=1&cycle=5", True), ("?range=24h", False)])
def test_a_wallboard_is_told_by_its_link(search: str, wall: bool) -> None:
    assert wallboard(search) is wall


def test_a_wallboards_charts_are_in_type_read_from_across_the_floor() -> None:
    desk, wall = outputs(), outputs(wall=True)

    for chart in (ids.HEATMAP, ids.TIMELINE, ids.TREND):
        desk_figure, wall_figure = go.Figure(desk[chart]), go.Figure(wall[chart])
        assert wall_figure.layout.font.size >= 20 > desk_figure.layout.font.size
        # A desk's chart is as tall as its rows need; a wallboard's fills its part of the screen.
        assert desk_figure.layout.height
        assert wall_figure.layout.height is None
        assert wall_figure.layout.autosize


def test_panels_encoded_once_reach_the_browser_as_the_plain_outputs_would() -> None:
    plotly.io.json.config.default_engine = "orjson"  # as the app sets it
    values = refresh.panels(a_view(), Filters(), "dark", TARGETS)

    encoded = [orjson.Fragment(value) for value in refresh.encode(values)]

    sent = to_json_plotly({"response": encoded})  # how Dash encodes answers

    assert orjson.loads(sent) == orjson.loads(to_json_plotly({"response": list(values)}))
