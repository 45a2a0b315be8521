"""Answers shared for a moment by every caller that asks the same question.

Every open dashboard asks for the same few things each second. One caller computes an answer;
callers asking with the same arguments meanwhile wait for it rather than compute it again, and
later ones get it until it is `ttl_s` old.
"""

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from cachetools import TTLCache, cached

T = TypeVar("T")


class Shared(Generic[T]):
    def __init__(self, compute: Callable[..., T], ttl_s: float, maxsize: int = 64) -> None:
        self._lock = threading.Lock()
        self._answers: TTLCache[Hashable, T] = TTLCache(maxsize=maxsize, ttl=ttl_s)
        self._shared: Callable[..., T] = cached(
            self._answers, lock=self._lock, condition=threading.Condition(self._lock)
        )(compute)

    def __call__(self, *question: Hashable) -> T:
        return self._shared(*question)

    def clear(self) -> None:
        """Forget every answer: the next caller computes afresh."""
        with self._lock:
            self._answers.clear()
