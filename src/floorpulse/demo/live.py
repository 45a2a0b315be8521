"""The living demo factory: simulated cameras streaming through a real edge agent to this server.

It runs in the server's process for convenience, but goes the way real cameras go: generator ->
the agent's durable queue -> HTTP batches to the server's own API.
"""

import threading
from dataclasses import dataclass
from datetime import UTC, datetime

from floorpulse.demo.generator import Factory
from floorpulse.edge.agent import EdgeAgent
from floorpulse.edge.queue import EdgeQueue
from floorpulse.edge.sources import simulate
from floorpulse.settings import Settings


@dataclass
class Simulator:
    agent: EdgeAgent
    thread: threading.Thread

    def stop(self) -> None:
        self.agent.stop.set()
        self.thread.join(timeout=10)


def start_simulator(factory: Factory, settings: Settings, api_key: str | None) -> Simulator:
    """Stream `factory`'s events from now on to the server on `settings.port`, in a thread,
    with an ingest key once the server has keys."""
    queue = EdgeQueue(settings.demo_queue_path)
    url = f"http://127.0.0.1:{settings.port}"
    agent = EdgeAgent(queue, url, batch_size=200, api_key=api_key)
    chunks = simulate(factory, datetime.now(UTC), agent.stop)
    thread = threading.Thread(
        target=agent.run, args=(chunks,), kwargs={"drain": False}, name="demo", daemon=True
    )
    thread.start()
    return Simulator(agent, thread)
