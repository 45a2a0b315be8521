"""`floorpulse seed`: history written from the command line, with a progress bar."""

import subprocess
from pathlib import Path

from floorpulse.db.engine import Database
from tests.factories import floorpulse, stored_count


def seed_command(database: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return floorpulse(f"sqlite:///{database}", "seed", *args)


def test_seed_writes_history_and_says_what_it_wrote(tmp_path: Path) -> None:
    done = seed_command(tmp_path / "fp.db", "--hours", "3", "--seed", "5")

    db = Database(f"sqlite:///{tmp_path / 'fp.db'}")
    stored = stored_count(db)
    db.dispose()
    assert done.returncode == 0, done.stderr
    assert "seeding" in done.stdout
    assert f"{stored} events stored" in done.stdout
    assert stored > 100


def test_seed_clear_starts_over(tmp_path: Path) -> None:
    seed_command(tmp_path / "fp.db", "--hours", "2")

    done = seed_command(tmp_path / "fp.db", "--hours", "1", "--clear")

    assert done.returncode == 0, done.stderr
    assert "cleared first" in done.stdout
    assert " 0 cleared first" not in done.stdout


def test_impossible_options_are_named(tmp_path: Path) -> None:
    done = seed_command(tmp_path / "fp.db", "--workers", "0")

    assert done.returncode == 2
    assert "--workers" in done.stderr
