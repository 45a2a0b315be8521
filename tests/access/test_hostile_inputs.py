"""Bad and hostile input, each with the answer it must get; the table in docs/SECURITY.md is
this test's output (FLOORPULSE_WRITE_DOCS=1 rewrites it; otherwise it must match)."""

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from floorpulse.access.keys import Scope
from floorpulse.access.schemas import KeyIn
from floorpulse.app import create_app
from floorpulse.privacy.lens import View
from floorpulse.settings import Settings
from tests.factories import LOCAL, FixedClock, bearer, make_event, stored_count

DOC = Path(__file__).parents[2] / "docs" / "SECURITY.md"
BEGIN, END = "<!-- hostile-inputs:begin -->", "<!-- hostile-inputs:end -->"
MiB = 1024 * 1024
JSON_TYPE = {"Content-Type": "application/json"}


@dataclass(frozen=True)
class Case:
    what: str
    method: str
    path: str
    expected: int
    key: str = "admin"  # which key sends it: one of SENDERS
    json: Any = None
    content: bytes | None = None
    headers: tuple[tuple[str, str], ...] = ()


EVENT = make_event(event_id="cam3-000001")
SENDERS = {
    "admin": "admin key",
    "ingest": "ingest key",
    "read": "read key",
    "pseudonymous": "read key, pseudonymous view",
    "process": "read key, process view",
    "revoked": "revoked key",
    "made-up": "made-up key",
    "none": "no key",
    "two": "read key + other key",
}
CASES = [
    Case("no key", "GET", "/api/metrics/factory", 401, key="none"),
    Case("made-up key", "GET", "/api/metrics/factory", 401, key="made-up"),
    Case("revoked key", "POST", "/api/events", 401, key="revoked", json=make_event()),
    Case("two different keys at once", "GET", "/api/workers", 401, key="two"),
    Case("ingest key reads", "GET", "/api/events", 403, key="ingest"),
    Case("ingest key seeds", "POST", "/api/admin/seed?hours=1", 403, key="ingest"),
    Case("read key sends an event", "POST", "/api/events", 403, key="read", json=make_event()),
    Case("read key creates a key", "POST", "/api/keys", 403, key="read",
         json={"name": "x", "scope": "admin"}),
    Case("process-view key reads workers' figures", "GET", "/api/metrics/workers", 403,
         key="process"),
    Case("process-view key filters stations by a worker", "GET",
         "/api/metrics/workstations?worker_id=W1", 403, key="process"),
    Case("pseudonymous key asks by a real worker id", "GET", "/api/metrics/workers?worker_id=W1",
         404, key="pseudonymous"),
    Case("pseudonymous key reads drift evidence", "GET", "/api/models/drift", 403,
         key="pseudonymous"),
    Case("admin key with a process view", "POST", "/api/keys", 422,
         json={"name": "x", "scope": "admin", "view": "process"}),
    Case("event sent again (same event_id)", "POST", "/api/events", 200, json=EVENT),
    Case("body is not JSON", "POST", "/api/events", 400, content=b'{"worker_id": "W1",'),
    Case("JSON nested 100,000 deep", "POST", "/api/events/batch", 400,
         content=b"[" * 100_000 + b"]" * 100_000),
    Case("JSON nested 100,000 deep, key body", "POST", "/api/keys", 400,
         content=b"[" * 100_000 + b"]" * 100_000),
    Case("body over 8 MiB", "POST", "/api/events/batch", 413, content=b" " * (8 * MiB + 1)),
    Case("10,001 events in a batch", "POST", "/api/events/batch", 422,
         json=[make_event()] * 10_001),
    Case("a batch that is an object without events", "POST", "/api/events/batch", 422,
         json={"rows": []}),
    Case("SQL in an id", "POST", "/api/events", 422,
         json=make_event(worker_id="W1'; DROP TABLE events;--")),
    Case("SQL in a query", "GET", "/api/events?worker_id=%27%20OR%201%3D1%20--", 422),
    Case("SQL in a name", "PUT", "/api/workers/W1", 200, json={"name": "Robert'); DROP TABLE--"}),
    Case("script in a key name", "POST", "/api/keys", 422,
         json={"name": "<script>alert(1)</script>", "scope": "read"}),
    Case("NUL byte in an id", "POST", "/api/events", 422, json=make_event(worker_id="W\u00001")),
    Case("non-ASCII id", "POST", "/api/events", 422, json=make_event(worker_id="Wörker")),
    Case("id of 10,000 characters", "POST", "/api/events", 422,
         json=make_event(worker_id="W" * 10_000)),
    Case("name of 10,000 characters", "PUT", "/api/workers/W1", 422, json={"name": "n" * 10_000}),
    Case("count of 10^30", "POST", "/api/events", 422, json=make_event(count=10**30)),
    Case("count of -1", "POST", "/api/events", 422, json=make_event(count=-1)),
    Case("confidence 1e308", "POST", "/api/events", 422, json=make_event(confidence=1e308)),
    Case("confidence NaN (bare)", "POST", "/api/events", 400,
         content=b'{"timestamp": "2026-01-15T10:15:00Z", "worker_id": "W1", '
         b'"workstation_id": "S3", "event_type": "working", "confidence": NaN}'),
    Case("confidence \"NaN\" (string)", "POST", "/api/events", 422,
         json=make_event(confidence="NaN")),
    Case("confidence Infinity", "POST", "/api/events", 400,
         content=b'{"timestamp": "2026-01-15T10:15:00Z", "worker_id": "W1", '
         b'"workstation_id": "S3", "event_type": "working", "confidence": Infinity}'),
    Case("timestamp in the year 9999", "POST", "/api/events", 422,
         json=make_event(timestamp="9999-12-31T23:59:59Z")),
    Case("timestamp an hour ahead", "POST", "/api/events", 422,
         json=make_event(timestamp="2026-01-15T13:00:00Z")),
    Case("timestamp without offset", "POST", "/api/events", 422,
         json=make_event(timestamp="2026-01-15T10:15:00")),
    Case("timestamp as Unix seconds", "POST", "/api/events", 422,
         json=make_event(timestamp=1768472100)),
    Case("unknown event type", "POST", "/api/events", 422, json=make_event(event_type="sleeping")),
    Case("query time as a number", "GET", "/api/metrics/factory?to=1768472100", 422),
    Case("query time in the year 1", "GET", "/api/models/drift?to=0001-01-01T00:00:00Z", 422),
    Case("query parameter given twice", "GET", "/api/events?site=a&site=b", 422),
    Case("row id of 2^63", "GET", "/api/alerts/9223372036854775808", 422),
    Case("path traversal", "GET", "/api/%2e%2e/%2e%2e/etc/passwd", 404),
    Case("method the path lacks", "DELETE", "/api/events", 405),
    Case("seed of 744 h x 500 workers", "POST", "/api/admin/seed?hours=744&workers=500", 422),
    Case("CORS preflight from another site", "OPTIONS", "/api/events", 400,
         headers=(("Origin", "https://evil.example"), ("Access-Control-Request-Method", "POST"))),
]  # fmt: skip


