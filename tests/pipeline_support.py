"""Helpers for the tests that drive whole `monitor` runs as separate processes: start, pause
(the MONITOR_FAULT_PAUSE test hook of orchestration/settings.py), kill, and compare every table
of two data directories.

The pipeline runs with a real key (not demo mode), so the same landing files give the same
pseudonyms in every data directory and tables can be compared row for row.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import re
import signal
import subprocess
import time
from pathlib import Path

import duckdb

from demo.sample_publication import sample_frames, write_tables
from orchestration.dictionary import COLUMN_LABELS
from orchestration.parameters import read_seed
from tests.published_sample import publish_test_quarter

from .conftest import BIN, REPO, monitor_env

QUARTER = "2026Q3"
HOUSEHOLDS = "3000"
SEED = "7"
KEY = "212c24b72ed0601745f10da89ab598e3fa7355b10ff35a9912be1bae89ad1e61"
"""A proper (random, 256-bit) pseudonym key, fixed so runs are comparable; the key-management
tests look for it everywhere."""
OTHER_KEY = "f147c215269f506909c27147145994ae1f3d4c49290306033c7c8a207d72f4ef"
RUN_TIMEOUT = 900

VOLATILE_COLUMNS = {
    "ingested_at",
    "published_at",
    "changed_at",
    "purged_at",
    "run_id",
    "file_modified_at",
    "recorded_at",
    "fingerprint",
}
"""When a row was written (also a quarter's provenance) and by which Dagster run (differ between
any two runs), when a landed file was written (differs between two data directories generated
apart), and the key's fingerprint in audit.pseudonym_key (salted anew for every warehouse; that
it matches the key is tests/test_key_management.py's business)."""

FILE_WIDE_COLUMNS = {"main.indicatoren": ("niveaus", "perioden")}
"""Columns that describe every quarter in the published file (the dictionary names the levels
and periods the file holds): one quarter's comparison leaves them out."""


def env(data_dir: Path, key: str | None = KEY, **extra: str) -> dict[str, str]:
    values = monitor_env(data_dir, PYTHONUNBUFFERED="1", **extra)
    values.pop("MONITOR_DEMO")
    if key is not None:
        values["MONITOR_PSEUDONYM_KEY"] = key
    return values


def monitor(
    data_dir: Path, *args: str, key: str | None = KEY, check: bool = True, **extra: str
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(BIN / "monitor"), *args],
        cwd=REPO,
        env=env(data_dir, key, **extra),
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
    )
    if check:
        assert result.returncode == 0, (
            f"monitor {' '.join(args)} exited {result.returncode}\n"
            f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
        )
    return result


def generate(data_dir: Path) -> None:
    monitor(
        data_dir, "generate", "--quarter", QUARTER, "--geography", "synthetic",
        "--households", HOUSEHOLDS, "--seed", SEED,
    )  # fmt: skip


