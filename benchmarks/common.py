"""What the benchmarks share: a server process on a free loopback port, and latency figures."""

import os
import socket
import statistics
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Server:
    url: str
    process: subprocess.Popen[bytes]

    def peak_memory_mib(self) -> float:
        """The process's peak resident memory so far (Linux VmHWM)."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        kib = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM"))
        return int(kib) / 1024


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def server(command: list[str], env: dict[str, str], ready_within_s: float = 60) -> Iterator[Server]:
    """Run `command --port N` until the block ends; yield it once /health/ready answers."""
    port = free_port()
    process = subprocess.Popen(
        [*command, "--port", str(port)],
        env={**os.environ, **env},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + ready_within_s
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/health/ready", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            raise TimeoutError(f"{command} did not become ready")
        yield Server(url, process)
    finally:
        process.terminate()
        process.wait(timeout=30)


def p50_p95_ms(seconds: list[float]) -> tuple[float, float]:
    q = statistics.quantiles(seconds, n=100, method="inclusive")
    return q[49] * 1000, q[94] * 1000
