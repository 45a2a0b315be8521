"""Push: one watcher of the store's version wakes every listening dashboard."""

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from itertools import pairwise
from typing import TypeVar

from floorpulse.dashboard.push import Beat, Pace, Pulse, offset_s

T = TypeVar("T")
PATIENCE_S = 5.0  # far above every period below: a listener that waits this long missed it


class Store:
    """A version that the test moves, counting how often the watcher reads it."""

    def __init__(self) -> None:
        self.version = 0
        self.reads = 0
        self.fail = False

    def read(self) -> int:
        self.reads += 1
        if self.fail:
            raise ConnectionError("database away")
        return self.version


def run(test: Callable[[], Awaitable[T]]) -> T:
    return asyncio.run(asyncio.wait_for(test(), 3 * PATIENCE_S))


async def next_beat(beats: AsyncIterator[Beat]) -> Beat:
    return await asyncio.wait_for(anext(beats), PATIENCE_S)


def test_a_listener_hears_a_beat_at_once_and_another_when_the_store_changes() -> None:
    store = Store()
    pulse = Pulse(store.read, watch_s=0.01, min_gap_s=0, heartbeat_s=60, spread_s=0)

    async def listen() -> tuple[Beat, Beat]:
        beats = pulse.beats()
        first = await next_beat(beats)
        store.version = 1
        return first, await next_beat(beats)

    first, second = run(listen)

    assert (first.generation, first.n) == (0, 1)
    assert second.n == 2
    assert second.generation > first.generation


def test_every_listener_hears_the_same_change_from_one_watcher() -> None:
    store = Store()
    pulse = Pulse(store.read, watch_s=0.01, min_gap_s=0, heartbeat_s=60, spread_s=0)

    async def listen() -> list[int]:
        listeners = [pulse.beats() for _ in range(20)]
        await asyncio.gather(*(next_beat(beats) for beats in listeners))
        reads_before = store.reads
        store.version = 1
        heard = await asyncio.gather(*(next_beat(beats) for beats in listeners))
        # One watcher for twenty listeners: reads follow the clock, not the listeners.
        assert store.reads - reads_before < 20 * 2
        return [beat.generation for beat in heard]

    heard = run(listen)

    assert heard == [heard[0]] * 20
    assert heard[0] > 0


def test_the_beats_of_one_generation_reach_the_listeners_spread_apart() -> None:
    store = Store()
    pulse = Pulse(store.read, watch_s=0.01, min_gap_s=0, heartbeat_s=60, spread_s=0.4)

    async def listen() -> tuple[float, list[tuple[int, float]]]:
        listeners = [pulse.beats() for _ in range(20)]
        await asyncio.gather(*(next_beat(beats) for beats in listeners))
        store.version = 1
        changed_at = time.monotonic()

        async def heard(beats: AsyncIterator[Beat]) -> tuple[int, float]:
            beat = await next_beat(beats)
            return beat.generation, time.monotonic()

        return changed_at, await asyncio.gather(*(heard(beats) for beats in listeners))

    changed_at, heard = run(listen)

    assert len({generation for generation, _ in heard}) == 1  # one view for all to share
    after = sorted(at - changed_at for _, at in heard)
    held = sorted(offset_s(k, 0.4) for k in range(20))
    # Each no sooner than its offset: not one burst of twenty requests, but one every 20 ms.
    assert all(seen >= offset - 0.01 for seen, offset in zip(after, held, strict=True))
    assert held[-1] > 0.35


def test_the_offsets_of_any_number_of_viewers_fall_evenly_apart() -> None:
    for viewers in (2, 5, 20, 100):
        offsets = sorted(offset_s(k, 1.0) for k in range(viewers))
        assert all(0 <= offset < 1 for offset in offsets)
        assert max(b - a for a, b in pairwise([*offsets, 1.0])) < 3 / viewers


def test_a_quiet_store_still_beats_every_heartbeat_with_a_generation_all_share() -> None:
    store = Store()
    pulse = Pulse(store.read, watch_s=0.01, min_gap_s=0, heartbeat_s=0.5, spread_s=0)

    async def listen() -> tuple[list[Beat], list[Beat]]:
        early = pulse.beats()
        heard_early = [await next_beat(early), await next_beat(early)]  # on joining, a heartbeat
        late = pulse.beats()  # a screen switched on between two heartbeats
        heard_late = [await next_beat(late)]
        heard_early.append(await next_beat(early))
        heard_late.append(await next_beat(late))
        return heard_early, heard_late

    early, late = run(listen)

    assert [beat.n for beat in early] == [1, 2, 3]
    assert early[0].generation < early[1].generation < early[2].generation
    # The later screen hears the next heartbeat with the first, not on a clock of its own:
    # both ask for the view of the third generation, read once.
    assert [beat.generation for beat in late] == [early[1].generation, early[2].generation]
    assert all(beat.heartbeat_s == 0.5 for beat in early + late)


