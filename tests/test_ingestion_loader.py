"""Loading: validation and quarantine, reconciliation, redelivery, transactions, the sources."""

from __future__ import annotations

import itertools
import os
import tempfile
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from orchestration.ingestion import chunks, dedup, loader, staging
from orchestration.ingestion.loader import ensure_schema, ingest_source
from orchestration.ingestion.pseudo import HUISNUMMER, PC4, SIGNAAL
from orchestration.ingestion.sources import MUNICIPAL_SOURCES
from orchestration.pseudonym import adres_sleutel, pseudonymise

KEY = b"59f9a3699913d26f1831d6df95086b76c1c0064bf1660800f8a29082d670e171"  # random, as keygen makes them


def sid(signaal_id: str) -> int:
    """The pseudonym raw tables hold for a delivered signal id."""
    return pseudonymise(KEY, SIGNAAL, signaal_id)


QUARTER = "2026Q3"


DELIVERED = itertools.count(1_790_000_000)
"""Modification times of written files: one second apart, in the order written, long ago (a
file modified just now may still be being written: tests/test_deliveries.py)."""


def write(landing: Path, source: str, name: str, lines: list[str], quarter: str = QUARTER) -> Path:
    folder = landing / quarter / source
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    delivered(path)
    return path


def delivered(path: Path) -> None:
    """Set the file's modification time to the next delivery time."""
    mtime = next(DELIVERED)
    os.utime(path, (mtime, mtime))


def ingest(con, landing: Path, source: str, **kwargs) -> loader.IngestReport:
    return ingest_source(con, QUARTER, source, landing, KEY, **kwargs)


def snapshot(con) -> dict[str, list[tuple]]:
    """Every row of every raw and audit table (ingested_at left out, and the key fingerprint,
    salted anew for every warehouse)."""
    tables = con.execute(
        "SELECT table_schema, table_name FROM information_schema.tables "
        "WHERE table_schema IN ('raw', 'audit') ORDER BY 1, 2"
    ).fetchall()
    out = {}
    for schema, table in tables:
        columns = [
            c for (c,) in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND "
                "table_name = ? AND column_name NOT IN ('ingested_at', 'fingerprint') "
                "ORDER BY ordinal_position",
                [schema, table],
            ).fetchall()
        ]  # fmt: skip
        out[f"{schema}.{table}"] = sorted(
            con.execute(f"SELECT {', '.join(columns)} FROM {schema}.{table}").fetchall(), key=str
        )
    return out


SIGNAL_HEADER = (
    "signaal_id;signaaldatum;startdatum_achterstand;achterstand_bedrag;dagen_achterstand;"
    "crisissignaal;postcode;huisnummer;partner_type;bsn"
)

# One row per rule, in file order (line 2 onwards); the reason each must get (None = loaded).
RULE_ROWS = [
    ("V1;2026-07-15;2026-05-01;100,00;;ja;1234AB;12;;111222333", None),
    ("V2;2026-07-15;;100;45;nee;1234AB;12;;123456789", None),  # invalid BSN: NULL bsn_pseudo
    (";2026-07-15;;100;;;1234AB;12;;", "missing required field signaal_id"),
    ("R2;;;100;;;1234AB;12;;", "missing required field signaaldatum"),
    ("R3;2026-07-15;;;;;1234AB;12;;", "missing required field achterstand_bedrag"),
    ("R4;2026-07-15;;100;;;;12;;", "missing required field postcode"),
    ("R5;2026-07-15;;100;;;1234AB;-;;", "missing required field huisnummer"),
    ("R6;15-15-2026;;100;;;1234AB;12;;", "invalid date in signaaldatum"),
    ("R7;2026-10-01;;100;;;1234AB;12;;", "signaaldatum after quarter end"),
    ("R8;2026-07-15;32-01-2026;100;;;1234AB;12;;", "invalid date in startdatum_achterstand"),
    ("R9;2026-07-15;;veel;;;1234AB;12;;", "invalid amount in achterstand_bedrag"),
    ("R10;2026-07-15;;0,00;;;1234AB;12;;", "amount must be > 0"),
    ("R11;2026-07-15;;-5;;;1234AB;12;;", "amount must be > 0"),
    ("R12;2026-07-15;;100;tien;;1234AB;12;;", "invalid number in dagen_achterstand"),
    ("R13;2026-07-15;;100;;misschien;1234AB;12;;", "invalid boolean in crisissignaal"),
    ("R14;2026-07-15;;100;;;1234A;12;;", "invalid postcode"),
    ("R15;2026-07-15;;100;;;1234AB;nul;;", "invalid huisnummer"),
    ("R16;2026-07-15;;100;;;1234AB;12;bakker;", "unknown partner_type"),
    ("R17;2026-07-15;;100;;;1234AB", "wrong number of fields: 7, expected 10"),
    ("R18;2026-07-15;;100;;;1234AB;12;;;;", "wrong number of fields: 12, expected 10"),
    ("V1;2026-07-16;;100;;;1234AB;12;;", "duplicate signaal_id"),
    ("V3;2026-09-30;;1.234.567,89;;;1234AB;12;Water;", None),  # explicit partner_type
    ("R19;2026-07-15;2026-08-01;100;;;1234AB;12;;", None),  # start after signal: no days
]


def test_every_rule_quarantines_with_its_reason_and_line(tmp_path: Path) -> None:
    BSN_PSEUDO = pseudonymise(KEY, "bsn", "111222333")
    write(tmp_path, "eneco", "rules.csv", [SIGNAL_HEADER, *[row for row, _ in RULE_ROWS]])
    con = duckdb.connect()
    (file,) = ingest(con, tmp_path, "eneco").files
    expected_bad = {i + 2: reason for i, (_, reason) in enumerate(RULE_ROWS) if reason}
    got = dict(con.execute("SELECT line_number, reason FROM audit.quarantine").fetchall())
    assert got == expected_bad
    loaded = con.execute("SELECT line_number FROM raw.signalen ORDER BY 1").fetchall()
    assert [n for (n,) in loaded] == [i + 2 for i, (_, r) in enumerate(RULE_ROWS) if r is None]
    assert file.rows_read == len(RULE_ROWS)
    assert file.rows_read == file.rows_loaded + file.rows_quarantined
    rows = con.execute(
        "SELECT signaal_id, partner_code, partner_type, achterstand_bedrag, dagen_achterstand, "
        "crisissignaal, bsn_pseudo FROM raw.signalen ORDER BY line_number"
    ).fetchall()
    assert rows == [
        (sid("V1"), "eneco", "energie", Decimal("100.00"), 75, True, BSN_PSEUDO),
        (sid("V2"), "eneco", "energie", Decimal("100.00"), 45, False, None),
        (sid("V3"), "eneco", "water", Decimal("1234567.89"), None, None, None),
        (sid("R19"), "eneco", "energie", Decimal("100.00"), None, None, None),
    ]  # fmt: skip


