"""Identity of one pipeline run: its id, start time and partition date."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from khabar.transforms.runtime.version import __version__


@dataclass(frozen=True)
class RunInfo:
    """Computed once by the driver and passed to every stage that stamps rows.

    run_id is safe in file names on every filesystem and sorts by time:
    ``20261122T104053Z-3f9a1c2b``. ingest_date (the Hive partition value) is
    the run's start date in UTC: partition paths never come from article content.
    """

    run_id: str
    started_at: datetime
    pipeline_version: str = __version__

    @property
    def ingest_date(self) -> str:
        return self.started_at.strftime("%Y-%m-%d")

    @classmethod
    def new(cls, now: datetime | None = None) -> RunInfo:
        now = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
        return cls(run_id=f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(4)}", started_at=now)

    def stamp(self) -> dict[str, object]:
        """Columns every table carries; the writers add them to each row (transforms/write_tables.py)."""
        return {"ingested_at": self.started_at, "run_id": self.run_id}
