"""The pseudonym key: required outside demo mode, never written anywhere, one key per warehouse,
and rotated with `monitor rotate-key --confirm` without changing a published figure."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from orchestration.pseudonym import fingerprint_matches
from orchestration.retention import household_tables
from orchestration.settings import DBT_PROJECT_DIR

from . import pipeline_support as support

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1800)]

NEW_KEY = "4bc9b194ab273f6b72bc63b7d486ccf0272a1bdf8c7d9a428c0023636a635fbf"
GONE = "2026Q1"
"""A quarter held in the warehouse whose landing files are gone (made by copying 2026Q3)."""


def all_rows(path: Path) -> list[tuple]:
    """Every row of every table of a DuckDB file."""
    rows = []
    with duckdb.connect(str(path), read_only=True) as con:
        for schema, table in con.execute(
            "select schema_name, table_name from duckdb_tables() "
            "where database_name = current_database()"
        ).fetchall():
            rows += con.execute(f'select * from "{schema}"."{table}"').fetchall()
    return rows


def all_text(path: Path) -> str:
    """Every value of every table of a DuckDB file, as text."""
    return repr(all_rows(path))


def test_run_refuses_to_start_without_a_key(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    support.generate(data_dir)
    result = support.monitor(data_dir, "run", "--quarter", support.QUARTER, key=None, check=False)
    assert result.returncode == 1
    assert "No pseudonym key: set MONITOR_PSEUDONYM_KEY" in result.stderr
    assert not (data_dir / "warehouse.duckdb").exists()  # nothing ran
    assert not (data_dir / "dagster_home").exists()


def test_key_is_never_logged_or_stored(pipeline_baseline) -> None:
    data_dir, run = pipeline_baseline
    key = support.KEY
    assert key not in run.stdout and key not in run.stderr
    files = [p for p in data_dir.rglob("*") if p.is_file()]
    assert any("dagster_home" in p.parts for p in files)  # event log, compute logs, ...
    assert any("dbt_target" in p.parts for p in files)  # dbt's artifacts (settings.py)
    dbt_log = DBT_PROJECT_DIR / "logs"
    files += [p for p in dbt_log.rglob("*") if p.is_file()] if dbt_log.exists() else []
    leaking = [p for p in files if key.encode() in p.read_bytes()]
    assert leaking == []
    for name in ("warehouse.duckdb", "monitor.duckdb"):
        assert key not in all_text(data_dir / name)
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        recorded = con.execute("select fingerprint, status from audit.pseudonym_key").fetchall()
    ((fingerprint, status),) = recorded
    assert status == "current" and fingerprint.startswith("scrypt$n=32768,r=8,p=1$")
    assert fingerprint_matches(fingerprint, key.encode())
    assert not fingerprint_matches(fingerprint, support.OTHER_KEY.encode())


def test_another_key_is_refused_before_anything_runs(pipeline_baseline, tmp_path: Path) -> None:
    baseline_dir, _ = pipeline_baseline
    data_dir = tmp_path / "data"
    shutil.copytree(baseline_dir, data_dir)
    before = (data_dir / "warehouse.duckdb").read_bytes()
    runs = support.run_statuses(data_dir)
    result = support.monitor(
        data_dir, "run", "--quarter", support.QUARTER, key=NEW_KEY, check=False
    )
    assert result.returncode == 1
    assert "is not the key this warehouse's pseudonyms were made with" in result.stderr
    assert "monitor rotate-key --confirm" in result.stderr
    assert (data_dir / "warehouse.duckdb").read_bytes() == before
    assert support.run_statuses(data_dir) == runs


def old_pseudonyms(warehouse: Path) -> set[int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        values = set()
        for table, column in (
            ("raw.signalen", "adres_sleutel"),
            ("raw.signalen", "bsn_pseudo"),
            ("raw.bag_adressen", "adres_pseudo"),
            ("raw.bag_adressen", "adres_sleutel"),
            ("raw.brp_personen", "bsn_pseudo"),
            ("raw.uitkeringen", "bsn_pseudo"),
            ("raw.schuldhulp", "bsn_pseudo"),
        ):
            values |= {
                v for (v,) in con.execute(f"select distinct {column} from {table}").fetchall()
            }
    values.discard(None)
    return values


@pytest.fixture(scope="module")
def rotated(pipeline_baseline, tmp_path_factory):
    """The baseline plus a quarter without landing files, rotated to NEW_KEY."""
    baseline_dir, _ = pipeline_baseline
    data_dir = tmp_path_factory.mktemp("rotation") / "data"
    shutil.copytree(baseline_dir, data_dir)
    with duckdb.connect(str(data_dir / "warehouse.duckdb")) as con:
        for table in [*household_tables(con), "audit.ingest_files"]:
            con.execute(
                f"insert into {table} by name select * replace ('{GONE}' as quarter) "
                f"from {table} where quarter = ?",
                [support.QUARTER],
            )
    unconfirmed = support.monitor(data_dir, "rotate-key", key=NEW_KEY, check=False)
    result = support.monitor(data_dir, "rotate-key", "--confirm", key=NEW_KEY)
    return {
        "data_dir": data_dir,
        "baseline_dir": baseline_dir,
        "unconfirmed": unconfirmed,
        "result": result,
    }


def test_rotation_needs_confirmation(rotated) -> None:
    assert rotated["unconfirmed"].returncode == 2
    assert "--confirm" in rotated["unconfirmed"].stderr


def test_rotation_leaves_no_pseudonym_of_the_old_key(rotated) -> None:
    old = old_pseudonyms(rotated["baseline_dir"] / "warehouse.duckdb")
    assert len(old) > 1000
    rows = all_rows(rotated["data_dir"] / "warehouse.duckdb")
    numbers = {v for row in rows for v in row if isinstance(v, int)}
    texts = {v for row in rows for v in row if isinstance(v, str)}
    assert not numbers & old  # in no column of any table (the marts' household keys too)
    assert not texts & {form for v in old for form in (f"{v:032x}", str(v))}  # nor as text
    new = old_pseudonyms(rotated["data_dir"] / "warehouse.duckdb")
    assert new <= numbers and len(new) == len(old)  # the same people and addresses, new pseudonyms
    with duckdb.connect(str(rotated["data_dir"] / "warehouse.duckdb"), read_only=True) as con:
        ((fingerprint, status),) = con.execute(
            "select fingerprint, status from audit.pseudonym_key"
        ).fetchall()
    assert status == "current" and fingerprint_matches(fingerprint, NEW_KEY.encode())
    assert not fingerprint_matches(fingerprint, support.KEY.encode())


def test_rotation_keeps_every_published_figure(rotated) -> None:
    data_dir, baseline_dir = rotated["data_dir"], rotated["baseline_dir"]
    after = support.table_rows(data_dir / "monitor.duckdb")
    before = support.table_rows(baseline_dir / "monitor.duckdb")
    for table in ("main.area_indicators", "main.buurt", "main.wijk", "main.gemeente"):
        assert after[table] == before[table], table
    # the candidate and the unsuppressed area figures are rebuilt identically too
    warehouse_after = support.table_rows(data_dir / "warehouse.duckdb", quarter=support.QUARTER)
    warehouse_before = support.table_rows(
        baseline_dir / "warehouse.duckdb", quarter=support.QUARTER
    )
    for table in ("disclosure.area_indicators_candidate", "main_monitor.mon_area_indicators"):
        assert warehouse_after[table] == warehouse_before[table], table


def test_a_quarter_without_landing_files_is_dropped_and_said_so(rotated) -> None:
    out = rotated["result"].stdout
    assert f"{GONE}: landing files gone" in out and "REMOVED" in out
    assert "destroy the old key" in out
    with duckdb.connect(str(rotated["data_dir"] / "warehouse.duckdb"), read_only=True) as con:
        for table in household_tables(con):
            n = con.execute(f"select count(*) from {table} where quarter = ?", [GONE]).fetchone()
            assert n == (0,), table
        logged = con.execute(
            "select count(*) from audit.retention_log where quarter = ? and reason like 'key%'",
            [GONE],
        ).fetchone()[0]
    assert logged > 0


def test_a_run_leaves_what_it_made_restricted_and_the_publication_shared(pipeline_baseline):
    """The real `monitor run` of the baseline (the test process's umask): the modes of
    orchestration/filemodes.py on what the command, Dagster and DuckDB made."""
    data_dir, _ = pipeline_baseline

    def mode(name: str) -> int:
        return (data_dir / name).stat().st_mode & 0o777

    folders = ("", "dagster_home", "landing", "dbt_target")
    assert {n: mode(n) for n in folders} == dict.fromkeys(folders, 0o700)
    assert {n: mode(n) for n in ("warehouse.duckdb", "run.lock")} == dict.fromkeys(
        ("warehouse.duckdb", "run.lock"), 0o600
    )
    assert mode("monitor.duckdb") == 0o644
    reports = list((data_dir / "reports").iterdir())
    assert reports and {p.stat().st_mode & 0o777 for p in reports} == {0o644}
