"""The partner files: ``data/partners/<partner>.duckdb`` and ``<partner>.csv``.

Each file holds one partner's figures only, quarter after quarter (a quarter written again
replaces its rows), in Dutch, as the partner reads them:

- ``terugkoppeling``: per quarter, period and gemeente, every protected figure of the partner
  (``partners.protect``): the period type and period (``kwartaal``: the quarter's own
  signals; ``kwartaal_afgerond``: the outcomes of the quarter before, known a quarter later),
  the indicator, its Dutch label, kind and unit, the value (rounded as in the monitor; NULL
  where ``geheim``) and its status (``gepubliceerd`` / ``geheim``);
- ``levering``: per quarter and delivered file, its state and the lines read, loaded and
  quarantined, as the last ingest left them (``audit.ingest_files``);
- ``quarantaine``: per quarter, file and reason, the quarantined lines (``audit.quarantine``),
  the reason in Dutch (``reasons.dutch_reason``) and as ingestion recorded it;
- ``partner``: the partner's code, name and type, and when the file was written.

The delivery and the quarantine are the partner's own rows: they tell it nothing about a
resident it does not hold, so they are not suppressed (docs/partner-feedback.md).

**A quarter is written once.** A partner controls its own delivery: with two versions of one
quarter's figures (its delivery, then the same plus one address) the difference could be one
household's outcome. So a file that holds figures of the quarter keeps them when a rerun
makes other figures (``PartnerFile.kept``; the asset logs a warning and lists it); the same
figures are written again, and a withdrawn delivery (no figures) empties the quarter.
``withdraw_partner_quarter`` (``monitor partner-withdraw``) removes a quarter from a file:
the operator's decision to send a second version. The CSV is
``terugkoppeling`` of every quarter, in the format of ``monitor export`` (``;``, decimal
comma, UTF-8 with BOM, ``geheim`` in a suppressed cell, ``n.v.t.`` for a rate or median over
a published 0). Both files are written beside their
final name and renamed, so a reader never sees half a file; files are 0644 (they leave the
warehouse, like ``monitor.duckdb``).
"""

from __future__ import annotations

import csv
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from orchestration import filemodes
from orchestration.contract import PARTNER_CANDIDATE_TABLE, PERIOD_KEY, QUARTERLY
from orchestration.dictionary import COLUMN_LABELS, GEHEIM, STATUS_LABELS, suppressed_text
from orchestration.export import DELIMITER, escape_text, format_cell
from orchestration.ingestion.loader import CURRENT_FILES
from orchestration.parameters import (
    indicator_definitions,
    indicator_kinds,
    indicators,
    partners,
    periods,
)
from orchestration.partners.protect import PARTNER_KEY
from orchestration.partners.reasons import dutch_reason
from orchestration.settings import Paths

FEEDBACK_TABLE = "terugkoppeling"
DELIVERY_TABLE = "levering"
QUARANTINE_TABLE = "quarantaine"
PARTNER_TABLE = "partner"

FEEDBACK_COLUMNS = {
    "kwartaal": "VARCHAR", "periodesoort": "VARCHAR", "periode": "VARCHAR",
    "gemeentecode": "VARCHAR", "gemeente": "VARCHAR",
    "indicator": "VARCHAR", "omschrijving": "VARCHAR", "soort": "VARCHAR",
    "eenheid": "VARCHAR", "waarde": "DOUBLE", "status": "VARCHAR",
}  # fmt: skip
EARLIER_FEEDBACK = {"periodesoort": f"'{QUARTERLY}'", "periode": "kwartaal"}
"""The period columns of a feedback row written before they existed (docs/migrations.md 14):
its figures were all of the quarter itself."""
DELIVERY_COLUMNS = {
    "kwartaal": "VARCHAR", "bestand": "VARCHAR", "status": "VARCHAR", "regels_gelezen": "BIGINT",
    "regels_geladen": "BIGINT", "regels_in_quarantaine": "BIGINT",
}  # fmt: skip
FILE_STATUS = {
    "loaded": "ingelezen", "replaced": "vervangen", "unchanged": "ongewijzigd",
    "failed": "niet te lezen", "waiting": "wacht (wordt nog geschreven)",
}  # fmt: skip
"""A file's ingest status (``ingestion.loader``) in the partner's words."""
QUARANTINE_COLUMNS = {
    "kwartaal": "VARCHAR", "bestand": "VARCHAR", "reden": "VARCHAR", "regels": "BIGINT",
    "reden_bij_inlezen": "VARCHAR",
}  # fmt: skip
PARTNER_COLUMNS = {
    "partner_code": "VARCHAR", "partner_naam": "VARCHAR", "partner_type": "VARCHAR",
    "bijgewerkt": "TIMESTAMP",
}  # fmt: skip
QUARTER_TABLES = {
    FEEDBACK_TABLE: FEEDBACK_COLUMNS,
    DELIVERY_TABLE: DELIVERY_COLUMNS,
    QUARANTINE_TABLE: QUARANTINE_COLUMNS,
}
CSV_HEADERS = {
    "kwartaal": "Kwartaal", "periodesoort": COLUMN_LABELS[PERIOD_KEY[0]],
    "periode": COLUMN_LABELS[PERIOD_KEY[1]], "gemeentecode": "Gemeentecode", "gemeente": "Gemeente",
    "indicator": "Indicator", "omschrijving": "Omschrijving", "soort": "Soort",
    "eenheid": "Eenheid", "waarde": "Waarde", "status": "Status",
}  # fmt: skip


