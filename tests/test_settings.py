"""Settings come from FLOORPULSE_* variables and .env, with documented defaults."""

import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from floorpulse.edge.settings import EdgeSettings
from floorpulse.settings import Settings


def test_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings()

    assert settings.database_url == "sqlite:///data/floorpulse.db"
    assert settings.confidence_threshold == 0.7
    assert settings.timezone == ZoneInfo("UTC")
    assert settings.max_clock_skew_s == 300


def test_environment_and_dotenv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text(
        "FLOORPULSE_TIMEZONE=Europe/Berlin\nFLOORPULSE_MAX_CLOCK_SKEW_S=60\n"
    )
    monkeypatch.setenv("FLOORPULSE_CONFIDENCE_THRESHOLD", "0.8")

    settings = Settings()

    assert (settings.timezone, settings.max_clock_skew_s) == (ZoneInfo("Europe/Berlin"), 60)
    assert settings.confidence_threshold == 0.8


@pytest.mark.parametrize(
    ("variable", "value"),
    [("TIMEZONE", "Mars/Olympus"), ("CONFIDENCE_THRESHOLD", "1.5"), ("PORT", "0")],
)
def test_a_bad_setting_names_itself(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(f"FLOORPULSE_{variable}", value)

    with pytest.raises(ValidationError, match=variable.lower()):
        Settings(_env_file=None)  # type: ignore[call-arg]


def test_env_example_documents_every_setting_of_the_server_and_the_edge_agent() -> None:
    example = (Path(__file__).parents[1] / ".env.example").read_text()
    documented = set(re.findall(r"^#? ?(FLOORPULSE_[A-Z_]+)=", example, flags=re.MULTILINE))

    server = {f"FLOORPULSE_{name.upper()}" for name in Settings.model_fields}
    edge = {f"FLOORPULSE_EDGE_{name.upper()}" for name in EdgeSettings.model_fields}

    assert server | edge == documented


def test_webhook_urls_without_a_secret_are_refused_saying_why(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FLOORPULSE_WEBHOOK_URLS", '["http://127.0.0.1:9000/retrain"]')

    with pytest.raises(ValidationError, match="needs FLOORPULSE_WEBHOOK_SECRET"):
        Settings()

    monkeypatch.setenv("FLOORPULSE_WEBHOOK_SECRET", "s3cret")
    assert [str(url) for url in Settings().webhook_urls] == ["http://127.0.0.1:9000/retrain"]


def test_a_site_may_have_its_own_zone_and_shifts_and_the_others_keep_the_servers(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FLOORPULSE_TIMEZONE", "Europe/Berlin")
    monkeypatch.setenv(
        "FLOORPULSE_SITES",
        '{"tokyo": {"timezone": "Asia/Tokyo", "shifts": '
        '[{"name": "day", "start": "08:00", "end": "20:00"}]}, "lyon": {}}',
    )

    settings = Settings()

    assert settings.zone_of("tokyo") == ZoneInfo("Asia/Tokyo")
    assert [shift.name for shift in settings.shifts_of("tokyo")] == ["day"]
    assert settings.zone_of("lyon") == settings.zone_of(None) == ZoneInfo("Europe/Berlin")
    assert [shift.name for shift in settings.shifts_of("lyon")] == ["A", "B", "C"]


@pytest.mark.parametrize(
    ("sites", "said"),
    [
        ('{"tokyo": {"timezone": "Mars/Olympus"}}', "unknown time zone 'Mars/Olympus'"),
        ('{"tokyo": {"shifts": [{"name": "current", "start": "08:00", "end": "20:00"}]}}',
         "not 'current'"),
        ('{"tokyo": {"zone": "Asia/Tokyo"}}', "zone"),
    ],
)  # fmt: skip
def test_a_bad_site_setting_is_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sites: str, said: str
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FLOORPULSE_SITES", sites)

    with pytest.raises(ValidationError, match=re.escape(said)) as refused:
        Settings()

    assert "sites.tokyo" in str(refused.value)
