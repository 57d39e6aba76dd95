"""A file's chunks are staged as Parquet outside DuckDB's transaction (ingestion/staging.py):
the memory of a load does not grow with the file, the staged parts are private and hold no
clear identifier, and nothing is left behind, whether the load succeeds, fails or is killed."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest

from orchestration.ingestion import staging
from orchestration.ingestion.loader import ensure_schema, ingest_source
from orchestration.ingestion.pseudo import PSEUDONYM
from orchestration.ingestion.sources import spec_for

KEY = b"5c1f0e8a2b7d49c6a3e1f20b9d8c7a6e4f3b2a19c8d7e6f5a4b3c2d1e0f9a8b7"  # random, as keygen makes them
QUARTER = "2026Q3"
LONG_AGO = 1_790_000_000
REPO = Path(__file__).resolve().parents[1]
BSN = "111222333"  # passes the elfproef


def partner_file(landing: Path, rows: int, name: str = "eneco.csv") -> Path:
    """A partner file of ``rows`` valid signals (one row with a bad date at the end)."""
    i = pl.int_range(0, rows, eager=True)
    frame = pl.DataFrame(
        {
            "signaal_id": "ENE-" + i.cast(pl.String),
            "signaaldatum": pl.repeat("2026-07-15", rows, eager=True),
            "achterstand_bedrag": ((i % 9000) + 10).cast(pl.String) + ",50",
            "postcode": (1000 + i % 8999).cast(pl.String) + "AB",
            "huisnummer": (1 + i % 300).cast(pl.String),
            "bsn": pl.repeat(BSN, rows, eager=True),
        }
    )
    path = landing / QUARTER / "eneco" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.write_csv(path, separator=";")
    with path.open("a") as handle:
        handle.write(f"ENE-bad;2026-13-45;10,00;1234AB;1;{BSN}\n")
    os.utime(path, (LONG_AGO, LONG_AGO))
    return path


PEAK_RSS = """
import resource, sys
from pathlib import Path
import duckdb
from orchestration.ingestion.loader import ingest_source
con = duckdb.connect(sys.argv[2])
con.execute("SET memory_limit = '100MB'")
report = ingest_source(con, "2026Q3", "eneco", Path(sys.argv[1]), sys.argv[3].encode(),
                       chunk_rows=50_000, settle_seconds=0)
