"""A run that cannot write names the cause and what to do, in the step's failure message (what
the UI shows for the run) and in the last lines of `monitor`: the published file or the
warehouse locked by another process (with its PID), a folder that cannot be written, a full
disk. Nothing half-written is left behind.

The causes are made for real, in ways root (the tests' user) cannot bypass: a second process
holding a DuckDB write connection, an immutable folder (``chattr +i``: "Operation not
permitted"), a small tmpfs filled up ("No space left on device"). The last two need root with
CAP_LINUX_IMMUTABLE and CAP_SYS_ADMIN, as the tests have here.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from dagster import AssetKey, DagsterInstance, materialize

from demo.sample_publication import sample_frames, write_tables
from orchestration.assets.ingest import ingest_assets
from orchestration.assets.key import PSEUDONYM_KEY_ASSET, pseudonym_key
from orchestration.assets.publish import published_area_indicators
from orchestration.cli import _failure_causes
from orchestration.contract import PUBLISHED_ASSET
from orchestration.partitions import partition_key_for_quarter
from orchestration.resources import MonitorResource

from .conftest import BIN, REPO, monitor_env

QUARTER = "2026Q3"
KEY = "3e7a91c05bd24f68a1c3e9072d5b8f4619ae07c3d2b58f16e4a9c0375db1e862"


@contextlib.contextmanager
def held_by_another_process(database: Path, write: bool = False) -> Iterator[int]:
    """A second process with a DuckDB write connection on ``database`` (that wrote something
    if ``write``); yields its PID."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time\n"
            "con = duckdb.connect(sys.argv[1])\n"
            "if sys.argv[2] == 'write':\n"
            "    con.execute('create table written as select 1 as x')\n"
            "print('held', flush=True)\n"
            "time.sleep(600)\n",
            str(database),
            "write" if write else "",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        yield holder.pid
    finally:
        holder.kill()
        holder.wait()


@contextlib.contextmanager
def immutable(folder: Path) -> Iterator[None]:
    subprocess.run(["chattr", "+i", str(folder)], check=True)
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)


@contextlib.contextmanager
def small_disk(folder: Path, size: str = "16m") -> Iterator[Path]:
    folder.mkdir(parents=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], check=True)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


def fill(folder: Path) -> None:
    """Write a filler file until the file system is full."""
    with (folder / "filler").open("wb") as handle, contextlib.suppress(OSError):
        while True:
            handle.write(b"\0" * 65536)
            handle.flush()


def make_warehouse(data_dir: Path) -> None:
    """A warehouse with what the publish asset reads: the candidate, the protected table and
    the ingest log."""
    with duckdb.connect(str(data_dir / "warehouse.duckdb")) as con:
        write_tables(con, **sample_frames(QUARTER))
        con.execute("create schema audit")
        con.execute(
            "create table audit.ingest_files (quarter VARCHAR, source VARCHAR, file_name VARCHAR,"
            " file_sha256 VARCHAR, status VARCHAR, ingested_at TIMESTAMP)"
        )
        con.execute(
            "insert into audit.ingest_files values (?, 'eneco', 'a.csv', 'ab', 'loaded', now())",
            [QUARTER],
        )


def asset_run(asset, data_dir: Path):
    """A real in-process run of one asset of the quarter (a held lock is not waited for)."""
    with DagsterInstance.ephemeral() as instance:
        return materialize(
            [asset],
            partition_key=partition_key_for_quarter(QUARTER),
            resources={"monitor": MonitorResource(data_dir=str(data_dir), lock_timeout_seconds=0)},
            instance=instance,
            raise_on_error=False,
        )


def publish_run(data_dir: Path):
    return asset_run(published_area_indicators, data_dir)


def key_check_run(data_dir: Path):
    return asset_run(pseudonym_key, data_dir)