class PartnerFileError(RuntimeError):
    """Nothing to write (the quarter's partner figures are not protected yet), or no file of
    the partner named."""


@dataclass(frozen=True)
class PartnerFile:
    partner: str
    duckdb: Path
    csv: Path
    cells: int
    suppressed: int
    kept: bool = False
    """The file already held other figures of the quarter and keeps them (``write_partner_files``)."""


def partner_file(paths: Paths, partner: str) -> Path:
    return paths.partners / f"{partner}.duckdb"


def existing_partner_file(paths: Paths, partner: str) -> Path:
    """The file of ``partner``, which must be one of the partner files (a partner code names a
    file of the folder, never a path)."""
    known = sorted(p.stem for p in paths.partners.glob("*.duckdb"))
    if partner not in known:
        raise PartnerFileError(
            f"no partner file for {partner!r} in {paths.partners}"
            + (f"; partner files: {', '.join(known)}" if known else "; run a quarter first")
        )
    return partner_file(paths, partner)


def _feedback_rows(con: duckdb.DuckDBPyConnection, quarter: str, partner: str) -> list[tuple]:
    """The partner's figures of the quarter, by period type (in the order of
    ``seeds/periods.csv``), gemeente and indicator (in the order of ``seeds/indicators.csv``)."""
    kinds, words = indicator_kinds(), indicator_definitions()
    units = {ind.name: ind for ind in indicators()}  # in seed order
    order = {name: i for i, name in enumerate(units)}
    period_order = {p.period_type: i for i, p in enumerate(periods())}
    rows = con.execute(
        f"select {', '.join(PERIOD_KEY)}, area_code, area_name, indicator, value, status "
        f"from {PARTNER_CANDIDATE_TABLE} where quarter = ? and {PARTNER_KEY} = ?",
        [quarter, partner],
    ).fetchall()
    out = []
    for period_type, period, code, name, indicator, value, status in sorted(
        rows,
        key=lambda r: (
            period_order.get(r[0], len(period_order)),
            r[2],
            order.get(r[4], len(order)),
        ),
    ):
        ind = units[indicator]
        kind = kinds[ind.kind]
        shown = None if value is None else round(float(value), kind.decimalen)
        label = words[indicator].label if indicator in words else indicator
        out.append(
            (quarter, period_type, period, code, name, indicator, label, kind.soort, ind.unit,
             shown, STATUS_LABELS[status])
        )  # fmt: skip
    return out


def _delivery_rows(con: duckdb.DuckDBPyConnection, quarter: str, partner: str) -> list[tuple]:
    """The partner's files of the quarter as the last ingest left them."""
    rows = con.execute(
        "select quarter, file_name, status, rows_read, rows_loaded, rows_quarantined "
        f"from {CURRENT_FILES} where quarter = ? and source = ? order by file_name",
        [quarter, partner],
    ).fetchall()
    return [(q, name, FILE_STATUS.get(status, status), *n) for q, name, status, *n in rows]


def _quarantine_rows(con: duckdb.DuckDBPyConnection, quarter: str, partner: str) -> list[tuple]:
    """Per file and reason the quarantined lines, the reason in Dutch and as recorded."""
    rows = con.execute(
        "select quarter, file_name, reason, count(*) from audit.quarantine "
        "where quarter = ? and source = ? group by all order by file_name, count(*) desc, reason",
        [quarter, partner],
    ).fetchall()
    return [(q, name, dutch_reason(reason), n, reason) for q, name, reason, n in rows]


