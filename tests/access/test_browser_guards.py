"""What browsers are told: security headers, a CSP that admits Dash's own inline script, and
cross-origin calls only from configured origins."""

import base64
import hashlib
import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from floorpulse.access.keys import Scope
from floorpulse.app import create_app
from floorpulse.settings import Settings
from tests.factories import LOCAL, FixedClock, Issue

MES = "https://mes.plant.example"
PREFLIGHT = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "x-api-key"}


@pytest.mark.parametrize("path", ["/", "/workers/W1", "/api/workers", "/signin", "/nowhere"])
def test_every_answer_forbids_sniffing_and_framing(client: TestClient, path: str) -> None:
    headers = client.get(path).headers

    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]


def test_the_policy_admits_the_pages_own_inline_scripts_and_nothing_else(
    client: TestClient,
) -> None:
    page = client.get("/")
    policy = page.headers["content-security-policy"]
    html = re.sub(r"<!--.*?-->", "", page.text, flags=re.S)  # not run (an IE-only warning)
    inline = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*/json)[^>]*>(.*?)</script>", html, re.S)

    script_src = next(d for d in policy.split("; ") if d.startswith("script-src"))
    assert inline, "Dash's start-up script"
    for script in inline:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in script_src
    assert "'unsafe-inline'" not in script_src
    assert "'unsafe-eval'" not in script_src


def test_the_api_docs_which_load_their_own_scripts_carry_no_policy(client: TestClient) -> None:
    assert "content-security-policy" not in client.get("/docs").headers


@pytest.fixture
def with_origin(settings: Settings, clock: FixedClock) -> Iterator[TestClient]:
    configured = Settings.model_validate(settings.model_dump() | {"cors_origins": [MES]})
    with TestClient(create_app(configured, clock=clock), client=LOCAL) as client:
        yield client


def test_a_configured_origin_may_call_the_api_even_before_it_sends_a_key(
    with_origin: TestClient, issue: Issue
) -> None:
    preflight = with_origin.options("/api/events", headers={"Origin": MES, **PREFLIGHT})
    called = with_origin.get("/api/workers", headers={"Origin": MES})

    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == MES
    assert called.headers["access-control-allow-origin"] == MES


@pytest.mark.parametrize("origin", ["https://evil.example", "http://mes.plant.example", "null"])
def test_any_other_origin_is_refused(with_origin: TestClient, origin: str) -> None:
    preflight = with_origin.options("/api/events", headers={"Origin": origin, **PREFLIGHT})
    called = with_origin.get("/api/workers", headers={"Origin": origin})

    assert preflight.status_code == 400
    assert "access-control-allow-origin" not in preflight.headers
    assert "access-control-allow-origin" not in called.headers


def test_by_default_no_origin_may(client: TestClient) -> None:
    preflight = client.options("/api/events", headers={"Origin": MES, **PREFLIGHT})

    assert preflight.status_code == 400


def test_the_sign_in_page_has_the_policy_too(app: FastAPI, issue: Issue) -> None:
    issue(Scope.READ)
    with TestClient(app, client=LOCAL, follow_redirects=False) as client:
        assert "default-src 'self'" in client.get("/signin").headers["content-security-policy"]
