"""The crew's morning, stored: what every view test looks at."""

import pytest
from fastapi.testclient import TestClient

from tests.analytics.test_metrics_api import at, post
from tests.privacy.crew import CREW


@pytest.fixture
def floor(client: TestClient) -> TestClient:
    """The crew's morning, stored and named while no key exists (this machine may do all)."""
    for worker_id, (name, team) in CREW.items():
        put = client.put(f"/api/workers/{worker_id}", json={"name": name, "team": team})
        assert put.status_code == 201, put.text
    for n, worker_id in enumerate(CREW):
        station = f"S{n + 1}"
        post(
            client,
            at("09:00", worker_id=worker_id, workstation_id=station),
            at(f"09:{10 + n}", "idle", worker_id=worker_id, workstation_id=station),
            at("09:05", "product_count", count=n + 1, worker_id=worker_id, workstation_id=station),
        )
    return client