class Run:
    """`monitor run --quarter QUARTER` in its own process group, output to files."""

    def __init__(self, data_dir: Path, name: str, key: str = KEY, **extra: str) -> None:
        self.data_dir = data_dir
        self.stdout_path = data_dir.parent / f"{name}.stdout"
        self.stderr_path = data_dir.parent / f"{name}.stderr"
        with self.stdout_path.open("w") as out, self.stderr_path.open("w") as err:
            self.proc = subprocess.Popen(
                [str(BIN / "monitor"), "run", "--quarter", QUARTER],
                cwd=REPO,
                env=env(data_dir, key, **extra),
                stdout=out,
                stderr=err,
                text=True,
                start_new_session=True,  # its own process group: dbt dies with it
            )

    @property
    def stdout(self) -> str:
        return self.stdout_path.read_text()

    @property
    def dbt_output(self) -> str:
        """dbt's own output so far: the log file `monitor run` names (empty before that)."""
        found = re.search(r"dbt's own output goes to (\S+);", self.stdout)
        path = Path(found.group(1)) if found else None
        return path.read_text() if path and path.exists() else ""

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text()

    def wait_until(self, condition, what: str, timeout: float = RUN_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            assert self.proc.poll() is None, (
                f"run ended (exit {self.proc.returncode}) before {what}\n"
                f"--- stdout\n{self.stdout[-4000:]}\n--- stderr\n{self.stderr[-4000:]}"
            )
            assert time.monotonic() < deadline, f"no {what} within {timeout} s"
            time.sleep(0.1)

    def wait_for_pause(self, stage: str) -> Path:
        marker = self.data_dir / f"fault_pause.{stage}"
        self.wait_until(marker.exists, f"the {stage} pause marker")
        return marker

    def kill(self) -> None:
        """SIGKILL the whole process group (the `monitor` process, dbt, everything)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=60)
        # the group leader is reaped; the rest of the group (dbt, workers) may still be exiting,
        # and a DuckDB lock is released only when its holder is gone: wait for the group
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                os.killpg(self.proc.pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        for marker in self.data_dir.glob("fault_pause.*"):
            marker.unlink()

    def finish(self) -> int:
        return self.proc.wait(timeout=RUN_TIMEOUT)

    def finish_ok(self) -> None:
        code = self.finish()
        assert code == 0, f"exit {code}\n{self.stdout[-4000:]}\n{self.stderr[-4000:]}"


# --- the fault sequence -----------------------------------------------------------------------

EARLIER = "2026Q2"
RANDOM_KILLS = 2
RANDOM_SEED = 20260930
DBT_MARTS_STARTED = "START sql incremental model main_marts."


def landing_digest(data_dir: Path) -> dict[str, str]:
    landing = data_dir / "landing"
    return {
        str(p.relative_to(landing)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(landing.rglob("*"))
        if p.is_file()
    }


def publish_earlier_quarter(monitor_path: Path) -> None:
    """An earlier publication (the gate's sample figures for EARLIER) in monitor.duckdb."""
    with duckdb.connect() as con:
        write_tables(con, **sample_frames(EARLIER))
        publish_test_quarter(con, EARLIER, monitor_path, run_id="earlier", data_version="v0")


def monitor_state(path: Path, previous: bytes) -> str:
    """'previous' (byte for byte) or 'complete' (opens; the quarter whole next to the earlier
    one). Anything else fails the test."""
    data = path.read_bytes()
    if data == previous:
        return "previous"
    with duckdb.connect(str(path), read_only=True) as con:
        quarters = con.execute(
            "select quarter, count(*) from monitor.area_indicators group by 1 order by 1"
        ).fetchall()
        logged = con.execute(
            "select count(*) from monitor.publication_log where quarter = ?", [QUARTER]
        ).fetchone()[0]
    assert [q for q, _ in quarters] == [EARLIER, QUARTER] and logged == 1, quarters
    return "complete"


def assert_warehouse_unlocked(data_dir: Path) -> None:
    """The killed run's DuckDB lock died with it: a writer can open the warehouse at once."""
    if (data_dir / "warehouse.duckdb").exists():
        duckdb.connect(str(data_dir / "warehouse.duckdb")).close()


def run_seconds(stdout: str) -> float:
    """How long a `monitor run` took, from its closing line."""
    match = re.search(r": succeeded in (\d+) s", stdout)
    assert match, f"no closing line in\n{stdout[-2000:]}"
    return float(match.group(1))


def fault_sequence(baseline_dir: Path, data_dir: Path, baseline_seconds: float) -> dict:
    """Kill runs of one data directory in each stage and at random moments, then run it to
    the end; that last run is held at its publish step while two other commands try their
    luck (tests/test_concurrency.py). ``baseline_seconds``: how long an uninterrupted run of
    the same data took; the random moments fall within it. Returns what the tests check."""
    generate(data_dir)
    assert landing_digest(data_dir) == landing_digest(baseline_dir)  # same input as baseline
    monitor_path = data_dir / "monitor.duckdb"
    publish_earlier_quarter(monitor_path)
    previous = monitor_path.read_bytes()
    log: list[dict] = []

    def killed(run: Run, stage: str) -> None:
        run.kill()
        assert_warehouse_unlocked(data_dir)
        log.append({"stage": stage, "monitor": monitor_state(monitor_path, previous)})

    for stage in ("ingest", "dbt", "checks", "publish"):
        if stage == "dbt":
            run = Run(data_dir, "killed-dbt")
            run.wait_until(
                lambda r=run: DBT_MARTS_STARTED in r.dbt_output, "dbt building the marts"
            )
        else:
            run = Run(data_dir, f"killed-{stage}", MONITOR_FAULT_PAUSE=stage)
            run.wait_for_pause(stage)
        if stage == "publish":
            # the new file is complete next to the target, the swap not yet done
            assert list(data_dir.glob(".monitor.duckdb.publish-*.tmp"))
            assert monitor_path.read_bytes() == previous
        killed(run, stage)

    rng = random.Random(RANDOM_SEED)
    for i in range(RANDOM_KILLS):
        delay = rng.uniform(0.1, 0.9) * baseline_seconds
        # Held before the publication's swap: a run that is quicker than its random delay
        # (later runs skip the files already ingested) is killed there, and never publishes.
        run = Run(data_dir, f"killed-random-{i}", MONITOR_FAULT_PAUSE="publish")
        pause = data_dir / "fault_pause.publish"
        started = time.monotonic()
        while time.monotonic() < started + delay and not pause.exists():
            assert run.proc.poll() is None, f"random run {i} ended before its kill\n{run.stdout}"
            time.sleep(0.1)
        killed(run, f"random after {time.monotonic() - started:.1f} s")

    final = Run(data_dir, "final", MONITOR_FAULT_PAUSE="publish")
    marker = final.wait_for_pause("publish")
    runs_before = run_statuses(data_dir)
    second = monitor(data_dir, "run", "--quarter", QUARTER, check=False)
    rotate = monitor(data_dir, "rotate-key", "--confirm", key=OTHER_KEY, check=False)
    untouched = {
        "monitor": monitor_path.read_bytes() == previous,
        "runs": run_statuses(data_dir) == runs_before,
    }
    marker.unlink()  # let the final run go on
    final.finish_ok()
    return {
        "data_dir": data_dir,
        "baseline_dir": baseline_dir,
        "previous": previous,
        "log": log,
        "final": final,
        "second": second,
        "rotate": rotate,
        "untouched_while_contested": untouched,
        "active_steps": active_steps(data_dir),
    }


# --- comparing data directories ---------------------------------------------------------------


def _tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, list[str]]]:
    rows = con.execute(
        "select schema_name, table_name, list(column_name order by column_index) "
        "from duckdb_columns() where database_name = current_database() "
        "group by all order by all"
    ).fetchall()
    return [(f"{schema}.{table}", columns) for schema, table, columns in rows]


