"""The Dockerfile and docker-compose.yml, checked as a linter would: no container engine runs
here, so these tests hold them to what the project's own code and settings say."""

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.main import get_command

from floorpulse.cli import app
from floorpulse.settings import Settings

ROOT = Path(__file__).parents[1]
DOCKERFILE = (ROOT / "Dockerfile").read_text()
COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
IGNORED = [
    line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines() if line.strip()
]


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined."""
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    lines = [line.strip() for line in joined.splitlines()]
    found = [line.split(None, 1) for line in lines if line and not line.startswith("#")]
    return [(parts[0].upper(), parts[1] if len(parts) > 1 else "") for parts in found]


def final_stage() -> list[tuple[str, str]]:
    every = instructions()
    last_from = max(i for i, (name, _) in enumerate(every) if name == "FROM")
    return every[last_from:]


def test_the_image_is_built_in_stages_on_pinned_bases() -> None:
    bases = [args.split()[0] for name, args in instructions() if name == "FROM"]

    assert len(bases) == 2
    for base in bases:
        assert re.fullmatch(r"python:3\.\d+-slim-\w+", base), base


def test_dependencies_come_from_the_lock_with_their_hashes() -> None:
    runs = " ".join(args for name, args in instructions() if name == "RUN")

    assert "--require-hashes -r requirements/main.lock" in runs
    assert "--no-deps" in runs  # the package itself adds nothing the lock did not pin


def test_every_file_the_build_copies_exists_and_is_not_ignored() -> None:
    copied = [
        part
        for name, args in instructions()
        if name == "COPY" and not args.startswith("--from")
        for part in args.split()[:-1]
    ]

    assert copied
    for path in copied:
        assert (ROOT / path).exists(), path
        assert path not in IGNORED, path


def test_the_server_runs_unprivileged_with_a_health_check() -> None:
    stage = dict(final_stage())

    assert stage["USER"] not in ("root", "0")
    assert "/health" in stage["HEALTHCHECK"]
    assert stage["CMD"] == '["floorpulse", "serve"]'


def environment(service: str) -> dict[str, str]:
    return dict(COMPOSE["services"][service].get("environment", {}))


@pytest.mark.parametrize("service", ["server", "ingest"])
def test_every_floorpulse_variable_in_compose_is_a_setting(service: str) -> None:
    known = {f"FLOORPULSE_{name.upper()}" for name in Settings.model_fields}
    given = environment(service)

    assert given
    assert set(given) <= known


def test_compose_runs_the_server_on_postgresql_and_the_mqtt_ingestion_beside_it() -> None:
    commands = set(get_command(app).commands)  # type: ignore[attr-defined]
    services = COMPOSE["services"]

    assert environment("server")["FLOORPULSE_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert int(environment("server")["FLOORPULSE_WORKERS"]) > 1
    assert services["ingest"]["command"][:2] == ["floorpulse", "mqtt"]
    assert "mqtt" in commands
    assert environment("ingest")["FLOORPULSE_MQTT_HOST"] == "mosquitto"
    # one process brings the schema up to date before the other starts
    assert services["ingest"]["depends_on"]["server"]["condition"] == "service_healthy"
    assert services["server"]["depends_on"]["postgres"]["condition"] == "service_healthy"
