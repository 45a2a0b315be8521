"""The edge agent's own settings (FLOORPULSE_EDGE_*): it runs beside a camera, not the server."""

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from floorpulse.edge.queue import DEFAULT_CAPACITY, WhenFull


class EdgeSettings(BaseSettings):
    """Every `floorpulse edge` option's default; `.env.example` documents each field."""

    model_config = SettingsConfigDict(
        env_prefix="FLOORPULSE_EDGE_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    server_url: str = "http://127.0.0.1:8000"
    queue_path: Path = Path("data/edge-queue.db")
    # 10,000 events: 2.8 hours of an outage at 1 event/s (docs/EDGE.md sizes it).
    queue_capacity: int = Field(default=DEFAULT_CAPACITY, ge=1)
    when_full: WhenFull = WhenFull.DROP_OLDEST
    batch_size: int = Field(default=500, ge=1, le=10_000)
    timeout_s: float = Field(default=30.0, gt=0)
    api_key: SecretStr | None = None  # an ingest key; needed once the server has keys
    mqtt_host: str = "127.0.0.1"
    mqtt_port: int = Field(default=1883, ge=1, le=65535)
    # Publish to this topic of the broker (floorpulse/<site>/events) instead of posting to
    # the server: the server's `floorpulse mqtt` stores what arrives there.
    publish_topic: str | None = None
