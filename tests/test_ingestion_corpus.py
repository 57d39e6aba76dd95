"""The bad-input corpus (tests/corpus/, README.md there): every file through the real ingestion.

Each case lands one corpus file in a source folder next to a good file of the same source, and
a good file in another source, on a DuckDB file. Whatever the file holds:

* nothing raises;
* the bad file is either ``failed`` with an error naming the file and the problem, leaving no
  row in ``raw.*`` or ``audit.quarantine``, or it is loaded with exactly the rows and the
  quarantine reasons (per line) the case expects;
* rows_read = rows_loaded + rows_quarantined for every file, and the tables agree;
* both good files are loaded in full;
* every raw and audit table still exists, delivered text is stored as a plain value (never
  executed), and no personal value of the corpus reaches the warehouse.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest

from orchestration.ingestion.loader import ingest_source
from orchestration.ingestion.pseudo import SIGNAAL
from orchestration.ingestion.sources import ALL_SPECS, spec_for
from orchestration.ingestion.validate import INVALID_TOEVOEGING
from orchestration.pseudonym import pseudonymise

from .privacy_scan import column_values, personal_columns, personal_data

CORPUS = Path(__file__).parent / "corpus"
KEY = b"cb0103fa611f8ae7726b563e7d7ebb2c"
QUARTER = "2026Q3"
OTHER_SOURCE = "ymere"
GOOD_NAME = "zzz_good.csv"  # after every corpus name: a failed file must not stop later files

GOOD = {  # spec kind -> a good file of 3 rows (keys distinct from every corpus file)
    "signalen": "signaal_id;signaaldatum;achterstand_bedrag;postcode;huisnummer\n"
    "GOOD-1;2026-07-01;10,00;1011AB;1\nGOOD-2;2026-07-02;20,00;1011AB;2\n"
    "GOOD-3;2026-07-03;30,00;1011AB;3\n",
    "bag_adressen": "adres_id;postcode;huisnummer;buurtcode;gebruiksdoel\n"
    "0888200000000001;1011AB;1;BU08880101;woonfunctie\n"
    "0888200000000002;1011AB;2;BU08880101;woonfunctie\n"
    "0888200000000003;1011AB;3;BU08880101;kantoorfunctie\n",
    "brp_personen": "bsn;geboortedatum;adres_id\n100000009;1980-01-01;0888200000000001\n"
    "100000010;1981-01-01;0888200000000002\n100000022;1982-01-01;0888200000000002\n",
    "wijken_buurten": "code;naam;parent_code\nGM0888;Goedstad;\nWK088801;Goedwijk;GM0888\n"
    "BU08880101;Goedbuurt;WK088801\n",
    "uitkeringen": "bsn;regeling;startdatum;einddatum\n100000009;participatiewet;2025-01-01;\n"
    "100000010;bbz;2025-02-01;\n100000022;ioaw;2025-03-01;2026-01-01\n",
    "schuldhulp": "bsn;soort;startdatum;einddatum\n100000009;advies;2025-01-01;\n"
    "100000010;wsnp;2025-02-01;\n100000022;budgetbeheer;2025-03-01;2026-01-01\n",
    "vroegsignaal_zaken": "partner_code;signaal_id;matchingsdatum;resultaat;bereikt\n"
    "ymere;GOOD-1;2026-07-20;quick_fix;ja\nymere;GOOD-2;2026-07-21;geen_contact;nee\n"
    "ymere;GOOD-3;2026-07-22;zelf_opgelost;ja\n",
}

PERSONAL_IN_CORPUS = ["Jan Jansen", "0612345678", "jan@example.nl", "Désirée Müller-Çelik",
                      "Robert'); DROP TABLE", "Kees van der", "derde regel"]  # fmt: skip
"""Names, phone numbers and e-mail addresses in personal columns of the corpus files."""

_HEADER = "signaal_id;signaaldatum;achterstand_bedrag;postcode;huisnummer;naam"
TEN_MB = "x" * 10_000_000


def _ten_mb_fields() -> bytes:
    return "\n".join([
        _HEADER,
        "LF-1;2026-07-15;10,00;1011AB;1;Jan",
        f"LF{TEN_MB};2026-07-15;10,00;1011AB;2;Jan",  # 10 MB signaal_id
        f"LF-3;2026-07-15;10,00;1011AB;3;{TEN_MB}",  # 10 MB in a personal column: never read
        f'LF-4;2026-07-15;10,00;1011AB;4;"{TEN_MB}"',
    ]).encode()  # fmt: skip


def _five_thousand_columns() -> bytes:
    known = ["signaal_id", "signaaldatum", "achterstand_bedrag", "postcode", "huisnummer"]
    header = ";".join(known + [f"kolom_{i}" for i in range(5000)])
    rows = [
        ";".join([f"TC-{r}", "2026-07-15", "10,00", "1011AB", str(r), *map(str, range(5000))])
        for r in (1, 2, 3)
    ]
    short = ";".join(["TC-9", "2026-07-15", "10,00", "1011AB", "9", *["1"] * 4000])
    return "\n".join([header, *rows, short]).encode()


GENERATED: dict[str, Callable[[], bytes]] = {
    "generated_10mb_fields.csv": _ten_mb_fields,
    "generated_5000_columns.csv": _five_thousand_columns,
}
"""Cases too big to commit: written by the test (listed in the corpus README too)."""


@dataclass(frozen=True)
class Case:
    file: str
    source: str = "eneco"
    error: tuple[str, ...] = ()
    """Failed: words the error must hold (after ``<file name>: ``)."""
    loaded: tuple[int, ...] = ()
    """Loaded: the line numbers that must be in the raw table."""
    quarantined: dict[str, tuple[int, ...]] = field(default_factory=dict)
    """Loaded: quarantine reason -> line numbers."""
    column: str | None = None
    values: tuple[object, ...] = ()
    """With ``column``: its stored values of the file's rows, in line order (plain data; a
    ``signaal_id`` is compared with its pseudonym)."""
    landing_name: str | None = None
    unknown_columns: int | None = None


def fields_count(n: int, expected: int) -> str:
    return f"wrong number of fields: {n}, expected {expected}"


SQL_NAME = "'; drop table raw.signalen; --.csv"

CASES = [
    # --- truncated ---------------------------------------------------------------------------
    Case("truncated_mid_row.csv", loaded=(2, 3, 4), quarantined={fields_count(3, 8): (5,)}),
    Case("truncated_mid_quoted_field.csv", loaded=(2, 3),
         quarantined={"unterminated quoted field": (4,)}),
    # --- not CSV text ------------------------------------------------------------------------
    Case("binary_png.csv", error=("PNG image", "not CSV text")),
    Case("binary_zip.csv", error=("ZIP archive", "not CSV text")),
    Case("binary_xlsx.csv", error=("ZIP archive", ".xlsx workbook")),
    Case("binary_xls_ole2.csv", error=("OLE2", ".xls workbook")),
    Case("binary_gzip.csv", error=("gzip-compressed",)),
    Case("binary_pdf.csv", error=("PDF document",)),
    Case("html_error_page.csv", error=("HTML page", "not CSV text")),
    Case("utf16_no_bom.csv", error=("UTF-16", "without a byte order mark")),
    # --- empty -------------------------------------------------------------------------------
    Case("empty.csv", error=("the file is empty (0 bytes)",)),
    Case("only_whitespace.csv", error=("empty", "only whitespace")),
    Case("header_only.csv", error=("a header but no data rows",)),
    Case("header_only_no_newline_crlf.csv", error=("a header but no data rows",)),
    # --- delimiters, quotes, lines ----------------------------------------------------------
    Case("wrong_delimiter_pipe.csv", error=("separated by '|'", "not an accepted delimiter")),
    Case("delimiter_header_semicolon_rows_comma.csv",
         quarantined={fields_count(1, 8): (2, 3, 4)}),
    Case("trailing_delimiters.csv", loaded=(2, 3, 4), quarantined={fields_count(11, 9): (5,)}),
    Case("quoted_newlines.csv", loaded=(2, 4, 7), column="signaal_id",
         values=("QN-1", "QN-2", "QN-3")),
    Case("unbalanced_quotes.csv", loaded=(2, 3, 5, 6, 7),
         quarantined={"unterminated quoted field": (4,)}),
    Case("unbalanced_quotes_two.csv", loaded=(3, 4, 5, 6, 7, 8),
         quarantined={"unterminated quoted field": (2,)}),
    Case("blank_lines_inside.csv", loaded=(2, 3, 7, 8), quarantined={"empty line": (4, 5, 6)}),
    Case("nul_bytes.csv", loaded=(2, 3, 5),
         quarantined={"NUL byte in the line (binary garbage)": (4,)}),
    # --- encodings ---------------------------------------------------------------------------
    Case("mixed_encodings.csv", source="wijken_buurten", loaded=(2, 3, 4, 5, 6),
         column="area_name", values=("Voorbeeldstad", "Café Centrum", "Oude Haven Éénhoorn",
                                     "Nieuwe Markt Zeeën", "Brouwersgracht Noord ü")),
    Case("utf16_bom_tab.csv", loaded=(2, 3, 4)),
    Case("bom_semicolons.csv", loaded=(2, 3, 4), column="signaal_id",
         values=("BOM-1", "BOM-2", "BOM-3")),
    Case("windows1252_names.csv", loaded=(2, 3, 4)),
    # --- size --------------------------------------------------------------------------------
    Case("generated_10mb_fields.csv", loaded=(2, 4, 5),
         quarantined={"value too long in signaal_id (over 255 characters)": (3,)},
         column="signaal_id", values=("LF-1", "LF-3", "LF-4")),
    Case("generated_5000_columns.csv", loaded=(2, 3, 4),
         quarantined={fields_count(4005, 5005): (5,)}, unknown_columns=5000),
    # --- injection: stored as plain values, never executed ------------------------------------
    Case("formula_injection.csv", loaded=(2, 3, 4, 5, 6, 7),
         quarantined={"invalid amount in achterstand_bedrag": (8, 11), "invalid postcode": (9,),
                      "invalid date in signaaldatum": (10,)},
         column="signaal_id",
         values=("=cmd|' /C calc'!A0", "@SUM(1+1)", "+1", "-1+2", "=1+1", "=2+2")),
    Case("formula_injection_area_names.csv", source="wijken_buurten", loaded=(2, 3, 4, 5),
         column="area_name", values=('=HYPERLINK("http://evil.example","Voorbeeldstad")',
                                     "@SUM(1+1)", "+31 Haven", "-Markt")),
    # SQ-5's huisnummertoevoeging is text, not a BAG addition (at most 4 letters or digits)
    Case("sql_injection.csv", landing_name=SQL_NAME, loaded=(2, 3, 4),
         quarantined={"invalid date in signaaldatum": (5,), INVALID_TOEVOEGING: (6,),
                      fields_count(9, 8): (7,)},
         column="signaal_id",
         values=("'; drop table raw.signalen; --", 'SQ-2"; DELETE FROM audit.ingest_files; --',
                 "SQ-3' OR '1'='1")),
    Case("schuldhulp_bad_codes.csv", source="schuldhulp", loaded=(2,),
         quarantined={"unknown soort": (3,), "einddatum before startdatum": (4,)}),
    Case("vroegsignaal_zaken_unknown_partner.csv", source="vroegsignaal_zaken", loaded=(2,),
         quarantined={"unknown partner_code": (3,), "unknown resultaat": (4,)}),
    # --- header problems ---------------------------------------------------------------------
    Case("duplicated_headers.csv",
         quarantined={"column signaal_id delivered twice with different values": (2, 3)}),
    Case("header_is_data.csv", error=("none of its 8 columns", "is the header line missing?")),
    Case("wrong_partner_folder.csv",
         error=("none of its 7 columns", "header is that of partner vattenfall",
                "wrong source folder")),
    Case("brp_in_uitkeringen_folder.csv", source="uitkeringen",
         error=("missing required columns regeling, startdatum",
                "header is that of source brp_personen", "wrong source folder")),
    Case("bag_missing_required_column.csv", source="bag_adressen",
         error=("missing required column gebruiksdoel",)),
    Case("uitkeringen_missing_required_column.csv", source="uitkeringen",
         error=("missing required column regeling",)),
    # --- values ------------------------------------------------------------------------------
    Case("future_dates.csv", loaded=(2, 6),
         quarantined={"signaaldatum after quarter end": (3, 5),
                      "startdatum_achterstand after quarter end": (4,)}),
    Case("wrong_quarter_later.csv",
         quarantined={"signaaldatum after quarter end": (2, 3, 4, 5)}),
    Case("wrong_quarter_earlier.csv", loaded=(2, 3, 4)),  # a late delivery: counts in Q1
    Case("duplicate_signal_ids.csv", loaded=(2, 3, 4),
         quarantined={"duplicate signaal_id": (5, 6)}),
    Case("amounts_nonsense.csv", loaded=(7,),
         quarantined={"invalid amount in achterstand_bedrag": (2, 3, 4, 5),
                      "amount must be > 0": (6,)}),
    Case("brp_invalid_bsn.csv", source="brp_personen", loaded=(2,),
         quarantined={"invalid bsn": (3, 4, 5, 6, 7), "geboortedatum after quarter end": (8,)}),
    Case("wijken_buurten_bad_codes.csv", source="wijken_buurten", loaded=(2, 3),
         quarantined={"invalid area code": (4, 6), "invalid parent_code": (5,)}),
]  # fmt: skip


def content(case: Case) -> bytes:
    if case.file in GENERATED:
        return GENERATED[case.file]()
    return (CORPUS / case.file).read_bytes()


def land(landing: Path, source: str, name: str, data: bytes) -> None:
    """Deliver a file that landed an hour ago (a file modified just now that ends mid-record
    may still be being written: tests/test_deliveries.py)."""
    folder = landing / QUARTER / source
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    an_hour_ago = time.time() - 3600
    os.utime(folder / name, (an_hour_ago, an_hour_ago))


def file_rows(con: duckdb.DuckDBPyConnection, table: str, name: str) -> list[int]:
    return [
        n
        for (n,) in con.execute(
            f"SELECT line_number FROM {table} WHERE file_name = ? ORDER BY line_number", [name]
        ).fetchall()
    ]


def test_the_corpus_is_complete_and_documented() -> None:
    committed = {p.name for p in CORPUS.iterdir() if p.name != "README.md"}
    cases = {c.file for c in CASES}
    assert committed | set(GENERATED) == cases
    assert len(cases) >= 30
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    undocumented = [name for name in sorted(cases) if f"`{name}`" not in readme]
    assert undocumented == []


@pytest.mark.parametrize("case", CASES, ids=[c.file for c in CASES])
def test_bad_file_is_failed_or_accounted_for_and_others_load(tmp_path: Path, case: Case) -> None:
    landing = tmp_path / "landing"
    name = case.landing_name or case.file
    spec = spec_for(case.source)
    land(landing, case.source, name, content(case))
    land(landing, case.source, GOOD_NAME, GOOD[spec.kind].encode())
    land(landing, OTHER_SOURCE, "good.csv", GOOD["signalen"].encode())

    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        report = ingest_source(con, QUARTER, case.source, landing, KEY)
        other = ingest_source(con, QUARTER, OTHER_SOURCE, landing, KEY)
        files = {f.file_name: f for f in report.files}
        assert sorted(files) == sorted([name, GOOD_NAME])
        bad = files[name]
        table = f"raw.{spec.table}"

        if case.error:
            assert bad.status == "failed", (bad.status, bad.reasons)
            assert bad.error.startswith(f"{name}: ")
            missing = [word for word in case.error if word not in bad.error]
            assert missing == [], bad.error
            assert (bad.rows_read, bad.rows_loaded, bad.rows_quarantined) == (0, 0, 0)
            assert file_rows(con, table, name) == []
            assert file_rows(con, "audit.quarantine", name) == []
        else:
            assert bad.status == "loaded", bad.error
            assert file_rows(con, table, name) == list(case.loaded)
            reasons = con.execute(
                "SELECT reason, list(line_number ORDER BY line_number) FROM audit.quarantine "
                "WHERE file_name = ? GROUP BY reason",
                [name],
            ).fetchall()
            assert {r: tuple(lines) for r, lines in reasons} == case.quarantined
            assert bad.rows_loaded == len(case.loaded)
            assert bad.reasons == {r: len(lines) for r, lines in case.quarantined.items()}
        if case.column:
            stored = con.execute(
                f"SELECT {case.column} FROM {table} WHERE file_name = ? ORDER BY line_number",
                [name],
            ).fetchall()
            expected = case.values
            if case.column == "signaal_id":  # stored as its keyed pseudonym
                expected = tuple(pseudonymise(KEY, SIGNAAL, v) for v in case.values)
            assert tuple(v for (v,) in stored) == expected
        if case.unknown_columns is not None:
            assert len(bad.unknown_columns) == case.unknown_columns

        # The good files, in the same folder after the bad one and in another source, in full.
        assert (files[GOOD_NAME].status, files[GOOD_NAME].rows_loaded) == ("loaded", 3)
        assert files[GOOD_NAME].rows_quarantined == 0
        assert [(f.status, f.rows_loaded) for f in other.files] == [("loaded", 3)]

        # Every file: the audit row adds up, and the tables hold exactly what it says.
        audit = con.execute(
            "SELECT source, file_name, status, error, rows_read, rows_loaded, rows_quarantined "
            "FROM audit.ingest_files ORDER BY source, file_name"
        ).fetchall()
        assert len(audit) == 3
        for source, file_name, status, error, read, loaded, quarantined in audit:
            assert read == loaded + quarantined
            assert (status == "failed") == (error is not None)
            raw_table = f"raw.{spec_for(source).table}"
            in_raw = con.execute(
                f"SELECT count(*) FROM {raw_table} WHERE source = ? AND file_name = ?",
                [source, file_name],
            ).fetchone()[0]
            in_quarantine = con.execute(
                "SELECT count(*) FROM audit.quarantine WHERE source = ? AND file_name = ?",
                [source, file_name],
            ).fetchone()[0]
            assert (in_raw, in_quarantine) == (loaded, quarantined), file_name

        # Nothing was executed: every table is still there; nothing personal was stored.
        tables = {
            f"{schema}.{t}"
            for schema, t in con.execute(
                "SELECT table_schema, table_name FROM information_schema.tables "
                "WHERE table_schema IN ('raw', 'audit')"
            ).fetchall()
        }
        assert tables >= {f"raw.{s.table}" for s in ALL_SPECS} | {
            "audit.ingest_files",
            "audit.quarantine",
        }
        assert personal_columns(con) == set()
        findings = personal_data(column_values(con), PERSONAL_IN_CORPUS, any_nine_digits=False)
        assert findings == []
