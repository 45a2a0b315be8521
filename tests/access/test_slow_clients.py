"""Slow clients on a real server: trickled headers get the connection closed, a stalled body
a 408, and neither holds the server up for others."""

import socket
import time

import httpx
import pytest

from tests.server.live import StartServer

pytestmark = pytest.mark.server
DEADLINES = {"FLOORPULSE_HEADER_TIMEOUT_S": "1", "FLOORPULSE_BODY_TIMEOUT_S": "1"}


def read_all(conn: socket.socket) -> tuple[bytes, float]:
    """Everything the server sends until it closes, and how long that took."""
    started, received = time.monotonic(), b""
    while chunk := conn.recv(65536):
        received += chunk
    return received, time.monotonic() - started


def test_headers_that_never_end_get_the_connection_closed(start_server: StartServer) -> None:
    server = start_server(None, **DEADLINES)
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as conn:
        conn.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        received, took_s = read_all(conn)

    assert received == b""
    assert 0.8 < took_s < 4
    assert httpx.get(f"{server.url}/health", timeout=5).status_code == 200


def test_a_body_that_stalls_is_answered_408_and_nothing_is_stored(
    start_server: StartServer,
) -> None:
    server = start_server(None, **DEADLINES)
    head = (
        b"POST /api/events/batch HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/json\r\nContent-Length: 500\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as conn:
        conn.sendall(head + b'[{"timestamp": "2026-01-15T10:00:00Z",')
        received, took_s = read_all(conn)

    assert received.startswith(b"HTTP/1.1 408")
    assert b"FLOORPULSE_BODY_TIMEOUT_S" in received
    assert took_s < 4
    assert httpx.get(f"{server.url}/api/events", timeout=5).json() == []
