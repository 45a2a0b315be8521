"""Watching what the code under test calls, without what the app's background threads call."""

import threading
from collections.abc import Callable
from typing import Any

import pytest


def spy(
    monkeypatch: pytest.MonkeyPatch, owner: object, name: str, seen: Callable[..., None]
) -> None:
    """Wrap `owner.name` so that `seen(result, *args)` hears each call made on this thread.

    The app's rollup keeper reads raw events on a thread of its own, and on a slow machine its
    first rebuild comes after a test's events: those reads are not the test's to count.
    """
    original = getattr(owner, name)
    test_thread = threading.current_thread()

    def watched(*args: Any) -> Any:
        result = original(*args)
        if threading.current_thread() is test_thread:
            seen(result, *args)
        return result

    monkeypatch.setattr(owner, name, watched)