print(report.rows_loaded, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
"""


def peak_rss(landing: Path, warehouse: Path) -> tuple[int, int]:
    """Rows loaded and the peak resident memory (bytes) of a process loading the source."""
    done = subprocess.run(
        [sys.executable, "-c", PEAK_RSS, str(landing), str(warehouse), KEY.decode()],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    loaded, peak = done.stdout.splitlines()[-1].split()
    return int(loaded), int(peak)


def test_memory_of_a_load_does_not_grow_with_the_file(tmp_path: Path) -> None:
    """Loading 300,000 and 1,500,000 rows in chunks of 50,000 with DuckDB limited to 100 MB:
    the peaks differ by far less than the rows would take if the load held them (inserting
    the chunks inside the source's transaction kept them in memory: about 0.45 KiB a row,
    540 MiB more for the bigger file).

    What may grow is bounded, not proportional: DuckDB keeps written blocks cached up to its
    memory limit (100 MiB here; with the staged parts inserted unordered, session 29, the
    difference at 300,000 against 900,000 rows was 5-32 MiB alone and 59-77 MiB in runs of
    the whole suite), and the duplicate check keeps 20 bytes a row (24 MiB more). So the
    limit is 150 MiB. Keeping only the checked chunks, a deliberate bug (about 85 bytes a
    row, 100 MiB more), is caught only at times.

    Both files are several times the four chunks in flight: a file of only two chunks never
    has them all in flight, and its peak was 50-85 MiB lower than any longer file's (measured:
    100,000 rows 348-352 MiB, 300,000 398-430, 500,000 387-406, 900,000 403-423), which
    made a comparison with it fail on a quiet machine."""
    peaks = {}
    for rows in (300_000, 1_500_000):
        landing = tmp_path / f"landing{rows}"
        partner_file(landing, rows)
        loaded, peaks[rows] = peak_rss(landing, tmp_path / f"w{rows}.duckdb")
        assert loaded == rows
    assert peaks[1_500_000] - peaks[300_000] < 150 << 20, peaks


def test_staged_parts_are_private_hold_no_clear_values_and_are_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    partner_file(tmp_path / "landing", 20)
    warehouse = tmp_path / "warehouse.duckdb"
    real_insert = staging.StagedFile.insert
    seen: list[tuple[int, pl.DataFrame]] = []

    def inspect_then_insert(staged, con, spec, quarter, source):
        folder = staged._folder.parent
        assert folder.parent == tmp_path  # next to the warehouse
        parts = sorted(folder.rglob("*.parquet"))
        assert {p.name.split("-")[0] for p in parts} == {"rows", "quarantine"}
        frames = [pl.read_parquet(p) for p in parts]
        seen.append((stat.S_IMODE(folder.stat().st_mode), pl.concat(frames, how="diagonal")))
        real_insert(staged, con, spec, quarter, source)

    monkeypatch.setattr(staging.StagedFile, "insert", inspect_then_insert)
    with duckdb.connect(str(warehouse)) as con:
        report = ingest_source(con, QUARTER, "eneco", tmp_path / "landing", KEY, settle_seconds=0)
        assert (report.rows_loaded, report.rows_quarantined) == (20, 1)
    [(mode, staged)] = seen
    assert mode == 0o700
    assert staged.height == 21
    for column in staged.columns:
        values = staged.get_column(column).cast(pl.String)
        assert not values.str.contains(BSN, literal=True).any(), column
        assert not values.str.contains("ENE-", literal=True).any(), column  # pseudonymised
    assert not list(tmp_path.glob(f"{staging.FOLDER_PREFIX}*"))


def test_a_failed_load_leaves_no_parts_and_no_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    partner_file(tmp_path / "landing", 20)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(staging.StagedFile, "insert", interrupted)
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        with pytest.raises(KeyboardInterrupt):
            ingest_source(con, QUARTER, "eneco", tmp_path / "landing", KEY, settle_seconds=0)
        assert con.execute("select count(*) from raw.signalen").fetchone() == (0,)
    assert not list(tmp_path.glob(f"{staging.FOLDER_PREFIX}*"))


def test_folders_of_processes_that_ended_are_removed(tmp_path: Path) -> None:
    """A killed load leaves its folder; the next load next to the warehouse removes it, but
    not the folder of a process that still runs."""
    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead = tmp_path / f"{staging.FOLDER_PREFIX}{ended.stdout.strip()}-abc"
    alive = tmp_path / f"{staging.FOLDER_PREFIX}{os.getppid()}-def"
    for folder in (dead, alive):
        (folder / "file-x").mkdir(parents=True)
        (folder / "file-x" / "rows-000000.parquet").write_bytes(b"PAR1")
    partner_file(tmp_path / "landing", 5)
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        ingest_source(con, QUARTER, "eneco", tmp_path / "landing", KEY, settle_seconds=0)
    assert not dead.exists()
    assert alive.exists()


def staged_brp(con: duckdb.DuckDBPyConnection, rows: int, parts: int) -> staging.StagedFile:
    """``parts`` staged parts of ``rows`` checked BRP rows each (no quarantined lines), in a
    warehouse with the raw tables."""
    ensure_schema(con)
    staged = staging.StagedFile(staging.new_folder(con), "brp_personen.csv")
    no_rejects = pl.DataFrame(schema={"line_number": pl.Int64, "reason": pl.String})
    for part in range(parts):
        i = pl.int_range(part * rows, (part + 1) * rows, eager=True)
        frame = pl.DataFrame(
            {
                "line_number": i + 2,
                "bsn_pseudo": i.cast(PSEUDONYM),
                "adres_pseudo": (i // 2).cast(PSEUDONYM),
                "leeftijd": (i % 90).cast(pl.Int32),
            }
        )
        staged.add(frame, no_rejects)
    return staged


def test_parts_bigger_than_a_row_group_go_into_whole_row_groups(tmp_path: Path) -> None:
    """Two staged parts of a million rows (the chunk size of a big file) go into as few row
    groups as they fill, give or take one, so the next checkpoint has nothing to merge. An
    insert in the parts' order left a partly filled row group at the end of every Parquet row
    group Polars wrote (32 row groups here instead of 17), which DuckDB's vacuum rewrote at
    the close of every national ingest step (2.7-6.8 s each). The database's own setting is
    left as it was."""
    rows, parts = 1_000_000, 2
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        staged = staged_brp(con, rows, parts)
        staged.insert(con, spec_for("brp_personen"), QUARTER, "brp_personen")
        row_groups, row_group_rows, loaded = con.execute(
            "select count(distinct row_group_id), max(count), "
            "(select count(*) from raw.brp_personen) from pragma_storage_info('raw.brp_personen')"
        ).fetchone()
        assert loaded == parts * rows
        fewest = -(-loaded // row_group_rows)
        assert fewest <= row_groups <= fewest + 1, (row_groups, fewest)
        assert con.execute("select current_setting('preserve_insertion_order')").fetchone() == (
            True,
        )


def test_a_failed_insert_raises_its_own_error(tmp_path: Path) -> None:
    """An insert that fails inside the source's transaction aborts it, and DuckDB then refuses
    to restore the setting: the error that goes on is still the insert's own (a missing part),
    not the refusal."""
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        staged = staged_brp(con, rows=10, parts=1)
        for part in staged._folder.glob("*.parquet"):
            part.unlink()
        con.execute("BEGIN TRANSACTION")
        with pytest.raises(duckdb.IOException, match="parquet"):
            staged.insert(con, spec_for("brp_personen"), QUARTER, "brp_personen")
        con.execute("ROLLBACK")
