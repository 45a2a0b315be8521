"""Group commit: batches posted while others are being stored are stored together, in one commit.

A lone batch is stored at once; under load, what queued up during one transaction goes into the
next. Every request is answered only after the transaction holding its events has committed.
"""

import asyncio
from concurrent.futures import Executor

from floorpulse.errors import FloorPulseError
from floorpulse.events.schemas import BatchResult
from floorpulse.events.service import EventService

# Bounds one transaction's size (and how long its requests wait for each other).
MAX_BATCHES_PER_COMMIT = 16


class GroupCommit:
    """Queues posted batch bodies and stores them in groups, on the ingest pool."""

    def __init__(self, service: EventService, pool: Executor) -> None:
        self.service = service
        self.pool = pool
        self._waiting: list[tuple[bytes, asyncio.Future[BatchResult]]] = []
        self._storing = False

    async def submit(self, body: bytes) -> BatchResult:
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
