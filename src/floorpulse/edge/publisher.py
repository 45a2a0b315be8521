"""Sends queued events to an MQTT broker instead of the server: `floorpulse edge
--publish-topic floorpulse/<site>/events`.

Each batch is one message, published at QoS 1; it leaves the queue once the broker has
acknowledged it (PUBACK), from when the broker keeps it for the server's `floorpulse mqtt`
(docs/SCALING.md). The events are validated there: an event the server refuses becomes one of
its dead letters, not the agent's. A broker that cannot be reached leaves everything queued,
retried with the forwarder's backoff; the client reconnects by itself.
"""

import json
import os
from collections.abc import Sequence
from typing import Any

from floorpulse.edge.forwarder import Backoff, Sender
from floorpulse.edge.queue import EdgeQueue, Queued


class Publisher(Sender):
    def __init__(
        self,
        queue: EdgeQueue,
        host: str,
        port: int,
        topic: str,
        *,
        batch_size: int = 500,
        timeout_s: float = 30.0,
        backoff: Backoff | None = None,
        stop: Any = None,
    ) -> None:
        super().__init__(queue, batch_size=batch_size, backoff=backoff, stop=stop)
        # Only agents that publish load it.
        import paho.mqtt.client as paho
        from paho.mqtt.enums import CallbackAPIVersion

        self.topic = topic
        self.timeout_s = timeout_s
        self.client = paho.Client(
            CallbackAPIVersion.VERSION2, client_id=f"floorpulse-edge-{queue.agent_id}-{os.getpid()}"
        )
        self.client.connect_async(host, port)
        self.client.loop_start()

    def send(self, batch: Sequence[Queued]) -> float:
        if not self.client.is_connected():
            return self._failed("MQTT broker not connected", 0.0)
        sent = self.client.publish(self.topic, json.dumps([q.event for q in batch]), qos=1)
        try:
            sent.wait_for_publish(self.timeout_s)
        except (RuntimeError, ValueError) as error:  # disconnected meanwhile, or out of room
            return self._failed(f"MQTT: {error}", 0.0)
        if not sent.is_published():
            return self._failed(f"MQTT: no PUBACK within {self.timeout_s:.0f} s", 0.0)
        self.queue.acknowledge(list(batch), duplicates=0)
        self.backoff.reset()
        return 0.0

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()
