"""Load test: cameras, a backlog burst and dashboards against several server processes on
PostgreSQL, one of them killed midway (issue 8; docs/SCALING.md quotes its figures).

    .venv/bin/python benchmarks/load.py                        # 2 processes, 200 cameras
    .venv/bin/python benchmarks/load.py --processes 4 --steady-s 30

On a fresh database of the PostgreSQL server given (a user allowed to create databases), it
starts `floorpulse serve --workers N` and, over loopback:

1. **steady**: `--cameras` cameras each send `--rate` events/s in real time (a batch a second
   each, as an edge agent with a live feed does), while `--dashboards` dashboards refresh
   every second (the dashboard's own refresh request, at push beats) and a probe measures,
   four times a second, the delay from an event's arrival to its appearance in the metrics
   API;
2. **burst**: on top of that, every camera flushes a backlog ten times what it sent while
   steady (`--burst`), in batches of 500 as edge agents do, over `--connections`; midway one
   server process is killed (SIGKILL) and the senders retry, as agents do;
3. **reconciliation**: every event sent is stored exactly once.

It prints events/s sustained through the burst, ingest latency p50/p95/p99, the
event-to-metrics delay (over the run, and during the burst alone), each process's CPU and
memory, and the reconciliation.
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from floorpulse.dashboard import ids
from floorpulse.dashboard.refresh import PANEL_OUTPUTS
from floorpulse.devtools import ServerProcess

REFRESH = "/_dash-update-component"
PROBE = "LOAD-PROBE"
PROBE_S = 0.25  # between probes: a burst of a few seconds still gets tens of them
BATCH = 500  # an edge agent's batch


@dataclass
class Tally:
    """What the senders did: latencies of answered requests, events sent, retries."""

    latencies: list[float] = field(default_factory=list)
    sent: int = 0
    retries: int = 0
    failed: list[str] = field(default_factory=list)  # requests answered with an error
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, took_s: float, events: int, retries: int) -> None:
        with self.lock:
            self.latencies.append(took_s)
            self.sent += events
            self.retries += retries


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--server-url",
        default=os.environ.get(
            "FLOORPULSE_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        ),
        help="a PostgreSQL server and a user allowed to create databases",
    )
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--cameras", type=int, default=200)
    parser.add_argument("--rate", type=float, default=2.0, help="events/s per camera, steady")
    parser.add_argument(
        "--steady-s",
        type=float,
        default=60.0,
        help="seconds of live feed; the backlog is --burst times what it sends",
    )
    parser.add_argument("--burst", type=int, default=10, help="backlog, times the steady events")
    parser.add_argument(
        "--connections",
        type=int,
        default=24,
        help="backlog senders at once: with 6, a fifth of the CPU idled through the burst, the "
        "processes waiting on each other's round trips; past ~48, batches only queue longer",
    )
    parser.add_argument("--dashboards", type=int, default=20)
    parser.add_argument(
        "--states",
        choices=sorted(MIXES),
        default="spells",
        help="spells: each worker works ~20 min, idles ~4 (the demo generator's means), a unit "
        "every 4th event while working; flicker: the state changes every other event, the "
        "timeline's worst case",
    )
    parser.add_argument(
        "--via",
        choices=["http", "mqtt"],
        default="http",
        help="the backlog posted, or published to a broker for two `floorpulse mqtt`",
    )
    parser.add_argument("--broker", default="127.0.0.1:1883")
    parser.add_argument(
        "--polling", action="store_true", help="dashboards poll (no push connection)"
    )
    args = parser.parse_args()

    with fresh_database(args.server_url) as url:
        env = {
            "FLOORPULSE_DATABASE_URL": url,
            "FLOORPULSE_WORKERS": str(args.processes),
            "FLOORPULSE_LOG_LEVEL": "warning",
            "FLOORPULSE_RATE_LIMITS": "false",
        }
        with ServerProcess(env, ready_within_s=120) as server:
            run(server, url, args)


def run(server: ServerProcess, url: str, args: argparse.Namespace) -> None:
    steady_events = round(args.cameras * args.rate * args.steady_s)
    mix = MIXES[args.states]
    backlog = backlog_batches(args.cameras, steady_events * args.burst, args.connections, mix)
    print(
        f"{args.processes} server processes on PostgreSQL; {args.cameras} cameras at "
        f"{args.rate:g} events/s each for {args.steady_s:.0f} s (~{steady_events:,} events), "
        f"a backlog of {steady_events * args.burst:,} events flushed midway; "
        f"{args.dashboards} dashboards refreshing every second "
        f"({'polling' if args.polling else 'at push beats'}); states in {args.states}"
    )
    stop = threading.Event()
    live, burst, viewers = Tally(), Tally(), Tally()
    delays: list[Delay] = []
    started, cpu_at_start = time.perf_counter(), cpu_now(server)
    threads = [
        threading.Thread(target=cameras, args=(server.url, args, live, stop)),
        threading.Thread(
            target=dashboards, args=(server.url, args.dashboards, not args.polling, viewers, stop)
        ),
        threading.Thread(target=probe, args=(server.url, delays, stop)),
    ]
    for thread in threads:
        thread.start()
    time.sleep(args.steady_s / 2)
    roles = role_of(server.process.pid)
    began, cpu_at_burst = time.perf_counter(), cpu_now(server)
    last_cpu: dict[int, float] = {}  # of the server process killed, and its drawing process
    if args.via == "mqtt":
        killed, burst_s = publish(url, args.broker, backlog, burst)
    else:
        killed, last_cpu = flush(server, backlog, args.connections, burst)
        burst_s = time.perf_counter() - began
    cpu_after_burst = cpu_now(server, last_cpu)
    burst_window_s = time.perf_counter() - began  # mqtt: the consumers' start too
    time.sleep(max(0.0, args.steady_s / 2 - burst_s))
    stop.set()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    cpu_at_end, memory = cpu_now(server, last_cpu), per_process(server, memory_mib)

    burst_events = sum(batch.count(b'"event_id"') for share in backlog for batch in share)
    print(
        f"burst: {burst_events:,} events in {burst_s:.1f} s: "
        f"{burst_events / burst_s:,.0f} events/s sustained (with the live feed on top)"
    )
    if args.via == "mqtt":
        print(f"  published; one `floorpulse mqtt` killed midway ({killed}) and started again")
        report("publish to acknowledged, batches of 500", burst.latencies)
    else:
        print(f"  one server process killed midway ({killed}); batches retried: {burst.retries}")
        report("ingest latency, burst batches of 500", burst.latencies)
    report("ingest latency, live batches", live.latencies)
    report("dashboard refresh", viewers.latencies)
    if viewers.failed:
        print(f"  dashboard refreshes answered with an error: {len(viewers.failed):,}, first:")
        print(f"    {viewers.failed[0][:300]}")
    report("event to metrics API", [delay.seconds for delay in delays])
    during = [delay.seconds for delay in delays if began <= delay.sent < began + burst_s]
    report("event to metrics API, during the burst", during)
    roles |= role_of(server.process.pid)
    print("  CPU, as a share of one core:      during the burst   over the run   memory")
    for key, spent in cpu_at_end.items():
        run = (spent - cpu_at_start.get(key, 0.0)) / elapsed
        in_burst = (cpu_after_burst.get(key, 0.0) - cpu_at_burst.get(key, 0.0)) / burst_window_s
        name = f"{roles.get(key, 'other')} {key}" if isinstance(key, int) else key
        name += ", killed" if key in last_cpu else ""
        rss = f"{memory[key]:6.0f} MiB" if key in memory else ""
        print(f"    {name:<30} {in_burst:16.0%} {run:14.0%}   {rss}")
    reconcile(url, live.sent + burst_events + len(delays) + (args.via == "mqtt"))


Mix = Callable[[int, int, datetime], str]  # (camera, its n-th event, when) -> event type
WORK_S, IDLE_S = 1200, 240  # the demo generator's mean spells (demo/generator.py)


def spells(camera: int, n: int, at: datetime) -> str:
    """What a camera watching a worker sees: spells of work and idleness minutes long, each
    camera's worker at a phase of its own; units counted while working."""
    phase = (at.timestamp() + camera * 97) % (WORK_S + IDLE_S)
    if phase >= WORK_S:
        return "idle"
    return "product_count" if n % 4 == 3 else "working"


