"""Every variant of CONTRACTS.md's general rules for CSV files, and files that cannot be read.

Files are written by hand here (bytes, exactly as Excel, SAP and platform exports write them)
and ingested with the real ``ingest_source`` into an in-memory DuckDB.
"""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from orchestration.ingestion import pseudo
from orchestration.ingestion.loader import ingest_source
from orchestration.ingestion.reading import UnreadableFile, read_text, sniff_delimiter
from orchestration.pseudonym import pseudonymise

KEY = b"08bd95943ea28b655b90bb88db30d2e4"
QUARTER = "2026Q3"

# Header: canonical names in odd case and with surrounding spaces.
HEADER = [" Signaal_ID ", "SIGNAALDATUM", "startdatum_achterstand ", " Achterstand_Bedrag",
          "crisissignaal", "Warme_Overdracht", "postcode", "huisnummer", "Naam", "Straat",
          "Telefoon"]  # fmt: skip

# A cell is a string, or (preferred, fallback) when the preferred notation contains the
# delimiter and the file is written without quoting.
ROWS = [
    ["S1", "2026-07-31", "2026-05-01", ("€ 1.234,56", "€ 1234.56"), "ja", "nee", "1234 ab", "12",
     "Daniëlle Müller", "Kerkstraat", "06-12345678"],
    ["S2", "31-07-2026", "NULL", ("1234,56", "1234.56"), "j", "n", " 1234ab ", "12a",
     ("Jansen, P.", "Jansen P."), "Stationsweg", "0612345678"],
    ["S3", "31/07/2026", "", "1234.56", "true", "false", "1234AB", "12-A", "José Ünal",
     "Brouwerij", ""],
    ["S4", "20260731", "-", ("1.234,56", "1234.56"), "1", "0", "1234 AB", "12 bis", "Zoë de Wit",
     "Dorpsstraat", "-"],
    ["S5", "2026-07-01", "20260601", "12", "yes", "no", "1234ab", "12-III", "Anouk", "Laan",
     "NULL"],
    ["S6", "01-07-2026", "01/06/2026", ("€ 0,50", "€ 0.50"), "", "-", "9999 zz", "7 hs", "Ömer",
     "Plein", ""],
]  # fmt: skip

D = Decimal
EXPECTED = [
    ("S1", date(2026, 7, 31), date(2026, 5, 1), D("1234.56"), True, False, "1234", 12, None, None),
    ("S2", date(2026, 7, 31), None, D("1234.56"), True, False, "1234", 12, "A", None),
    ("S3", date(2026, 7, 31), None, D("1234.56"), True, False, "1234", 12, "A", None),
    ("S4", date(2026, 7, 31), None, D("1234.56"), True, False, "1234", 12, None, "BIS"),
    ("S5", date(2026, 7, 1), date(2026, 6, 1), D("12.00"), True, False, "1234", 12, None, "III"),
    ("S6", date(2026, 7, 1), date(2026, 6, 1), D("0.50"), None, None, "9999", 7, None, "HS"),
]  # fmt: skip


def stored(row: tuple) -> tuple:
    """A row of EXPECTED as raw.signalen holds it: the signal id and the address keyed."""
    signaal_id, *values, pc4, number, letter, addition = row
    postcode = {"1234": "1234AB", "9999": "9999ZZ"}[pc4]
    reading = f"{postcode}:{number}:{letter or ''}:{addition or ''}"
    return (pseudonymise(KEY, pseudo.SIGNAAL, signaal_id), *values,
            pseudonymise(KEY, pseudo.PC4, pc4), pseudonymise(KEY, pseudo.HUISNUMMER, reading))  # fmt: skip


EXPECTED_STORED = sorted(stored(row) for row in EXPECTED)

PERSONAL = ["Daniëlle", "Müller", "Jansen", "José", "Ünal", "Zoë", "Anouk", "Ömer", "Kerkstraat",
            "Stationsweg", "Brouwerij", "Dorpsstraat", "12345678"]  # fmt: skip


def render(
    rows: list[list],
    delimiter: str,
    quoting: str,
    newline: str = "\n",
    final_newline: bool = True,
    header: list[str] = HEADER,
) -> str:
    """CSV text: quoting 'none', 'all' or 'minimal' (only where needed)."""

    def cell(value) -> str:
        if isinstance(value, tuple):
            preferred, fallback = value
            value = fallback if quoting == "none" and delimiter in preferred else preferred
        if quoting == "all" or (
            quoting == "minimal" and any(c in value for c in (delimiter, '"', "\n"))
        ):
            return '"' + value.replace('"', '""') + '"'
        return value

    lines = [delimiter.join(cell(v) for v in row) for row in [header, *rows]]
    return newline.join(lines) + (newline if final_newline else "")


