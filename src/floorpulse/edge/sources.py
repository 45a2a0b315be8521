"""Where the agent's events come from: stdin, a followed file, an MQTT topic, the simulator.

Each source yields `Chunk`s: events read together, the source's name and position after them (a
file's byte offset, so a restarted agent resumes exactly there), and what to do once they are
safely queued (an MQTT message is acknowledged only then).
"""

import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

from floorpulse.db.epoch import to_epoch_us
from floorpulse.demo.generator import Factory, generate
from floorpulse.edge.queue import Incoming
from floorpulse.edge.reading import check, parse

log = logging.getLogger(__name__)
MAX_CHUNK = 500


@dataclass
class Chunk:
    items: list[Incoming]
    source: str | None = None
    position: int = 0
    after: Callable[[], None] | None = field(default=None, repr=False)


def from_lines(stream: IO[str]) -> Iterator[Chunk]:
    """JSON lines from a stream (stdin) until it ends."""
    for line in stream:
        if line.strip():
            yield Chunk(parse(line))


def follow(path: Path, start: int, stop: threading.Event, poll_s: float = 0.2) -> Iterator[Chunk]:
    """Lines appended to a file, from byte `start`, like `tail -F`: a truncated or replaced file
    is read again from its start."""
    source = f"file:{path.resolve()}"
    position, inode = start, None
    while not stop.is_set():
        if not path.exists():
            stop.wait(poll_s)
            continue
        stat = path.stat()
        if stat.st_ino != inode or stat.st_size < position:
            position = 0 if inode is not None else min(position, stat.st_size)
            inode = stat.st_ino
        with path.open("rb") as handle:
            handle.seek(position)
            chunk, position = _complete_lines(handle, position)
        if chunk:
            yield Chunk([item for line in chunk for item in parse(line)], source, position)
        else:
            stop.wait(poll_s)


def _complete_lines(handle: IO[bytes], position: int) -> tuple[list[bytes], int]:
    """Up to MAX_CHUNK whole lines from here; a line still being written waits for its end."""
    lines: list[bytes] = []
    while len(lines) < MAX_CHUNK:
        line = handle.readline()
        if not line.endswith(b"\n"):
            break
        position += len(line)
        if line.strip():
            lines.append(line)
    return lines, position


def simulate(factory: Factory, since: datetime, stop: threading.Event) -> Iterator[Chunk]:
    """The generator's factory in real time: each event when it is due, from `since` on."""
    since_us = to_epoch_us(since)
    # Events delivered late happened up to an hour before they arrive.
    events = generate(factory, since - timedelta(hours=1), None)
    for event in events:
        if event.deliver_us <= since_us:
            continue
        wait_s = event.deliver_us / 1e6 - time.time()
        if wait_s > 0 and stop.wait(wait_s):
            return
        yield Chunk([check(event.wire())])


def mqtt(host: str, port: int, topic: str, stop: threading.Event) -> Iterator[Chunk]:
    """Messages of an MQTT topic (QoS 1), each acknowledged only once its events are queued."""
    # Only agents that read MQTT load it.
    import paho.mqtt.client as paho
    from paho.mqtt.enums import CallbackAPIVersion

    inbox: queue.Queue[Any] = queue.Queue()
    client = paho.Client(
        CallbackAPIVersion.VERSION2,
        client_id=f"floorpulse-edge-{os.getpid()}",
        clean_session=False,
        manual_ack=True,
    )
    client.on_connect = lambda c, _u, _f, reason, _p: c.subscribe(topic, qos=1)
    client.on_message = lambda _c, _u, message: inbox.put(message)
    client.connect(host, port)
    client.loop_start()
    try:
        while not stop.is_set():
            try:
                message = inbox.get(timeout=0.2)
            except queue.Empty:
                continue
            acknowledge = _acker(client, message.mid, message.qos)
            yield Chunk(parse(message.payload), after=acknowledge)
    finally:
        client.loop_stop()
        client.disconnect()


def _acker(client: Any, mid: int, qos: int) -> Callable[[], None]:
    return lambda: client.ack(mid, qos)