def flicker(camera: int, n: int, at: datetime) -> str:
    """A state that changes every other event: no worker does that, but it makes the most
    timeline bands a view can have."""
    return ("working", "working", "idle", "product_count")[(camera + n) % 4]


MIXES: dict[str, Mix] = {"spells": spells, "flicker": flicker}


def backlog_batches(cameras: int, events: int, senders: int, mix: Mix) -> list[list[bytes]]:
    """Each sender's share of the cameras' backlogs: batches of 500, pre-encoded, the events
    spread over the hour before now (late, as a backlog is)."""
    now = datetime.now(UTC)
    per_camera = max(1, events // cameras)
    batches: list[bytes] = []
    start, step = now - timedelta(hours=1), timedelta(seconds=3600 / per_camera)
    for camera in range(cameras):
        at = [start + n * step for n in range(per_camera)]
        events_of = [event(camera, f"b{n}", t, mix(camera, n, t)) for n, t in enumerate(at)]
        batches += [orjson.dumps(events_of[i : i + BATCH]) for i in range(0, per_camera, BATCH)]
    return [batches[i::senders] for i in range(senders)]


def event(camera: int, serial: str, at: datetime, kind: str) -> dict[str, Any]:
    return {
        "timestamp": at.isoformat().replace("+00:00", "Z"),
        "worker_id": f"W{camera}",
        "workstation_id": f"S{camera}",
        "event_type": kind,
        "confidence": 0.93,
        "count": 1,
        "camera_id": f"CAM-{camera}",
        "event_id": f"CAM-{camera}-{serial}",
    }


def cameras(url: str, args: argparse.Namespace, tally: Tally, stop: threading.Event) -> None:
    """Each camera's events of each second, sent as they happen (a batch a camera a second)."""
    per_second, mix = max(1, round(args.rate)), MIXES[args.states]
    with ThreadPoolExecutor(8) as pool, httpx.Client(base_url=url, timeout=60) as client:
        second = 0
        while not stop.is_set():
            tick = time.monotonic()
            now = datetime.now(UTC)
            bodies = [
                orjson.dumps(
                    [
                        event(c, f"l{second}-{n}", now, mix(c, second * per_second + n, now))
                        for n in range(per_second)
                    ]
                )
                for c in range(args.cameras)
            ]
            list(pool.map(lambda body: send(client, body, per_second, tally), bodies))
            second += 1
            stop.wait(max(0.0, 1 - (time.monotonic() - tick)))


def flush(
    server: ServerProcess, shares: list[list[bytes]], connections: int, tally: Tally
) -> tuple[int, dict[int, float]]:
    """Send the backlog over `connections`; kill one server process once half is sent (what
    kill_one answers)."""
    total = sum(len(share) for share in shares)
    done = [0]
    killed: list[tuple[int, dict[int, float]]] = []
    lock = threading.Lock()

    def sender(share: list[bytes]) -> None:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            for body in share:
                send(client, body, body.count(b'"event_id"'), tally)
                with lock:
                    done[0] += 1
                    if done[0] >= total // 2 and not killed:
                        killed.append(kill_one(server))

    with ThreadPoolExecutor(connections) as pool:
        list(pool.map(sender, shares))
    return killed[0] if killed else (0, {})


def publish(url: str, broker: str, shares: list[list[bytes]], tally: Tally) -> tuple[int, float]:
    """Publish the backlog to the broker, a batch a message at QoS 1, for two `floorpulse
    mqtt` processes of one group; kill one of them (SIGKILL) once half is published and start
    it again under its client id, as a service manager would. Answers once all is stored:
    the pid killed, and the seconds from the first message published to the last stored."""
    host, port = broker.split(":")
    topic = "floorpulse/main/events"
    consumers = [mqtt_consumer(url, n) for n in range(2)]
    expected = sum(batch.count(b'"event_id"') for share in shares for batch in share)
    database = create_engine(url)  # polled ten times a second: one engine, its connection kept
    try:
        wait_subscribed(database, host, int(port), topic)
        began, stored_before = time.perf_counter(), burst_stored(database)
        batches = [batch for share in shares for batch in share]
        client = mqtt_client(host, int(port))
        killed = 0
        for n, batch in enumerate(batches):
            sent = time.perf_counter()
            client.publish(topic, batch, qos=1).wait_for_publish(60)
            tally.add(time.perf_counter() - sent, batch.count(b'"event_id"'), 0)
            if n == len(batches) // 2:
                killed = consumers[0].pid
                consumers[0].kill()
                consumers[0].wait()
                consumers[0] = mqtt_consumer(url, 0)
        while burst_stored(database) - stored_before < expected:
            time.sleep(0.1)
        client.loop_stop()
        client.disconnect()
        return killed, time.perf_counter() - began
    finally:
        database.dispose()
        for consumer in consumers:
            consumer.terminate()
            consumer.wait(30)


def mqtt_consumer(url: str, n: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "FLOORPULSE_DATABASE_URL": url,
        "FLOORPULSE_LOG_LEVEL": "warning",
        "FLOORPULSE_MQTT_GROUP": f"load{os.getpid()}",
        "FLOORPULSE_MQTT_CLIENT_ID": f"floorpulse-load-{os.getpid()}-{n}",
    }
    command = [sys.executable, "-m", "floorpulse", "mqtt"]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)


