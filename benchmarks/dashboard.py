"""Dashboard speed (issue 5), with the benchmark factory's history stored (10 million events
by default, ending now), on a fresh SQLite database served by `floorpulse serve`:

1. interactive: Debian's chromium opens the overview, the last 24 h and a worker's page; the
   time from navigation until every panel is drawn, read in the page (performance.now()).
2. refresh: the refresh callback as the browser posts it, timed over loopback, and the CPU
   time it cost the server and its drawing process: `computed` at a new store generation, so
   the view is read afresh; `shared`, the copy another viewer's refresh made.
3. ingestion under viewers: 10-event batches posted every 100 ms (100 events/s); the latency
   of each post alone; with 50 simulated viewers polling every 2 s; with 20 simulated pushed
   dashboards (each refreshing on every generation at the offset its beat would come at;
   both from another process); and with `--browser-dashboards` real dashboards open in
   chromium (each its own browser context, pushed): twenty chromium pages need more than a
   2-core machine.
4. wallboard: a `?kiosk=1` page cycling for `--wallboard-minutes`; its JS heap and DOM size
   at the start and the end, and the memory of the server and of its drawing process.
"""

import argparse
import asyncio
import json
import multiprocessing
import random
import statistics
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from playwright.sync_api import Browser, Page, sync_playwright

from common import BENCH_FACTORY, p50_p95_ms, prepare, scratch, stored, top_up
from floorpulse.dashboard.push import offset_s
from floorpulse.demo.generator import roster, stations
from floorpulse.devtools import CHROMIUM_ARGS, ServerProcess, chromium

PANELS_DRAWN = """() => {
  const shown = (selector) => document.querySelector(selector) !== null;
  const units = document.querySelector("#kpi-units");
  const ready = units && units.textContent.trim() !== "" && shown("#leaderboard td")
    && shown("#heatmap .main-svg") && shown("#timeline .main-svg") && shown("#trend .main-svg")
    && shown("#stream li.event");
  return ready ? performance.now() : false;
}"""
REFRESH = "/_dash-update-component"
REFRESH_OUTPUT = "kpis.children"  # the refresh callback is the one that fills the KPI cards
MS = timedelta(milliseconds=1)
BATCH, EVERY_S = 10, 0.1  # 100 events/s: a floor of 1,000 workers at a 10 s heartbeat
VIEWERS, VIEWER_EVERY_S = 50, 2.0
DASHBOARDS = 20
GENERATION_S = 1.0  # a busy store's pushed generations come this often (push.MIN_GAP_S)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--rounds", type=int, default=5, help="navigations per page")
    parser.add_argument("--phase-s", type=float, default=30, help="seconds of each ingest phase")
    parser.add_argument("--wallboard-minutes", type=float, default=10)
    parser.add_argument(
        "--browser-dashboards", type=int, default=DASHBOARDS, help="chromium pages (0: none)"
    )
    parser.add_argument(
        "--database",
        help="keep the store here (a SQLite URL): prepared on the first run, reused after",
    )
    args = parser.parse_args()

    now = datetime.now(UTC).replace(microsecond=0)
    with scratch() as tmp:
        url = args.database or f"sqlite:///{tmp / 'floorpulse.db'}"
        if stored(url):
            top_up(url, now)
        else:
            prepare(url, args.events, now)
        env = {"FLOORPULSE_DATABASE_URL": url, "FLOORPULSE_LOG_LEVEL": "warning"}
        with ServerProcess(env) as server, sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium() or "/usr/bin/chromium",
                args=[*CHROMIUM_ARGS, "--enable-precise-memory-info", "--js-flags=--expose-gc"],
            )
            payload = time_interactive(browser, server.url, args.rounds)
            time_new_tabs(browser, server.url, args.rounds)
            time_refresh(server, payload)
            time_ingest_under_viewers(
                browser, server.url, payload, args.phase_s, args.browser_dashboards
            )
            watch_wallboard(browser, server, args.wallboard_minutes)
            browser.close()
            print(
                f"server memory: {server.memory_mib():.0f} MiB, peak {server.peak_memory_mib():.0f}"
                f"; its drawing process {server.children_memory_mib():.0f} MiB"
            )


