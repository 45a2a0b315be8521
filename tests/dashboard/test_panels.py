"""What each panel shows, given the view: the callbacks' and builders' plain functions."""

import pytest
from dash import no_update

from floorpulse.dashboard import callbacks, figures, ids, overview
from floorpulse.dashboard.filters import Filters, parse
from floorpulse.dashboard.theme import DARK, STATE_LABELS
from floorpulse.dashboard.views import Kpi, Overview
from floorpulse.demo.schemas import SeedResult
from tests.dashboard.builders import END, START, event
from tests.dashboard.builders import overview as a_view

TARGETS = (60.0, 80.0)


def outputs(view: Overview | None = None, filters: Filters | None = None) -> dict[str, object]:
    """The refresh callback's outputs, by the name of what they set."""
    names = [*callbacks.PANELS, "workers", "stations", "sites"]
    names += ["badge_hidden", "reseed_hidden", "empty_hidden", "page_class", "head_hidden"]
    names += ["title", "window", "updated"]
    values = callbacks.panels(view or a_view(), filters or Filters(), "dark", TARGETS)
    assert len(values) == len(names)
    return dict(zip(names, values, strict=True))


def test_a_deep_link_sets_every_control_and_offers_its_choices_before_the_lists_arrive() -> None:
    search = "?range=24h&worker=W7&site=north&view=workers"

    url, *controls = callbacks.filters_and_url(None, search, "/", None, None, None, None, None)

    assert url is no_update
    assert controls[:5] == ["24h", "W7", None, "north", "workers"]
    assert controls[5:] == [
        [{"label": "W7", "value": "W7"}],
        no_update,
        [{"label": "north", "value": "north"}],
    ]


def test_a_changed_control_rewrites_the_url_and_keeps_the_rest() -> None:
    search = "?range=24h&worker=W7"

    url, *rest = callbacks.filters_and_url(
        ids.WORKSTATION, search, "/", "24h", "W7", "S2", None, "workstations"
    )

    assert url == "?range=24h&worker=W7&workstation=S2&view=workstations"
    assert all(value is no_update for value in rest)


def test_clearing_a_filter_drops_it_from_the_url() -> None:
    url, *_ = callbacks.filters_and_url(
        ids.WORKER, "?worker=W7", "/", "today", None, None, None, "all"
    )

    assert url == ""


def test_the_leaderboard_ranks_by_utilization_with_those_never_measured_last() -> None:
    rows = overview.leaderboard_rows(a_view(), TARGETS)

    assert [(r["rank"], r["worker_id"], r["band"]) for r in rows] == [
        (1, "W2", "good"),
        (2, "W1", "low"),
        (3, "W3", "none"),
    ]
    assert rows[0]["worker"] == "Name W2"


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
    url, *_ = callbacks.filters_and_url(
        ids.RANGE, "", "/workers/W1", "24h", "W1", None, None, "all"
    )

    assert url == "?range=24h"  # the path still names the worker


@pytest.mark.parametrize(
    ("trigger", "clicked", "opened"),
    [
        (ids.LEADERBOARD, {"rowId": "W 2", "colId": "units"}, "/workers/W%202"),
        (ids.STATIONS, {"rowId": "S1"}, "/workstations/S1"),
        (ids.HEATMAP, {"points": [{"customdata": "S4", "x": "06:00"}]}, "/workstations/S4"),
        (ids.TIMELINE, {"points": [{"customdata": ["06:00", "07:00", "W3"]}]}, "/workers/W3"),
        (ids.BACK, 1, "/"),
    ],
)
def test_a_click_on_a_row_cell_or_band_opens_that_entitys_page(
    trigger: str, clicked: object, opened: str
) -> None:
    assert callbacks.destination(trigger, clicked) == opened


def test_a_click_on_nothing_goes_nowhere() -> None:
    assert callbacks.destination(ids.HEATMAP, {"points": []}) is no_update
    assert callbacks.destination(ids.LEADERBOARD, None) is no_update


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
    figure = figures.timeline(a_view().timeline, DARK)

    names = [trace.name for trace in figure.data]
    assert names == [STATE_LABELS[s] for s in figures.TIMELINE_STATES]
    unobserved = figure.data[names.index("Unobserved")]
    assert list(unobserved.y) == ["Ann"]
    assert unobserved.customdata[0][-1] == "W2"  # what a click on the band opens
    assert unobserved.marker.pattern.shape == "/"
    assert list(figure.data[0].x) == [(END - START).total_seconds() * 1000]


def test_the_heatmap_leaves_hours_nobody_worked_blank() -> None:
    (trace,) = figures.heatmap(a_view().heatmap, DARK).data

    assert list(trace.y) == ["Press"]
    assert list(trace.customdata[0]) == ["S1", "S1"]  # what a click on a cell opens
    assert [list(row) for row in trace.z] == [[50.0, None]]


def test_the_trend_puts_units_and_utilization_on_their_own_axes() -> None:
    figure = figures.trend(a_view().trend, DARK)

    bars, line = figure.data
    assert (list(bars.y), bars.yaxis) == ([3, 9], "y2")
    assert list(line.y) == [50.0, 75.0]
    assert figure.layout.uirevision == "keep"  # a live refresh keeps the viewer's zoom


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