def write(
    landing: Path, source: str, name: str, content: bytes | str, encoding: str = "utf-8"
) -> Path:
    folder = landing / QUARTER / source
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return path


def signals(con: duckdb.DuckDBPyConnection, source: str = "eneco") -> list[tuple]:
    return con.execute(
        "SELECT signaal_id, signaaldatum, startdatum_achterstand, achterstand_bedrag, "
        "crisissignaal, warme_overdracht, pc4_sleutel, sleutel_exact "
        "FROM raw.signalen WHERE source = ? ORDER BY signaal_id",
        [source],
    ).fetchall()


def all_text(con: duckdb.DuckDBPyConnection) -> str:
    """Every value of every table, as one string (for privacy assertions)."""
    parts = []
    for schema, table in con.execute(
        "SELECT table_schema, table_name FROM information_schema.tables"
    ).fetchall():
        for row in con.execute(f'SELECT * FROM "{schema}"."{table}"').fetchall():
            parts.extend(str(v) for v in row)
    return "\n".join(parts)


VARIANTS = list(
    itertools.product(
        ["utf-8", "utf-8-sig", "cp1252"],
        [";", ",", "\t"],
        ["none", "all", "minimal"],
        ["\n", "\r\n"],
        [True, False],
    )
)


@pytest.mark.parametrize(("encoding", "delimiter", "quoting", "newline", "final_newline"), VARIANTS)
def test_every_general_rule_variant_loads_the_same(
    tmp_path: Path, encoding: str, delimiter: str, quoting: str, newline: str, final_newline: bool
) -> None:
    text = render(ROWS, delimiter, quoting, newline, final_newline)
    write(tmp_path, "eneco", "signalen.csv", text, encoding)
    con = duckdb.connect()
    report = ingest_source(con, QUARTER, "eneco", tmp_path, KEY)
    (file,) = report.files
    assert (file.status, file.error) == ("loaded", None)
    assert (file.rows_read, file.rows_loaded, file.rows_quarantined) == (6, 6, 0), file.reasons
    assert signals(con) == EXPECTED_STORED
    assert file.unknown_columns == []
    body = all_text(con)
    for word in PERSONAL:
        assert word not in body


def test_encoding_is_detected(tmp_path: Path) -> None:
    for encoding in ("utf-8", "utf-8-sig", "cp1252", "utf-16"):  # utf-16: Excel "Unicode text"
        rows = [[f"{encoding}-{row[0]}", *row[1:]] for row in ROWS]
        write(tmp_path, "eneco", f"{encoding}.csv", render(rows, "\t", "minimal"), encoding)
    con = duckdb.connect()
    report = ingest_source(con, QUARTER, "eneco", tmp_path, KEY)
    got = {f.file_name: (f.encoding, f.rows_loaded, f.rows_quarantined) for f in report.files}
    assert got == {
        "utf-8.csv": ("utf-8", 6, 0),
        "utf-8-sig.csv": ("utf-8-sig", 6, 0),
        "cp1252.csv": ("windows-1252", 6, 0),
        "utf-16.csv": ("utf-16", 6, 0),
    }
    assert "Daniëlle" not in all_text(con)


def test_old_mac_cr_line_endings(tmp_path: Path) -> None:
    write(tmp_path, "eneco", "mac.csv", render(ROWS, ";", "none", newline="\r"))
    con = duckdb.connect()
    (file,) = ingest_source(con, QUARTER, "eneco", tmp_path, KEY).files
    assert (file.rows_read, file.rows_loaded) == (6, 6)


def test_excel_sep_line(tmp_path: Path) -> None:
    write(tmp_path, "eneco", "sep.csv", "sep=,\r\n" + render(ROWS, ",", "minimal", "\r\n"))
    con = duckdb.connect()
    (file,) = ingest_source(con, QUARTER, "eneco", tmp_path, KEY).files
    assert (file.rows_read, file.rows_loaded, file.delimiter) == (6, 6, "comma")
    assert signals(con) == EXPECTED_STORED