def test_address_pseudonyms_match_the_pseudonym_module(tmp_path: Path) -> None:
    write(tmp_path, "eneco", "a.csv", [SIGNAL_HEADER, "A1;2026-07-15;;10;;;1234 ab;12-3;;"])
    con = duckdb.connect()
    ingest(con, tmp_path, "eneco")
    row = con.execute(
        "SELECT pc4_sleutel, adres_sleutel, sleutel_exact FROM raw.signalen"
    ).fetchone()
    assert row == (pseudonymise(KEY, PC4, "1234"), adres_sleutel(KEY, "1234AB", 12),
                   pseudonymise(KEY, HUISNUMMER, "1234AB:12::3"))  # fmt: skip


def test_a_warehouse_with_hex_pseudonyms_is_migrated_value_for_value(tmp_path: Path) -> None:
    """Migration 11: a warehouse made before it holds pseudonyms as 32 hex characters; the next
    load turns them into UHUGEINT in place, equal to what a new load makes, so the earlier
    rows keep linking to the new ones (no re-ingestion)."""
    write(tmp_path, "eneco", "a.csv", [SIGNAL_HEADER, "A1;2026-07-15;;10;;;1234 ab;12-3;;"])
    con = duckdb.connect()
    ingest(con, tmp_path, "eneco")
    columns = ("signaal_id", "pc4_sleutel", "adres_sleutel", "sleutel_exact")
    new = con.execute(f"SELECT {', '.join(columns)} FROM raw.signalen").fetchone()
    for name in columns:  # as the code before migration 11 wrote it
        con.execute(
            f"ALTER TABLE raw.signalen ALTER {name} TYPE VARCHAR USING printf('%032x', {name})"
        )
    assert con.execute("SELECT signaal_id FROM raw.signalen").fetchone()[0] == f"{sid('A1'):032x}"
    earlier = "2026Q2"  # loading another quarter migrates the table and leaves this one's rows
    write(
        tmp_path, "eneco", "b.csv", [SIGNAL_HEADER, "B1;2026-06-16;;10;;;1234 ab;12-3;;"], earlier
    )
    ingest_source(con, earlier, "eneco", tmp_path, KEY)
    rows = con.execute(f"SELECT {', '.join(columns)} FROM raw.signalen ORDER BY quarter").fetchall()
    assert rows == [(sid("B1"), *new[1:]), new]
    types = con.execute(
        "SELECT DISTINCT data_type FROM information_schema.columns WHERE table_schema = 'raw' "
        f"AND column_name IN {columns}"
    ).fetchall()
    assert types == [("UHUGEINT",)]


def test_the_migration_converts_pseudonym_columns_of_every_table_and_nothing_else() -> None:
    """The marts keep earlier quarters (incremental): their pseudonym columns are converted too;
    a VARCHAR column of another name, and a view, are left as they are."""
    con = duckdb.connect()
    ensure_schema(con)
    hex_values = [f"{sid(v):032x}" for v in ("A1", "A2")]
    con.execute("CREATE SCHEMA main_marts")
    con.execute(
        "CREATE TABLE main_marts.fct_signalen AS SELECT * FROM (VALUES (?, ?, 'GM0363'), "
        "(?, NULL, 'GM0363')) t(signaal_id, huishouden_id, gemeentecode)",
        [hex_values[0], hex_values[1], hex_values[1]],
    )
    con.execute("CREATE VIEW main_marts.v AS SELECT signaal_id FROM main_marts.fct_signalen")
    converted = loader.compact_pseudonyms(con)
    assert converted == [
        "main_marts.fct_signalen.huishouden_id",
        "main_marts.fct_signalen.signaal_id",
    ]
    rows = con.execute("SELECT * FROM main_marts.fct_signalen ORDER BY signaal_id").fetchall()
    assert sorted(rows) == sorted([(sid("A1"), sid("A2"), "GM0363"), (sid("A2"), None, "GM0363")])
    assert loader.compact_pseudonyms(con) == []  # once only


def test_the_migration_refuses_a_column_that_is_not_hex_and_changes_nothing() -> None:
    """A pseudonym column saved as decimal text (or anything but 32 hex characters) would be
    misread: the migration names it and converts no column at all."""
    con = duckdb.connect()
    ensure_schema(con)
    con.execute("CREATE SCHEMA main_marts")
    con.execute(
        "CREATE TABLE main_marts.a AS SELECT ? AS huishouden_id", [f"{sid('A1'):032x}"]
    )  # fine on its own, converted only with the rest
    con.execute("CREATE TABLE main_marts.b AS SELECT ? AS signaal_id", [str(sid("A1"))])
    with pytest.raises(loader.PseudonymMigrationError, match=r"main_marts\.b\.signaal_id .* 1 of"):
        loader.compact_pseudonyms(con)
    types = con.execute(
        "SELECT data_type FROM information_schema.columns WHERE table_schema = 'main_marts' "
        "ORDER BY table_name"
    ).fetchall()
    assert types == [("VARCHAR",), ("VARCHAR",)]


def test_reconciliation_on_every_file(tmp_path: Path) -> None:
    write(tmp_path, "eneco", "a.csv", [SIGNAL_HEADER, *[row for row, _ in RULE_ROWS]])
    write(tmp_path, "eneco", "b.csv", [SIGNAL_HEADER, "B1;2026-07-15;;10;;;1234AB;1;;", "x;y"])
    write(tmp_path, "eneco", "c.CSV", [SIGNAL_HEADER, "C1;2026-07-15;;10;;;1234AB;1;;"])
    (tmp_path / QUARTER / "eneco" / "._c.CSV").write_bytes(b"\x00\x05\x16\x07 AppleDouble")
    (tmp_path / QUARTER / "eneco" / "notes.txt").write_text("not a delivery")
    (tmp_path / QUARTER / "eneco" / "archive").mkdir()
    con = duckdb.connect()
    report = ingest(con, tmp_path, "eneco")
    assert [f.file_name for f in report.files] == ["a.csv", "b.csv", "c.CSV"]
    assert [e.entry for e in report.not_loaded] == [
        f"{QUARTER}/eneco/._c.CSV",
        f"{QUARTER}/eneco/archive",
        f"{QUARTER}/eneco/notes.txt",
    ]
    for f in report.files:
        assert f.rows_read == f.rows_loaded + f.rows_quarantined
        in_raw = con.execute(
            "SELECT count(*) FROM raw.signalen WHERE file_name = ?", [f.file_name]
        ).fetchone()[0]
        in_quarantine = con.execute(
            "SELECT count(*) FROM audit.quarantine WHERE file_name = ?", [f.file_name]
        ).fetchone()[0]
        assert (in_raw, in_quarantine) == (f.rows_loaded, f.rows_quarantined)
    bad = con.execute(
        "SELECT count(*) FROM audit.ingest_files WHERE rows_read <> rows_loaded + rows_quarantined"
    ).fetchone()[0]
    assert bad == 0
    assert report.rows_read == report.rows_loaded + report.rows_quarantined
    assert report.top_reasons[0] == ("amount must be > 0", 2)


def test_unknown_columns_are_ignored_and_reported(tmp_path: Path) -> None:
    header = SIGNAL_HEADER + ";Opmerking;Naam klant;Telefoon"
    write(tmp_path, "eneco", "a.csv", [header, "A1;2026-07-15;;10;;;1234AB;1;;;tekst;Jan;06-1"])
    con = duckdb.connect()
    (file,) = ingest(con, tmp_path, "eneco").files
    assert file.unknown_columns == ["Opmerking"]  # Naam klant and Telefoon are known (personal)
    assert file.rows_loaded == 1