@pytest.fixture
def keyed(settings: Settings, clock: FixedClock) -> tuple[FastAPI, dict[str, dict[str, str]]]:
    app = create_app(settings, clock=clock)
    access = app.state.access
    made = {scope.value: access.create(KeyIn(name=scope.value, scope=scope)).key for scope in Scope}
    for view in (View.PSEUDONYMOUS, View.PROCESS):
        made[view.value] = access.create(KeyIn(name=view.value, scope=Scope.READ, view=view)).key
    revoked = access.create(KeyIn(name="gone", scope=Scope.INGEST))
    access.revoke(revoked.id)
    headers = {name: bearer(key) for name, key in made.items()}
    headers |= {
        "revoked": bearer(revoked.key),
        "made-up": bearer("fpk_" + "A" * 43),
        "none": {},
        "two": bearer(made["read"]) | {"X-API-Key": made["admin"]},
    }
    return app, headers


def send(client: TestClient, case: Case, headers: dict[str, dict[str, str]]) -> int:
    sent = client.request(
        case.method,
        case.path,
        json=case.json,
        content=case.content,
        headers=headers[case.key] | JSON_TYPE | dict(case.headers),
    )
    if sent.status_code >= 400 and case.method != "OPTIONS":
        assert sent.headers["content-type"] == "application/problem+json", case.what
        assert sent.json()["detail"], case.what
    return sent.status_code


def test_every_hostile_input_gets_its_answer_and_the_table_says_so(
    keyed: tuple[FastAPI, dict[str, dict[str, str]]],
) -> None:
    app, headers = keyed
    with TestClient(app, client=LOCAL) as client:
        client.post("/api/events", json=EVENT, headers=headers["ingest"])
        before = stored_count(app.state.database)
        observed = [(case, send(client, case, headers)) for case in CASES]
        after = stored_count(app.state.database)

    wrong = [
        f"{c.what}: {status}, not {c.expected}" for c, status in observed if status != c.expected
    ]
    assert wrong == []
    assert after == before  # nothing refused was stored, and the replay was not stored again
    table = _table(observed)
    if os.environ.get("FLOORPULSE_WRITE_DOCS") == "1":
        DOC.write_text(
            re.sub(f"{BEGIN}.*{END}", f"{BEGIN}\n{table}{END}", DOC.read_text(), flags=re.S)
        )
    shown = DOC.read_text().split(BEGIN)[1].split(END)[0].strip()
    assert shown == table.strip(), "docs/SECURITY.md: run this test with FLOORPULSE_WRITE_DOCS=1"


def _table(observed: list[tuple[Case, int]]) -> str:
    rows = ["| input | request | sent with | answer |", "| --- | --- | --- | --- |"]
    for case, status in observed:
        path = case.path if len(case.path) <= 48 else case.path[:45] + "..."
        rows.append(f"| {case.what} | `{case.method} {path}` | {SENDERS[case.key]} | {status} |")
    return "\n".join(rows) + "\n"