def monitor_run_last_line(data_dir: Path, *prefix: str) -> str:
    """`monitor run` (a real key; started through ``prefix`` if given) fails: its last line."""
    env = monitor_env(data_dir, MONITOR_PSEUDONYM_KEY=KEY)
    env.pop("MONITOR_DEMO")
    run = subprocess.run(
        [*prefix, str(BIN / "monitor"), "run", "--quarter", QUARTER],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert run.returncode == 1, run.stdout
    return run.stderr.strip().splitlines()[-1]


def failure(result) -> str:
    (event,) = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    return event.step_failure_data.user_failure_data.description


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def stray_files(data_dir: Path) -> list[str]:
    return sorted(p.name for p in data_dir.iterdir() if ".publish-" in p.name or p.suffix == ".tmp")


@pytest.fixture
def published(tmp_path: Path) -> Path:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    make_warehouse(data_dir)
    assert publish_run(data_dir).success
    return data_dir


def test_published_file_locked_by_another_process(published: Path) -> None:
    monitor_file = published / "monitor.duckdb"
    before = digest(monitor_file)
    with held_by_another_process(monitor_file) as pid:
        result = publish_run(published)
    assert not result.success
    said = failure(result)
    assert f"{monitor_file} is locked by another process" in said
    assert f"(PID {pid})" in said and "-readonly" in said
    assert _failure_causes(result) == [
        f"{AssetKey(PUBLISHED_ASSET).to_python_identifier()}: {said}"
    ]
    assert digest(monitor_file) == before
    assert stray_files(published) == []


def test_published_file_written_by_another_process(published: Path) -> None:
    """Someone opened the analysts' file read-write and changed it: publication refuses, and
    the step's failure message is the refusal itself, not Dagster's wrapper."""
    monitor_file = published / "monitor.duckdb"
    with held_by_another_process(monitor_file, write=True):
        result = publish_run(published)
    said = failure(result)
    assert said.startswith(f"{monitor_file}.wal exists: the published file was opened read-write")
    assert stray_files(published) == []


def test_warehouse_locked_by_another_process(published: Path, monkeypatch) -> None:
    monkeypatch.setenv("MONITOR_PSEUDONYM_KEY", KEY)
    with held_by_another_process(published / "warehouse.duckdb") as pid:
        result = key_check_run(published)
    said = failure(result)
    assert "warehouse.duckdb is locked by another process" in said and f"(PID {pid})" in said
    assert "Wait for that run to finish" in said


def test_monitor_run_ends_with_the_lock_and_its_pid(published: Path) -> None:
    with held_by_another_process(published / "warehouse.duckdb") as pid:
        last = monitor_run_last_line(published)
    assert "cause:" in last and "warehouse.duckdb is locked by another process" in last
    assert f"(PID {pid})" in last


def test_a_folder_that_cannot_be_written_is_named(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("MONITOR_PSEUDONYM_KEY", KEY)
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o700)
    with immutable(data_dir):
        result = key_check_run(data_dir)
    said = failure(result)
    assert said.startswith(f"cannot write {data_dir}: operation not permitted")
    assert "lsattr" in said and str(data_dir) in said
    [cause] = _failure_causes(result)
    assert cause.startswith(PSEUDONYM_KEY_ASSET.to_python_identifier())
    assert list(data_dir.iterdir()) == []


def test_each_source_stopped_by_its_checks_is_named_with_what_the_check_found(
    tmp_path: Path, monkeypatch
) -> None:
    """Two partners' files that are no signal files: a cause line per source, each with its
    check's own finding, not Dagster's "1 blocking asset check failed"."""
    monkeypatch.setenv("MONITOR_PSEUDONYM_KEY", KEY)
    data_dir = tmp_path / "data"
    for partner, header in (("eneco", "foo;bar"), ("ymere", "x;y;z")):
        folder = data_dir / "landing" / QUARTER / partner
        folder.mkdir(parents=True)
        (folder / f"{partner}_{QUARTER}.csv").write_text(f"{header}\n1;2;3\n")
    with DagsterInstance.ephemeral() as instance:
        result = materialize(
            [pseudonym_key, *ingest_assets],
            partition_key=partition_key_for_quarter(QUARTER),
            resources={"monitor": MonitorResource(data_dir=str(data_dir))},
            instance=instance,
            raise_on_error=False,
            selection=[
                PSEUDONYM_KEY_ASSET,
                *(AssetKey(["raw", "signalen", p]) for p in ("eneco", "ymere")),
            ],
        )
    assert not result.success
    assert _failure_causes(result) == [
        f"raw__signalen__{partner}: check files_readable: {partner}_{QUARTER}.csv: none of its "
        f"{n} columns is a known signalen column (expected e.g. signaal_id, signaaldatum, "
        "achterstand_bedrag, postcode, huisnummer); is this the wrong file or source folder?"
        for partner, n in (("eneco", 2), ("ymere", 3))
    ]


def test_a_step_with_failed_checks_and_its_own_error_is_named_with_both() -> None:
    """As dbt's step: its failed tests (blocking checks) and then the tool's own error; both
    are said, the checks' findings first. A failed check that does not block is left out."""
    from dagster import AssetCheckResult, AssetCheckSpec, Output, asset

    @asset(
        check_specs=[
            AssetCheckSpec("parts_add_up", asset="built", blocking=True),
            AssetCheckSpec("looks_odd", asset="built"),
        ]
    )
    def built():
        yield Output(1)
        yield AssetCheckResult(check_name="looks_odd", passed=False, description="a warning")
        yield AssetCheckResult(check_name="parts_add_up", passed=False, description="2 rows off")
        raise RuntimeError("the tool stopped: 1 of 3 tests failed")

    with DagsterInstance.ephemeral() as instance:
        result = materialize([built], instance=instance, raise_on_error=False)
    assert _failure_causes(result) == [
        "built: check parts_add_up: 2 rows off",
        "built: RuntimeError: the tool stopped: 1 of 3 tests failed",
    ]


def test_a_full_disk_is_named_and_leaves_no_stray_file(tmp_path: Path) -> None:
    with small_disk(tmp_path / "data") as data_dir:
        make_warehouse(data_dir)
        assert publish_run(data_dir).success
        before = digest(data_dir / "monitor.duckdb")
        fill(data_dir)
        result = publish_run(data_dir)
        assert not result.success
        said = failure(result)
        assert said.startswith("disk full while writing") and "free)" in said
        assert digest(data_dir / "monitor.duckdb") == before
        assert stray_files(data_dir) == []
        assert not list(data_dir.glob("*.wal"))


def test_monitor_ends_with_the_full_disk(tmp_path: Path) -> None:
    with small_disk(tmp_path / "data", size="1m") as data_dir:
        fill(data_dir)
        last = monitor_run_last_line(data_dir)
    assert last.startswith("monitor run: cause: disk full while writing")


def test_monitor_run_ends_with_permission_denied(tmp_path: Path) -> None:
    """A data directory of another user that this one may read but not write. Root bypasses
    file modes, so the command runs as root without the capabilities that do that
    (``setpriv``): then the folder's mode applies to it as to any user."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    os.chown(data_dir, 65534, 65534)
    os.chmod(data_dir, 0o755)
    last = monitor_run_last_line(
        data_dir, "setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner"
    )
    assert last.startswith(
        f"monitor run: cause: cannot write {data_dir}/run.lock: permission denied"
    )
    assert f"the data directory {data_dir}" in last
    assert list(data_dir.iterdir()) == []
