"""Restricted files and folders are 0600/0700 and what analysts share 0644/0755, whatever the
umask of the process that made them (orchestration/filemodes.py)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import duckdb
import pytest

from demo.generator import GeneratorConfig, generate
from demo.sample_publication import sample_frames, write_tables
from orchestration import filemodes
from orchestration.export import export_quarter
from orchestration.pseudonym import load_key
from orchestration.report import write_report
from orchestration.resources import MonitorResource
from orchestration.runlock import run_lock
from orchestration.settings import Paths
from tests.published_sample import publish_test_quarter

QUARTER = "2026Q3"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(params=[0o022, 0o000], ids=["umask022", "umask000"])
def umask(request):
    old = os.umask(request.param)
    yield request.param
    os.umask(old)


def test_every_file_the_pipeline_makes_has_its_mode(umask, tmp_path, monkeypatch) -> None:
    from orchestration.cli import _dagster_home

    paths = Paths(tmp_path / "srv" / "data")
    mode_before = mode(tmp_path)
    monkeypatch.delenv("MONITOR_PSEUDONYM_KEY", raising=False)
    monkeypatch.setenv("MONITOR_DEMO", "1")
    monkeypatch.setenv("MONITOR_DATA_DIR", str(paths.data_dir))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)

    generate(GeneratorConfig(quarter=QUARTER, geography="synthetic", households=1000), paths)
    load_key(paths.demo_key_file)
    with run_lock(paths, "test"):
        pass
    home = _dagster_home()
    monkeypatch.setenv("DAGSTER_HOME", str(home))  # restored after the test
    with MonitorResource(data_dir=str(paths.data_dir)).warehouse() as con:
        frames = sample_frames(QUARTER)
        write_tables(con, **frames)  # leaves a write-ahead log until the connection closes
        wal = paths.warehouse.with_name("warehouse.duckdb.wal")
        wal_seen = wal.exists()
        publish_test_quarter(con, QUARTER, paths.monitor)
    report = write_report(paths, QUARTER)
    exports = export_quarter(paths.monitor, QUARTER, "all", paths.data_dir / "exports")

    restricted_dirs = [
        paths.data_dir,
        home,
        paths.landing,
        paths.landing_dir(QUARTER),
        *[d for d in paths.landing_dir(QUARTER).iterdir()],
        paths.ground_truth,
        paths.ground_truth / QUARTER,
    ]
    restricted_files = [
        paths.warehouse,
        paths.demo_key_file,
        paths.data_dir / "run.lock",
        paths.data_dir / ".monitor.duckdb.lock",
        *[f for f in paths.landing.rglob("*") if f.is_file()],
        *[f for f in paths.ground_truth.rglob("*") if f.is_file()],
    ]
    assert len([f for f in paths.landing.rglob("*") if f.is_file()]) > 10
    assert {str(d): oct(mode(d)) for d in restricted_dirs} == {
        str(d): "0o700" for d in restricted_dirs
    }
    assert {str(f): oct(mode(f)) for f in restricted_files} == {
        str(f): "0o600" for f in restricted_files
    }
    shared = [paths.monitor, report, *exports]
    assert {str(f): oct(mode(f)) for f in shared} == {str(f): "0o644" for f in shared}
    for folder in (paths.reports, paths.data_dir / "exports"):
        assert mode(folder) == 0o755
    # folders above the data directory that did not exist are made 0700 too; existing ones
    # (the operator's) keep their mode
    assert mode(paths.data_dir.parent) == 0o700
    assert mode(tmp_path) == mode_before
    # DuckDB makes its write-ahead log with the umask: it is reachable only through the
    # 0700 data directory
    assert wal_seen
    leftovers = sorted(p.name for p in paths.data_dir.iterdir() if ".tmp" in p.name)
    assert leftovers == []


def test_an_earlier_world_readable_install_is_tightened(umask, tmp_path) -> None:
    """A data directory, warehouse and run lock made by an earlier version with 0755/0644."""
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)
    with duckdb.connect(str(data / "warehouse.duckdb")) as con:
        con.execute("create table t as select 1 as x")
    os.chmod(data / "warehouse.duckdb", 0o644)
    (data / "run.lock").write_text("")
    os.chmod(data / "run.lock", 0o644)
    with MonitorResource(data_dir=str(data)).warehouse() as con:
        assert con.execute("select x from t").fetchall() == [(1,)]
    with run_lock(Paths(data), "test"):
        pass
    assert (mode(data), mode(data / "warehouse.duckdb"), mode(data / "run.lock")) == (
        0o700,
        0o600,
        0o600,
    )


def test_a_shared_folder_the_operator_chose_keeps_its_mode(tmp_path) -> None:
    chosen = tmp_path / "mine"
    chosen.mkdir()
    os.chmod(chosen, 0o750)
    assert mode(filemodes.shared_dir(chosen)) == 0o750
    written = filemodes.write_shared(chosen / "a.csv", lambda h: h.write("x\n"))
    assert mode(written) == 0o644 and written.read_text() == "x\n"
    assert sorted(p.name for p in chosen.iterdir()) == ["a.csv"]