def time_interactive(browser: Browser, url: str, rounds: int) -> dict[str, Any]:
    """Navigation to every panel drawn, per page; answers the refresh callback's request."""
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    captured: list[dict[str, Any]] = []

    def capture(request: Any) -> None:
        if REFRESH in request.url and not captured:
            body = request.post_data_json
            if body and REFRESH_OUTPUT in body.get("output", ""):
                captured.append(body)

    page.on("request", capture)
    print("interactive (navigation to every panel drawn, in the browser):")
    for name, path in (("overview", "/"), ("last 24 h", "/?range=24h"), ("worker", "/workers/W1")):
        times = []
        for _ in range(rounds):
            time.sleep(1)  # past the shared views' lifetime: each navigation computes afresh
            page.goto(url + path, wait_until="commit")
            times.append(page.wait_for_function(PANELS_DRAWN, timeout=60_000).json_value())
        print(f"  {name:<10} median {statistics.median(times):5.0f} ms, max {max(times):5.0f} ms")
    page.close()
    return captured[0]


def time_new_tabs(browser: Browser, url: str, rounds: int) -> None:
    """The overview opened in a new tab, to every panel drawn: in a browser that has shown
    it before (its cache warm: a bookmark opened beside an open dashboard), and in a new
    browser profile (nothing cached: a first visit)."""
    viewport = {"width": 1440, "height": 1000}
    seen = browser.new_context(viewport=viewport)
    warming = seen.new_page()
    warming.goto(url + "/", wait_until="commit")
    warming.wait_for_function(PANELS_DRAWN, timeout=60_000)
    warming.close()
    print("new tab (opening to every panel drawn, in the browser):")
    for name in ("seen before", "first visit"):
        times = []
        for _ in range(rounds):
            time.sleep(1)
            fresh = browser.new_context(viewport=viewport) if name == "first visit" else None
            page = (fresh or seen).new_page()
            page.goto(url + "/", wait_until="commit")
            times.append(page.wait_for_function(PANELS_DRAWN, timeout=60_000).json_value())
            page.close()
            if fresh is not None:
                fresh.close()
        print(f"  {name:<11} median {statistics.median(times):5.0f} ms, max {max(times):5.0f} ms")
    seen.close()


def time_refresh(server: ServerProcess, payload: dict[str, Any], rounds: int = 40) -> None:
    """Each refresh's round trip over loopback, and the CPU time it cost the server and its
    drawing process (what a refresh costs the server, whoever waits for it)."""
    timed: dict[str, list[tuple[float, float]]] = {"computed": [], "shared": []}
    with httpx.Client(base_url=server.url, timeout=30) as client:
        for generation in range(1000, 1000 + rounds):
            fresh = at_generation(payload, generation)
            for name in ("computed", "shared"):  # the first asks afresh, the second shares it
                cpu_s = server.cpu_s()
                took_s = timed_post(client, REFRESH, fresh)
                timed[name].append((took_s, server.cpu_s() - cpu_s))
    for name, samples in timed.items():
        p50, p95 = p50_p95_ms([took for took, _ in samples])
        cpu_ms = statistics.mean(cpu for _, cpu in samples) * 1000
        print(
            f"refresh {name:<9} p50 {p50:5.1f} ms, p95 {p95:5.1f} ms, "
            f"max {max(samples)[0] * 1000:5.1f} ms; server CPU {cpu_ms:5.1f} ms a refresh"
        )


def at_generation(payload: dict[str, Any], generation: int) -> dict[str, Any]:
    """The refresh request as pushed at `generation`: a view no viewer has read yet."""
    return _triggered(payload, "pushed.data", {"generation": generation, "n": 1, "heartbeat_s": 5})


def polled(payload: dict[str, Any]) -> dict[str, Any]:
    """The refresh request as a browser that hears no push sends it, every poll."""
    return _triggered(payload, "poll.n_intervals", None)


def _triggered(payload: dict[str, Any], changed: str, pushed: object) -> dict[str, Any]:
    body = json.loads(json.dumps(payload))
    body["changedPropIds"] = [changed]
    for given in body["inputs"]:
        if given["id"] == "pushed":
            given["value"] = pushed
    return body


def timed_post(client: httpx.Client, path: str, body: object) -> float:
    began = time.perf_counter()
    client.post(path, json=body).raise_for_status()
    return time.perf_counter() - began


