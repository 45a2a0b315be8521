"""A server with API keys: `issue(scope)` creates a key and answers it."""

from collections.abc import Callable

import pytest
from fastapi import FastAPI

from floorpulse.access.keys import Scope
from floorpulse.access.schemas import KeyIn

Issue = Callable[..., str]


@pytest.fixture
def issue(app: FastAPI) -> Issue:
    def create(scope: Scope, name: str = "") -> str:
        wanted = KeyIn(name=name or f"{scope.value} holder", scope=scope)
        return str(app.state.access.create(wanted).key)

    return create


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}