def test_quoted_fields_with_line_breaks_keep_physical_line_numbers(tmp_path: Path) -> None:
    header = "signaal_id;signaaldatum;achterstand_bedrag;postcode;huisnummer;naam"
    lines = [
        header,
        'A1;2026-07-01;10;1234AB;1;"Jansen\nde tweede regel"',  # lines 2-3
        'A2;2026-07-01;10;1234AB;1;"Multi\r\n\r\nline"',  # lines 4-6 (an empty line inside)
        "A3;2026-07-01;0;1234AB;1;Piet",  # line 7: bad amount
        'A4;2026-07-01;10;1234AB;1;"quote ""inside""; and delimiter"',  # line 8
        "A5;2026-07-01;10;1234AB",  # line 9: too few fields
    ]
    write(tmp_path, "eneco", "multi.csv", "\n".join(lines) + "\n")
    con = duckdb.connect()
    (file,) = ingest_source(con, QUARTER, "eneco", tmp_path, KEY).files
    assert (file.rows_read, file.rows_loaded, file.rows_quarantined) == (5, 3, 2)
    loaded = con.execute("SELECT signaal_id, line_number FROM raw.signalen ORDER BY 2").fetchall()
    ids = {pseudonymise(KEY, pseudo.SIGNAAL, i): i for i in ("A1", "A2", "A4")}
    assert [(ids.get(s), n) for s, n in loaded] == [("A1", 2), ("A2", 4), ("A4", 8)]
    quarantined = con.execute(
        "SELECT line_number, reason FROM audit.quarantine ORDER BY 1"
    ).fetchall()
    assert quarantined == [(7, "amount must be > 0"), (9, "wrong number of fields: 4, expected 6")]


