"""Paths and environment settings: the one place that reads the environment.

Every path the pipeline uses derives from ``MONITOR_DATA_DIR`` (default ``./data``), so a
test or a second installation only has to point that variable elsewhere.

One road: the Dagster resource ``monitor`` (orchestration/resources.py) is built from these
readers when the code location loads and hands the data directory, the DuckDB memory limit
and dbt's target folder to every asset, to the sensor and to dbt (the environment of its
invocation); the CLI and ``monitor prepare`` read the same functions. Nothing writes the
environment at run time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = REPO_ROOT / "seeds"
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
EXPECTATIONS_DIR = REPO_ROOT / "expectations"
REFERENCE_DIR = REPO_ROOT / "reference"
"""A copy of ../shared/reference (CBS 85163NED, CC BY 4.0): a clone needs nothing beside it."""
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
    def partners(self) -> Path:
        """The partner files: per partner its own figures only (``orchestration/partners``)."""
        return self.data_dir / "partners"

    @property
    def reports(self) -> Path:
        return self.data_dir / "reports"

    @property
    def dagster_home(self) -> Path:
        return self.data_dir / "dagster_home"

    @property
    def dbt_target(self) -> Path:
        """dbt's target folder for the pipeline's runs, unless ``MONITOR_DBT_TARGET_DIR`` sets
        another. Its own folder keeps the installation's run_results.json, compiled SQL and dbt
        log beside its warehouse (in the restricted data directory), and dbt's partial parsing
        valid: dbt parses everything again when the warehouse path in its profile changes, as
        it did whenever two installations took turns in one shared folder."""
        return self.data_dir / "dbt_target"

    @property
    def demo_key_file(self) -> Path:
        return self.data_dir / "demo_pseudonym.key"

    def landing_dir(self, quarter: str, source: str | None = None) -> Path:
        folder = self.landing / quarter
        return folder / source if source else folder


DUCKDB_MEMORY_LIMIT_ENV = "MONITOR_DUCKDB_MEMORY_LIMIT"
"""Cap on DuckDB's memory (e.g. ``4GB``) for the warehouse connections of the pipeline and of
dbt; ``default``: DuckDB's own default (80% of physical memory). DuckDB spills joins,
aggregations and sorts beyond it to disk."""
_DEFAULT_LIMIT_GB = 2
DEFAULT_DUCKDB_MEMORY_LIMIT = f"{_DEFAULT_LIMIT_GB}GB"
"""The cap when ``MONITOR_DUCKDB_MEMORY_LIMIT`` is unset. A quarterly batch job should not
take 80% of a server's memory because DuckDB would: a whole country's quarter (stress profile,
4M signals, benchmarks/results.md) ran in 232.9 s with this cap, at a peak of 3.2 GB for the
whole process tree against 5.7 GB without it. A gemeente's quarter stays far below it. On a
machine where DuckDB's own default (80% of memory) is lower, that one applies."""


def duckdb_memory_limit() -> str | None:
    """The DuckDB memory limit of the pipeline and dbt, or None for DuckDB's own default."""
    configured = os.environ.get(DUCKDB_MEMORY_LIMIT_ENV, "").strip()
    if not configured:
        return default_duckdb_memory_limit()
    return None if configured.lower() == "default" else configured


def default_duckdb_memory_limit() -> str | None:
    """``DEFAULT_DUCKDB_MEMORY_LIMIT``, or None where DuckDB's own default (80% of the
    machine's memory) is lower; the cap when the memory cannot be read."""
    try:
        physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, OSError, ValueError):
        return DEFAULT_DUCKDB_MEMORY_LIMIT
    fits = 0.8 * physical > _DEFAULT_LIMIT_GB * 1000**3  # DuckDB reads GB as 1000^3 bytes
    return DEFAULT_DUCKDB_MEMORY_LIMIT if fits else None


DISCLOSURE_WORKERS_ENV = "MONITOR_DISCLOSURE_WORKERS"


def disclosure_workers() -> int | None:
    """Worker processes for the disclosure LPs (``MONITOR_DISCLOSURE_WORKERS``); None: the
    default of ``disclosure/lp.py``."""
    configured = os.environ.get(DISCLOSURE_WORKERS_ENV, "").strip()
    return max(1, int(configured)) if configured else None