def mqtt_client(host: str, port: int) -> Any:
    import paho.mqtt.client as paho
    from paho.mqtt.enums import CallbackAPIVersion

    client = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"load-publisher-{os.getpid()}")
    client.max_inflight_messages_set(100)
    client.connect(host, port)
    client.loop_start()
    return client


def wait_subscribed(database: Engine, host: str, port: int, topic: str) -> None:
    """Until both consumers have subscribed, messages go nowhere: probe until one is stored."""
    client = mqtt_client(host, port)
    probe = event(10**6 + 1, "subscribed", datetime.now(UTC), "idle")
    probed = "SELECT count(*) FROM events WHERE event_id = 'CAM-1000001-subscribed'"
    while count(database, probed) == 0:
        client.publish(topic, orjson.dumps(probe), qos=1).wait_for_publish(10)
        time.sleep(0.5)
    time.sleep(2)  # the other consumer too
    client.loop_stop()
    client.disconnect()


def burst_stored(database: Engine) -> int:
    return count(database, "SELECT count(*) FROM events WHERE event_id LIKE 'CAM-%-b%'")


def count(database: Engine, sql: str) -> int:
    with database.connect() as conn:
        return int(conn.execute(text(sql)).scalar_one())


def send(client: httpx.Client, body: bytes, events: int, tally: Tally) -> None:
    """Post until answered 200, retrying as an edge agent does (its batch stays queued)."""
    retries = 0
    while True:
        began = time.perf_counter()
        try:
            answer = client.post(
                "/api/events/batch", content=body, headers={"Content-Type": "application/json"}
            )
            if answer.status_code == 200:
                tally.add(time.perf_counter() - began, events, retries)
                return
        except httpx.TransportError:
            pass
        retries += 1
        time.sleep(0.2)