def test_partner_header_mapping_and_canonical_names(tmp_path: Path) -> None:
    write(tmp_path, "vattenfall", "v.csv", [
        "SignalID,SignalDate,ArrearsSince,AmountDue,DaysOverdue,EndOfSupply,ZipCode,HouseNumber,"
        "CustomerName,Email,Street,City",
        'VF1,2026-08-01,2026-06-01,"1,234.50",61,true,1011 AB,5-2,Jan Smit,jan@example.org,'
        "Damrak,Amsterdam",
    ])  # fmt: skip
    # A partner may always use the canonical names, whatever its registry mapping says.
    write(tmp_path, "ymere", "canonical.csv", [SIGNAL_HEADER, "Y1;2026-07-15;;10;;;1234AB;1;;"])
    # ... and its own names (ymere: Huurachterstand -> achterstand_bedrag, BSN -> bsn).
    write(tmp_path, "ymere", "own.csv", [
        "Dossiernummer;Signaaldatum;Huurachterstand;Postcode;Huisnummer;Huisletter;"
        "Huisnummertoevoeging;Huurder;BSN;Dreigende ontruiming",
        "Y2;01-08-2026;€ 850,00;1011AB;7;b;2;Piet Bakker;111222333;ja",
    ])  # fmt: skip
    con = duckdb.connect()
    (vf,) = ingest(con, tmp_path, "vattenfall").files
    ymere = ingest(con, tmp_path, "ymere").files
    assert (vf.status, vf.rows_loaded, vf.unknown_columns) == ("loaded", 1, [])
    assert [(f.rows_loaded, f.unknown_columns) for f in ymere] == [(1, []), (1, [])]
    rows = con.execute(
        "SELECT partner_code, partner_type, signaal_id, achterstand_bedrag, dagen_achterstand, "
        "eindelevering, crisissignaal, sleutel_exact, "
        "bsn_pseudo IS NOT NULL FROM raw.signalen ORDER BY partner_code, file_name"
    ).fetchall()
    h = {n: pseudonymise(KEY, HUISNUMMER, n) for n in ("1011AB:5::2", "1234AB:1::", "1011AB:7:B:2")}
    assert rows == [
        ("vattenfall", "energie", sid("VF1"), Decimal("1234.50"), 61, True, None, h["1011AB:5::2"],
         False),
        ("ymere", "huur", sid("Y1"), Decimal("10.00"), None, None, None, h["1234AB:1::"], False),
        ("ymere", "huur", sid("Y2"), Decimal("850.00"), None, None, True, h["1011AB:7:B:2"], True),
    ]  # fmt: skip


def test_redelivery_unchanged_then_corrected_then_removed(tmp_path: Path) -> None:
    path = write(tmp_path, "eneco", "signalen.csv", [SIGNAL_HEADER,
        "A1;2026-07-15;;10;;;1234AB;1;;", "A2;2026-07-15;;0;;;1234AB;1;;"])  # fmt: skip
    other = write(tmp_path, "eneco", "other.csv", [SIGNAL_HEADER, "B1;2026-07-15;;10;;;1234AB;1;;"])
    con = duckdb.connect()
    first = ingest(con, tmp_path, "eneco")
    assert [f.status for f in first.files] == ["loaded", "loaded"]
    before = snapshot(con)

    again = ingest(con, tmp_path, "eneco")
    assert [f.status for f in again.files] == ["unchanged", "unchanged"]
    assert [(f.rows_read, f.rows_loaded, f.rows_quarantined) for f in again.files] == [
        (f.rows_read, f.rows_loaded, f.rows_quarantined) for f in first.files
    ]
    after = snapshot(con)
    assert {t: rows for t, rows in after.items() if t != "audit.ingest_files"} == {
        t: rows for t, rows in before.items() if t != "audit.ingest_files"
    }
    # The redelivery is on record as `unchanged`, with the counts of the load it matched.
    assert sorted(after["audit.ingest_files"]) == sorted(
        before["audit.ingest_files"]
        + [(*row[:7], "unchanged", *row[8:]) for row in before["audit.ingest_files"]]
    )

    # A corrected file under the same name replaces that file's rows and quarantine rows.
    write(tmp_path, "eneco", "signalen.csv", [SIGNAL_HEADER,
        "A1;2026-07-15;;10;;;1234AB;1;;", "A2;2026-07-15;;20;;;1234AB;1;;",
        "A3;2026-07-15;;30;;;9999ZZ;1;;"])  # fmt: skip
    corrected = ingest(con, tmp_path, "eneco")
    statuses = {f.file_name: f.status for f in corrected.files}
    assert statuses == {"other.csv": "unchanged", "signalen.csv": "replaced"}
    assert con.execute("SELECT count(*) FROM audit.quarantine").fetchone()[0] == 0
    ids = con.execute("SELECT signaal_id FROM raw.signalen ORDER BY 1").fetchall()
    assert ids == sorted((sid(i),) for i in ("A1", "A2", "A3", "B1"))
    history = con.execute(
        "SELECT status, rows_read, rows_loaded, rows_quarantined FROM audit.ingest_files "
        "WHERE file_name = 'signalen.csv' ORDER BY ingested_at"
    ).fetchall()
    assert history == [("loaded", 2, 1, 1), ("unchanged", 2, 1, 1), ("replaced", 3, 3, 0)]

    # A file that disappeared from the folder: its rows go.
    other.unlink()
    removed = ingest(con, tmp_path, "eneco")
    assert removed.removed_files == ["other.csv"]
    assert (
        con.execute("SELECT count(*) FROM raw.signalen WHERE file_name = 'other.csv'").fetchone()[0]
        == 0
    )
    assert (
        con.execute(
            "SELECT count(*) FROM audit.ingest_files WHERE file_name = 'other.csv'"
        ).fetchone()[0]
        == 0
    )

    # A file that became unreadable: failed, and its earlier rows are removed.
    path.write_bytes(b"\x00\x01binary")
    delivered(path)
    broken = ingest(con, tmp_path, "eneco")
    assert [(f.status, f.rows_read) for f in broken.files] == [("failed", 0)]
    assert con.execute("SELECT count(*) FROM raw.signalen").fetchone()[0] == 0
    n_audit = con.execute("SELECT count(*) FROM audit.ingest_files").fetchone()[0]
    # The same broken bytes again: still failed, no new audit row.
    assert [f.status for f in ingest(con, tmp_path, "eneco").files] == ["failed"]
    assert con.execute("SELECT count(*) FROM audit.ingest_files").fetchone()[0] == n_audit


def test_a_missing_landing_folder_removes_nothing(tmp_path: Path) -> None:
    folder = write(
        tmp_path, "eneco", "a.csv", [SIGNAL_HEADER, "A1;2026-07-15;;10;;;1234AB;1;;"]
    ).parent
    con = duckdb.connect()
    ingest(con, tmp_path, "eneco")
    (folder / "a.csv").unlink()
    folder.rmdir()
    report = ingest(con, tmp_path, "eneco")
    assert (report.folder_exists, report.files, report.removed_files) == (False, [], [])
    assert con.execute("SELECT count(*) FROM raw.signalen").fetchone()[0] == 1


