"""Liveness and readiness."""

from fastapi.testclient import TestClient

from floorpulse.app import create_app
from floorpulse.db.migrate import head_revision
from floorpulse.settings import Settings
from tests.factories import LOCAL, FixedClock


def test_liveness_keeps_the_seed_answer(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "healthy"}


def test_ready_when_the_schema_is_current(client: TestClient) -> None:
    body = client.get("/health/ready").json()

    assert (body["status"], body["schema"]) == ("ready", head_revision())


def test_not_ready_on_an_unmigrated_database(tmp_path: object, clock: FixedClock) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path}/empty.db", _env_file=None)  # type: ignore[call-arg]
    with TestClient(create_app(settings, clock=clock), client=LOCAL) as client:
        response = client.get("/health/ready")

    assert response.status_code == 503
    assert "floorpulse migrate" in response.json()["detail"]
