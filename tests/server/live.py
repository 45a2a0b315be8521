"""Real `floorpulse serve` processes on loopback, for tests that need more than one process."""

from collections.abc import Callable
from pathlib import Path

from floorpulse.devtools import SERVE, ServerProcess, free_port

START_TIMEOUT_S = 60  # `serve --demo` seeds a day of history first


class LiveServer(ServerProcess):
    """One server on the test's database, its output in the test's folder."""

    def __init__(
        self,
        database_url: str,
        log_dir: Path,
        port: int | None = None,
        args: tuple[str, ...] = (),
        env: dict[str, str] | None = None,
    ) -> None:
        port = port or free_port()
        self.log = (log_dir / f"server-{port}.log").open("wb")
        environment = {
            "FLOORPULSE_DATABASE_URL": database_url,
            "FLOORPULSE_LOG_LEVEL": "warning",
            **(env or {}),
        }
        try:
            super().__init__(environment, [*SERVE, *args], port, self.log, START_TIMEOUT_S)
        except (RuntimeError, TimeoutError) as failed:
            raise RuntimeError(f"{failed}; see {self.log.name}") from failed

    def stop(self) -> None:
        super().stop()
        self.log.close()


StartServer = Callable[..., LiveServer]
