"""Model health over 10 million stored events: what the API and the evaluation cost.

The benchmark factory's history (benchmarks/common.py: 100 workers, 20 cameras, about 8 months)
with its cameras switched, 36 hours ago, to a model that is unsure and calls two in five
working heartbeats idle (the generator's drift scenario). On a fresh SQLite store, or a kept
one (`--database`; a store kept from before model health was added is upgraded, and the time
the upgrade and the one-time rebuild of every hour take are printed). Then, over HTTP against
`floorpulse serve`, p50 and p95 of:

- GET /api/models (versions; their figures over the last two weeks);
- GET /api/models/drift (three weeks of hours, productivity baselines, silence);
- POST /api/alerts/evaluate (the drift report judged, alerts opened or updated);
- GET /api/models/{version}/sample (200 events, stratified, a week);
- GET /api/models/compare.

    .venv/bin/python benchmarks/models.py
    .venv/bin/python benchmarks/models.py --database sqlite:///data/bench.db
"""

import argparse
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx

from common import BENCH_FACTORY, p50_p95_ms, prepare, scratch, stored, top_up
from floorpulse.demo.generator import MODEL, NEW_MODEL, drifting_model
from floorpulse.devtools import ServerProcess


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--database", help="keep the store here (a SQLite URL)")
    args = parser.parse_args()

    now = datetime.now(UTC).replace(microsecond=0)
    with scratch() as tmp:
        url = args.database or f"sqlite:///{tmp / 'floorpulse.db'}"
        # A kept store's history is carried on up to now: with the drift if it reaches back
        # 36 hours, else only its last minutes drift.
        factory = replace(BENCH_FACTORY, faults=drifting_model(now - timedelta(hours=36)))
        began = time.perf_counter()
        kept = stored(url)
        print(f"schema brought up to date in {time.perf_counter() - began:.1f} s")
        if kept:
            top_up(url, now, factory)
        else:
            prepare(url, args.events, now, factory)
        env = {"FLOORPULSE_DATABASE_URL": url, "FLOORPULSE_LOG_LEVEL": "warning"}
        with ServerProcess(env) as server, httpx.Client(base_url=server.url, timeout=120) as web:
            print(f"{'request':<40}{'p50 ms':>10}{'p95 ms':>10}")
            asks: dict[str, Callable[[], httpx.Response]] = {
                "GET /api/models": lambda: web.get("/api/models"),
                "GET /api/models/drift": lambda: web.get("/api/models/drift"),
                "POST /api/alerts/evaluate": lambda: web.post("/api/alerts/evaluate"),
                f"GET /api/models/{NEW_MODEL}/sample n=200": lambda: web.get(
                    f"/api/models/{NEW_MODEL}/sample", params={"n": 200}
                ),
                "GET /api/models/compare": lambda: web.get(
                    "/api/models/compare", params={"a": MODEL, "b": NEW_MODEL}
                ),
            }
            for label, ask in asks.items():
                ask().raise_for_status()  # warm: what a server that has run a while holds
                p50, p95 = p50_p95_ms([timed(ask) for _ in range(args.rounds)])
                print(f"{label:<40}{p50:>10.1f}{p95:>10.1f}", flush=True)
            opened = web.get("/api/alerts").json()
            print(f"open alerts: {', '.join(sorted(a['cause'] for a in opened))}")
            print(f"server memory: peak {server.peak_memory_mib():.0f} MiB")


def timed(ask: Callable[[], httpx.Response]) -> float:
    began = time.perf_counter()
    ask().raise_for_status()
    return time.perf_counter() - began


if __name__ == "__main__":
    main()
