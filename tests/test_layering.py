"""Import boundaries: the wire schemas stay light enough for the edge agent."""

import json
import subprocess
import sys

HEAVY = ("fastapi", "starlette", "sqlalchemy", "alembic", "uvicorn", "floorpulse.settings")


def test_wire_schemas_import_only_pydantic_and_the_standard_library() -> None:
    probe = (
        "import sys, floorpulse.events.schemas; "
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r} or m in {HEAVY!r}))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )

    assert loaded.stdout.strip() == "[]"


def test_the_pure_cores_import_only_the_standard_library() -> None:
    probe = (
        "import sys; before = set(sys.modules); "
        "import floorpulse.metrics.intervals, floorpulse.metrics.tally, floorpulse.demo.generator, "
        "floorpulse.mlops.drift, floorpulse.mlops.sampling; "
        "print(sorted({m.split('.')[0] for m in set(sys.modules) - before} "
        "- set(sys.stdlib_module_names) - {'floorpulse'}))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )

    assert loaded.stdout.strip() == "[]"


def test_the_command_line_and_edge_agent_load_no_server_code_beyond_the_wire_schemas() -> None:
    probe = (
        "import json, sys, floorpulse.cli; "
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('floorpulse', 'fastapi', 'starlette', 'sqlalchemy', 'alembic', 'uvicorn'))))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )

    shared = {
        "floorpulse",
        "floorpulse.events",
        "floorpulse.events.schemas",
        "floorpulse.validation",
    }
    pure = {  # standard library only (the test above checks the generator)
        "floorpulse.demo",
        "floorpulse.demo.generator",
        "floorpulse.metrics",
        "floorpulse.metrics.shifts",
        "floorpulse.db",
        "floorpulse.db.epoch",
    }
    modules = set(json.loads(loaded.stdout))
    own = {m for m in modules if m.startswith("floorpulse.edge")} | {
        "floorpulse.cli",
        "floorpulse.access",
        "floorpulse.access.cli",
    }
    assert modules - shared - pure == own
