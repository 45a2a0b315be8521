"""`floorpulse keys`: create prints the key once, list never shows it, revoke ends it."""

import subprocess

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.factories import LOCAL, floorpulse, make_event


def keys(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return floorpulse(database_url, "keys", *args)


def test_a_created_key_is_printed_once_listed_by_its_start_and_revoked_by_id(
    database_url: str, app: FastAPI
) -> None:
    keys(database_url, "create", "--scope", "admin", "--name", "ana")  # the server stays keyed
    created = keys(database_url, "create", "--scope", "ingest", "--name", "camera-3")
    key = created.stdout.strip()
    listed = keys(database_url, "list").stdout
    key_id = listed.splitlines()[1].split()[0]

    with TestClient(app, client=LOCAL) as client:
        before = client.post("/api/events", json=make_event(), headers={"X-API-Key": key})
        revoked = keys(database_url, "revoke", key_id)
        app.state.access.refresh(force=True)  # another process revoked it: seen within seconds
        after = client.post("/api/events", json=make_event(), headers={"X-API-Key": key})

    assert created.returncode == 0, created.stderr
    assert key.startswith("fpk_")
    assert "cannot be shown again" in created.stderr
    assert "camera-3" in listed
    assert "ingest" in listed
    assert "active" in listed
    assert key not in listed
    assert key[:12] in listed
    assert revoked.stdout.strip() == f"revoked key {key_id} (ingest) of 'camera-3'"
    assert (before.status_code, after.status_code) == (201, 401)


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("create", "--scope", "root", "--name", "x"), "--scope"),
        (("create", "--scope", "read", "--name", ""), "--name"),
        (("revoke", "99"), "no API key has id 99"),
        (("create", "--scope", "read", "--name", "x", "--view", "blurred"), "--view"),
        (("create", "--scope", "admin", "--name", "x", "--view", "process"), "only read keys"),
    ],
)
def test_a_mistake_is_named_and_changes_nothing(
    database_url: str, args: tuple[str, ...], said: str
) -> None:
    done = keys(database_url, *args)

    assert done.returncode != 0
    assert said in done.stderr
    assert "no API keys" in keys(database_url, "list").stdout


def test_a_read_key_is_created_with_the_view_it_is_asked_for(database_url: str) -> None:
    created = keys(database_url, "create", "--scope", "read", "--name", "wall", "--view", "process")
    listed = keys(database_url, "list").stdout

    assert created.returncode == 0, created.stderr
    assert "process view" in created.stderr
    assert listed.split()[1:4] == ["read", "process", "wall"]