def _stage_database(path: Path, quarter: str, partner: str, tables: dict[str, list[tuple]]):
    """A copy of ``path`` (or a new file) beside it with the quarter's rows replaced by
    ``tables``: (the copy, the feedback rows of every quarter for the CSV)."""
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    temp = Path(temp_name)
    try:
        if path.exists():
            shutil.copyfile(path, temp)
        else:
            temp.unlink()  # DuckDB refuses an empty file made beforehand
        with duckdb.connect(str(temp)) as out:
            for table, columns in (*QUARTER_TABLES.items(), (PARTNER_TABLE, PARTNER_COLUMNS)):
                spec = ", ".join(f"{c} {t}" for c, t in columns.items())
                out.execute(f"create table if not exists {table} ({spec})")
                for column, sql_type in columns.items():  # a file of an earlier version
                    out.execute(f"alter table {table} add column if not exists {column} {sql_type}")
            settled = ", ".join(f"{c} = {sql}" for c, sql in EARLIER_FEEDBACK.items())
            out.execute(f"update {FEEDBACK_TABLE} set {settled} where periodesoort is null")
            for table, rows in tables.items():
                out.execute(f"delete from {table} where kwartaal = ?", [quarter])
                if rows:
                    _insert_rows(out, table, QUARTER_TABLES[table], rows)
            info = partners().get(partner)
            out.execute(f"delete from {PARTNER_TABLE}")
            out.execute(
                f"insert into {PARTNER_TABLE} ({', '.join(PARTNER_COLUMNS)}) values (?, ?, ?, ?)",
                [partner, info.naam if info else partner, info.partner_type if info else None,
                 datetime.now(UTC).replace(tzinfo=None)],
            )  # fmt: skip
            csv_rows = out.execute(
                f"select {', '.join(FEEDBACK_COLUMNS)} from {FEEDBACK_TABLE} "
                "order by kwartaal, rowid"
            ).fetchall()
        filemodes.share(temp)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp, csv_rows


POLARS_TYPES = {"VARCHAR": pl.String, "DOUBLE": pl.Float64, "BIGINT": pl.Int64}


def _insert_rows(
    out: duckdb.DuckDBPyConnection, table: str, columns: dict[str, str], rows: list[tuple]
) -> None:
    """Insert ``rows`` (tuples in the order of ``columns``) into ``table`` as one frame:
    DuckDB's ``executemany`` takes about a millisecond a row (40 s for a national quarter's
    50,000 partner figures), a frame a few milliseconds in all."""
    frame = pl.DataFrame(
        rows, schema={c: POLARS_TYPES[t] for c, t in columns.items()}, orient="row"
    )
    out.register("_rows", frame)
    try:
        out.execute(f"insert into {table} ({', '.join(columns)}) select * from _rows")
    finally:
        out.unregister("_rows")


def _stage_csv(path: Path, rows: list[tuple]) -> Path:
    status = list(FEEDBACK_COLUMNS).index("status")
    value = list(FEEDBACK_COLUMNS).index("waarde")

    indicator = list(FEEDBACK_COLUMNS).index("indicator")
    area = slice(0, indicator)  # quarter .. gemeente: the columns before the indicator
    published: dict[tuple, dict[str, float | None]] = {}  # per period and gemeente
    for row in rows:
        published.setdefault(row[area], {})[row[indicator]] = row[value]

    def write(handle) -> None:
        writer = csv.writer(handle, delimiter=DELIMITER, lineterminator="\r\n")
        writer.writerow([escape_text(h) for h in CSV_HEADERS.values()])
        for row in rows:
            cells = [format_cell(v) for v in row]
            if row[status] == GEHEIM:  # n.v.t.: a rate or median over a published 0
                cells[value] = suppressed_text(row[indicator], published[row[area]])
            writer.writerow(cells)

    return filemodes.stage_shared(path, write, encoding="utf-8-sig", newline="")


def _figures(rows: list[tuple]) -> list[tuple]:
    """The figures of feedback rows: period, gemeente, indicator, value and status, in order."""
    cols = list(FEEDBACK_COLUMNS)
    keep = [
        cols.index(c)
        for c in ("periodesoort", "periode", "gemeentecode", "indicator", "waarde", "status")
    ]
    return sorted(tuple(row[i] for i in keep) for row in rows)