QUARTER_COLUMNS = ("quarter", COLUMN_LABELS["quarter"])


def table_rows(path: Path, quarter: str | None = None) -> dict[str, list[tuple]]:
    """Every table of a DuckDB file, volatile columns left out, rows sorted (duplicates kept).

    ``audit.ingest_files`` is a history (one row per file per run that saw it): it is compared
    as the current state of each file, its latest row, without the status of that run.
    ``quarter``: only that quarter's rows of tables with a quarter column.
    """
    out: dict[str, list[tuple]] = {}
    with duckdb.connect(str(path), read_only=True) as con:
        for table, columns in _tables(con):
            kept = [c for c in columns if c not in VOLATILE_COLUMNS]
            if quarter:
                kept = [c for c in kept if c not in FILE_WIDE_COLUMNS.get(table, ())]
            if table == "audit.ingest_files":
                kept.remove("status")
            select = ", ".join(f'"{c}"' for c in kept)
            # the readable tables (``<level>_leesbaar``) name the quarter in Dutch
            quarter_column = next((c for c in QUARTER_COLUMNS if c in columns), None)
            where = f' where "{quarter_column}" = ?' if quarter and quarter_column else ""
            source = table
            if table == "audit.ingest_files":
                source = (
                    "(select * from audit.ingest_files qualify row_number() over "
                    "(partition by quarter, source, file_name order by ingested_at desc) = 1)"
                )
            params = [quarter] if where else []
            out[table] = con.execute(
                f"select {select} from {source}{where} order by all", params
            ).fetchall()
    return out