def gaps_while_churning(store: Store, pulse: Pulse) -> list[float]:
    """The gaps between a listener's beats while the store changes every millisecond."""

    async def listen() -> list[float]:
        async def churn() -> None:
            while True:
                store.version += 1
                await asyncio.sleep(0.001)

        churning = asyncio.create_task(churn())
        beats = pulse.beats()
        await next_beat(beats)  # the one on connecting
        arrived = []
        for _ in range(4):
            await next_beat(beats)
            arrived.append(time.monotonic())
        churning.cancel()
        return arrived

    return [later - earlier for earlier, later in pairwise(run(listen))]


def test_a_busy_store_moves_a_generation_no_oftener_than_the_minimum_gap() -> None:
    store = Store()
    pulse = Pulse(store.read, watch_s=0.005, min_gap_s=0.1, heartbeat_s=60, spread_s=0)

    gaps = gaps_while_churning(store, pulse)

    assert min(gaps) >= 0.1 * 0.95  # asyncio's clock may round a sleep a hair short


def test_a_busy_store_whose_views_draw_slowly_moves_a_generation_every_two_drawings() -> None:
    store, pace = Store(), Pace()
    pace.timed(time.sleep)(0.1)  # the latest view took 0.1 s to draw
    pulse = Pulse(
        store.read,
        watch_s=0.005,
        min_gap_s=0.01,
        heartbeat_s=60,
        spread_s=0,
        drawing_s=pace.drawing_s,
    )

    gaps = gaps_while_churning(store, pulse)

    assert min(gaps) >= 2 * 0.1 * 0.95


def test_the_watcher_stops_reading_when_the_last_listener_leaves() -> None:
    store = Store()
    pulse = Pulse(store.read, watch_s=0.01, min_gap_s=0, heartbeat_s=60, spread_s=0)

    async def listen_then_leave() -> tuple[int, int]:
        beats = pulse.beats()
        await next_beat(beats)
        await beats.aclose()
        await asyncio.sleep(0.1)  # the watcher notices at its next look
        settled = store.reads
        await asyncio.sleep(0.1)
        return settled, store.reads

    settled, later = run(listen_then_leave)

    assert pulse.listeners == 0
    assert later == settled


def test_a_failed_read_does_not_stop_the_watcher() -> None:
    store = Store()
    pulse = Pulse(store.read, watch_s=0.01, min_gap_s=0, heartbeat_s=60, spread_s=0)

    async def listen() -> Beat:
        beats = pulse.beats()
        await next_beat(beats)
        store.fail = True
        failing_since = store.reads
        while store.reads < failing_since + 3:
            await asyncio.sleep(0.01)
        store.fail, store.version = False, 1
        return await next_beat(beats)

    assert run(listen).generation > 0


def test_a_generation_is_named_by_the_tick_of_the_wall_clock_it_began_at() -> None:
    store = Store()
    pulse = Pulse(store.read, watch_s=0.05, min_gap_s=0, heartbeat_s=60, spread_s=0)

    async def listen() -> tuple[float, Beat, float]:
        beats = pulse.beats()
        await next_beat(beats)
        store.version = 1
        before = time.time()
        beat = await next_beat(beats)
        return before, beat, time.time()

    before, beat, after = run(listen)

    assert before / 0.05 - 1 <= beat.generation <= after / 0.05 + 1


def test_two_server_processes_name_the_same_change_alike() -> None:
    """Each has its watcher; both look at the store on the same ticks of the wall clock, so a
    change seen at one look is one generation for both, and their viewers ask for one view."""
    store = Store()
    looked_at: list[list[int]] = [[], []]  # each watcher's reads, by tick

    def reader(process: int) -> Callable[[], int]:
        def read() -> int:
            looked_at[process].append(round(time.time() / 0.2))
            return store.read()

        return read

    pulses = [
        Pulse(reader(n), watch_s=0.2, min_gap_s=0, heartbeat_s=60, spread_s=0) for n in (0, 1)
    ]

    async def listen() -> list[Beat]:
        first = pulses[0].beats()
        await next_beat(first)
        store.version = 1  # seen by the first process only: the second is not started yet
        await next_beat(first)
        listeners = [first, pulses[1].beats()]
        await next_beat(listeners[1])
        # Changed between two looks, not between the two watchers' reads of one look.
        while len(looked_at[1]) < 3 or looked_at[0][-1] != looked_at[1][-1]:
            await asyncio.sleep(0.001)
        store.version = 2
        return await asyncio.gather(*(next_beat(beats) for beats in listeners))

    heard = run(listen)

    assert heard[0].generation == heard[1].generation > 0
