"""Deliveries: the warehouse is a function of the landing folder (issue 13, cases 1-4, 7, 9).

Renames, new versions, corrections and withdrawals in any order give the tables of a fresh
load of the files present; a file still being written waits; nothing in the landing folder is
skipped in silence; a line over the limit fails its file only; quarters are strict.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import tracemalloc
from pathlib import Path

import duckdb
import pytest
from dagster import AssetKey, DagsterInstance, ExecuteInProcessResult, materialize
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from orchestration.ingestion.deliveries import (
    StillBeingWritten,
    quarter_entries,
    read_delivered,
    scan,
)
from orchestration.ingestion.loader import CURRENT_FILES, ingest_source
from orchestration.ingestion.provenance import PROVENANCE_FILE
from orchestration.ingestion.pseudo import SIGNAAL
from orchestration.pseudonym import pseudonymise
from orchestration.quarters import is_quarter, parse_quarter

KEY = b"073618d399673b8f0b34a04478eb303433b44c2fc06a70cc662b3d1a30307135"  # random, as keygen makes them
QUARTER = "2026Q3"
HEADER = "signaal_id;signaaldatum;achterstand_bedrag;postcode;huisnummer"
LONG_AGO = 1_790_000_000
"""A modification time long past: the file has settled."""


def row(signaal_id: str, amount: str = "10,00") -> str:
    return f"{signaal_id};2026-07-15;{amount};1234AB;1"


def deliver(
    landing: Path,
    name: str,
    rows: list[str],
    mtime: float | None = LONG_AGO,
    source: str = "eneco",
    final_newline: bool = True,
) -> Path:
    """Write a file into landing/<quarter>/<source>/; ``mtime=None`` leaves it just written."""
    folder = landing / QUARTER / source
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(("\n".join([HEADER, *rows]) + ("\n" if final_newline else "")).encode())
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def ingest(con: duckdb.DuckDBPyConnection, landing: Path, source: str = "eneco", **kwargs):
    return ingest_source(con, QUARTER, source, landing, KEY, **kwargs)


def tables(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    """raw.signalen and audit.quarantine, sorted, and each current file's counts."""
    return {
        "raw.signalen": sorted(con.execute("SELECT * FROM raw.signalen").fetchall(), key=str),
        "audit.quarantine": sorted(
            con.execute("SELECT * FROM audit.quarantine").fetchall(), key=str
        ),
        "files": sorted(
            con.execute(
                "SELECT file_name, file_sha256, rows_read, rows_loaded, rows_quarantined, "
                f"file_modified_at FROM {CURRENT_FILES}"
            ).fetchall()
        ),
    }