def _stored_feedback(path: Path, quarter: str) -> list[tuple]:
    """The quarter's feedback rows in the file (none without a file)."""
    if not path.exists():
        return []
    with duckdb.connect(str(path), read_only=True) as con:
        present = {row[0] for row in con.execute(f"describe {FEEDBACK_TABLE}").fetchall()}
        columns = (
            c if c in present else f"{EARLIER_FEEDBACK.get(c, 'null')} as {c}"
            for c in FEEDBACK_COLUMNS
        )
        return con.execute(
            f"select {', '.join(columns)} from {FEEDBACK_TABLE} where kwartaal = ?", [quarter]
        ).fetchall()


def withdraw_partner_quarter(paths: Paths, partner: str, quarter: str) -> int:
    """Remove ``quarter`` from the partner's file (its figures, delivery and quarantine), so
    the next run writes it anew; the number of figures removed. The operator's decision to
    send a partner a second version of a quarter (docs/partner-feedback.md)."""
    target = existing_partner_file(paths, partner)
    removed = len(_stored_feedback(target, quarter))
    temp, csv_rows = _stage_database(
        target, quarter, partner, {table: [] for table in QUARTER_TABLES}
    )
    csv_path = target.with_suffix(".csv")
    try:
        csv_temp = _stage_csv(csv_path, csv_rows)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    os.replace(temp, target)
    os.replace(csv_temp, csv_path)
    return removed


def _holds_quarter(path: Path, quarter: str) -> bool:
    with duckdb.connect(str(path), read_only=True) as con:
        return any(
            con.execute(f"select count(*) from {table} where kwartaal = ?", [quarter]).fetchone()[0]
            for table in QUARTER_TABLES
        )


def write_partner_files(
    con: duckdb.DuckDBPyConnection, quarter: str, paths: Paths
) -> list[PartnerFile]:
    """Write (or rewrite) ``quarter`` into every partner's file: the partners with figures in
    the candidate, those that delivered files for the quarter, and those whose file holds the
    quarter from before (a withdrawn delivery: their quarter is emptied); a file holding other
    figures of the quarter keeps them (module docstring, ``PartnerFile.kept``). Every file is staged
    beside its target first and all are renamed at the end, so an error leaves every file as
    it was."""
    with_figures = [
        r[0]
        for r in con.execute(
            f"select distinct {PARTNER_KEY} from {PARTNER_CANDIDATE_TABLE} where quarter = ?",
            [quarter],
        ).fetchall()
    ]
    if not with_figures:
        raise PartnerFileError(
            f"{PARTNER_CANDIDATE_TABLE} has no rows for {quarter}: protect the partner figures "
            "first"
        )
    delivered = [
        r[0]
        for r in con.execute(
            f"select distinct source from {CURRENT_FILES} where quarter = ?", [quarter]
        ).fetchall()
        if r[0] in partners()
    ]
    filemodes.shared_dir(paths.partners)
    # a partner whose delivery was withdrawn since: its file loses the quarter
    withdrawn = [p.stem for p in paths.partners.glob("*.duckdb") if _holds_quarter(p, quarter)]
    staged: list[tuple[Path, Path]] = []  # (temp, target): renamed together at the end
    written = []
    try:
        for partner in sorted(set(with_figures) | set(delivered) | set(withdrawn)):
            tables = {
                FEEDBACK_TABLE: _feedback_rows(con, quarter, partner),
                DELIVERY_TABLE: _delivery_rows(con, quarter, partner),
                QUARANTINE_TABLE: _quarantine_rows(con, quarter, partner),
            }
            target = partner_file(paths, partner)
            feedback = tables[FEEDBACK_TABLE]
            stored = _stored_feedback(target, quarter)
            if stored and feedback and _figures(stored) != _figures(feedback):
                # sent once, never replaced by other figures: two versions of a quarter
                # could be compared (module docstring)
                written.append(
                    PartnerFile(
                        partner=partner,
                        duckdb=target,
                        csv=target.with_suffix(".csv"),
                        cells=len(stored),
                        suppressed=sum(1 for row in stored if row[-1] == GEHEIM),
                        kept=True,
                    )
                )
                continue
            temp, csv_rows = _stage_database(target, quarter, partner, tables)
            staged.append((temp, target))
            csv_path = target.with_suffix(".csv")
            staged.append((_stage_csv(csv_path, csv_rows), csv_path))
            written.append(
                PartnerFile(
                    partner=partner,
                    duckdb=target,
                    csv=csv_path,
                    cells=len(feedback),
                    suppressed=sum(1 for row in feedback if row[-1] == GEHEIM),
                )
            )
    except BaseException:
        for temp, _ in staged:
            temp.unlink(missing_ok=True)
        raise
    for temp, target in staged:
        os.replace(temp, target)
    return written
