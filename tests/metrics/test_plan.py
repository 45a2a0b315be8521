"""The plan of a window: rollups for whole days and hours, raw events for the partial hours."""

import itertools

from hypothesis import given
from hypothesis import strategies as st

from floorpulse.metrics.intervals import Window
from floorpulse.metrics.plan import US_PER_DAY, Piece, Source, plan, spans
from floorpulse.metrics.tally import US_PER_HOUR

H, M = US_PER_HOUR, 60_000_000
DAY = US_PER_DAY


def test_a_long_window_reads_days_hours_and_its_short_edges_raw() -> None:
    # 2 days from 22:10 on day 0 to 01:20 on day 2 (days counted from the epoch)
    window = Window(22 * H + 10 * M, 2 * DAY + H + 20 * M)

    assert plan([window], stale_hours=set()) == [
        # 22:10-23:00 is more than half an hour: the 22:00 rollup minus 22:00-22:10 raw
        Piece(0, Source.HOURS, 22 * H, 23 * H),
        Piece(0, Source.RAW, 22 * H, 22 * H + 10 * M, sign=-1),
        Piece(0, Source.HOURS, 23 * H, DAY),
        Piece(0, Source.DAYS, DAY, 2 * DAY),
        Piece(0, Source.HOURS, 2 * DAY, 2 * DAY + H),
        Piece(0, Source.RAW, 2 * DAY + H, 2 * DAY + H + 20 * M),  # 20 minutes: raw
    ]


def test_a_partial_hour_whose_rollup_is_stale_is_read_raw() -> None:
    window = Window(10 * H + 5 * M, 12 * H + 50 * M)

    assert plan([window], stale_hours={10 * H, 12 * H}) == [
        Piece(0, Source.RAW, 10 * H + 5 * M, 11 * H),
        Piece(0, Source.HOURS, 11 * H, 12 * H),
        Piece(0, Source.RAW, 12 * H, 12 * H + 50 * M),
    ]


def test_a_window_inside_one_hour_is_read_raw() -> None:
    assert plan([Window(10 * H + M, 10 * H + 59 * M)], set()) == [
        Piece(0, Source.RAW, 10 * H + M, 10 * H + 59 * M)
    ]
    assert plan([Window(10 * H, 10 * H)], set()) == []


def test_consecutive_periods_are_read_as_spans() -> None:
    assert spans([0, H, 2 * H, 5 * H], H) == [(0, 3 * H), (5 * H, 6 * H)]
    assert spans([], H) == []


instants = st.integers(-3 * DAY, 3 * DAY)


@st.composite
def windows(draw: st.DrawFn) -> Window:
    start = draw(instants)
    return Window(start, start + draw(st.integers(0, 4 * DAY)))


@given(
    st.lists(windows(), min_size=1, max_size=4),
    st.sets(st.integers(-80, 80).map(lambda n: n * H)),
)
def test_the_signed_pieces_cover_each_window_exactly_once(
    chosen: list[Window], stale: set[int]
) -> None:
    pieces = plan(chosen, stale)

    for bucket, window in enumerate(chosen):
        mine = [p for p in pieces if p.bucket == bucket]
        cuts = sorted(
            {window.start_us, window.end_us} | {x for p in mine for x in (p.start_us, p.end_us)}
        )
        for a, b in itertools.pairwise(cuts):
            cover = sum(p.sign for p in mine if p.start_us <= a and b <= p.end_us)
            assert cover == (1 if window.start_us <= a and b <= window.end_us else 0)
    for p in pieces:
        assert p.start_us < p.end_us
        if p.source is Source.DAYS:
            assert p.start_us % DAY == 0
            assert p.end_us % DAY == 0
        if p.source is Source.HOURS:
            assert p.start_us % H == 0
            assert p.end_us % H == 0
        if p.source is Source.RAW:
            assert p.end_us - p.start_us <= H  # never more than an hour of raw events a piece
        if p.sign < 0:  # a rollup minus raw is used only where the rollup is fresh
            assert p.start_us - p.start_us % H not in stale