def test_rows_deleted_behind_our_back_are_reloaded(tmp_path: Path) -> None:
    write(tmp_path, "eneco", "a.csv", [SIGNAL_HEADER, "A1;2026-07-15;;10;;;1234AB;1;;"])
    con = duckdb.connect()
    ingest(con, tmp_path, "eneco")
    con.execute("DELETE FROM raw.signalen")
    (file,) = ingest(con, tmp_path, "eneco").files
    assert (file.status, file.rows_loaded) == ("replaced", 1)
    assert con.execute("SELECT count(*) FROM raw.signalen").fetchone()[0] == 1


def test_force_reloads_everything(tmp_path: Path) -> None:
    write(tmp_path, "eneco", "a.csv", [SIGNAL_HEADER, "A1;2026-07-15;;10;;;1234AB;1;;"])
    con = duckdb.connect()
    ingest(con, tmp_path, "eneco")
    before = snapshot(con)["raw.signalen"]
    (file,) = ingest(con, tmp_path, "eneco", force=True).files
    assert file.status == "replaced"
    assert snapshot(con)["raw.signalen"] == before


def test_missing_required_column_fails_that_file_only(tmp_path: Path) -> None:
    write(tmp_path, "eneco", "a_bad.csv", ["signaal_id;signaaldatum;postcode;huisnummer",
                                           "A1;2026-07-15;1234AB;1"])  # fmt: skip
    write(tmp_path, "eneco", "b_good.csv", [SIGNAL_HEADER, "B1;2026-07-15;;10;;;1234AB;1;;"])
    bag_lines = [
        "adres_id;postcode;huisnummer;gebruiksdoel",
        "0363200000000001;1234AB;1;woonfunctie",
    ]
    write(tmp_path, "bag_adressen", "bag.csv", bag_lines)
    con = duckdb.connect()
    report = ingest(con, tmp_path, "eneco")
    statuses = [(f.file_name, f.status) for f in report.files]
    assert statuses == [("a_bad.csv", "failed"), ("b_good.csv", "loaded")]
    assert report.files[0].error == "a_bad.csv: missing required column achterstand_bedrag"
    bag = ingest(con, tmp_path, "bag_adressen")
    assert [(f.status, f.rows_loaded) for f in bag.files] == [("loaded", 1)]


def test_duplicates_within_and_across_files_and_chunks(tmp_path: Path) -> None:
    rows = [f"D{i};2026-07-15;;10;;;1234AB;1;;" for i in (1, 2, 3, 2, 4, 1)]
    write(tmp_path, "eneco", "a.csv", [SIGNAL_HEADER, *rows])
    write(tmp_path, "eneco", "b.csv", [SIGNAL_HEADER, "D4;2026-07-15;;10;;;1234AB;1;;",
                                       "D5;2026-07-15;;10;;;1234AB;1;;"])  # fmt: skip
    write(tmp_path, "vitens", "v.csv", [SIGNAL_HEADER, "D1;2026-07-15;;10;;;1234AB;1;;"])
    results = []
    for chunk_rows in (1_000_000, 2):
        con = duckdb.connect()
        eneco = ingest(con, tmp_path, "eneco", chunk_rows=chunk_rows)
        vitens = ingest(con, tmp_path, "vitens", chunk_rows=chunk_rows)
        assert [f.rows_quarantined for f in eneco.files] == [3, 0]
        assert vitens.files[0].rows_loaded == 1  # unique within the partner, not across partners
        results.append(snapshot(con))
    assert results[0] == results[1]
    dups = results[0]["audit.quarantine"]
    # b.csv is the later delivery: it keeps D4, and a.csv's D4 is superseded by it.
    assert [(r[2], r[3], r[4]) for r in dups] == [
        ("a.csv", 5, "duplicate signaal_id"),
        ("a.csv", 6, "superseded by b.csv"),
        ("a.csv", 7, "duplicate signaal_id"),
    ]


