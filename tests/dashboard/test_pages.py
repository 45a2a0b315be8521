"""The page a browser gets, whichever path it opens first."""

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

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