def loaded_ids(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Signal id pseudonym -> the file its row was loaded from."""
    return dict(con.execute("SELECT signaal_id, file_name FROM raw.signalen ORDER BY 1").fetchall())


def sids(*signaal_ids: str) -> list[str]:
    """The pseudonyms raw.signalen holds for delivered signal ids, sorted."""
    return sorted(pseudonymise(KEY, SIGNAAL, i) for i in signaal_ids)


def fresh_load(landing: Path, tmp: Path) -> dict[str, list[tuple]]:
    """The tables of a new warehouse loaded from a copy of the landing folder (times kept)."""
    copy = tmp / "fresh"
    shutil.copytree(landing, copy)
    con = duckdb.connect()
    ingest(con, copy)
    return tables(con)


# --- case 1: a rename changes nothing, a new version replaces the old ----------------------


def test_a_renamed_file_keeps_its_rows_and_a_new_version_replaces_them(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    ids = [f"E{i}" for i in range(50)]
    first = deliver(landing, "eneco_2026Q3.csv", [row(i) for i in ids])
    con = duckdb.connect()
    ingest(con, landing)
    assert sorted(loaded_ids(con)) == sids(*ids)

    renamed = first.with_name("eneco_2026Q3_v1.csv")
    first.rename(renamed)  # a rename keeps the modification time
    report = ingest(con, landing)
    assert [(f.file_name, f.status, f.rows_loaded) for f in report.files] == [
        ("eneco_2026Q3_v1.csv", "loaded", 50)
    ]
    assert report.removed_files == ["eneco_2026Q3.csv"]
    assert set(loaded_ids(con).values()) == {"eneco_2026Q3_v1.csv"}
    assert con.execute("SELECT count(*) FROM audit.quarantine").fetchone()[0] == 0
    again = ingest(con, landing)
    assert [(f.status, f.rows_loaded) for f in again.files] == [("unchanged", 50)]
    assert sorted(loaded_ids(con)) == sids(*ids)

    # Version 2 beside version 1: the later delivery keeps its 45 keys, version 1's rows with
    # those keys are superseded, its 5 others stay (they are still delivered).
    deliver(landing, "eneco_2026Q3_v2.csv", [row(i, "20,00") for i in ids[:45]], LONG_AGO + 60)
    both = {f.file_name: f for f in ingest(con, landing).files}
    assert (both["eneco_2026Q3_v2.csv"].rows_loaded, both["eneco_2026Q3_v1.csv"].rows_loaded) == (
        45,
        5,
    )
    assert both["eneco_2026Q3_v1.csv"].reasons == {"superseded by eneco_2026Q3_v2.csv": 45}
    amounts = con.execute(
        "SELECT DISTINCT file_name, achterstand_bedrag FROM raw.signalen ORDER BY 1"
    ).fetchall()
    assert [(f, float(a)) for f, a in amounts] == [
        ("eneco_2026Q3_v1.csv", 10.0),
        ("eneco_2026Q3_v2.csv", 20.0),
    ]
    assert tables(con) == fresh_load(landing, tmp_path)

    # Version 1 withdrawn: its 5 rows go, nothing is quarantined any more.
    renamed.unlink()
    ingest(con, landing)
    assert sorted(loaded_ids(con)) == sids(*ids[:45])
    assert con.execute("SELECT count(*) FROM audit.quarantine").fetchone()[0] == 0


# --- case 2: the result does not depend on the order of delivery ----------------------------


def test_a_correction_wins_whatever_the_history(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    deliver(landing, "eneco_2026Q3.csv", [row(f"E{i}") for i in range(10)], LONG_AGO)
    history = duckdb.connect()
    ingest(history, landing)
    correction = [row(f"E{i}", "9999,99") for i in range(5)]
    deliver(landing, "a_correctie.csv", correction, LONG_AGO + 3600)  # delivered later
    report = ingest(history, landing)
    files = {f.file_name: f for f in report.files}
    assert (files["a_correctie.csv"].status, files["a_correctie.csv"].rows_loaded) == ("loaded", 5)
    assert files["eneco_2026Q3.csv"].status == "unchanged"  # the same bytes ...
    assert files["eneco_2026Q3.csv"].reasons == {"superseded by a_correctie.csv": 5}  # ... beaten
    amounts = history.execute(
        "SELECT count(*) FILTER (achterstand_bedrag = 9999.99), count(*) FROM raw.signalen"
    ).fetchone()
    assert amounts == (5, 10)
    assert tables(history) == fresh_load(landing, tmp_path)


# --- the property: any history ending in the same files gives a fresh load's tables -------

NAMES = ("eneco_2026Q3.csv", "eneco_2026Q3_v2.csv", "a_correctie.csv")
VERSIONS = (  # (rows, modification time): overlapping keys, a bad row, and pairs of versions
    # with equal times (so only the bytes tell a new version from the old, and ties go by name)
    ([row(f"E{i}") for i in range(6)], LONG_AGO),
    ([row(f"E{i}", "20,00") for i in range(1, 6)], LONG_AGO + 100),
    ([row("E2", "9999,99"), row("E4", "9999,99"), row("E2", "1,00")], LONG_AGO + 100),
    ([row("E6", "30,00"), row("E7", "0,00"), row("E5", "5,00")], LONG_AGO),
)
OPERATIONS = st.one_of(
    st.tuples(st.just("put"), st.sampled_from(NAMES), st.integers(0, len(VERSIONS) - 1)),
    st.tuples(st.just("remove"), st.sampled_from(NAMES), st.just(0)),
    st.tuples(st.just("rename"), st.sampled_from(NAMES), st.integers(0, len(NAMES) - 1)),
)


def apply(folder: Path, operation: tuple[str, str, int]) -> None:
    kind, name, arg = operation
    path = folder / name
    if kind == "put":  # a new file, a new version, or a re-delivery of the same one
        rows, mtime = VERSIONS[arg]
        path.write_bytes(("\n".join([HEADER, *rows]) + "\n").encode())
        os.utime(path, (mtime, mtime))
    elif kind == "remove":
        path.unlink(missing_ok=True)
    elif path.exists():
        path.rename(folder / NAMES[arg])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(history=st.lists(OPERATIONS, min_size=1, max_size=5))
@example(history=[("put", NAMES[0], 1), ("put", NAMES[0], 2)])  # new bytes, same time and name
@example(history=[("put", NAMES[0], 0), ("rename", NAMES[0], 1), ("put", NAMES[0], 1)])
@example(history=[("put", NAMES[0], 0), ("put", NAMES[2], 2), ("remove", NAMES[2], 0)])
def test_any_history_gives_the_tables_of_a_fresh_load(history) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        landing = Path(tmp) / "landing"
        folder = landing / QUARTER / "eneco"
        folder.mkdir(parents=True)
        con = duckdb.connect()
        for operation in history:
            apply(folder, operation)
            ingest(con, landing)  # a run after every delivery
        report = ingest(con, landing)
        assert all(f.status == "unchanged" for f in report.files)
        for f in report.files:
            assert f.rows_read == f.rows_loaded + f.rows_quarantined
        assert tables(con) == fresh_load(landing, Path(tmp))


# --- case 3: a file still being written -----------------------------------------------------


def test_a_file_cut_mid_row_while_being_copied_waits(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    rows = [row(f"E{i}") for i in range(20)]
    deliver(landing, "other.csv", [row("X1")])
    complete = ("\n".join([HEADER, *rows]) + "\n").encode()
    path = deliver(landing, "eneco_2026Q3.csv", rows[:10])  # an earlier, complete version
    con = duckdb.connect()
    ingest(con, landing)
    path.write_bytes(complete[: len(complete) - 12])  # the copy of a new version, cut mid-row

    report = ingest(con, landing)
    files = {f.file_name: f for f in report.files}
    cut = files["eneco_2026Q3.csv"]
    assert (cut.status, cut.rows_read) == ("waiting", 0)
    assert cut.error.startswith("eneco_2026Q3.csv: still being written")
    assert files["other.csv"].rows_loaded == 1
    # Its earlier rows are gone too: the warehouse holds what the complete files say.
    assert loaded_ids(con) == {sids("X1")[0]: "other.csv"}
    status = con.execute(
        f"SELECT status FROM {CURRENT_FILES} WHERE file_name = 'eneco_2026Q3.csv'"
    ).fetchone()
    assert status == ("waiting",)

    path.write_bytes(complete)  # the copy finished
    done = {f.file_name: f for f in ingest(con, landing).files}["eneco_2026Q3.csv"]
    assert (done.status, done.rows_loaded, done.rows_quarantined) == ("loaded", 20, 0)


def test_only_a_young_file_that_ends_mid_record_waits(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    rows = [row("A1"), row("A2")]
    # Complete, without a final newline (CONTRACTS.md accepts it), just written: loaded.
    deliver(landing, "a.csv", rows, mtime=None, final_newline=False)
    # Cut mid-row but long ago (a broken export, not a copy in progress): loaded, row quarantined.
    deliver(landing, "b.csv", [row("B1"), "B2;2026-07-15;10"], final_newline=False)
    # Cut mid-row, just written: waiting; with no settle time at all, it is loaded.
    deliver(landing, "c.csv", [row("C1"), "C2;2026-07-15;10"], mtime=None, final_newline=False)
    con = duckdb.connect()
    files = {
        f.file_name: (f.status, f.rows_loaded, f.rows_quarantined)
        for f in ingest(con, landing).files
    }
    assert files == {
        "a.csv": ("loaded", 2, 0),
        "b.csv": ("loaded", 1, 1),
        "c.csv": ("waiting", 0, 0),
    }
    settled = {f.file_name: f.status for f in ingest(con, landing, settle_seconds=0).files}
    assert settled["c.csv"] == "loaded"


def test_a_file_that_grows_after_the_scan_is_still_being_written(tmp_path: Path) -> None:
    path = deliver(tmp_path, "a.csv", [row("A1")])
    scanned = scan(path, now=time.time(), settle_seconds=120, max_line_bytes=1 << 20)
    with path.open("ab") as handle:
        handle.write(row("A2").encode() + b"\n")
    with pytest.raises(StillBeingWritten):
        read_delivered(scanned)


# --- case 7: a line over the limit fails its file, not the process -------------------------


def test_a_line_over_the_limit_fails_its_file_only_and_is_never_read_whole(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    deliver(landing, "good.csv", [row("G1"), row("G2")])
    folder = landing / QUARTER / "eneco"
    huge = folder / "huge.csv"
    with huge.open("wb") as handle:  # three good lines, then 24 MB without a line break
        handle.write(("\n".join([HEADER, row("H1"), row("H2")]) + "\n").encode())
        for _ in range(24):
            handle.write(b"x" * (1 << 20))
    os.utime(huge, (LONG_AGO, LONG_AGO))
    cr_only = folder / "mac.csv"  # old Mac Excel: CR line endings are line breaks too
    cr_only.write_bytes(("\r".join([HEADER, row("M1"), row("M2")]) + "\r").encode())
    os.utime(cr_only, (LONG_AGO, LONG_AGO))

    con = duckdb.connect()
    tracemalloc.start()
    try:
        report = ingest(con, landing, max_line_bytes=64 * 1024)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    files = {f.file_name: f for f in report.files}
    assert files["huge.csv"].status == "failed"
    assert files["huge.csv"].error.startswith("huge.csv: line 4 is longer than 65,536 bytes")
    assert (files["good.csv"].status, files["good.csv"].rows_loaded) == ("loaded", 2)
    assert (files["mac.csv"].status, files["mac.csv"].rows_loaded) == ("loaded", 2)
    assert peak < 8 * (1 << 20), f"{peak:,} bytes traced for a 24 MB file"


# --- case 4: nothing skipped in silence -----------------------------------------------------


def test_every_entry_that_is_not_loaded_is_listed_with_what_to_do(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    deliver(landing, "eneco.csv", [row("E1")])
    eneco = landing / QUARTER / "eneco"
    (eneco / "archief").mkdir()
    deliver(landing, "archief/old.csv", [row("E9")])
    (eneco / "export.txt").write_text("E2;2026-07-15;10;1234AB;1\n")
    (eneco / ".~lock.eneco.csv#").write_text("lock")
    deliver(landing, "waternet.csv", [row("W1")], source="Waternet")
    deliver(landing, "x.csv", [row("U1")], source="onbekend")
    (landing / QUARTER / "los.csv").write_text(HEADER + "\n")

    con = duckdb.connect()
    report = ingest(con, landing)
    assert {e.entry: e.blocking for e in report.not_loaded} == {
        f"{QUARTER}/eneco/.~lock.eneco.csv#": False,
        f"{QUARTER}/eneco/archief": False,
        f"{QUARTER}/eneco/export.txt": False,
    }
    assert all(e.todo for e in report.not_loaded)
    waternet = ingest(con, landing, "waternet")
    assert not waternet.folder_exists
    [misspelt] = waternet.not_loaded
    assert (misspelt.entry, misspelt.blocking) == (f"{QUARTER}/Waternet", True)
    assert f"rename it to {QUARTER}/waternet/" in misspelt.todo


def test_the_quarter_folder_lists_all_but_the_generators_marker(tmp_path: Path) -> None:
    """A stray file beside the source folders is listed; the generator's GENERATED.json is
    not (ingestion reads it into audit.quarter_provenance)."""
    landing = tmp_path / "landing"
    deliver(landing, "eneco.csv", [row("E1")])
    (landing / QUARTER / PROVENANCE_FILE).write_text('{"synthetic": true}')
    (landing / QUARTER / "los.csv").write_text(HEADER + "\n")
    assert [e.entry for e in quarter_entries(landing, QUARTER)] == [f"{QUARTER}/los.csv"]


def test_the_ingest_assets_report_it_and_block_the_quarter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through Dagster: the check fails on a misspelt folder and on a waiting file, and the
    metadata lists every entry that is not loaded."""
    from orchestration.assets.ingest import partner_ingest_assets, raw_signalen
    from orchestration.partitions import partition_key_for_quarter
    from orchestration.resources import MonitorResource

    monkeypatch.setenv("MONITOR_DEMO", "1")
    data_dir = tmp_path / "data"
    landing = data_dir / "landing"
    deliver(landing, "waternet.csv", [row("W1")], source="Waternet")
    deliver(landing, "eneco.csv", [row("E1"), "E2;2026-07-15"], mtime=None, final_newline=False)
    (landing / QUARTER / "notities.docx").write_bytes(b"PK\x03\x04")
    assets = {a.key: a for a in partner_ingest_assets}
    monitor = MonitorResource(data_dir=str(data_dir))

    def run(selection: list) -> ExecuteInProcessResult:
        return materialize(
            selection,
            partition_key=partition_key_for_quarter(QUARTER),
            resources={"monitor": monitor},
            instance=DagsterInstance.ephemeral(),
            raise_on_error=False,
        )

    result = run([assets[AssetKey(["raw", "signalen", s])] for s in ("eneco", "waternet")])
    checks = {e.asset_key.path[-1]: e for e in result.get_asset_check_evaluations()}
    assert not checks["waternet"].passed
    assert "rename it to 2026Q3/waternet/" in checks["waternet"].description
    assert not checks["eneco"].passed
    assert checks["eneco"].metadata["waiting_files"].value == ["eneco.csv"]
    metadata = {
        m.asset_key.path[-1]: m.materialization.metadata
        for m in result.get_asset_materialization_events()
    }
    assert "2026Q3/Waternet" in metadata["waternet"]["not_loaded"].value
    assert metadata["waternet"]["folder"].value == "missing"
    # The quarter folder's own entries are listed once, on raw/signalen.
    [signalen] = run([raw_signalen]).get_asset_materialization_events()
    quarter_level = signalen.materialization.metadata["landing_entries_not_loaded"].value
    assert "2026Q3/Waternet" in quarter_level and "2026Q3/notities.docx" in quarter_level


def test_a_missing_folder_keeps_earlier_rows_and_says_so(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    path = deliver(landing, "eneco.csv", [row("E1")])
    con = duckdb.connect()
    ingest(con, landing)
    path.unlink()
    path.parent.rmdir()
    report = ingest(con, landing)
    assert (report.folder_exists, report.kept_files) == (False, ["eneco.csv"])
    assert loaded_ids(con) == {sids("E1")[0]: "eneco.csv"}
    path.parent.mkdir()  # an empty folder withdraws the delivery
    assert ingest(con, landing).removed_files == ["eneco.csv"]
    assert loaded_ids(con) == {}


# --- case 9: strict quarters ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["2026Q3\n", "\u0662\u0660\u0662\u0666Q3", " 2026Q3", "2026q3", "2026Q5", "２０２６Q3"]
)
def test_only_an_exact_ascii_quarter_is_a_quarter(text: str) -> None:
    assert not is_quarter(text)
    with pytest.raises(ValueError, match="not a quarter"):
        parse_quarter(text)
    with pytest.raises(ValueError, match="not a quarter"):
        ingest_source(duckdb.connect(), text, "eneco", Path("/nonexistent"), KEY)


def test_a_quarter_is_parsed() -> None:
    assert is_quarter("2026Q3")
    assert parse_quarter("2026Q3") == (2026, 3)