def kill_one(server: ServerProcess) -> tuple[int, dict[int, float]]:
    """Kill a server process (SIGKILL): the one whose drawing process draws for them all, so
    that another must take over. Answers its pid, and its CPU seconds and its drawing process's
    as they were just before: once ended, a process's seconds can no longer be read."""
    workers = children(server.process.pid)
    serving = [pid for pid in workers if children(pid)]  # a server process has its drawing one
    victim = max(serving or workers, key=lambda pid: sum(map(cpu_s, children(pid))))
    last_cpu = per_pid([victim, *descendants(victim)], cpu_s)
    os.kill(victim, signal.SIGKILL)
    return victim, last_cpu


def dashboards(url: str, count: int, pushed: bool, tally: Tally, stop: threading.Event) -> None:
    if count == 0:
        return

    def viewer(n: int) -> None:
        with httpx.Client(base_url=url, timeout=60) as client:
            stop.wait(n / count)
            polls = 0
            while not stop.is_set():
                began = time.perf_counter()
                polls += 1
                try:
                    body = refresh_request(polls, pushed)
                    client.post(REFRESH, json=body).raise_for_status()
                    tally.add(time.perf_counter() - began, 0, 0)
                except httpx.HTTPStatusError as error:
                    tally.failed.append(f"{error.response.status_code} {error.response.text}")
                except httpx.TransportError:
                    pass  # the process it reached was killed: the next poll reaches another
                stop.wait(max(0.0, 1 - (time.perf_counter() - began)))

    with ThreadPoolExecutor(count) as pool:
        list(pool.map(viewer, range(count)))


