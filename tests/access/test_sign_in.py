"""The dashboard behind keys: sign in with a read or admin key, a session cookie, sign out."""

import json
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from floorpulse.access.keys import Scope
from floorpulse.dashboard import ids
from tests.dashboard.builders import RESEED_CONFIRMED
from tests.factories import LOCAL, FixedClock, Issue

PAGE = {"Accept": "text/html,application/xhtml+xml"}


@pytest.fixture
def visitor(app: FastAPI) -> Iterator[TestClient]:
    """A client that sees redirects rather than following them, as a test of them needs."""
    with TestClient(app, client=LOCAL, follow_redirects=False) as client:
        yield client


def sign_in(visitor: TestClient, key: str, next_path: str = "/") -> object:
    return visitor.post("/signin", data={"key": key, "next": next_path})


def layout(visitor: TestClient) -> dict[str, dict[str, object]]:
    """Every component of the page Dash would draw, by id: its properties."""
    found: dict[str, dict[str, object]] = {}

    def walk(node: object) -> None:
        if isinstance(node, dict):
            props = node.get("props", {})
            if isinstance(props, dict) and "id" in props:
                found[str(props["id"])] = props
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(json.loads(visitor.get("/_dash-layout").text))
    return found


def test_a_page_asked_for_without_a_sign_in_goes_to_the_sign_in_page_and_back(
    visitor: TestClient, issue: Issue
) -> None:
    key = issue(Scope.READ)

    asked = visitor.get("/workers/W1?range=24h", headers=PAGE)
    signed = sign_in(visitor, key, "/workers/W1?range=24h")

    assert asked.status_code == 303
    assert asked.headers["location"] == "/signin?next=/workers/W1%3Frange%3D24h"
    assert signed.status_code == 303
    assert signed.headers["location"] == "/workers/W1?range=24h"
    assert visitor.get("/workers/W1", headers=PAGE).status_code == 200


def test_the_session_cookie_is_http_only_same_site_and_secure_over_tls(
    app: FastAPI, issue: Issue
) -> None:
    key = issue(Scope.READ)
    with TestClient(app, client=LOCAL, base_url="https://plant.example") as tls:
        over_tls = tls.post("/signin", data={"key": key}, follow_redirects=False)
    with TestClient(app, client=LOCAL) as plain:
        over_http = plain.post("/signin", data={"key": key}, follow_redirects=False)

    cookie = over_tls.headers["set-cookie"].lower()
    assert cookie.startswith("floorpulse_session=")
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "secure" in cookie
    assert "secure" not in over_http.headers["set-cookie"].lower()


def test_dash_requests_without_a_session_are_refused_not_redirected(
    visitor: TestClient, issue: Issue
) -> None:
    issue(Scope.READ)

    assert visitor.get("/_dash-layout").status_code == 401
    assert visitor.post("/_dash-update-component", json={}).status_code == 401


@pytest.mark.parametrize(("scope", "status"), [(Scope.INGEST, 403), (None, 401)])
def test_a_key_that_cannot_read_opens_no_session(
    visitor: TestClient, issue: Issue, scope: Scope | None, status: int
) -> None:
    key = issue(scope) if scope else "fpk_made-up"
    issue(Scope.READ)

    refused = sign_in(visitor, key)

    assert refused.status_code == status
    assert "set-cookie" not in refused.headers
    assert "Sign in" in refused.text
    assert "key" in refused.text


def test_an_ingest_key_cannot_open_the_dashboard_even_as_a_bearer(
    visitor: TestClient, issue: Issue
) -> None:
    key = issue(Scope.INGEST)

    page = visitor.get("/", headers=PAGE | {"Authorization": f"Bearer {key}"})

    assert page.status_code == 403
    assert "cannot open the dashboard" in page.json()["detail"]


@pytest.mark.parametrize("elsewhere", ["//evil.example/", "https://evil.example/", "/\\evil"])
def test_sign_in_never_sends_the_browser_to_another_site(
    visitor: TestClient, issue: Issue, elsewhere: str
) -> None:
    signed = sign_in(visitor, issue(Scope.READ), elsewhere)

    assert signed.headers["location"] == "/"


def test_a_read_key_does_not_see_the_admin_buttons_and_cannot_reseed(
    visitor: TestClient, issue: Issue
) -> None:
    sign_in(visitor, issue(Scope.READ, "line-2-tv"))

    shown = layout(visitor)
    reseed = visitor.post("/_dash-update-component", json=RESEED_CONFIRMED)

    assert shown[ids.RESEED]["hidden"] is True
    assert shown[ids.SEED_FIRST]["hidden"] is True
    assert "line-2-tv" in visitor.get("/_dash-layout").text
    assert reseed.status_code == 200
    assert "Not reseeded: that needs an admin key" in reseed.text


def test_an_admin_key_sees_them(visitor: TestClient, issue: Issue) -> None:
    sign_in(visitor, issue(Scope.ADMIN))

    shown = layout(visitor)

    assert shown[ids.RESEED]["hidden"] is False
    assert shown[ids.SEED_FIRST]["hidden"] is False


def test_without_keys_this_machine_sees_everything_and_no_sign_out(visitor: TestClient) -> None:
    shown = layout(visitor)

    assert shown[ids.RESEED]["hidden"] is False
    assert "Sign out" not in visitor.get("/_dash-layout").text


def test_signing_out_ends_the_session(visitor: TestClient, issue: Issue) -> None:
    sign_in(visitor, issue(Scope.READ))
    assert visitor.get("/_dash-layout").status_code == 200

    out = visitor.post("/signout")

    assert out.headers["location"] == "/signin"
    visitor.cookies.clear()
    assert visitor.get("/_dash-layout").status_code == 401


def test_a_session_ends_after_its_hours_and_when_its_key_is_revoked(
    app: FastAPI, visitor: TestClient, issue: Issue, clock: FixedClock
) -> None:
    issue(Scope.ADMIN, "keeps the server keyed")
    sign_in(visitor, issue(Scope.READ, "line-2-tv"))
    clock.advance(app.state.settings.session_hours * 3600 + 1)
    assert visitor.get("/_dash-layout").status_code == 401

    clock.advance(-2)
    assert visitor.get("/_dash-layout").status_code == 200
    key_id = next(k.id for k in app.state.access.listed() if k.name == "line-2-tv")
    app.state.access.revoke(key_id)
    assert visitor.get("/_dash-layout").status_code == 401
