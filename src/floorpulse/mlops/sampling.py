"""How many events a review sample takes from each stratum: pure, no I/O.

Strata get equal shares, not shares in proportion to their size: a reviewer checking a model
wants to see its rare calls (low confidence, a quiet camera, an event type it seldom makes) as
much as its common ones. A stratum with fewer events than its share gives them all, and the
rest goes to the others.
"""

from collections.abc import Hashable, Mapping
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


def allocate(sizes: Mapping[K, int], n: int) -> dict[K, int]:
    """Per stratum (in sorted key order for ties), how many of `n` to take."""
    taken = dict.fromkeys(sizes, 0)
    remaining = min(n, sum(sizes.values()))
    while remaining > 0:
        open_keys = [k for k in sorted(sizes) if taken[k] < sizes[k]]  # type: ignore[type-var]
        share, extra = divmod(remaining, len(open_keys))
        for index, key in enumerate(open_keys):
            give = min(share + (1 if index < extra else 0), sizes[key] - taken[key])
            taken[key] += give
            remaining -= give
    return taken
