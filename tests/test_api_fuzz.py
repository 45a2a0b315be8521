"""The API against its own OpenAPI document, fuzzed by schemathesis: whatever is sent, no
answer is a server error, and every answer matches what the document says of it."""

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis import checks

from floorpulse.access.keys import Scope
from floorpulse.access.schemas import KeyIn
from floorpulse.app import create_app
from floorpulse.settings import Settings
from tests.factories import LOCAL, FixedClock

EXAMPLES = 30  # per operation: the suite's time, not the fuzzer's reach, sets this


@pytest.fixture
def fuzzed(settings: Settings, clock: FixedClock) -> Iterator[tuple[FastAPI, str]]:
    """A keyed server with two hours of history, and an admin key (every operation allowed)."""
    app = create_app(settings.model_copy(update={"rate_limits": False}), clock=clock)
    with TestClient(app, client=LOCAL) as client:
        assert client.post("/api/admin/seed?hours=2").status_code == 200
        key = app.state.access.create(KeyIn(name="fuzzer", scope=Scope.ADMIN)).key
        yield app, key


def served_document() -> dict[str, Any]:
    """The OpenAPI document a server serves at /openapi.json (it depends on the code alone).
    Read when the tests are collected: schemathesis's lazy loading needs pytest internals
    that pytest 9 no longer has."""
    app = create_app(Settings(database_url="sqlite://", _env_file=None))  # type: ignore[call-arg]
    with TestClient(app, client=LOCAL) as client:
        document: dict[str, Any] = client.get("/openapi.json").json()
    return document


# Seeding writes up to 2,000 worker-hours an example: tests/demo covers it, the fuzzer would
# spend the suite's minutes there.
schema = schemathesis.openapi.from_dict(served_document()).exclude(path="/api/admin/seed")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_input_gets_a_server_error_or_an_answer_unlike_the_document(
    case: schemathesis.Case, fuzzed: tuple[FastAPI, str]
) -> None:
    app, key = fuzzed
    case.call_and_validate(
        base_url="http://testserver",
        app=app,
        headers={"Authorization": f"Bearer {key}"},
        # Valid by the document alone is not valid: `from` must be before `to`, a shift and a
        # custom range exclude each other, a cursor must be one the server gave. Such rules
        # answer 422 with the fields named; the other checks hold every answer to the document.
        # ignored_auth probes without the key through a transport of its own, which cannot reach
        # an app in this process; tests/access/test_scopes.py asks every route without a key.
        excluded_checks=[checks.positive_data_acceptance, checks.ignored_auth],
    )