def time_ingest_under_viewers(
    browser: Browser, url: str, payload: dict[str, Any], phase_s: float, in_browser: int
) -> None:
    print(f"ingestion: {BATCH}-event batches every {EVERY_S * 1000:.0f} ms, {phase_s:.0f} s each")
    idle = ingest_latencies(url, phase_s, "idle")
    report("no viewers", idle, idle)
    phases = [
        (f"{VIEWERS} polling / {VIEWER_EVERY_S:.0f} s", Viewers(VIEWERS, VIEWER_EVERY_S, False)),
        (f"{DASHBOARDS} pushed dashboards", Viewers(DASHBOARDS, GENERATION_S, True)),
    ]
    for name, viewers in phases:
        with simulated_viewers(url, payload, viewers, phase_s + 5) as refreshes:
            viewed = ingest_latencies(url, phase_s, name)
        report(name, viewed, idle)
        r50, r95 = p50_p95_ms(refreshes)
        print(f"    their {len(refreshes):,} refreshes: p50 {r50:.1f} ms, p95 {r95:.1f} ms")
    if in_browser:
        with open_dashboards(browser, url, in_browser):
            shown = ingest_latencies(url, phase_s, "dashboards")
        report(f"{in_browser} in chromium", shown, idle)


def report(name: str, latencies: list[float], idle: list[float]) -> None:
    p50, p95 = p50_p95_ms(latencies)
    ratio = p95 / p50_p95_ms(idle)[1]
    print(f"  {name:<22} p50 {p50:5.1f} ms, p95 {p95:5.1f} ms ({ratio:.2f}x idle p95)")


def ingest_latencies(url: str, seconds: float, tag: str) -> list[float]:
    floor = Floor(tag)
    latencies = []
    with httpx.Client(base_url=url, timeout=30) as client:
        start = time.monotonic()
        sent = 0
        while (due := start + sent * EVERY_S) < start + seconds:
            time.sleep(max(0.0, due - time.monotonic()))
            stamp = datetime.now(UTC) - timedelta(seconds=1)
            batch = [
                {"event_id": f"bench-{tag}-{sent}-{i}", **floor.detection(stamp - i * MS)}
                for i in range(BATCH)
            ]
            latencies.append(timed_post(client, "/api/events/batch", batch))
            sent += 1
    return latencies


class Floor:
    """The benchmark factory's workers as cameras report them: a worker keeps a state for a
    while (one report in fifty changes it, some minutes at this rate) and a quarter of the
    reports are units made; a state drawn afresh for every report would make every report a
    change of state, which no floor does."""

    STATES = ("working", "working", "working", "idle", "absent")

    def __init__(self, tag: str) -> None:
        self.rng = random.Random(tag)
        places = [station.workstation_id for station in stations(BENCH_FACTORY)]
        self.workers = [person.worker_id for person in roster(BENCH_FACTORY)]
        self.place = {w: places[i % len(places)] for i, w in enumerate(self.workers)}
        self.state = dict.fromkeys(self.workers, "working")

    def detection(self, stamp: datetime) -> dict[str, Any]:
        worker = self.rng.choice(self.workers)
        if self.rng.random() < 0.02:
            self.state[worker] = self.rng.choice(self.STATES)
        units = self.rng.random() < 0.25
        return {
            "timestamp": stamp.isoformat(),
            "worker_id": worker,
            "workstation_id": self.place[worker],
            "event_type": "product_count" if units else self.state[worker],
            "confidence": 0.9,
            "count": 1,
        }


@dataclass(frozen=True)
class Viewers:
    """`count` viewers refreshing every `every_s`: polling, each on its own clock, or pushed,
    all at once on every new generation (as the server's beats wake them)."""

    count: int
    every_s: float
    pushed: bool


@contextmanager
def simulated_viewers(
    url: str, payload: dict[str, Any], viewers: Viewers, seconds: float
) -> Iterator[list[float]]:
    """The viewers in another process; yields their latencies, filled in when the block ends."""
    queue: multiprocessing.Queue[list[float]] = multiprocessing.Queue()
    process = multiprocessing.Process(target=_view, args=(url, payload, viewers, seconds, queue))
    process.start()
    time.sleep(viewers.every_s)  # every viewer under way
    latencies: list[float] = []
    yield latencies
    latencies.extend(queue.get(timeout=seconds + 60))
    process.join()


