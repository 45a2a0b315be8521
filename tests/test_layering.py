"""Import boundaries: the wire schemas stay light enough for the edge agent."""

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


def test_the_metrics_core_imports_only_the_standard_library() -> None:
    probe = (
        "import sys; before = set(sys.modules); "
        "import floorpulse.metrics.intervals, floorpulse.metrics.tally; "
        "print(sorted({m.split('.')[0] for m in set(sys.modules) - before} "
        "- set(sys.stdlib_module_names) - {'floorpulse'}))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )

    assert loaded.stdout.strip() == "[]"
