"""`floorpulse edge status`: what the agent's queue holds, for a person or a script."""

import json
import os
import subprocess
import sys
from pathlib import Path

from floorpulse.edge.queue import EdgeQueue
from floorpulse.edge.reading import check
from tests.factories import make_event


def status_command(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "floorpulse", "edge", "status", *args],
        env=os.environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_status_shows_depth_oldest_event_and_counts(tmp_path: Path) -> None:
    queue = EdgeQueue(tmp_path / "q.db", capacity=50)
    queue.put([check(make_event(camera_id="CAM-7"))] * 3)
    queue.record_error("HTTP 503")
    queue.close()

    text = status_command("--queue", str(tmp_path / "q.db")).stdout
    report = json.loads(status_command("--queue", str(tmp_path / "q.db"), "--json").stdout)

    assert "queued:        3 of" in text
    assert "oldest queued: 2026-01-15T10:15:00+00:00" in text
    assert "last success:  never" in text
    assert "camera CAM-7: last seq 3, forwarded up to none yet" in text
    assert "HTTP 503" in text
    assert report["depth"] == 3
    assert report["counters"]["send_errors"] == 1
    assert report["cameras"]["CAM-7"]["last_seq"] == 3


def test_status_of_an_empty_queue_says_it_is_empty(tmp_path: Path) -> None:
    EdgeQueue(tmp_path / "q.db", capacity=50).close()

    text = status_command("--queue", str(tmp_path / "q.db")).stdout

    assert "queued:        0 of 50 events" in text
    assert "oldest queued: none (the queue is empty)" in text


def test_status_of_a_queue_that_does_not_exist_says_so(tmp_path: Path) -> None:
    done = status_command("--queue", str(tmp_path / "none.db"))

    assert done.returncode == 1
    assert "no queue" in done.stderr
