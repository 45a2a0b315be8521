"""An edge agent as its own process, and what the server ends up holding, for edge tests."""

import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx

from floorpulse.edge.queue import EdgeQueue, Status
from tests.server.live import LiveServer

WAIT_S = 40
Key = tuple[str, str, str]  # worker, timestamp, event type


class Agent:
    """`floorpulse edge` as its own process: `--follow FILE`, or the source in `extra`."""

    def __init__(
        self,
        tmp: Path,
        source: Path | None,
        server_port: int,
        capacity: int = 10_000,
        extra: tuple[str, ...] = (),
        env: dict[str, str] | None = None,
    ) -> None:
        self.queue_path = tmp / "edge-queue.db"
        self.log = (tmp / "agent.log").open("ab")
        follow = ("--follow", str(source)) if source else ()
        server = f"http://127.0.0.1:{server_port}"
        self.args = [sys.executable, "-m", "floorpulse", "edge", *follow, *extra]
        self.args += ["--server", server, "--queue", str(self.queue_path)]
        self.args += ["--capacity", str(capacity)]
        self.env = {**os.environ, **(env or {})}
        self.process = self.start()

    def start(self) -> subprocess.Popen[bytes]:
        self.process = subprocess.Popen(
            self.args, stdout=self.log, stderr=subprocess.STDOUT, env=self.env
        )
        return self.process

    def status(self) -> Status:
        queue = EdgeQueue(self.queue_path)
        try:
            return queue.status()
        finally:
            queue.close()

    def wait_for(self, condition: Callable[[Status], bool], what: str) -> Status:
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            if self.queue_path.exists() and condition(status := self.status()):
                return status
            time.sleep(0.2)
        raise TimeoutError(f"agent: {what} not reached in {WAIT_S} s; see {self.log.name}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.log.close()


def key(event: dict[str, object]) -> Key:
    stamp = datetime.fromisoformat(str(event["timestamp"])).astimezone(UTC)
    return str(event["worker_id"]), stamp.isoformat(), str(event["event_type"])


def stored(server: LiveServer, headers: dict[str, str] | None = None) -> Counter[Key]:
    """Every event the server holds, counted by what it is (`headers`: its key, if it has)."""
    held: Counter[Key] = Counter()
    url: str | None = f"{server.url}/api/events?limit=1000"
    while url:
        response = httpx.get(url, headers=headers, timeout=30)
        held.update(key(event) for event in response.json())
        url = response.links.get("next", {}).get("url")
    return held


def drained(expected: int) -> Callable[[Status], bool]:
    return lambda s: s.counters["enqueued"] == expected and s.depth == 0


def assert_exactly_once(server: LiveServer, generated: list[Key]) -> None:
    held = stored(server)
    assert set(held) == set(generated)
    assert max(held.values()) == 1
