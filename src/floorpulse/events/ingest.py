"""The ingest path: posted events are validated and stored in the app's ingest pool, off the loop.

Batches use group commit: a lone batch is stored at once; under load, the batches that queued up
during one transaction go into the next, together. Every request is answered only after the
transaction holding its events has committed.
"""

import asyncio
from concurrent.futures import Executor

from floorpulse.errors import FloorPulseError
from floorpulse.events.schemas import BatchResult, EventOut
from floorpulse.events.service import EventService

# Bounds one transaction's size (and how long its requests wait for each other).
MAX_BATCHES_PER_COMMIT = 16


class Ingest:
    """Stores posted events on the ingest pool: single events as they come, batches in groups."""

    def __init__(self, service: EventService, pool: Executor) -> None:
        self.service = service
        self.pool = pool
        self._waiting: list[tuple[bytes, asyncio.Future[BatchResult]]] = []
        self._storing = False

    async def one(self, payload: object) -> tuple[EventOut, bool]:
        """Store one event (parsed JSON); answer it and whether it is new."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.pool, self.service.ingest_one, payload)

    async def batch(self, body: bytes) -> BatchResult:
        """Store one posted batch; raises the batch's error if it cannot be read."""
        answer: asyncio.Future[BatchResult] = asyncio.get_running_loop().create_future()
        self._waiting.append((body, answer))
        if not self._storing:
            self._storing = True
            asyncio.get_running_loop().create_task(self._store_waiting())
        return await answer

    async def _store_waiting(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._waiting:
                group = self._waiting[:MAX_BATCHES_PER_COMMIT]
                del self._waiting[:MAX_BATCHES_PER_COMMIT]
                bodies = [body for body, _ in group]
                results: list[BatchResult | FloorPulseError] | list[Exception]
                try:
                    results = await loop.run_in_executor(
                        self.pool, self.service.ingest_batches, bodies
                    )
                except Exception as error:  # nothing of the group was committed: all hear why
                    results = [error] * len(group)
                for (_, answer), result in zip(group, results, strict=True):
                    if answer.done():  # the client went away; its events are stored regardless
                        continue
                    if isinstance(result, Exception):
                        answer.set_exception(result)
                    else:
                        answer.set_result(result)
        finally:
            self._storing = False