def _view(url: str, payload: dict[str, Any], viewers: Viewers, seconds: float, queue: Any) -> None:
    queue.put(asyncio.run(_viewers(url, payload, viewers, seconds)))


async def _viewers(
    url: str, payload: dict[str, Any], viewers: Viewers, seconds: float
) -> list[float]:
    latencies: list[float] = []
    end = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=viewers.count)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:

        async def viewer(n: int) -> None:
            # Pushed: each viewer's beat comes at its own offset into the generation, as the
            # server spreads them (push.offset_s); polling: each on its own clock.
            offset = offset_s(n) if viewers.pushed else n * viewers.every_s / viewers.count
            await asyncio.sleep(offset)
            while time.monotonic() < end:
                began = time.perf_counter()
                generation = int(time.time() / viewers.every_s)
                body = at_generation(payload, generation) if viewers.pushed else polled(payload)
                answer = await client.post(REFRESH, json=body)
                answer.raise_for_status()
                latencies.append(time.perf_counter() - began)
                if viewers.pushed:  # the next beat: the next generation's
                    await asyncio.sleep((generation + 1) * viewers.every_s + offset - time.time())
                else:
                    await asyncio.sleep(max(0.0, viewers.every_s - (time.perf_counter() - began)))

        await asyncio.gather(*(viewer(n) for n in range(viewers.count)))
    return latencies


@contextmanager
def open_dashboards(browser: Browser, url: str, count: int) -> Iterator[None]:
    contexts = [browser.new_context(viewport={"width": 1440, "height": 1000}) for _ in range(count)]
    pages = [context.new_page() for context in contexts]
    for page in pages:  # one after the other, as screens are switched on
        page.goto(url + "/", wait_until="commit")
        page.wait_for_function(PANELS_DRAWN, timeout=60_000)
    time.sleep(15)  # settled: each has heard the push or gone back to polling
    pushed = sum(page.locator("#live").text_content() == "● live" for page in pages)
    print(f"  ({count} dashboards drawn, {pushed} of them pushed)")
    yield
    for context in contexts:
        context.close()


def watch_wallboard(browser: Browser, server: ServerProcess, minutes: float) -> None:
    """Sizes at the start, after every tenth of the run and at the end: growth that levels off
    is the caches filling; growth to the end would be a leak."""
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.goto(server.url + "/?kiosk=1&cycle=5", wait_until="commit")
    page.wait_for_function(PANELS_DRAWN, timeout=60_000)
    stop = threading.Event()
    feeder = threading.Thread(target=_trickle, args=(server.url, stop), daemon=True)
    feeder.start()
    time.sleep(10)
    print(f"wallboard over {minutes:.1f} min (cycling every 5 s, an event a second arriving):")
    seen = [sizes(page, server)]
    for _ in range(10):
        time.sleep(max(0.0, (minutes * 60 - 10) / 10))
        seen.append(sizes(page, server))
    stop.set()
    feeder.join()
    for key in seen[0]:
        print(f"  {key:<18} " + " -> ".join(f"{sample[key]:.1f}" for sample in seen))
    page.close()


def sizes(page: Page, server: ServerProcess) -> dict[str, float]:
    page.evaluate("() => window.gc()")  # what is still held, not what awaits collection
    heap = page.evaluate("() => performance.memory.usedJSHeapSize") / 2**20
    nodes = page.evaluate("() => document.getElementsByTagName('*').length")
    return {
        "JS heap MiB": heap,
        "DOM elements": nodes,
        "server RSS MiB": server.memory_mib(),
        "drawing RSS MiB": server.children_memory_mib(),
    }


def _trickle(url: str, stop: threading.Event) -> None:
    workers = [person.worker_id for person in roster(BENCH_FACTORY)]
    with httpx.Client(base_url=url, timeout=30) as client:
        n = 0
        while not stop.wait(1.0):
            event = {
                "timestamp": datetime.now(UTC).isoformat(),
                "worker_id": workers[n % len(workers)],
                "workstation_id": "S1",
                "event_type": "product_count",
                "confidence": 0.95,
                "count": 1,
            }
            client.post("/api/events", json=event)
            n += 1


if __name__ == "__main__":
    main()
