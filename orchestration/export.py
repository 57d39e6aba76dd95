"""Export of a published quarter for spreadsheet users: ``monitor export``.

    monitor export --quarter 2026Q3 [--level buurt|wijk|gemeente|regio|all] [--format csv|xlsx]
                   [--out DIR]

Reads only the analysts' file ``monitor.duckdb`` (attached read-only, so a publication or an
analyst's session is never blocked). Per level the wide table of that level (one row per
area, one column per indicator); ``--level all`` (the default) adds the long table (every
cell with its status) and the indicator dictionary. File and sheet names are Dutch, as in
``SHEET_NAMES``. CSV: one file per table, ``<quarter>_<table>.csv`` (``2026Q3_buurt.csv``,
``2026Q3_alle_cellen.csv``, ``2026Q3_indicatoren.csv``); ``xlsx``: one workbook with a sheet
per table (made with openpyxl), ``<quarter>_<level>.xlsx`` or, for ``all``,
``<quarter>_volledig.xlsx``. Default folder: ``<data dir>/exports``; files are 0644.

What a person sees, in both formats: the Dutch labels of the dictionary as headers (the key
columns' in ``dictionary.COLUMN_LABELS``), ``geheim`` in a suppressed cell (never an empty cell
that a sum would silently skip; ``n.v.t.`` for a rate or median whose denominator is a
published 0: ``dictionary.suppressed_text``), ``volgt`` where a period type published later
carries the figure (the outcomes of a quarter come a quarter later), status
``gepubliceerd``/``geheim`` in the long table. Counts are whole numbers, rates as rounded at
publication.

CSV format, chosen for Dutch Excel (double-click opens it correctly):

* UTF-8 with a byte order mark (Excel reads UTF-8 only with it), CRLF line ends;
* ``;`` as delimiter (Dutch Excel's list separator) and a decimal comma (``12,5``); no
  thousands separator, no exponent, all significant digits (the shortest text that reads back
  as the same number);
* ``"`` quoting only where needed (a cell holding ``;``, ``"`` or a line break).

The workbook holds numbers as numbers (Excel shows them in the reader's locale) and text as
text.

Formula injection (OWASP "CSV Injection"): a spreadsheet executes a cell that starts with
``=``, ``+``, ``-`` or ``@`` (and some also after a leading tab or CR). Every *text* cell
starting with one of ``= + - @ \\t \\r`` is written with a single quote in front (``'=HYPER…``),
which spreadsheets show as text; the quote is the only change. Numbers are never prefixed: they
are written from the numeric column, so a negative number stays a number.
Files are written to a temporary name and renamed, so a reader never sees half a file.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from orchestration import filemodes
from orchestration.contract import (
    LEVELS,
    WIDE_KEY_COLUMNS,
    attached_quarters,
    follows_later,
    period_order_sql,
)
from orchestration.dictionary import (
    COLUMN_LABELS,
    DICTIONARY_TABLE,
    FOLLOWS,
    NOT_PUBLISHED,
    STATUS_LABELS,
    held_columns,
    published_entries,
    suppressed_text,
)
from orchestration.quarters import parse_quarter

CHOICES = (*LEVELS, "all")
FORMATS = ("csv", "xlsx")
SHEET_NAMES = {"area_indicators": "alle cellen", DICTIONARY_TABLE: "indicatoren", "all": "volledig"}
"""The Dutch name of a table: its workbook sheet and, spaces as ``_``, its CSV file; of level
``all``, its workbook file. A level's name is the level."""
DICTIONARY_HEADERS = {
    "indicator": "Indicator", "label": "Label", "definitie": "Definitie", "soort": "Soort",
    "eenheid": "Eenheid", "teller": "Teller", "noemer": "Noemer", "decimalen": "Decimalen",
    "periode": "Telt over", "bronvelden": "Bronvelden", "landelijk": "Landelijke definitie",
    "niveaus": "Niveaus", "perioden": "Perioden",
}  # fmt: skip
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


@dataclass(frozen=True)
class Table:
    """One exported table: headers and cells as a person reads them."""

    name: str
    header: list[str]
    rows: list[list[object]]


def _tables(level: str) -> list[str]:
    if level not in CHOICES:
        raise ValueError(f"unknown level {level!r}: choose from {', '.join(CHOICES)}")
    return [*LEVELS, "area_indicators", DICTIONARY_TABLE] if level == "all" else [level]