def refresh_request(polls: int, pushed: bool) -> dict[str, Any]:
    """The dashboard's refresh request for the overview: as a browser sends it at each beat of
    the server's push (all viewers at a beat share one view, whichever server process they
    reach: a generation is named by the wall clock, a new one a second when busy), or polling
    (without a push connection: a view is drawn every half second)."""
    beat = {"generation": int(time.time()), "n": 1, "heartbeat_s": 5} if pushed else None
    outputs = [*PANEL_OUTPUTS, (ids.FILTER_PROBLEM, "children"), (ids.FILTER_PROBLEM, "hidden")]
    inputs = [
        (ids.URL, "search", ""),
        (ids.URL, "pathname", "/"),
        (ids.PUSHED, "data", beat),
        (ids.POLL, "n_intervals", polls),
        (ids.THEME, "data", "dark"),
    ]
    return {
        "output": ".." + "...".join(f"{key}.{prop}" for key, prop in outputs) + "..",
        "outputs": [{"id": key, "property": prop} for key, prop in outputs],
        "inputs": [{"id": key, "property": prop, "value": value} for key, prop, value in inputs],
        "changedPropIds": [f"{ids.PUSHED}.data" if pushed else f"{ids.POLL}.n_intervals"],
        "state": [],
    }


@dataclass(frozen=True)
class Delay:
    sent: float  # perf_counter when the probe's unit was sent
    seconds: float  # until the metrics API counted it


def probe(url: str, delays: list[Delay], stop: threading.Event) -> None:
    """A unit counted by a probe camera every PROBE_S, timed from when it is sent until the
    metrics API shows it."""
    with httpx.Client(base_url=url, timeout=60) as client:
        units = 0
        while not stop.is_set():
            body = [event(10**6, f"p{units}", datetime.now(UTC), "product_count")]
            body[0]["worker_id"] = PROBE
            sent = time.perf_counter()
            send(client, orjson.dumps(body), 1, Tally())
            units += 1
            while not stop.is_set() and shown(client, units) is False:
                time.sleep(0.02)
            delays.append(Delay(sent, time.perf_counter() - sent))
            stop.wait(PROBE_S)


def shown(client: httpx.Client, units: int) -> bool:
    try:
        rows = client.get("/api/metrics/workers", params={"worker_id": PROBE}).json()
    except (httpx.HTTPError, ValueError):
        return False
    return bool(rows) and rows[0]["total_units_produced"] >= units


