"""The edge agent: a reader fills the durable queue from a source, a sender empties it (to the
server over HTTP, or to an MQTT broker)."""

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass

import httpx

from floorpulse.edge.forwarder import Forwarder, Sender
from floorpulse.edge.publisher import Publisher
from floorpulse.edge.queue import EdgeQueue
from floorpulse.edge.sources import Chunk

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MqttTarget:
    """Where an agent publishes instead of posting: a broker and a topic."""

    host: str
    port: int
    topic: str


class EdgeAgent:
    """Runs one source into the queue while a thread sends the queue on."""

    def __init__(
        self,
        queue: EdgeQueue,
        server_url: str,
        *,
        batch_size: int = 500,
        timeout_s: float = 30,
        api_key: str | None = None,
        publish: MqttTarget | None = None,
    ) -> None:
        self.queue = queue
        self.stop = threading.Event()
        self.sender: Sender
        if publish is None:
            headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
            client = httpx.Client(base_url=server_url, timeout=timeout_s, headers=headers)
            self.sender = Forwarder(queue, client, batch_size=batch_size, stop=self.stop)
        else:
            self.sender = Publisher(
                queue,
                publish.host,
                publish.port,
                publish.topic,
                batch_size=batch_size,
                timeout_s=timeout_s,
                stop=self.stop,
            )
        self._forwarding = threading.Thread(target=self.sender.run, name="forward", daemon=True)

    def run(self, chunks: Iterable[Chunk], *, drain: bool = True) -> None:
        """Read `chunks` into the queue until they end (or `stop`), forwarding meanwhile.

        With `drain`, an ended source (stdin closed) waits for the queue to empty first.
        """
        self._forwarding.start()
        try:
            for chunk in chunks:
                if not self._enqueue(chunk):
                    break
            while drain and not self.stop.is_set() and self.queue.status().depth:
                self.stop.wait(0.2)
        finally:
            self.close()

    def close(self) -> None:
        self.stop.set()
        if self._forwarding.is_alive():
            self._forwarding.join()
        self.sender.close()
        self.queue.close()

    def _enqueue(self, chunk: Chunk) -> bool:
        """Queue all of a chunk, waiting for room when the queue stops reading; False if stopped."""
        items = chunk.items
        while True:
            taken = self.queue.put(items, source=chunk.source, position=chunk.position)
            items = items[taken:]
            if not items:
                break
            if self.stop.wait(0.2):
                return False
        if chunk.after:
            chunk.after()
        return not self.stop.is_set()