def _read(con: duckdb.DuckDBPyConnection, table: str, quarter: str) -> Table:
    """A table of the attached published file, labelled, ``geheim`` in suppressed cells."""
    labels = {name: e.label for name, e in published_entries(con).items()}
    if table == DICTIONARY_TABLE:
        held = held_columns(con)  # a column newer than the file reads as empty
        columns = ", ".join(c if c in held else "null" for c in DICTIONARY_HEADERS)
        result = con.execute(f"select {columns} from monitor.{table} order by volgorde")
        rows = [[", ".join(c) if isinstance(c, list) else c for c in r] for r in result.fetchall()]
        return Table(table, list(DICTIONARY_HEADERS.values()), rows)
    if table == "area_indicators":
        result = con.execute(
            "select quarter, period_type, period, area_level, area_code, area_name, parent_code, "
            "indicator, value, status from monitor.area_indicators where quarter = ? "
            f"order by {period_order_sql()}, area_level, area_code, indicator",
            [quarter],
        )
        header = [*COLUMN_LABELS.values()]
        found = result.fetchall()
        # the published values of each row of a wide table (period and area), for the
        # suppressed cells that say n.v.t. (dictionary.suppressed_text)
        values: dict[tuple, dict[str, float | None]] = {}
        for r in found:
            values.setdefault(r[:5], {})[r[7]] = r[8]
        rows = [
            [
                *r[:8],
                labels.get(r[7], r[7]),
                suppressed_text(r[7], values[r[:5]]) if r[8] is None else r[8],
                STATUS_LABELS[r[9]],
            ]
            for r in found
        ]
        return Table(table, header, rows)
    result = con.execute(
        f"select * from monitor.{table} where quarter = ? order by {period_order_sql()}, area_code",
        [quarter],
    )
    names = [d[0] for d in result.description]
    keys = len(WIDE_KEY_COLUMNS)
    header = [COLUMN_LABELS.get(n) or labels.get(n, n) for n in names]
    found = result.fetchall()
    # an empty cell is secret where the file has the cell (suppressed; n.v.t. for a rate or
    # median over a published 0, dictionary.suppressed_text); where it has none, it follows
    # where a period type published later carries the figure of the row's period (the
    # outcomes of a kwartaal, in its kwartaal_afgerond row a quarter later), and is not
    # published otherwise: the level or the period type does not carry the indicator
    # (seeds/publicatie_niveaus.csv, seeds/indicators.csv periodesoorten), or did not when the
    # quarter was published
    follows = {
        (period_type, name)
        for period_type in {r[1] for r in found}
        for name in names[keys:]
        if follows_later(name, period_type, table)
    }
    held = {
        (period_type, period, code, name)
        for period_type, period, code, name in con.execute(
            "select period_type, period, area_code, indicator from monitor.area_indicators "
            "where quarter = ? and area_level = ?",
            [quarter, table],
        ).fetchall()
    }

    def readable(row: tuple) -> list[object]:
        published = dict(zip(names, row, strict=True))
        return [
            *row[:keys],
            *(
                v
                if v is not None
                else suppressed_text(n, published)
                if (*row[1:4], n) in held
                else FOLLOWS
                if (row[1], n) in follows
                else NOT_PUBLISHED
                for n, v in zip(names[keys:], row[keys:], strict=True)
            ),
        ]

    rows = [readable(r) for r in found]
    return Table(table, header, rows)


def export_quarter(
    monitor_path: Path | str,
    quarter: str,
    level: str = "all",
    out_dir: Path | str = ".",
    fmt: str = "csv",
) -> list[Path]:
    """Write the files of ``quarter`` (see the module docstring); returns their paths."""
    parse_quarter(quarter)
    tables = _tables(level)
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: choose from {', '.join(FORMATS)}")
    monitor_path = Path(monitor_path)
    if not monitor_path.exists():
        raise ExportError(f"no published file at {monitor_path}: run `monitor run` first")
    with duckdb.connect() as con:
        literal = "'" + str(monitor_path).replace("'", "''") + "'"
        con.execute(f"ATTACH {literal} AS monitor (READ_ONLY)")
        quarters = attached_quarters(con)
        if quarter not in quarters:
            raise ExportError(
                f"{quarter} is not published in {monitor_path} "
                f"(published: {', '.join(quarters) or 'none'})"
            )
        read = [_read(con, table, quarter) for table in tables]
    out = Path(out_dir)
    filemodes.shared_dir(out)
    if fmt == "xlsx":
        path = out / f"{quarter}_{file_stem(level)}.xlsx"
        filemodes.write_shared(path, lambda handle: _workbook(read).save(handle), encoding=None)
        return [path]
    written = []
    for table in read:
        path = out / f"{quarter}_{file_stem(table.name)}.csv"
        _write_csv(path, table)
        written.append(path)
    return written


def file_stem(name: str) -> str:
    """The part of an exported file's name after the quarter: ``alle_cellen``, ``buurt``."""
    return SHEET_NAMES.get(name, name).replace(" ", "_")


def _write_csv(path: Path, table: Table) -> None:
    def write(handle) -> None:
        writer = csv.writer(handle, delimiter=DELIMITER, lineterminator="\r\n")
        writer.writerow([escape_text(name) for name in table.header])
        writer.writerows([format_cell(v) for v in row] for row in table.rows)

    filemodes.write_shared(path, write, encoding="utf-8-sig", newline="")


def _workbook(tables: list[Table]) -> Workbook:
    """A sheet per table: bold labelled header, frozen, numbers as numbers, text escaped."""
    book = Workbook()
    book.remove(book.active)
    for table in tables:
        sheet = book.create_sheet(SHEET_NAMES.get(table.name, table.name))
        sheet.append([escape_text(h) for h in table.header])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([escape_text(v) if isinstance(v, str) else v for v in row])
        sheet.freeze_panes = "A2"
        for i, name in enumerate(table.header, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = min(max(len(name), 8) + 2, 60)
    return book