def report(name: str, seconds: list[float]) -> None:
    if len(seconds) < 2:
        print(f"  {name}: too few samples ({len(seconds)})")
        return
    q = statistics.quantiles(seconds, n=100, method="inclusive")
    print(
        f"  {name:<38} p50 {q[49] * 1000:7.1f} ms  p95 {q[94] * 1000:7.1f} ms  "
        f"p99 {q[98] * 1000:7.1f} ms  ({len(seconds):,})"
    )


def reconcile(url: str, sent: int) -> None:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT count(*), count(DISTINCT event_id) FROM events")).one()
    engine.dispose()
    stored, distinct = int(rows[0]), int(rows[1])
    verdict = "every event stored exactly once" if stored == distinct == sent else "MISMATCH"
    print(f"reconciliation: {sent:,} sent, {stored:,} stored, {distinct:,} distinct: {verdict}")


def per_process(server: ServerProcess, read: Callable[[int], float]) -> dict[int, float]:
    return per_pid([server.process.pid, *descendants(server.process.pid)], read)


def per_pid(pids: list[int], read: Callable[[int], float]) -> dict[int, float]:
    found = {}
    for pid in pids:
        with suppress(FileNotFoundError):  # ended meanwhile
            found[pid] = read(pid)
    return found


def cpu_now(server: ServerProcess, ended: dict[int, float] | None = None) -> dict[int | str, float]:
    """CPU seconds so far: of each process of the server, those `ended` as they last were; of
    PostgreSQL's processes, the backends that ended too; of this load generator; and of the
    whole machine, busy."""
    spent: dict[int | str, float] = {}
    for pid, seconds in [*(ended or {}).items(), *per_process(server, cpu_s).items()]:
        spent[pid] = seconds
    spent["PostgreSQL, all its processes"] = sum(
        cpu_s(pid) + reaped_s(pid) for pid in postgres_pids()
    )
    own = os.times()
    spent["this load generator"] = own.user + own.system
    spent["the machine, busy"] = machine_busy_s()
    return spent


def postgres_pids() -> list[int]:
    """The local PostgreSQL server's processes (loopback only: it is on this machine)."""
    found = []
    for comm in Path("/proc").glob("[0-9]*/comm"):
        with suppress(FileNotFoundError):  # ended meanwhile
            if comm.read_text().strip() == "postgres":
                found.append(int(comm.parent.name))
    return found


def machine_busy_s() -> float:
    """CPU seconds all cores spent on anything but idling, since boot (/proc/stat)."""
    ticks = [int(field) for field in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle, iowait = ticks[3], ticks[4]
    return (sum(ticks[:8]) - idle - iowait) / os.sysconf("SC_CLK_TCK")


def role_of(supervisor: int) -> dict[int, str]:
    """What each process of `serve --workers N` is: uvicorn's supervisor, a server process
    (each has its dashboard drawing process), that drawing process, or a helper."""
    roles = {supervisor: "supervisor"}
    for child in children(supervisor):
        drawing = children(child)
        roles[child] = "server process" if drawing else "helper"
        roles |= dict.fromkeys(drawing, "dashboard drawing")
    return roles


def descendants(pid: int) -> list[int]:
    return [d for child in children(pid) for d in (child, *descendants(child))]


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


def cpu_s(pid: int) -> float:
    """The process's own CPU seconds (utime + stime); 0 if it has ended."""
    return sum(stat_fields(pid, 11, 12))


def reaped_s(pid: int) -> float:
    """CPU seconds of the process's children that ended and that it reaped (cutime + cstime)."""
    return sum(stat_fields(pid, 13, 14))


def stat_fields(pid: int, *at: int) -> list[float]:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:  # ended meanwhile
        return [0.0]
    return [int(fields[n]) / os.sysconf("SC_CLK_TCK") for n in at]


def memory_mib(pid: int) -> float:
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    return int(next(line.split()[1] for line in lines if line.startswith("VmRSS"))) / 1024


@contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    name = f"fp_load_{os.getpid()}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
