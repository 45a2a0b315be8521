"""The rate-limit policy: which buckets a request and its events take from (access/limits.py).

Each server process keeps its own buckets: N processes behind a load balancer allow N times
the rates (docs/SECURITY.md).
"""

import math
import time
from collections.abc import Callable, Hashable

from floorpulse.access.keys import Principal, is_loopback
from floorpulse.access.limits import Limiter, Rate
from floorpulse.errors import TooManyRequests
from floorpulse.settings import Settings


class Throttle:
    def __init__(self, settings: Settings, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.on = settings.rate_limits
        self.monotonic = monotonic
        self.limiter = Limiter()
        requests_s, events_s = settings.limit_request_burst_s, settings.limit_burst_s
        self.key_requests = _rate(settings.limit_key_requests_per_s, requests_s)
        self.address_requests = _rate(settings.limit_address_requests_per_s, requests_s)
        self.key_events = _rate(settings.limit_key_events_per_s, events_s)
        self.address_events = _rate(settings.limit_address_events_per_s, events_s)

    def address_request(self, address: str | None) -> None:
        """Count a request against its client's address (before its key is known)."""
        self._take(_subjects(None, address, None, self.address_requests), 1)

    def key_request(self, principal: Principal) -> None:
        self._take(_subjects(principal, None, self.key_requests, None), 1)

    def events(self, principal: Principal | None, address: str | None, count: int) -> None:
        """Count a request's events against its key and its client's address."""
        wanted = _subjects(principal, address, self.key_events, self.address_events)
        self._take(wanted, count, "events")

    def _take(self, wanted: list[tuple[Hashable, Rate]], cost: int, what: str = "requests") -> None:
        if not self.on or not wanted:
            return
        wait_s = self.limiter.take(wanted, cost, self.monotonic())
        if wait_s == math.inf:
            raise TooManyRequests(f"{cost} {what} at once is over this client's limit", 3600)
        if wait_s > 0:
            raise TooManyRequests(
                f"too many {what} from this client; retry after {math.ceil(wait_s)} s "
                "(FLOORPULSE_LIMIT_*, docs/SECURITY.md)",
                wait_s,
            )


def _rate(per_s: float, burst_s: float) -> Rate:
    return Rate(per_s, max(1.0, per_s * burst_s))


def _subjects(
    principal: Principal | None, address: str | None, by_key: Rate | None, by_address: Rate | None
) -> list[tuple[Hashable, Rate]]:
    """The buckets that apply: the key's, and the address's unless it is this machine."""
    wanted: list[tuple[Hashable, Rate]] = []
    if by_key and principal is not None and principal.key_id is not None:
        wanted.append((("key", principal.key_id), by_key))
    if by_address and address is not None and not is_loopback(address):
        wanted.append((("address", address), by_address))
    return wanted
