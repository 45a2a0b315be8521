"""What the tests, the benchmarks and `make screenshots` share; the product never uses it.

A server in a child process on a loopback port, handed over once /health/ready answers, and
Debian's chromium, the browser that Playwright drives (it never downloads one).
"""

import os
import random
import shutil
import socket
import subprocess
import sys
import time
from contextlib import suppress
from pathlib import Path
from typing import IO

import httpx

SERVE = [sys.executable, "-m", "floorpulse", "serve"]
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium() -> str | None:
    """Debian's chromium (FLOORPULSE_CHROMIUM names another); None if there is none."""
    given = os.environ.get("FLOORPULSE_CHROMIUM")
    return given if given and os.access(given, os.X_OK) else shutil.which("chromium")


# Where free_port() looks; None: wherever the system picks. Test suites run side by side each
# take a range of their own (tests/conftest.py, --ports): a port one picked and has not bound
# yet is then never another's pick. Below the system's ephemeral ports (32768 on Linux), it is
# not taken meanwhile by an outgoing connection either.
PORTS: range | None = None


def free_port() -> int:
    """A loopback port nothing listens on now."""
    if PORTS is None:
        return _bound_port(0)
    for port in random.sample(PORTS, min(len(PORTS), 200)):
        with suppress(OSError):
            return _bound_port(port)
    raise RuntimeError(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


def _bound_port(port: int) -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))
        return int(probe.getsockname()[1])


class ServerProcess:
    """`command --port N` (by default `floorpulse serve`), ready when constructed; stop() or a
    `with` block ends it."""

    def __init__(
        self,
        env: dict[str, str],
        command: list[str] = SERVE,
        port: int | None = None,
        output: IO[bytes] | int = subprocess.DEVNULL,
        ready_within_s: float = 60,
    ) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.command = command
        self.process = subprocess.Popen(
            [*command, "--port", str(self.port)],
            env={**os.environ, **env},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            self._wait_ready(ready_within_s)
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self, within_s: float) -> None:
        deadline = time.monotonic() + within_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.command} exited with {self.process.returncode}")
            try:
                if httpx.get(f"{self.url}/health/ready", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise TimeoutError(f"{self.command} on {self.url} not ready in {within_s} s")

    def peak_memory_mib(self) -> float:
        """The process's peak resident memory so far (Linux VmHWM)."""
        return _status_mib(self.process.pid, "VmHWM")

    def memory_mib(self) -> float:
        """The process's resident memory now (Linux VmRSS)."""
        return _status_mib(self.process.pid, "VmRSS")

    def children_memory_mib(self) -> float:
        """The resident memory of the processes it started (the dashboard's drawing)."""
        return sum(_status_mib(pid, "VmRSS") for pid in self._children())

    def cpu_s(self) -> float:
        """CPU time (user and system) the process and those it started have used so far."""
        return sum(_cpu_s(pid) for pid in [self.process.pid, *self._children()])

    def _children(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def kill(self) -> None:
        """SIGKILL: no shutdown handler runs, nothing is flushed by the process."""
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self) -> "ServerProcess":
        return self

    def __exit__(self, *exited: object) -> None:
        self.stop()


def _status_mib(pid: int, field: str) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    kib = next(line.split()[1] for line in status.splitlines() if line.startswith(field))
    return int(kib) / 1024


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