def assert_same_tables(actual: dict, expected: dict, what: str) -> None:
    assert sorted(actual) == sorted(expected), f"{what}: other tables"
    for table in expected:
        assert actual[table] == expected[table], (
            f"{what}: {table} differs ({len(actual[table])} rows, expected {len(expected[table])})"
        )


def assert_same_warehouse(data_dir: Path, baseline_dir: Path, what: str) -> None:
    expected = table_rows(baseline_dir / "warehouse.duckdb")
    assert_same_tables(table_rows(data_dir / "warehouse.duckdb"), expected, what)


def active_steps(data_dir: Path) -> dict[str, list[str]]:
    """Per Dagster run of the data directory: steps started and never finished."""
    from dagster import DagsterEventType, DagsterInstance

    ended = {DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE}
    out = {}
    with DagsterInstance.from_config(str(data_dir / "dagster_home")) as instance:
        for run in instance.get_runs():
            started: list[str] = []
            for record in instance.all_logs(run.run_id):
                event = record.dagster_event
                if event is None or not event.step_key:
                    continue
                if event.event_type == DagsterEventType.STEP_START:
                    started.append(event.step_key)
                elif event.event_type in ended and event.step_key in started:
                    started.remove(event.step_key)
            out[run.run_id] = started
    return out


def run_statuses(data_dir: Path) -> list[str]:
    from dagster import DagsterInstance

    with DagsterInstance.from_config(str(data_dir / "dagster_home")) as instance:
        return [run.status.value for run in reversed(instance.get_runs())]


def match_statuses() -> tuple[list[str], list[str]]:
    """The address-match statuses of ``seeds/match_statuses.csv`` in their order: those that
    place a signal at an address, and those that do not."""
    rows = sorted(read_seed("match_statuses"), key=lambda row: int(row["volgorde"]))
    matched = [row["match_status"] for row in rows if row["matched"] == "true"]
    unmatched = [row["match_status"] for row in rows if row["matched"] != "true"]
    return matched, unmatched


def gate_and_publish(data_dir: Path, quarter: str = QUARTER):
    """The gate's checks and the publish asset of ``quarter`` on ``data_dir``'s warehouse, in a
    real (ephemeral) Dagster run; returns its result (failures do not raise)."""
    from orchestration.assets.gate import gate_checks
    from orchestration.assets.publish import published_area_indicators
    from orchestration.contract import CANDIDATE_ASSET, PUBLISHED_ASSET

    return checks_then_asset(
        data_dir, published_area_indicators, PUBLISHED_ASSET, gate_checks, CANDIDATE_ASSET, quarter
    )


def checks_then_asset(data_dir: Path, asset, asset_key, checks, checked_key, quarter: str):
    """The ``checks`` on ``checked_key`` and then ``asset`` (key path ``asset_key``) of
    ``quarter`` on ``data_dir``'s warehouse, in a real (ephemeral) Dagster run, as the quarterly
    job runs them: a failed blocking check skips the asset. Returns the result (failures do
    not raise)."""
    from dagster import AssetKey, AssetSelection, DagsterInstance, materialize

    from orchestration.partitions import partition_key_for_quarter
    from orchestration.resources import MonitorResource

    return materialize(
        [asset, checks],
        selection=AssetSelection.assets(AssetKey(asset_key))
        | AssetSelection.checks_for_assets(AssetKey(checked_key)),
        partition_key=partition_key_for_quarter(quarter),
        resources={"monitor": MonitorResource(data_dir=str(data_dir))},
        instance=DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
