"""Small helpers that turn results into Dagster metadata an engineer can read in the UI.

Dagster's UI has no chart metadata type; it renders Markdown (tables, inline code) and plots
numeric metadata over materializations on the asset's *Plots* tab. So a distribution (rows
per quarantine reason, suppressions per level) is a Markdown table with a text bar beside the
numbers (``bar_table``): it reads at a glance in the UI, in ``dagster asset`` output and in
plain logs alike, and the numbers stay in the cells. Scalars worth following over quarters
(rows loaded, match rate, share suppressed) stay plain numbers so the UI plots them.

Every asset that is a table carries Dagster's standard table metadata (``table_metadata``):
``dagster/row_count``, ``dagster/partition_row_count`` (the quarter's rows),
``dagster/table_name`` and ``dagster/column_schema``, read from the table itself once it is
written, so the catalog shows the same for ingest, dbt, protect, publish and the key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import duckdb
from dagster import MetadataValue, TableColumn, TableSchema

BAR_WIDTH = 24
"""Characters of the longest bar."""
SERIES_GLYPHS = ("█", "▒", "░")
"""One glyph per stacked series, in the order of ``bar_columns``."""
_EIGHTHS = ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")


def markdown_lines(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    """A Markdown table (``|`` and newlines in cells escaped); an empty row when there are none."""

    def cell(value: object) -> str:
        text = "" if value is None else str(value)
        return text.replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    if len(lines) == 2:
        lines.append("| " + " | ".join("" for _ in headers) + " |")
    return lines


def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> MetadataValue:
    return MetadataValue.md("\n".join(markdown_lines(headers, rows)))


def text_bar(values: Sequence[float], top: float, width: int = BAR_WIDTH) -> str:
    """A horizontal bar of ``sum(values) / top`` of ``width`` characters.

    One value is drawn to an eighth of a character; several are stacked, each series in its
    own glyph (``SERIES_GLYPHS``) and rounded to whole characters. A non-zero value always
    shows at least a sliver, so "a few" never looks like "none".
    """
    if top <= 0:
        return ""
    if len(values) == 1:
        eighths = round(8 * width * max(values[0], 0) / top)
        if values[0] > 0:
            eighths = max(eighths, 1)
        return "█" * (eighths // 8) + _EIGHTHS[eighths % 8]
    parts = []
    for value, glyph in zip(values, SERIES_GLYPHS, strict=False):
        n = round(width * max(value, 0) / top)
        parts.append(glyph * (max(n, 1) if value > 0 else 0))
    return "".join(parts)


def bar_table(
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    bar_columns: Sequence[int],
    *,
    relative_to: int | None = None,
    width: int = BAR_WIDTH,
) -> MetadataValue:
    """A Markdown table with a text bar chart in its last column.

    The bar of a row stacks the values in ``bar_columns`` (None counts as 0). Bars are scaled
    to the largest row total, or with ``relative_to`` (a column index) each to its own row's
    value of that column, so a full bar is 100% (e.g. suppressed cells of all cells).
    """
    if not 1 <= len(bar_columns) <= len(SERIES_GLYPHS):
        raise ValueError(f"bar_table draws 1 to {len(SERIES_GLYPHS)} series")
    rows = [list(row) for row in rows]

    def number(value: object) -> float:
        return float(value) if isinstance(value, int | float) else 0.0

    series = [[number(row[i]) for i in bar_columns] for row in rows]
    top = max((sum(values) for values in series), default=0.0)
    body = []
    for row, values in zip(rows, series, strict=True):
        scale = number(row[relative_to]) if relative_to is not None else top
        bar = text_bar(values, scale, width)
        body.append([*row, f"`{bar}`" if bar else ""])
    lines = markdown_lines([*headers, ""], body)
    if len(bar_columns) > 1:
        legend = " ".join(
            f"`{glyph}` {headers[i]}" for i, glyph in zip(bar_columns, SERIES_GLYPHS, strict=False)
        )
        lines += ["", legend]
    return MetadataValue.md("\n".join(lines))


def table_metadata(
    con: duckdb.DuckDBPyConnection,
    table: str,
    quarter: str | None = None,
    *,
    rows_of: tuple[str, str] | None = None,
    descriptions: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Dagster's standard table metadata of ``table`` (``schema.name``) as it is in ``con``'s
    database: its full name (``warehouse.raw.signalen``), its columns and types, its rows and,
    when it has a ``quarter`` column, the rows of ``quarter``. ``rows_of`` (column, value)
    counts only the rows of one slice of the table (a partner's rows of ``raw.signalen``);
    ``descriptions`` describe columns (else the column's comment). Empty when the table does not exist."""
    schema, name = table.split(".")
    catalog = con.execute("select current_database()").fetchone()[0]
    columns = con.execute(
        "select column_name, data_type, comment from duckdb_columns() "
        "where database_name = ? and schema_name = ? and table_name = ? order by column_index",
        [catalog, schema, name],
    ).fetchall()
    if not columns:
        return {}
    where, params = ("true", []) if rows_of is None else (f'"{rows_of[0]}" = ?', [rows_of[1]])
    per_quarter = quarter is not None and "quarter" in {c for c, _, _ in columns}
    rows, quarter_rows = con.execute(
        f"select count(*), count(*) filter (where {'quarter = ?' if per_quarter else 'false'}) "
        f'from "{schema}"."{name}" where {where}',
        [quarter, *params] if per_quarter else params,
    ).fetchone()
    descriptions = descriptions or {}
    schema_value = TableSchema(
        columns=[
            TableColumn(name=c, type=t, description=descriptions.get(c) or comment or None)
            for c, t, comment in columns
        ]
    )
    metadata: dict[str, Any] = {
        "dagster/table_name": MetadataValue.text(f"{catalog}.{schema}.{name}"),
        "dagster/column_schema": MetadataValue.table_schema(schema_value),
        "dagster/row_count": MetadataValue.int(rows),
    }
    if per_quarter:
        metadata["dagster/partition_row_count"] = MetadataValue.int(quarter_rows)
    return metadata
