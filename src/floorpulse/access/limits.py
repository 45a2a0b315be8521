"""Rate limits: token buckets per key and per client address, in requests and in events.

A bucket refills at its sustained rate up to its burst. Events get a burst of
`FLOORPULSE_LIMIT_BURST_S` seconds of their rate (an hour by default): a camera whose agent
could not send for an hour saved up exactly the allowance to flush that hour's backlog at once,
while a sender that never stops is held to the sustained rate. Pure: times are passed in.
"""

import math
import threading
from collections.abc import Hashable
from dataclasses import dataclass

from cachetools import LRUCache

# Idle buckets are full, so forgetting one changes nothing; this bounds memory under a flood of
# made-up addresses.
BUCKETS_KEPT = 100_000


@dataclass(frozen=True)
class Rate:
    per_s: float
    burst: float  # the most that may be taken at once, after a rest

    def __post_init__(self) -> None:
        if self.per_s <= 0 or self.burst < 1:
            raise ValueError(f"a rate needs per_s > 0 and burst >= 1: {self}")


@dataclass
class Bucket:
    rate: Rate
    tokens: float
    at_s: float

    def wait_s(self, cost: float, now_s: float) -> float:
        """Seconds until `cost` could be taken (0: now); inf if it is over the burst."""
        if cost > self.rate.burst:
            return math.inf
        self.tokens = min(self.rate.burst, self.tokens + (now_s - self.at_s) * self.rate.per_s)
        self.at_s = now_s
        return max(0.0, (cost - self.tokens) / self.rate.per_s)


class Limiter:
    """Takes from several buckets at once, or from none: a request refused by its address's
    bucket takes nothing from its key's."""

    def __init__(self) -> None:
        self._buckets: LRUCache[Hashable, Bucket] = LRUCache(BUCKETS_KEPT)
        self._lock = threading.Lock()

    def take(self, wanted: list[tuple[Hashable, Rate]], cost: float, now_s: float) -> float:
        """Take `cost` from each (subject, rate) bucket; answer 0, or the seconds to wait."""
        with self._lock:
            buckets = [self._bucket(subject, rate, now_s) for subject, rate in wanted]
            wait_s = max((bucket.wait_s(cost, now_s) for bucket in buckets), default=0.0)
            if wait_s == 0:
                for bucket in buckets:
                    bucket.tokens -= cost
            return wait_s

    def _bucket(self, subject: Hashable, rate: Rate, now_s: float) -> Bucket:
        bucket = self._buckets.get((subject, rate))
        if bucket is None:
            bucket = self._buckets[(subject, rate)] = Bucket(rate, rate.burst, now_s)
        return bucket
