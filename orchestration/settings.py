"""Paths and environment settings: the one place that reads the environment.

Every path the pipeline uses derives from ``MONITOR_DATA_DIR`` (default ``./data``), so a
test or a second installation only has to point that variable elsewhere.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = REPO_ROOT / "seeds"
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
EXPECTATIONS_DIR = REPO_ROOT / "expectations"
REFERENCE_DIR = REPO_ROOT.parent / "shared" / "reference"
AMSTERDAM_AREA_FILE = REFERENCE_DIR / "cbs_85163NED_amsterdam_2019_wijk_buurt.csv"


@dataclass(frozen=True)
class Paths:
    """Where the data of one installation lives."""

    data_dir: Path

    @property
    def landing(self) -> Path:
        return self.data_dir / "landing"

    @property
    def ground_truth(self) -> Path:
        """Generator ground truth: outside the landing folder, never ingested."""
        return self.data_dir / "ground_truth"

    @property
    def warehouse(self) -> Path:
        """Restricted warehouse: raw, staging, household-level and pre-publication tables."""
        return self.data_dir / "warehouse.duckdb"

    @property
    def monitor(self) -> Path:
        """The analysts' file: published quarters only."""
        return self.data_dir / "monitor.duckdb"

    @property
    def reports(self) -> Path:
        return self.data_dir / "reports"

    @property
    def dagster_home(self) -> Path:
        return self.data_dir / "dagster_home"

    @property
    def demo_key_file(self) -> Path:
        return self.data_dir / "demo_pseudonym.key"

    def landing_dir(self, quarter: str, source: str | None = None) -> Path:
        folder = self.landing / quarter
        return folder / source if source else folder


def data_dir() -> Path:
    return Path(os.environ.get("MONITOR_DATA_DIR", REPO_ROOT / "data")).resolve()


def paths() -> Paths:
    return Paths(data_dir())
