"""What /metrics exposes: counters and histograms kept in this process (in every process of a
`serve --workers N`, merged), and gauges read from the database when scraped. One registry
per app (tests build many apps in one process)."""

import os
from collections.abc import Callable, Iterable
from typing import Final

from cachetools import LRUCache
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

from floorpulse.events.schemas import BatchResult, RejectedEvent

# Rejections are labelled by the field at fault; anything else is "other", so that no client
# can make up label values.
EVENT_FIELDS = frozenset(
    {
        "timestamp",
        "worker_id",
        "workstation_id",
        "event_type",
        "confidence",
        "count",
        "model_version",
        "camera_id",
        "site_id",
        "event_id",
    }
)
LATENCY_BUCKETS_S = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
AGENTS_KEPT = 10_000
# Set (by `serve --workers N`) to a folder where each process keeps its figures, so that the
# process a scrape reaches answers for all of them (prometheus_client's multiprocess mode).
MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
# A gauge set by whichever process heard last (an agent's report, a database reading at a
# scrape) reads as its latest value across the processes.
LATEST: Final = "mostrecent"


class Telemetry:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.events = Counter(
            "floorpulse_events", "Events received, by outcome.", ["outcome"], registry=r
        )
        self.rejected = Counter(
            "floorpulse_events_rejected",
            "Events refused, by the field at fault.",
            ["reason"],
            registry=r,
        )
        self.ingest_s = Histogram(
            "floorpulse_ingest_seconds",
            "Time to validate and commit a request's events.",
            ["kind"],
            buckets=LATENCY_BUCKETS_S,
            registry=r,
        )
        self.requests = Counter(
            "floorpulse_http_requests",
            "Answers, by route template and status.",
            ["route", "status"],
            registry=r,
        )
        self.rollup_stale = Gauge(
            "floorpulse_rollup_stale_hours",
            "Worker-hours whose rollup awaits a rebuild.",
            registry=r,
            multiprocess_mode=LATEST,
        )
        self.rollup_lag_s = Gauge(
            "floorpulse_rollup_lag_seconds",
            "How long the oldest change not yet in the rollups has waited.",
            registry=r,
            multiprocess_mode=LATEST,
        )
        self.alerts = Gauge(
            "floorpulse_alerts_open",
            "Alerts not resolved, by signal and state.",
            ["signal", "state"],
            registry=r,
            multiprocess_mode=LATEST,
        )
        self.edge_backlog = Gauge(
            "floorpulse_edge_backlog_events",
            "Events queued at each edge agent, as it last said.",
            ["agent"],
            registry=r,
            multiprocess_mode=LATEST,
        )
        self.edge_oldest_s = Gauge(
            "floorpulse_edge_oldest_queued_seconds",
            "Age of the oldest event queued at each edge agent, as it last said.",
            ["agent"],
            registry=r,
            multiprocess_mode=LATEST,
        )
        self._agents = _Agents(AGENTS_KEPT, self._forget_agent)

    def batch(self, result: BatchResult) -> None:
        self.events.labels("accepted").inc(result.accepted - result.low_confidence)
        self.events.labels("low_confidence").inc(result.low_confidence)
        self.events.labels("duplicate").inc(result.duplicates)
        self.events.labels("rejected").inc(result.rejected)
        self._rejections(result.rejected_events)

    def one(self, created: bool, low_confidence: bool) -> None:
        outcome = "duplicate" if not created else "low_confidence" if low_confidence else "accepted"
        self.events.labels(outcome).inc()

    def refused_one(self, fields: Iterable[str]) -> None:
        self.events.labels("rejected").inc()
        self.rejected.labels(_reason(fields)).inc()

    def edge_report(self, agent: str, backlog: int, oldest_s: float) -> None:
        """An agent's own account of its queue, sent with each batch."""
        self._agents[agent] = True
        self.edge_backlog.labels(agent).set(backlog)
        self.edge_oldest_s.labels(agent).set(oldest_s)

    def _forget_agent(self, agent: str) -> None:
        self.edge_backlog.remove(agent)
        self.edge_oldest_s.remove(agent)

    def exposition(self) -> bytes:
        """This process's figures; under `serve --workers N`, every process's, merged."""
        if MULTIPROCESS_DIR not in os.environ:
            return generate_latest(self.registry)
        merged = CollectorRegistry()
        multiprocess.MultiProcessCollector(merged)  # type: ignore[no-untyped-call]
        return generate_latest(merged)

    def _rejections(self, rejected: list[RejectedEvent]) -> None:
        for event in rejected:
            self.rejected.labels(_reason(e.field for e in event.errors)).inc()


class _Agents(LRUCache[str, bool]):
    """The agents heard from lately; one dropped for room takes its gauges with it, so that a
    client making up agent names cannot grow the exposition without bound."""

    def __init__(self, maxsize: int, forget: Callable[[str], None]) -> None:
        super().__init__(maxsize)
        self.forget = forget

    def popitem(self) -> tuple[str, bool]:
        agent, known = super().popitem()
        self.forget(agent)
        return agent, known


def _reason(fields: Iterable[str]) -> str:
    first = next(iter(fields), "")
    field = first.split(".")[-1]
    return field if field in EVENT_FIELDS else "other"