def test_unterminated_quote_is_quarantined_not_a_crash(tmp_path: Path) -> None:
    text = "signaal_id;signaaldatum;achterstand_bedrag;postcode;huisnummer;naam\n"
    text += "B1;2026-07-01;10;1234AB;1;x\n"
    text += 'B2;2026-07-01;10;1234AB;1;"never closed\n'  # line 3
    text += "B3;2026-07-01;10;1234AB;1;x\n" * 150  # more lines than a quoted field may span
    text += 'B4;2026-07-01;10;1234AB;1;"open\n'  # line 154: open at the end of the file
    write(tmp_path, "eneco", "open.csv", text)
    con = duckdb.connect()
    (file,) = ingest_source(con, QUARTER, "eneco", tmp_path, KEY).files
    assert file.status == "loaded"
    assert (file.rows_read, file.rows_loaded, file.rows_quarantined) == (153, 2, 151)
    reasons = con.execute(
        "SELECT reason, min(line_number), count(*) FROM audit.quarantine GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert reasons == [("duplicate signaal_id", 5, 149), ("unterminated quoted field", 3, 2)]


def test_a_stray_quote_inside_a_field_opens_nothing(tmp_path: Path) -> None:
    text = "signaal_id;signaaldatum;achterstand_bedrag;postcode;huisnummer;naam\n"
    text += 'Q1;2026-07-01;10;1234AB;1;Piet "de Bakker\nQ2;2026-07-01;10;1234AB;1;x\n'
    text += 'Q3;2026-07-01;10;1234AB;1;32" scherm\nQ4;2026-07-01;10;1234AB;1;"x ""y"""\n'
    write(tmp_path, "eneco", "stray.csv", text)
    con = duckdb.connect()
    (file,) = ingest_source(con, QUARTER, "eneco", tmp_path, KEY).files
    assert (file.rows_read, file.rows_loaded, file.rows_quarantined) == (4, 4, 0)


def test_blank_lines_inside_are_quarantined_trailing_ones_ignored(tmp_path: Path) -> None:
    text = "signaal_id;signaaldatum;achterstand_bedrag;postcode;huisnummer\r\n"
    text += "C1;2026-07-01;10;1234AB;1\r\n\r\n;;;;\r\nC2;2026-07-01;10;1234AB;1\r\n\r\n\r\n"
    write(tmp_path, "eneco", "blank.csv", text)
    con = duckdb.connect()
    (file,) = ingest_source(con, QUARTER, "eneco", tmp_path, KEY).files
    assert (file.rows_read, file.rows_loaded, file.rows_quarantined) == (4, 2, 2)
    reasons = con.execute("SELECT line_number, reason FROM audit.quarantine ORDER BY 1").fetchall()
    assert reasons == [(3, "empty line"), (4, "empty line")]


def test_trailing_delimiter_on_data_lines_is_tolerated(tmp_path: Path) -> None:
    text = "signaal_id;signaaldatum;achterstand_bedrag;postcode;huisnummer\n"
    text += "D1;2026-07-01;10;1234AB;1;\nD2;2026-07-01;10;1234AB;1;x\n"
    write(tmp_path, "eneco", "trailing.csv", text)
    con = duckdb.connect()
    (file,) = ingest_source(con, QUARTER, "eneco", tmp_path, KEY).files
    assert (file.rows_loaded, file.reasons) == (1, {"wrong number of fields: 6, expected 5": 1})


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"   \r\n\r\n  \n", "the file is empty"),
        (b"PK\x03\x04\x14\x00\x06\x00binary xlsx", "ZIP archive"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old xls", "OLE2"),
        (b"%PDF-1.7 ...", "PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "PNG image"),
        (b"signaal_id;signaaldatum\x00;achterstand_bedrag\n", "NUL bytes"),
        (bytes(range(1, 32)) * 50, "control characters"),
        (b"signaal_id;signaaldatum;achterstand_bedrag;postcode;huisnummer\n",
         "a header but no data rows"),
        (b"signaal_id;signaaldatum;achterstand_bedrag;postcode;huisnummer",
         "a header but no data rows"),
        (b"just one column\nand some text\n", "no delimiter"),
        (b"foo;bar;baz\n1;2;3\n", "none of its 3 columns is a known signalen column"),
        (b"signaal_id;signaaldatum;postcode;huisnummer\nX;2026-07-01;1234AB;1\n",
         "missing required column achterstand_bedrag"),
        (b"signaal_id;datum;postcode\nX;2026-07-01;1234AB\n",
         "missing required columns signaaldatum, achterstand_bedrag, huisnummer"),
    ],
)  # fmt: skip
def test_unreadable_files_fail_cleanly_and_others_go_on(
    tmp_path: Path, content: bytes, message: str
) -> None:
    write(tmp_path, "eneco", "bad.csv", content)
    write(tmp_path, "eneco", "good.csv", render(ROWS, ";", "minimal"))
    con = duckdb.connect()
    report = ingest_source(con, QUARTER, "eneco", tmp_path, KEY)
    files = {f.file_name: f for f in report.files}
    bad = files["bad.csv"]
    assert bad.status == "failed"
    assert bad.error.startswith("bad.csv: ")
    assert message in bad.error
    assert (bad.rows_read, bad.rows_loaded, bad.rows_quarantined) == (0, 0, 0)
    assert files["good.csv"].status == "loaded"
    assert files["good.csv"].rows_loaded == 6
    audit = con.execute(
        "SELECT file_name, status, error FROM audit.ingest_files ORDER BY file_name"
    ).fetchall()
    assert audit == [("bad.csv", "failed", bad.error), ("good.csv", "loaded", None)]


def test_a_data_row_as_header_is_not_echoed_in_errors(tmp_path: Path) -> None:
    """A file without header: its first data row must not reach the error text."""
    content = "S9;2026-07-01;123,45;1234AB;12;Jansen;0612345678;111222333\n"
    write(tmp_path, "eneco", "noheader.csv", content * 2)
    con = duckdb.connect()
    (file,) = ingest_source(con, QUARTER, "eneco", tmp_path, KEY).files
    assert file.status == "failed"
    for value in ("Jansen", "0612345678", "111222333", "1234AB", "123,45"):
        assert value not in file.error
        assert all(value not in label for label in file.unknown_columns)


def test_delimiter_sniffing() -> None:
    assert sniff_delimiter("a;b;c") == ";"
    assert sniff_delimiter("a,b,c") == ","
    assert sniff_delimiter("a\tb\tc") == "\t"
    assert sniff_delimiter('"a,1";"b,2";c') == ";"  # commas inside quotes do not count
    assert sniff_delimiter("a;b,c,d", hint=";") == ";"  # the registry hint wins when present
    assert sniff_delimiter("a;b;c", hint="tab") == ";"  # ... and is ignored when absent
    with pytest.raises(UnreadableFile):
        sniff_delimiter("single column")


def test_read_text_line_numbers_and_header() -> None:
    text = read_text(b"\n\nA;B\r\n1;2\r\n\r\n3;4")
    assert text.header == ["A", "B"]
    assert text.header_line == 3
    assert text.records.get_column("line_number").to_list() == [4, 5, 6]
