"""The ingest path: posted events are validated, then stored, each stage on its own threads.

Validation (CPU) runs on a small pool of its own; storing runs on the writer pool (one thread on
SQLite). While one group is written, and SQLite has released the GIL to write it, the next
batches are validated: the two stages overlap instead of taking turns.

Batches use group commit: a lone batch is stored at once; under load, the batches validated
during one transaction go into the next, together. Every request is answered only after the
transaction holding its events has committed.
"""

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from floorpulse.errors import InvalidInput
from floorpulse.events.schemas import BatchResult, EventOut
from floorpulse.events.service import EventService, PreparedBatch
from floorpulse.observability.telemetry import Telemetry

# Bounds one transaction's size (and how long its requests wait for each other).
MAX_BATCHES_PER_COMMIT = 16
# Validation holds the GIL: more threads than cores only contend for it.
VALIDATING_THREADS = 2
# Told how many events a request brings before any is stored; raises to refuse them all.
Admit = Callable[[int], None]


class Ingest:
    """Validates and stores posted events: single events as they come, batches in groups."""

    def __init__(self, service: EventService, *, writers: int, telemetry: Telemetry) -> None:
        self.service = service
        self.telemetry = telemetry
        self._validating = ThreadPoolExecutor(VALIDATING_THREADS, thread_name_prefix="validate")
        self._writing = ThreadPoolExecutor(writers, thread_name_prefix="write")
        self._waiting: list[tuple[PreparedBatch, asyncio.Future[BatchResult]]] = []
        self._storer: asyncio.Task[None] | None = None

    async def one(self, payload: object, admit: Admit) -> tuple[EventOut, bool]:
        """Store one event (parsed JSON) if `admit` lets it in; answer it and whether it is new."""
        admit(1)
        loop = asyncio.get_running_loop()
        with self.telemetry.ingest_s.labels("one").time():
            try:
                row = await loop.run_in_executor(
                    self._validating, self.service.prepare_one, payload
                )
            except InvalidInput as refused:
                self.telemetry.refused_one(e.field for e in refused.errors)
                raise
            stored, created = await loop.run_in_executor(self._writing, self.service.store_one, row)
        self.telemetry.one(created, stored.low_confidence)
        return stored, created

    async def batch(self, body: bytes, admit: Admit) -> BatchResult:
        """Store one posted batch if `admit` lets its events in (it raises if not); raises the
        batch's error if it cannot be read."""
        loop = asyncio.get_running_loop()
        with self.telemetry.ingest_s.labels("batch").time():
            prepared = await loop.run_in_executor(
                self._validating, self.service.prepare_batch, body
            )
            admit(prepared.total)
            answer: asyncio.Future[BatchResult] = loop.create_future()
            self._waiting.append((prepared, answer))
            if self._storer is None or self._storer.done():
                self._storer = loop.create_task(self._store_waiting())
            result = await answer
        self.telemetry.batch(result)
        return result

    @property
    def queued(self) -> int:
        """Validated batches waiting for the next commit."""
        return len(self._waiting)

    def close(self) -> None:
        """Wait for the batches being stored to commit, then stop the threads."""
        self._validating.shutdown(wait=True)
        self._writing.shutdown(wait=True)

    async def _store_waiting(self) -> None:
        loop = asyncio.get_running_loop()
        while self._waiting:
            group = self._waiting[:MAX_BATCHES_PER_COMMIT]
            del self._waiting[:MAX_BATCHES_PER_COMMIT]
            batches = [batch for batch, _ in group]
            try:
                results = await loop.run_in_executor(
                    self._writing, self.service.store_batches, batches
                )
            except Exception as error:  # nothing of the group was committed: all hear why
                for _, answer in group:
                    if not answer.done():
                        answer.set_exception(error)
                continue
            for (_, answer), result in zip(group, results, strict=True):
                if not answer.done():  # the client went away; its events are stored regardless
                    answer.set_result(result)
