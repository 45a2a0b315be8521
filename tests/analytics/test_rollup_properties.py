"""Whatever the order events arrive in and whenever rollups are rebuilt, the figures read from
rollups, stale hours and raw edges equal the pure model applied to all stored events."""

import itertools
import json
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from floorpulse.analytics.rollups import Rollups
from floorpulse.analytics.schemas import MetricsQuery
from floorpulse.analytics.service import MetricsService
from floorpulse.db.engine import Database
from floorpulse.db.epoch import to_epoch_us
from floorpulse.events.service import EventService
from floorpulse.metrics.intervals import StateEvent, Window
from floorpulse.metrics.tally import Tally, UnitEvent, sum_by, tally
from floorpulse.settings import Settings
from tests.factories import FixedClock

BASE = datetime(2026, 1, 12, 5, 0, tzinfo=UTC)  # the clock stands at 2026-01-15 12:00
DAY_MIN = 24 * 60
_sites = itertools.count()

events = st.lists(
    st.fixed_dictionaries(
        {
            # Six busy hours on each of four days: windows reach whole days (daily rollups).
            "minute": st.builds(
                lambda d, m: d * DAY_MIN + m, st.integers(0, 3), st.integers(0, 360)
            ),
            "worker_id": st.sampled_from(["W1", "W2"]),
            "workstation_id": st.sampled_from(["S1", "S2"]),
            "event_type": st.sampled_from(["working", "idle", "absent", "product_count"]),
            "confidence": st.sampled_from([0.5, 0.9]),
            "count": st.integers(1, 3),
        }
    ),
    max_size=40,
)


def wire(event: dict, site: str) -> dict:
    fields = {k: v for k, v in event.items() if k != "minute"}
    stamp = (BASE + timedelta(minutes=event["minute"])).isoformat()
    return {**fields, "timestamp": stamp, "site_id": site}


def expected(stored: list[dict], window: Window, s: Settings) -> dict[str, Tally]:
    counted = [e for e in stored if e["confidence"] >= s.confidence_threshold]
    ts = {id(e): to_epoch_us(BASE + timedelta(minutes=e["minute"])) for e in counted}
    states = [
        StateEvent(ts[id(e)], e["worker_id"], e["workstation_id"], e["event_type"])
        for e in counted
        if e["event_type"] != "product_count"
    ]
    units = [
        UnitEvent(ts[id(e)], e["worker_id"], e["workstation_id"], e["count"])
        for e in counted
        if e["event_type"] == "product_count"
    ]
    return sum_by(tally(states, units, window, s.state_timeout_us).items(), lambda k: k[0])


def first_of_each_key(sent: list[dict]) -> list[dict]:
    """What the database keeps: the first event of each (time, worker, station, type)."""
    kept: dict[tuple, dict] = {}
    for e in sent:
        kept.setdefault((e["minute"], e["worker_id"], e["workstation_id"], e["event_type"]), e)
    return list(kept.values())


@hypothesis_settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    events,
    st.data(),
    st.integers(-60, 3 * DAY_MIN + 7 * 60),
    st.one_of(st.integers(1, 8 * 60), st.integers(DAY_MIN, 3 * DAY_MIN)),
)
def test_rollup_path_equals_the_model(
    settings: Settings,
    clock: FixedClock,
    sent: list[dict],
    data: st.DataObject,
    start_min: int,
    length_min: int,
) -> None:
    db = Database(settings.database_url)
    site = f"site{next(_sites)}"
    ingest = EventService(db, settings, clock)
    rollups = Rollups(db, settings)
    rollups.rebuild_all()  # the examples share a database: start with nothing stale
    split = data.draw(st.integers(0, len(sent)))
    for part in (sent[:split], sent[split:]):
        body = json.dumps([wire(e, site) for e in part]).encode()
        ingest.store_batches([ingest.prepare_batch(body)])
        rollups.rebuild_some(limit=data.draw(st.integers(0, 20)))
    if data.draw(st.booleans()):  # the quiet case: nothing stale, every whole hour rolled up
        rollups.rebuild_all()
    start = BASE + timedelta(minutes=start_min)
    query = MetricsQuery(site=site, from_=start, to=start + timedelta(minutes=length_min))

    rows = MetricsService(db, settings, clock).workers(query)

    window = Window(to_epoch_us(start), min(to_epoch_us(query.to), to_epoch_us(clock())))
    want = expected(first_of_each_key(sent), window, settings)
    assert {row.worker_id for row in rows} == {e["worker_id"] for e in sent}
    for row in rows:
        t = want.get(row.worker_id, Tally())
        assert row.active_seconds * 1e6 == t.working_us
        assert row.idle_seconds * 1e6 == t.idle_us
        assert row.absent_seconds * 1e6 == t.absent_us
        assert row.total_units_produced == t.units
    db.dispose()
