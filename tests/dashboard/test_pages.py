"""The page a browser gets, whichever path it opens first."""

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.dashboard.builders import RESEED_CONFIRMED
from tests.factories import LOCAL


@pytest.mark.parametrize("path", ["/models", "/workers/W1", "/workstations/S3", "/"])
def test_the_first_page_a_server_serves_carries_the_dashboards_style_and_scripts(
    app: FastAPI, path: str
) -> None:
    with TestClient(app, client=LOCAL) as client:
        page = client.get(path)

    assert page.status_code == 200
    assert "/assets/floorpulse.js" in page.text
    assert "/assets/floorpulse.css" in page.text


def test_a_callback_that_fails_is_in_the_server_log(
    app: FastAPI, client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> None:
        raise RuntimeError("the store went away")

    app.state.dashboard.reseed = broken

    answer = client.post("/_dash-update-component", json=RESEED_CONFIRMED)

    assert answer.status_code == 500
    (failed,) = [r for r in caplog.records if r.levelname == "ERROR"]
    assert failed.exc_info is not None
    assert "the store went away" in str(failed.exc_info[1])
