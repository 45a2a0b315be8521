"""The edge agent: a reader fills the durable queue from a source, a forwarder empties it."""

import logging
import threading
from collections.abc import Iterable

import httpx

from floorpulse.edge.forwarder import Forwarder
from floorpulse.edge.queue import EdgeQueue
from floorpulse.edge.sources import Chunk

log = logging.getLogger(__name__)


class EdgeAgent:
    """Runs one source into the queue while a thread forwards the queue to the server."""

    def __init__(
        self,
        queue: EdgeQueue,
        server_url: str,
        *,
        batch_size: int = 500,
        timeout_s: float = 30,
        api_key: str | None = None,
    ) -> None:
        self.queue = queue
        self.stop = threading.Event()
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.client = httpx.Client(base_url=server_url, timeout=timeout_s, headers=headers)
        self.forwarder = Forwarder(queue, self.client, batch_size=batch_size, stop=self.stop)
        self._forwarding = threading.Thread(target=self.forwarder.run, name="forward", daemon=True)

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
        self.client.close()
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
