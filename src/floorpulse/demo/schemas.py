"""Wire models of the demo: what a seeding did, and whether the data shown is demo data."""

from datetime import datetime

from pydantic import BaseModel, Field


class SeedResult(BaseModel):
    """What `POST /api/admin/seed` (or `floorpulse seed`) wrote."""

    from_: datetime = Field(alias="from", description="Start of the history written.")
    to: datetime
    seed: int
    workers: int
    workstations: int
    sent: int = Field(description="Events sent through ingestion, camera duplicates included.")
    accepted: int
    duplicates: int
    low_confidence: int
    rejected: int
    cleared_events: int = Field(description="Events deleted first (clear_existing).")

    model_config = {"populate_by_name": True}


class DemoRunOut(BaseModel):
    seeded_at: datetime
    from_: datetime = Field(alias="from")
    to: datetime
    seed: int
    workers: int
    workstations: int
    model_change_at: datetime | None

    model_config = {"populate_by_name": True}


class DemoStatus(BaseModel):
    """Whether made-up data is shown (the dashboard's "demo data" badge)."""

    demo: bool = Field(description="Some of the stored history was seeded, not observed.")
    live: bool = Field(description="This server runs the factory simulator (serve --demo).")
    latest: DemoRunOut | None
