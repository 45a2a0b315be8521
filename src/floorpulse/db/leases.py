"""Leases: each scheduled job runs in one server process, however many share the database.

Rollup upkeep, alert evaluation, webhook delivery and retention would run once per process,
sending each webhook twice and racing over the same hours. Each turn of a job first asks for
its lease: a row naming the process that holds it and until when. The holder renews it as it
runs; another process takes it over only once it has expired, so a process that dies hands
its jobs on within one lease. A row in the shared database works on SQLite and PostgreSQL
alike, across hosts, and holds no connection open between turns.
"""

import os
import secrets
import socket

from sqlalchemy import select, update

from floorpulse.clock import Clock, utc_now
from floorpulse.db.dialect import insert_ignoring_conflicts
from floorpulse.db.engine import Database
from floorpulse.db.epoch import to_epoch_us
from floorpulse.db.tables import job_leases

US_PER_S = 1_000_000
# Shorter leases would be renewed by the busiest jobs (webhooks: every second) all the time.
MIN_LEASE_S = 30.0


def this_process() -> str:
    """A holder name unique to this process: host, pid, and a nonce against pid reuse."""
    return f"{socket.gethostname()[:80]}:{os.getpid()}:{secrets.token_hex(4)}"


class Leases:
    def __init__(self, db: Database, clock: Clock = utc_now, holder: str | None = None) -> None:
        self.db = db
        self.clock = clock
        self.holder = holder or this_process()
        self._held_until: dict[str, int] = {}  # µs, as last written

    def hold(self, job: str, for_s: float) -> bool:
        """Whether this process runs `job` now; if so it holds the lease `for_s` from now. A
        lease held by another and not expired is read, not written: waiting costs no write."""
        now_us = to_epoch_us(self.clock())
        if self._held_until.get(job, 0) - now_us > for_s * US_PER_S / 2:
            return True  # renewed lately: no need to write again yet
        with self.db.read() as conn:
            row = conn.execute(select(job_leases).where(job_leases.c.job == job)).first()
        if row is not None and row.holder != self.holder and row.expires_us > now_us:
            self._held_until.pop(job, None)
            return False
        return self._take(job, now_us, now_us + round(for_s * US_PER_S))

    def release(self) -> None:
        """Give up every lease this process holds (at shutdown): others take over at once."""
        with self.db.write() as conn:
            conn.execute(
                update(job_leases).where(job_leases.c.holder == self.holder).values(expires_us=0)
            )
        self._held_until.clear()

    def _take(self, job: str, now_us: int, until_us: int) -> bool:
        mine = {"job": job, "holder": self.holder, "expires_us": until_us}
        ours_or_lapsed = (job_leases.c.holder == self.holder) | (job_leases.c.expires_us <= now_us)
        renewed = (
            update(job_leases)
            .where(job_leases.c.job == job, ours_or_lapsed)
            .values(holder=self.holder, expires_us=until_us)
            .returning(job_leases.c.job)
        )
        with self.db.write() as conn:
            # RETURNING, not rowcount: psycopg counts -1 for an insert that skipped its row
            inserted = insert_ignoring_conflicts(conn, job_leases).returning(job_leases.c.job)
            taken = (
                conn.execute(inserted, mine).first() is not None
                or conn.execute(renewed).first() is not None
            )
        if taken:
            self._held_until[job] = until_us
        else:
            self._held_until.pop(job, None)
        return taken