def test_a_crash_leaves_the_tables_as_they_were(tmp_path: Path, monkeypatch) -> None:
    write(tmp_path, "eneco", "a.csv", [SIGNAL_HEADER, "A1;2026-07-15;;10;;;1234AB;1;;"])
    con = duckdb.connect()
    ingest(con, tmp_path, "eneco")
    before = snapshot(con)
    write(tmp_path, "eneco", "a.csv", [SIGNAL_HEADER, "A9;2026-07-15;;10;;;1234AB;1;;"])
    write(tmp_path, "eneco", "b.csv", [SIGNAL_HEADER, "B1;2026-07-15;;10;;;1234AB;1;;"])
    real_record = loader._record
    calls = []

    def crash_on_second_file(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt  # e.g. the process is stopped half-way
        return real_record(*args, **kwargs)

    monkeypatch.setattr(loader, "_record", crash_on_second_file)
    with pytest.raises(KeyboardInterrupt):
        ingest(con, tmp_path, "eneco")
    assert snapshot(con) == before


def test_an_internal_error_fails_the_file_without_leaking_values(
    tmp_path: Path, monkeypatch
) -> None:
    write(tmp_path, "eneco", "a.csv", [SIGNAL_HEADER, "A1;2026-07-15;;10;;;1234AB;1;;111222333"])
    write(tmp_path, "eneco", "b.csv", [SIGNAL_HEADER, "B1;2026-07-15;;10;;;1234AB;1;;"])

    def broken_build(valid, spec, ctx):
        if "A1" in valid.get_column("signaal_id").to_list():
            raise ValueError("could not handle value '111222333'")
        return real_build(valid, spec, ctx)

    real_build = chunks.build
    monkeypatch.setattr(chunks, "build", broken_build)
    con = duckdb.connect()
    report = ingest(con, tmp_path, "eneco")
    assert [f.status for f in report.files] == ["failed", "loaded"]
    assert (
        report.files[0].error == "a.csv: could not be ingested (internal ValueError; see the log)"
    )
    assert con.execute("SELECT count(*) FROM raw.signalen").fetchone()[0] == 1


def test_an_error_in_the_background_insert_fails_that_file_only(
    tmp_path: Path, monkeypatch
) -> None:
    """Chunks are staged in a background thread; an error there, after earlier chunks of
    the file were staged, still fails just that file and leaves none of its rows."""
    rows = [f"C{i};2026-07-15;;10;;;1234AB;1;;" for i in range(5)]
    write(tmp_path, "eneco", "a.csv", [SIGNAL_HEADER, *rows])
    write(tmp_path, "eneco", "b.csv", [SIGNAL_HEADER, "B1;2026-07-15;;10;;;1234AB;1;;"])
    real_add = staging.StagedFile.add
    inserted: list[str] = []

    def add_failing_on_the_third_chunk(staged, rows, rejected):
        inserted.append(staged.file_name)
        if staged.file_name == "a.csv" and inserted.count("a.csv") == 3:
            raise RuntimeError("disk full")
        real_add(staged, rows, rejected)

    monkeypatch.setattr(staging.StagedFile, "add", add_failing_on_the_third_chunk)
    con = duckdb.connect()
    report = ingest(con, tmp_path, "eneco", chunk_rows=2)
    assert inserted.count("a.csv") == 3
    assert [f.status for f in report.files] == ["failed", "loaded"]
    assert con.execute("SELECT file_name, count(*) FROM raw.signalen GROUP BY ALL").fetchall() == [
        ("b.csv", 1)
    ]


@pytest.mark.parametrize("failing", ["prepare", "stage"])
def test_a_later_file_that_fails_half_way_supersedes_nothing(
    tmp_path: Path, monkeypatch, failing: str
) -> None:
    """The keys of a file that failed after some of its chunks were checked are forgotten:
    the earlier delivery's rows with those keys load, as if the failed file were absent.
    The second chunk fails either while it is prepared (a bug in ``build``, with the chunk
    after it in flight: ``chunks.PREPARING``) or while it is staged (``StagedFile.add``)."""
    assert chunks.PREPARING >= 2
    rows = [f"C{i};2026-07-15;;10;;;1234AB;1;;" for i in range(7)]
    write(tmp_path, "eneco", "old.csv", [SIGNAL_HEADER, *rows])
    write(tmp_path, "eneco", "new.csv", [SIGNAL_HEADER, *rows])  # the later delivery: first
    failed: list[bool] = []

    def fail_once_on_c2(ids: set, c2: object) -> None:
        if c2 in ids and not failed:  # new.csv's chunk C2-C3, loaded before old.csv
            failed.append(True)
            raise RuntimeError("a bug or a full disk")

    if failing == "prepare":
        real_build = chunks.build

        def failing_build(valid, spec, ctx):
            fail_once_on_c2(set(valid.get_column("signaal_id")), "C2")
            return real_build(valid, spec, ctx)

        monkeypatch.setattr(chunks, "build", failing_build)
    else:
        real_add = staging.StagedFile.add

        def failing_add(staged, rows, rejected):
            fail_once_on_c2(set(rows.get_column("signaal_id")), sid("C2"))
            real_add(staged, rows, rejected)

        monkeypatch.setattr(staging.StagedFile, "add", failing_add)
    con = duckdb.connect()
    report = ingest(con, tmp_path, "eneco", chunk_rows=2)
    assert failed
    assert [(f.file_name, f.status, f.rows_loaded) for f in report.files] == [
        ("new.csv", "failed", 0),
        ("old.csv", "loaded", 7),
    ]
    assert con.execute("SELECT count(*) FROM audit.quarantine").fetchone()[0] == 0


def test_duplicate_fingerprints_are_exact_when_the_first_hash_collides() -> None:
    """The keys of earlier files are looked up by their first 64-bit hash; a key whose first
    hash is held for another key (same first, different second) is a different key."""
    seen = dedup.SeenKeys(["signaal_id"])
    seen.first = np.array([5, 5, 9], dtype=np.uint64)
    seen.second = np.array([1, 2, 4], dtype=np.uint64)
    seen.owner = np.array([0, 1, 2], dtype=np.int32)
    queries = [(1, 1), (5, 2), (5, 3), (6, 1), (9, 4), (9, 5), (10, 4)]
    found = seen.owners(
        np.array([q[0] for q in queries], dtype=np.uint64),
        np.array([q[1] for q in queries], dtype=np.uint64),
    )
    n = dedup.NOT_SEEN
    assert found.tolist() == [n, 1, n, n, 2, n, n]
    empty = dedup.SeenKeys(["signaal_id"]).owners(
        np.array([5], np.uint64), np.array([1], np.uint64)
    )
    assert empty.tolist() == [n]


def test_a_file_is_forgotten_only_before_its_keys_join_the_earlier_files() -> None:
    """``forget`` drops the keys of the file being checked; once the next file's first chunk
    has joined them to the earlier files' keys they cannot be told apart, and it says so."""
    seen = dedup.SeenKeys(["signaal_id"])
    chunk = pl.DataFrame({"signaal_id": ["a", "b"], "line_number": [2, 3]})
    seen.split(chunk, 0)
    seen.forget(0)
    kept, superseded = seen.split(chunk, 1)  # file 0 failed: file 1 keeps the keys
    assert (kept.height, superseded.height) == (2, 0)
    seen.split(chunk.with_columns(line_number=pl.lit(9)), 2)
    with pytest.raises(ValueError, match="held already"):
        seen.forget(1)


def _split_file_by_file(
    files: list[tuple[list[list[tuple[str, int]]], int | None]],
) -> tuple[dict[int, str | int], list[int]]:
    """Drive :class:`dedup.SeenKeys` as a load does: file after file (``files`` in precedence
    order: its chunks of (key, line number), and the number of chunks checked before it
    fails, or None), chunk after chunk, the file's repeated lines asked at its end. Returns
    per (file, line) what became of it (``"kept"``, or the index of the file that keeps its
    key) and the files that failed."""
    seen = dedup.SeenKeys(["signaal_id"])
    outcome: dict[int, str | int] = {}
    failed = []
    for index, (chunks_of_file, fails_after) in enumerate(files):
        for keys in chunks_of_file[:fails_after]:
            rows = pl.DataFrame(
                keys, schema={"signaal_id": pl.String, "line_number": pl.Int32}, orient="row"
            )
            kept, superseded = seen.split(rows, index)
            assert kept.height + superseded.height == rows.height
            for line in kept.get_column("line_number"):
                outcome[index, line] = "kept"
            for line, owner in superseded.select("line_number", "owner").iter_rows():
                assert owner != index
                outcome[index, line] = owner
        if fails_after is None:
            for line in seen.repeated(index).tolist():
                assert outcome[index, line] == "kept"
                outcome[index, line] = index
        else:
            failed.append(index)
            seen.forget(index)
        assert np.all(seen.first[:-1] <= seen.first[1:])  # the held keys stay sorted ...
        assert len(set(zip(seen.first, seen.second, strict=True))) == seen.first.size  # once
    return outcome, failed


def _first_occurrence_wins(
    files: list[tuple[list[list[tuple[str, int]]], int | None]],
) -> dict[int, str | int]:
    """The reference: in precedence and line order, a key's first row keeps it; a failed
    file keeps nothing and is left out."""
    owner_of: dict[str, int] = {}
    outcome: dict[int, str | int] = {}
    for index, (chunks_of_file, fails_after) in enumerate(files):
        if fails_after is not None:
            continue
        for key, line in itertools.chain.from_iterable(chunks_of_file):
            if key in owner_of:
                outcome[index, line] = owner_of[key]
            else:
                owner_of[key] = index
                outcome[index, line] = "kept"
    return outcome


def _chunked(keys: list[str], sizes: list[int]) -> list[list[tuple[str, int]]]:
    """``keys`` as the rows of lines 2, 3, ... cut into chunks of the ``sizes`` in turn."""
    rows = [(key, line) for line, key in enumerate(keys, start=2)]
    sizes_in_turn = itertools.cycle(sizes)
    chunks_of_file = []
    while rows:
        size = next(sizes_in_turn)
        chunks_of_file.append(rows[:size])
        rows = rows[size:]
    return chunks_of_file


@st.composite
def _files_of_chunks(draw: st.DrawFn) -> list[tuple[list[list[tuple[str, int]]], int | None]]:
    """1-4 files of up to 30 keys out of 12 (many repeat, in and across chunks and files),
    cut into chunks of 1-7 rows; some fail after some of their chunks were checked."""
    files = []
    for _ in range(draw(st.integers(1, 4))):
        keys = draw(st.lists(st.sampled_from([f"S{i}" for i in range(12)]), max_size=30))
        chunks_of_file = _chunked(keys, draw(st.lists(st.integers(1, 7), min_size=1, max_size=3)))
        fails_after = draw(st.none() | st.integers(0, len(chunks_of_file)))
        files.append((chunks_of_file, fails_after))
    return files


@settings(max_examples=150, deadline=None)
@given(files=_files_of_chunks(), weak=st.booleans())
def test_duplicate_check_keeps_the_first_row_of_every_key(
    files: list[tuple[list[list[tuple[str, int]]], int | None]], weak: bool
) -> None:
    """File after file, chunk after chunk: a key's first row (in precedence and line order)
    is kept, a later row of the same file is found at the file's end, a row of a later file
    names the file that kept it, and a file that failed keeps nothing. ``weak`` gives the
    first hash only 4 values, so most different keys share it (in a chunk, in a file and
    between files)."""

    def few_first_hashes(keys: pl.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        first, second = real_fingerprints(keys)
        return first % np.uint64(4), second

    real_fingerprints = dedup._fingerprints
    with pytest.MonkeyPatch.context() as patch:
        if weak:
            patch.setattr(dedup, "_fingerprints", few_first_hashes)
        outcome, failed = _split_file_by_file(files)
    for index in failed:  # what a failed file's checked chunks got is thrown away
        outcome = {at: what for at, what in outcome.items() if at[0] != index}
    assert outcome == _first_occurrence_wins(files)


@st.composite
def _deliveries(draw: st.DrawFn) -> tuple[list[list[tuple[str, bool]]], int, tuple[int, int]]:
    """Files of eneco (in delivery order) of (signaal_id, valid) rows out of 6 keys, the
    chunk size, and (file, chunk) where the load fails: staging that chunk, or for chunk -1
    the header (before any chunk is checked), for the file's chunk count its insert at the
    end; a file out of range: none fails."""
    files = draw(
        st.lists(
            st.lists(
                st.tuples(
                    st.sampled_from([f"K{i}" for i in range(6)]), st.booleans() | st.just(True)
                ),
                min_size=1,
                max_size=12,
            ),
            min_size=1,
            max_size=3,
        )
    )
    chunk_rows = draw(st.sampled_from([1, 2, 3, 5, 1_000]))
    failing = draw(st.integers(0, len(files)))  # len(files): none
    n_chunks = -(-len(files[failing]) // chunk_rows) if failing < len(files) else 0
    return files, chunk_rows, (failing, draw(st.integers(-1, n_chunks)))


@settings(max_examples=30, deadline=None)
@given(case=_deliveries())
@example(  # the file between two others fails before it is checked: the latest keeps K1
    case=([[("K1", True)], [("K1", True)], [("K1", True), ("K2", True)]], 1, (1, -1))
)
def test_duplicates_load_as_first_occurrence_wins_whatever_the_chunks(
    case: tuple[list[list[tuple[str, bool]]], int, tuple[int, int]],
) -> None:
    """Through the loader into DuckDB: rows, quarantined lines with their reasons and the
    files' counts are those of the first row of a key winning, in precedence (the latest
    delivery first) and line order, whatever the chunk size; a file that fails (before its
    chunks are checked, while they are staged or when they are inserted) keeps no key."""
    files, chunk_rows, (failing, failing_chunk) = case
    names = [f"f{i}.csv" for i in range(len(files))]
    expected_rows, expected_quarantine, expected_files = set(), set(), {}
    owner_of: dict[str, str] = {}
    for i in reversed(range(len(files))):  # the latest delivery first
        if i == failing:
            expected_files[names[i]] = ("failed", 0, 0, {})
            continue
        reasons: Counter[str] = Counter()
        for line, (key, valid) in enumerate(files[i], start=2):
            if not valid:
                reason = "missing required field signaaldatum"
            elif key not in owner_of:
                owner_of[key] = names[i]
                expected_rows.add((names[i], line, sid(key)))
                continue
            elif owner_of[key] == names[i]:
                reason = "duplicate signaal_id"
            else:
                reason = f"superseded by {owner_of[key]}"
            expected_quarantine.add((names[i], line, reason))
            reasons[reason] += 1
        quarantined = sum(reasons.values())
        expected_files[names[i]] = ("loaded", len(files[i]) - quarantined, quarantined, reasons)

    real_add, real_insert = staging.StagedFile.add, staging.StagedFile.insert
    added = Counter()

    def add(staged, rows, rejected):
        added[staged.file_name] += 1
        if staged.file_name == f"f{failing}.csv" and added[staged.file_name] == failing_chunk + 1:
            raise RuntimeError("disk full")
        real_add(staged, rows, rejected)

    def insert(staged, *args):
        if staged.file_name == f"f{failing}.csv":  # reached only if no chunk failed
            raise RuntimeError("disk full")
        real_insert(staged, *args)

    with tempfile.TemporaryDirectory() as landing, pytest.MonkeyPatch.context() as patch:
        for name, rows in zip(names, files, strict=True):
            header = SIGNAL_HEADER
            if (name, failing_chunk) == (f"f{failing}.csv", -1):
                header = header.replace("achterstand_bedrag", "bedrag")  # a required column
            write(Path(landing), "eneco", name, [header, *(
                f"{key};{'2026-07-15' if valid else ''};;10;;;1234AB;1;;" for key, valid in rows
            )])  # fmt: skip
        patch.setattr(staging.StagedFile, "add", add)
        patch.setattr(staging.StagedFile, "insert", insert)
        con = duckdb.connect()
        report = ingest(con, Path(landing), "eneco", chunk_rows=chunk_rows)
    assert {
        f.file_name: (f.status, f.rows_loaded, f.rows_quarantined, f.reasons) for f in report.files
    } == expected_files
    assert set(con.execute("SELECT file_name, line_number, signaal_id FROM raw.signalen")
               .fetchall()) == expected_rows  # fmt: skip
    assert set(con.execute("SELECT file_name, line_number, reason FROM audit.quarantine")
               .fetchall()) == expected_quarantine  # fmt: skip


def test_quarters_are_kept_apart(tmp_path: Path) -> None:
    write(tmp_path, "eneco", "a.csv", [SIGNAL_HEADER, "A1;2026-07-15;;10;;;1234AB;1;;"])
    write(tmp_path, "eneco", "a.csv", [SIGNAL_HEADER, "A1;2026-04-15;;10;;;1234AB;1;;"], "2026Q2")
    con = duckdb.connect()
    ingest_source(con, "2026Q2", "eneco", tmp_path, KEY)
    ingest_source(con, QUARTER, "eneco", tmp_path, KEY)
    got = con.execute("SELECT quarter, signaal_id FROM raw.signalen ORDER BY 1").fetchall()
    assert got == [("2026Q2", sid("A1")), ("2026Q3", sid("A1"))]


def test_bad_arguments_raise() -> None:
    con = duckdb.connect()
    with pytest.raises(ValueError, match="unknown source"):
        ingest_source(con, QUARTER, "nobody", Path("/nonexistent"), KEY)
    with pytest.raises(ValueError, match="not a quarter"):
        ingest_source(con, "2026-3", "eneco", Path("/nonexistent"), KEY)


def test_schema_matches_the_architecture() -> None:
    con = duckdb.connect()
    ensure_schema(con)
    ensure_schema(con)  # idempotent
    columns = {
        (schema, table): [(c, t) for c, t in con.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
            [schema, table]).fetchall()]
        for schema, table in con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables").fetchall()
    }  # fmt: skip
    common = [("quarter", "VARCHAR"), ("source", "VARCHAR"), ("file_name", "VARCHAR"),
              ("line_number", "INTEGER")]  # fmt: skip
    v, i, d, b, p = "VARCHAR", "INTEGER", "DATE", "BOOLEAN", "UHUGEINT"  # p: a pseudonym
    assert columns[("raw", "signalen")] == [
        *common,
        ("partner_code", v), ("partner_type", v), ("signaal_id", p), ("signaaldatum", d),
        ("startdatum_achterstand", d), ("achterstand_bedrag", "DECIMAL(12,2)"),
        ("dagen_achterstand", i), ("crisissignaal", b), ("warme_overdracht", b),
        ("eindelevering", b), ("pc4_sleutel", p), ("adres_sleutel", p), ("sleutel_exact", p),
        ("sleutel_omgewisseld", p), ("sleutel_genormaliseerd", p),
        ("sleutel_zonder_toevoeging", p), ("bsn_pseudo", p),
    ]  # fmt: skip
    assert columns[("raw", "bag_adressen")] == [
        *common,
        ("adres_pseudo", p), ("adres_sleutel", p), ("pc4_sleutel", p), ("sleutel_exact", p),
        ("sleutel_genormaliseerd", p), ("sleutel_letter", p), ("buurtcode", v),
        ("gemeentecode", v), ("is_woonfunctie", b),
    ]  # fmt: skip
    assert columns[("raw", "brp_personen")] == [
        *common,
        ("bsn_pseudo", p),
        ("adres_pseudo", p),
        ("leeftijd", i),
    ]
    assert columns[("raw", "wijken_buurten")] == [
        *common,
        ("area_code", v),
        ("area_level", v),
        ("area_name", v),
        ("parent_code", v),
    ]
    assert columns[("raw", "uitkeringen")] == [
        *common,
        ("bsn_pseudo", p),
        ("regeling", v),
        ("startdatum", d),
        ("einddatum", d),
    ]
    assert columns[("raw", "schuldhulp")] == [
        *common,
        ("bsn_pseudo", p),
        ("soort", v),
        ("startdatum", d),
        ("einddatum", d),
    ]
    assert columns[("raw", "vroegsignaal_zaken")] == [
        *common,
        ("partner_code", v),
        ("signaal_id", p),
        ("matchingsdatum", d),
        ("resultaat", v),
        ("aantal_contactpogingen", i),
        ("bereikt", b),
        ("datum_eerste_contact", d),
    ]
    assert [c for c, _ in columns[("audit", "ingest_files")]] == [
        "quarter",
        "source",
        "file_name",
        "file_sha256",
        "rows_read",
        "rows_loaded",
        "rows_quarantined",
        "status",
        "error",
        "ingested_at",
        "file_modified_at",
    ]
    assert [c for c, _ in columns[("audit", "quarantine")]] == [
        "quarter",
        "source",
        "file_name",
        "line_number",
        "reason",
    ]
    assert set(MUNICIPAL_SOURCES) == {t for (s, t) in columns if s == "raw"} - {"signalen"}


# --- municipal sources ----------------------------------------------------------------------


def test_bag_adressen(tmp_path: Path) -> None:
    write(tmp_path, "bag_adressen", "bag.csv", [
        "Nummeraanduiding_ID;Postcode;Huisnummer;Huisletter;Huisnummertoevoeging;Straat;"
        "Woonplaats;Buurtcode;Gebruiksdoel",
        "0363200000000001;1011 AB;12;a;;Damrak;Amsterdam;BU03630000;woonfunctie",
        "363200000000002;1011AB;12;;2;Damrak;Amsterdam;;kantoorfunctie",
        "0363200000000003;1011AB;14;;;Damrak;Amsterdam;BU03630000;woonfunctie,winkelfunctie",
        "0363200000000001;1011AB;16;;;Damrak;Amsterdam;BU03630000;woonfunctie",
        "12345;1011AB;18;;;Damrak;Amsterdam;BU03630000;woonfunctie",
        "0363200000000005;1011AB;20;;;Damrak;Amsterdam;BU0363;woonfunctie",
        "0363200000000006;1011AB;;;;Damrak;Amsterdam;BU03630000;woonfunctie",
    ])  # fmt: skip
    con = duckdb.connect()
    (file,) = ingest(con, tmp_path, "bag_adressen").files
    assert (file.rows_read, file.rows_loaded, file.rows_quarantined) == (7, 3, 4)
    reasons = con.execute("SELECT line_number, reason FROM audit.quarantine ORDER BY 1").fetchall()
    assert reasons == [(5, "duplicate adres_id"), (6, "invalid adres_id"), (7, "invalid buurtcode"),
                       (8, "missing required field huisnummer")]  # fmt: skip
    rows = con.execute(
        "SELECT adres_pseudo, adres_sleutel, pc4_sleutel, sleutel_exact, "
        "buurtcode, gemeentecode, is_woonfunctie FROM raw.bag_adressen "
        "ORDER BY line_number"
    ).fetchall()
    a = pseudonymise
    pc4 = a(KEY, PC4, "1011")
    # no buurt kept for an address that is not residential (no household counts there)
    assert rows == [
        (a(KEY, "adres", "0363200000000001"), adres_sleutel(KEY, "1011AB", 12), pc4,
         a(KEY, HUISNUMMER, "1011AB:12:A:"), "BU03630000", "GM0363", True),
        (a(KEY, "adres", "0363200000000002"), adres_sleutel(KEY, "1011AB", 12), pc4,
         a(KEY, HUISNUMMER, "1011AB:12::2"), None, "GM0363", False),
        (a(KEY, "adres", "0363200000000003"), adres_sleutel(KEY, "1011AB", 14), pc4,
         a(KEY, HUISNUMMER, "1011AB:14::"), "BU03630000", "GM0363", True),
    ]  # fmt: skip


def test_brp_personen_age_and_no_birth_date(tmp_path: Path) -> None:
    write(tmp_path, "brp_personen", "brp.csv", [
        "BSN;Geboortedatum;Adres_ID;Geslachtsnaam;Voornamen;Postcode;Huisnummer",
        "111222333;30-09-2000;0363200000000001;Jansen;Piet;1011AB;12",
        "123456782;1-10-2000;0363200000000001;Jansen;Marie;1011AB;12",
        "123456789;01-01-1990;0363200000000001;Fout;Bsn;1011AB;12",
        "012345672;2026-10-01;0363200000000002;Later;Geboren;1011AB;14",
        "12345672;2020-01-01;0363200000000002;Dubbel;Bsn;1011AB;14",
        "100000009;2020-01-01;;Zonder;Adres;1011AB;14",
    ])  # fmt: skip
    con = duckdb.connect()
    (file,) = ingest(con, tmp_path, "brp_personen").files
    assert (file.rows_read, file.rows_loaded, file.rows_quarantined) == (6, 3, 3), file.reasons
    rows = con.execute("SELECT bsn_pseudo, adres_pseudo, leeftijd FROM raw.brp_personen "
                       "ORDER BY line_number").fetchall()  # fmt: skip
    assert rows == [
        (pseudonymise(KEY, "bsn", "111222333"), pseudonymise(KEY, "adres", "0363200000000001"), 26),
        (pseudonymise(KEY, "bsn", "123456782"), pseudonymise(KEY, "adres", "0363200000000001"), 25),
        (pseudonymise(KEY, "bsn", "012345672"), pseudonymise(KEY, "adres", "0363200000000002"), 6),
    ]  # fmt: skip
    reasons = con.execute("SELECT line_number, reason FROM audit.quarantine ORDER BY 1").fetchall()
    assert reasons == [(4, "invalid bsn"), (5, "geboortedatum after quarter end"),
                       (7, "missing required field adres_id")]  # fmt: skip


def test_wijken_buurten_from_a_cbs_style_export(tmp_path: Path) -> None:
    write(tmp_path, "wijken_buurten", "cbs.csv", [
        '"Perioden";"Wijken en buurten";"Regiocode (gemeente, wijk, buurt) (code)";'
        '"Particuliere huishoudens (Aantal)"',
        '"2019";"Amsterdam";"GM0363    ";"  457400"',
        '"2019";"Burgwallen-Oude Zijde";"WK036300  ";"    2900"',
        '"2019";"Kop Zeedijk";"BU03630000";"     700"',
        '"2019";"Letters";"BU0363AB01";"."',
        '"2019";"Fout";"BU036300";"."',
        '"2019";"Dubbel";"BU03630000";"."',
    ])  # fmt: skip
    con = duckdb.connect()
    (file,) = ingest(con, tmp_path, "wijken_buurten").files
    assert file.unknown_columns == ["Particuliere huishoudens (Aantal)"]
    rows = con.execute("SELECT area_code, area_level, area_name, parent_code "
                       "FROM raw.wijken_buurten ORDER BY line_number").fetchall()  # fmt: skip
    assert rows == [
        ("GM0363", "gemeente", "Amsterdam", None),
        ("WK036300", "wijk", "Burgwallen-Oude Zijde", "GM0363"),
        ("BU03630000", "buurt", "Kop Zeedijk", "WK036300"),
        ("BU0363AB01", "buurt", "Letters", "WK0363AB"),
    ]
    reasons = con.execute("SELECT line_number, reason FROM audit.quarantine ORDER BY 1").fetchall()
    assert reasons == [(6, "invalid area code"), (7, "duplicate area_code")]


def test_wijken_buurten_with_parent_codes(tmp_path: Path) -> None:
    write(tmp_path, "wijken_buurten", "areas.csv", [
        "code,naam,parent code",
        "GM0363,Amsterdam,",
        "WK036300,Centrum,GM0363",
        "BU03630000,Kop Zeedijk,WK036300",
        "BU03630001,Verkeerd,WK036301",
    ])  # fmt: skip
    con = duckdb.connect()
    (file,) = ingest(con, tmp_path, "wijken_buurten").files
    assert (file.rows_loaded, file.reasons) == (3, {"invalid parent_code": 1})


def test_uitkeringen_and_schuldhulp(tmp_path: Path) -> None:
    write(tmp_path, "uitkeringen", "u.csv", [
        "bsn;regeling;startdatum;einddatum;naam",
        "111222333;Participatiewet;2025-01-01;;Jansen",
        "111222333;BBZ;01-01-2024;31-12-2024;Jansen",
        "111222333;bijstand;2025-01-01;;Jansen",
        "111222333;ioaw;2025-01-01;2024-01-01;Jansen",
        "123456789;ioaw;2025-01-01;;Jansen",
    ])  # fmt: skip
    write(tmp_path, "schuldhulp", "s.csv", [
        "BSN,Soort,Startdatum,Einddatum",
        "111222333,Budgetbeheer,2026-02-01,",
        "111222333,WSNP,2026-02-01,2029-02-01",
        "111222333,,2026-02-01,",
    ])  # fmt: skip
    con = duckdb.connect()
    ingest(con, tmp_path, "uitkeringen")
    ingest(con, tmp_path, "schuldhulp")
    pseudo = pseudonymise(KEY, "bsn", "111222333")
    assert con.execute("SELECT bsn_pseudo, regeling, startdatum, einddatum FROM raw.uitkeringen "
                       "ORDER BY line_number").fetchall() == [
        (pseudo, "participatiewet", date(2025, 1, 1), None),
        (pseudo, "bbz", date(2024, 1, 1), date(2024, 12, 31)),
    ]  # fmt: skip
    spells = con.execute("SELECT soort, einddatum FROM raw.schuldhulp ORDER BY line_number")
    assert spells.fetchall() == [("budgetbeheer", None), ("wsnp", date(2029, 2, 1))]
    reasons = con.execute("SELECT source, line_number, reason FROM audit.quarantine "
                          "ORDER BY 1, 2").fetchall()  # fmt: skip
    assert reasons == [
        ("schuldhulp", 4, "missing required field soort"),
        ("uitkeringen", 4, "unknown regeling"),
        ("uitkeringen", 5, "einddatum before startdatum"),
        ("uitkeringen", 6, "invalid bsn"),
    ]


def test_vroegsignaal_zaken(tmp_path: Path) -> None:
    write(tmp_path, "vroegsignaal_zaken", "z.csv", [
        "partner;signaal_id;matchingsdatum;resultaat;aantal_contactpogingen;bereikt;"
        "datum_eerste_contact",
        "Eneco;E1;2026-07-20;Quick fix;2;ja;2026-07-22",
        "eigen haard;H1;2026-07-20;geen_contact;3;nee;",
        "eneco;E2;;;;;",
        "onbekend;X1;2026-07-20;quick_fix;1;ja;",
        "eneco;E3;2026-07-20;weet niet;1;ja;",
        "eneco;E1;2026-07-21;quick_fix;1;ja;",
        "eneco;E4;2026-07-20;quick_fix;veel;ja;",
    ])  # fmt: skip
    con = duckdb.connect()
    (file,) = ingest(con, tmp_path, "vroegsignaal_zaken").files
    assert file.rows_read == 7
    rows = con.execute("SELECT partner_code, signaal_id, matchingsdatum, resultaat, "
                       "aantal_contactpogingen, bereikt, datum_eerste_contact "
                       "FROM raw.vroegsignaal_zaken ORDER BY line_number").fetchall()  # fmt: skip
    assert rows == [
        ("eneco", sid("E1"), date(2026, 7, 20), "quick_fix", 2, True, date(2026, 7, 22)),
        ("eigen_haard", sid("H1"), date(2026, 7, 20), "geen_contact", 3, False, None),
        ("eneco", sid("E2"), None, None, None, None, None),
    ]
    reasons = con.execute("SELECT line_number, reason FROM audit.quarantine ORDER BY 1").fetchall()
    assert reasons == [(5, "unknown partner_code"), (6, "unknown resultaat"),
                       (7, "duplicate signaal_id"),
                       (8, "invalid number in aantal_contactpogingen")]  # fmt: skip
