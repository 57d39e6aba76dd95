"""CSV export of a published quarter for spreadsheet users: ``monitor export``.

    monitor export --quarter 2026Q3 [--level buurt|wijk|gemeente|all] [--out DIR]

Reads only the analysts' file ``monitor.duckdb`` (attached read-only, so a publication or an
analyst's session is never blocked) and writes, per level, ``<quarter>_<level>.csv`` from the
wide table of that level (one row per area, one column per indicator). ``--level all`` (the
default) writes the three levels and ``<quarter>_area_indicators.csv``, the long table with
the explicit ``status`` column. Default folder: ``<data dir>/exports``.

Format, chosen for Dutch Excel (double-click opens it correctly):

* UTF-8 with a byte order mark (Excel reads UTF-8 only with it), CRLF line ends;
* ``;`` as delimiter and a decimal comma (``12,5``); no thousands separator, no exponent, all
  significant digits (the shortest text that reads back as the same number);
* ``"`` quoting only where needed (a cell holding ``;``, ``"`` or a line break);
* a suppressed figure is an empty cell (as NULL in the published tables: hidden, not zero).

Formula injection (OWASP "CSV Injection"): a spreadsheet executes a cell that starts with
``=``, ``+``, ``-`` or ``@`` (and some also after a leading tab or CR). Every *text* cell
starting with one of ``= + - @ \\t \\r`` is written with a single quote in front (``'=HYPER…``),
which spreadsheets show as text; the quote is the only change. Numbers are never prefixed: they
are written from the numeric column, so a negative number stays a number.
Files are written to a temporary name and renamed, so a reader never sees half a file.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import duckdb

from orchestration import filemodes
from orchestration.contract import LEVELS
from orchestration.quarters import parse_quarter

CHOICES = (*LEVELS, "all")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet treat a text cell as a formula (OWASP)."""
DELIMITER = ";"
DECIMAL_SEPARATOR = ","


class ExportError(RuntimeError):
    """Nothing to export (no published file, or the quarter is not in it)."""


def escape_text(text: str) -> str:
    """A text cell safe to open in a spreadsheet: ``'`` in front of a formula start."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def format_number(value: float | int) -> str:
    """``12,5``, ``1234``, ``0,000125``: decimal comma, no exponent, exact round trip."""
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ExportError(f"not a finite number: {value!r}")
        if value.is_integer():
            return str(int(value))
        text = format(Decimal(repr(value)), "f")
    else:
        text = str(value)
    return text.replace(".", DECIMAL_SEPARATOR)


def format_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, int | float | Decimal):
        return format_number(float(value) if isinstance(value, Decimal) else value)
    return escape_text(str(value))


def _tables(level: str) -> list[str]:
    if level not in CHOICES:
        raise ValueError(f"unknown level {level!r}: choose from {', '.join(CHOICES)}")
    return [*LEVELS, "area_indicators"] if level == "all" else [level]


def export_quarter(
    monitor_path: Path | str, quarter: str, level: str = "all", out_dir: Path | str = "."
) -> list[Path]:
    """Write the CSV files of ``quarter`` (see the module docstring); returns their paths."""
    parse_quarter(quarter)
    tables = _tables(level)
    monitor_path = Path(monitor_path)
    if not monitor_path.exists():
        raise ExportError(f"no published file at {monitor_path}: run `monitor run` first")
    out = Path(out_dir)
    filemodes.shared_dir(out)
    written = []
    with duckdb.connect() as con:
        literal = "'" + str(monitor_path).replace("'", "''") + "'"
        con.execute(f"ATTACH {literal} AS monitor (READ_ONLY)")
        quarters = [
            q
            for (q,) in con.execute(
                "SELECT DISTINCT quarter FROM monitor.area_indicators ORDER BY 1"
            ).fetchall()
        ]
        if quarter not in quarters:
            raise ExportError(
                f"{quarter} is not published in {monitor_path} "
                f"(published: {', '.join(quarters) or 'none'})"
            )
        for table in tables:
            order = (
                "period_type, area_level, area_code, indicator"
                if table == "area_indicators"
                else "period_type, area_code"
            )
            result = con.execute(
                f"SELECT * FROM monitor.{table} WHERE quarter = ? ORDER BY {order}", [quarter]
            )
            header = [d[0] for d in result.description]
            path = out / f"{quarter}_{table}.csv"
            _write_csv(path, header, result.fetchall())
            written.append(path)
    return written


def _write_csv(path: Path, header: list[str], rows: list[tuple]) -> None:
    def write(handle) -> None:
        writer = csv.writer(handle, delimiter=DELIMITER, lineterminator="\r\n")
        writer.writerow([escape_text(name) for name in header])
        writer.writerows([format_cell(v) for v in row] for row in rows)

    filemodes.write_shared(path, write, encoding="utf-8-sig", newline="")