EVENT_LOG_SYNC_ENV = "MONITOR_EVENT_LOG_SYNC"
"""``off``: the run history (Dagster's SQLite files in ``<data dir>/dagster_home``) is written
without waiting for the disk at each commit (``eventlog.py``), as ``monitor demo`` always does;
unset or ``full``: SQLite's default. A crash of the process loses nothing either way; a power
failure during a run can lose the run history without fsync, never the warehouse or the
published file (DuckDB writes those). Dagster commits every event on its own, about 400 for a
quarter's run: ``off`` is for installations whose run history can be lost (a test suite, CI, a
trial), where it saves about 5 s a run on a busy 2-core machine."""


def event_log_fsync() -> bool:
    """Whether ``monitor run`` keeps SQLite's fsync for the run history (``EVENT_LOG_SYNC_ENV``)."""
    given = os.environ.get(EVENT_LOG_SYNC_ENV, "")
    configured = given.strip().lower()
    if configured in {"", "full"}:
        return True
    if configured == "off":
        return False
    raise ValueError(f"{EVENT_LOG_SYNC_ENV}={given!r}: give 'off' or 'full' (or leave it unset)")


def dbt_target_override() -> Path | None:
    """dbt's target folder for pipeline runs as ``MONITOR_DBT_TARGET_DIR`` sets it (a benchmark
    sets its own); None: the data directory's own, ``Paths.dbt_target``."""
    folder = os.environ.get("MONITOR_DBT_TARGET_DIR", "").strip()
    return Path(folder).resolve() if folder else None


def data_dir() -> Path:
    return Path(os.environ.get("MONITOR_DATA_DIR", REPO_ROOT / "data")).resolve()


def paths() -> Paths:
    return Paths(data_dir())


# --- the pseudonym key (read here only; checked and used in orchestration/pseudonym.py) -----

KEY_ENV = "MONITOR_PSEUDONYM_KEY"
DEMO_ENV = "MONITOR_DEMO"


def pseudonym_key_setting() -> str:
    """The configured pseudonym key as text (surrounding whitespace removed), or ''."""
    return os.environ.get(KEY_ENV, "").strip()


def demo_mode() -> bool:
    """Demo mode (``MONITOR_DEMO=1``): the pipeline may make its own key file."""
    return os.environ.get(DEMO_ENV, "").strip().lower() in {"1", "true", "yes", "ja"}


# --- test hook ------------------------------------------------------------------------------

FAULT_PAUSE_ENV = "MONITOR_FAULT_PAUSE"
FAULT_PAUSE_STAGES = ("ingest", "checks", "publish")
FAULT_PAUSE_MAX_SECONDS = 900.0
_paused: set[str] = set()


def fault_pause_marker(stage: str, data: Path | None = None) -> Path:
    return (data or data_dir()) / f"fault_pause.{stage}"


def fault_pause(stage: str) -> None:
    """TEST HOOK, inert in production: stop at a defined point so a test can kill the run there.

    When ``MONITOR_FAULT_PAUSE`` names ``stage``, write the marker file
    ``$MONITOR_DATA_DIR/fault_pause.<stage>`` (holding the pid) and wait while it exists (at
    most 15 minutes): the fault-injection tests SIGKILL the process group at that moment, or
    delete the marker to let the run go on. The points, all mid-write:

    - ``ingest``: in the first ``ingest_source`` call, after the quarter's old rows were
      deleted and the new ones inserted, before COMMIT (orchestration/ingestion/loader.py);
    - ``checks``: inside the gate check, after the suites ran (orchestration/assets/gate.py);
    - ``publish``: the new monitor file is written and verified, before the atomic swap
      (orchestration/publish.py).

    A process pauses once per stage.
    """
    if os.environ.get(FAULT_PAUSE_ENV) != stage or stage in _paused:
        return
    import time

    _paused.add(stage)

    marker = fault_pause_marker(stage)
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(f"{os.getpid()}\n", encoding="ascii")
    deadline = time.monotonic() + FAULT_PAUSE_MAX_SECONDS
    while marker.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
