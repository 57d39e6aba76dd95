"""Load one landing source of one quarter into ``raw.*`` and ``audit.*``: a function of its folder.

``ingest_source(con, quarter, source, landing_dir, key)`` makes the source's rows of the
quarter in ``raw.*`` and ``audit.quarantine`` a pure function of the ``*.csv`` files present
in ``landing_dir/<quarter>/<source>/`` (:mod:`.deliveries`), whatever order or history they
arrived in, and returns an :class:`IngestReport`. Bad input never raises: a file that cannot
be read is ``failed`` with an error naming the file and the problem, a bad row goes to
``audit.quarantine`` with its line number and a reason.

* **Nothing changed**: the present files (name, SHA-256, modification time) are those of the
  last load, none failed or waited, and the tables still hold the recorded counts: no data is
  written, each file gets an ``unchanged`` audit row with the counts of that load.
* **Anything changed** (a file added, removed, renamed, replaced, touched; ``force=True``;
  rows deleted behind the loader's back): every row of the quarter and source is deleted and
  the present files are loaded again, in precedence order (the latest delivery first, see
  :func:`.deliveries.precedence`). A key held by several files is kept from the first one;
  the other files' rows with that key are quarantined as ``superseded by <file>``, repeats
  within a file keep the source's duplicate reason (``duplicate signaal_id``) (:mod:`.dedup`).
  So a rename changes nothing, a new version replaces the old one's rows, and a withdrawn
  row disappears.
* **A landing folder that does not exist** removes nothing (a missing mount must not empty
  the warehouse): the earlier rows stay, and the report says so (``kept_files``). An empty
  folder withdraws the source.

The status of each file in ``audit.ingest_files`` (one row per file per run that saw it; the
latest row per file is its current state; ``file_modified_at`` records the modification time
the precedence used):

* ``loaded``: a name with no earlier loaded row (new, or it failed or waited before);
* ``replaced``: other bytes than its earlier row under the same name, or reloaded by force;
* ``unchanged``: the same bytes as its earlier row (its counts may still change when another
  file supersedes its rows or stops doing so);
* ``failed``: cannot be read, or a line longer than ``max_line_bytes``: no rows; retried on
  every run, a new row is written only when its bytes or error changed;
* ``waiting``: still being written (:mod:`.deliveries`): no rows, loaded by a later run.

A file that disappeared from an existing folder loses its audit rows too
(``IngestReport.removed_files``). Entries of the folder that are not ``*.csv`` files, and a
misspelt folder of this source at the quarter level, are listed in ``IngestReport.not_loaded``.
All writes of one call happen in one DuckDB transaction: an interruption leaves the tables
as they were. For every file, rows_read = rows_loaded + rows_quarantined.
"""

from __future__ import annotations

import logging
import time
import traceback
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.ingestion import sources as S
from orchestration.ingestion import staging
from orchestration.ingestion.chunks import FileReport, KeyOrder, file_chunk_rows, load_file
from orchestration.ingestion.dedup import SeenKeys
from orchestration.ingestion.deliveries import (
    MAX_LINE_BYTES,
    SETTLE_SECONDS,
    Delivery,
    NotLoaded,
    StillBeingWritten,
    precedence,
    quarter_entries,
    read_delivered,
    scan,
    source_entries,
)
from orchestration.ingestion.pseudo import BatchPseudonymiser
from orchestration.ingestion.reading import UnreadableFile
from orchestration.ingestion.validate import Context
from orchestration.parameters import partners
from orchestration.pseudonym import PSEUDONYM_SQL_TYPE, check_warehouse_key
from orchestration.quarters import parse_quarter, quarter_end
from orchestration.settings import fault_pause

log = logging.getLogger(__name__)

CHUNK_ROWS = 1_000_000
"""Records validated, pseudonymised and inserted at a time (bounds memory on big files); a
smaller file is cut into smaller chunks (:func:`.chunks.file_chunk_rows`)."""
TOP_REASONS = 10
NO_ROWS = ("failed", "waiting")
"""Statuses of a file with no rows in the warehouse."""

AUDIT_INGEST_FILES = (
    ("quarter", "VARCHAR"),
    ("source", "VARCHAR"),
    ("file_name", "VARCHAR"),
    ("file_sha256", "VARCHAR"),
    ("rows_read", "BIGINT"),
    ("rows_loaded", "BIGINT"),
    ("rows_quarantined", "BIGINT"),
    ("status", "VARCHAR"),
    ("error", "VARCHAR"),
    ("ingested_at", "TIMESTAMP"),
    ("file_modified_at", "TIMESTAMP"),
)
AUDIT_QUARANTINE = (
    ("quarter", "VARCHAR"),
    ("source", "VARCHAR"),
    ("file_name", "VARCHAR"),
    ("line_number", "INTEGER"),
    ("reason", "VARCHAR"),
)


@dataclass
class IngestReport:
    quarter: str
    source: str
    files: list[FileReport] = field(default_factory=list)
    """In name order."""
    removed_files: list[str] = field(default_factory=list)
    """Files loaded earlier that are no longer in the landing folder (their rows are gone)."""
    kept_files: list[str] = field(default_factory=list)
    """The landing folder does not exist: files of earlier loads whose rows are kept."""
    not_loaded: list[NotLoaded] = field(default_factory=list)
    """Entries of the source folder that are not ``*.csv`` files (subfolders, other
    extensions, hidden files), and misspelt folders of this source in the quarter folder."""
    top_reasons: list[tuple[str, int]] = field(default_factory=list)
    """Most frequent quarantine reasons of the quarter and source (all its current files)."""
    seconds: float = 0.0
    folder_exists: bool = True

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.files)

    @property
    def rows_quarantined(self) -> int:
        return sum(f.rows_quarantined for f in self.files)

    @property
    def failed_files(self) -> list[FileReport]:
        return [f for f in self.files if f.status == "failed"]

    @property
    def waiting_files(self) -> list[FileReport]:
        return [f for f in self.files if f.status == "waiting"]


# --- schema ---------------------------------------------------------------------------------


def _columns_sql(columns: tuple[tuple[str, str], ...]) -> str:
    return ", ".join(f"{name} {sql_type}" for name, sql_type in columns)


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the ``raw`` and ``audit`` schemas and tables when absent (docs/architecture.md)."""
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.execute("CREATE SCHEMA IF NOT EXISTS audit")
    for spec in S.ALL_SPECS:
        con.execute(
            f"CREATE TABLE IF NOT EXISTS raw.{spec.table} "
            f"({_columns_sql(S.COMMON_COLUMNS + spec.columns)})"
        )
    con.execute(
        f"CREATE TABLE IF NOT EXISTS audit.ingest_files ({_columns_sql(AUDIT_INGEST_FILES)})"
    )
    # Warehouses made before the column existed (their rows get NULL: reloaded once).
    con.execute(
        "ALTER TABLE audit.ingest_files ADD COLUMN IF NOT EXISTS file_modified_at TIMESTAMP"
    )
    con.execute(f"CREATE TABLE IF NOT EXISTS audit.quarantine ({_columns_sql(AUDIT_QUARANTINE)})")
    compact_pseudonyms(con)


PSEUDONYM_COLUMNS = frozenset(
    {
        name
        for spec in S.ALL_SPECS
        for name, sql_type in spec.columns
        if sql_type == PSEUDONYM_SQL_TYPE
    }
    | {"huishouden_id"}  # the marts' household key: the address pseudonym
)
"""Columns that hold a pseudonym, in ``raw.*`` and in every table dbt derives from them."""


class PseudonymMigrationError(RuntimeError):
    """A pseudonym column to migrate holds something other than 32 hex characters."""


def compact_pseudonyms(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Migration 11 (docs/migrations.md): a warehouse made before it holds each pseudonym as 32
    hex characters; every such column (:data:`PSEUDONYM_COLUMNS`, in any table) becomes a
    ``UHUGEINT`` in place, value for value: the pseudonyms stay what they were, so nothing is
    re-ingested and the incremental marts keep their earlier quarters. All columns change in
    one transaction, and only when every value is 32 lower-case hex characters (anything else,
    e.g. a pseudonym saved as decimal text, raises :class:`PseudonymMigrationError` naming the
    column, and nothing changes). Returns the columns converted (none on a migrated warehouse:
    one catalog query)."""
    found = con.execute(
        "SELECT table_schema, table_name, column_name FROM information_schema.columns "
        "WHERE data_type = 'VARCHAR' AND column_name IN (SELECT unnest(?)) "
        "AND table_name IN (SELECT table_name FROM duckdb_tables() WHERE schema_name = table_schema) "
        "ORDER BY ALL",
        [sorted(PSEUDONYM_COLUMNS)],
    ).fetchall()
    if not found:
        return []
    t = PSEUDONYM_SQL_TYPE
    con.execute("BEGIN TRANSACTION")
    try:
        for schema, table, name in found:
            (not_hex,) = con.execute(
                f'SELECT count(*) FROM "{schema}"."{table}" '
                f"WHERE NOT regexp_full_match({name}, '[0-9a-f]{{32}}')"
            ).fetchone()
            if not_hex:
                raise PseudonymMigrationError(
                    f"migration 11: {schema}.{table}.{name} is VARCHAR but {not_hex} of its "
                    "values are not 32 hex characters (a pseudonym of before the migration); "
                    f"nothing was converted. Make it {t} or drop it (docs/migrations.md, 11)"
                )
            high, low = (f"('0x' || substr({name}, {start}, 16))::UBIGINT" for start in (1, 17))
            con.execute(
                f'ALTER TABLE "{schema}"."{table}" ALTER COLUMN {name} SET DATA TYPE {t} '
                f"USING ({high}::{t} << 64) | {low}::{t}"
            )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    converted = [f"{schema}.{table}.{name}" for schema, table, name in found]
    log.warning("migration 11: pseudonyms stored as %s in %s", t, converted)
    return converted


# --- what is recorded -----------------------------------------------------------------------


@dataclass
class _Previous:
    sha256: str
    status: str
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    error: str | None
    modified_at: datetime | None


CURRENT_FILES = (
    "(select * from audit.ingest_files qualify row_number() over "
    "(partition by quarter, source, file_name order by ingested_at desc) = 1)"
)
"""``audit.ingest_files`` reduced to each file's latest row, its current state (the table keeps
a row per run that saw the file). A subquery, for ``from {CURRENT_FILES} ...``."""


def _previous(con: duckdb.DuckDBPyConnection, quarter: str, source: str) -> dict[str, _Previous]:
    rows = con.execute(
        "SELECT file_name, file_sha256, status, rows_read, rows_loaded, rows_quarantined, error, "
        f"file_modified_at FROM {CURRENT_FILES} WHERE quarter = ? AND source = ?",
        [quarter, source],
    ).fetchall()
    return {r[0]: _Previous(*r[1:]) for r in rows}


def _counts(con: duckdb.DuckDBPyConnection, table: str, quarter: str, source: str) -> dict:
    return dict(
        con.execute(
            f"SELECT file_name, count(*) FROM {table} WHERE quarter = ? AND source = ? GROUP BY 1",
            [quarter, source],
        ).fetchall()
    )


def _compare(
    con: duckdb.DuckDBPyConnection,
    spec: S.SourceSpec,
    quarter: str,
    source: str,
    deliveries: list[Delivery],
    previous: dict[str, _Previous],
) -> str:
    """``unchanged``, ``changed`` (the files differ from the last load) or ``repair`` (the
    same files, but the tables no longer hold what was recorded)."""
    present = {d.name: (d.sha256, d.modified_at) for d in deliveries if not d.changed}
    recorded = {name: (p.sha256, p.modified_at) for name, p in previous.items()}
    if (
        present != recorded
        or len(present) != len(deliveries)
        or any(p.status in NO_ROWS for p in previous.values())
    ):
        return "changed"
    loaded = _counts(con, f"raw.{spec.table}", quarter, source)
    quarantined = _counts(con, "audit.quarantine", quarter, source)
    held = {
        name: (p.rows_loaded, p.rows_quarantined)
        for name, p in previous.items()
        if p.rows_loaded or p.rows_quarantined
    }
    found = {
        name: (loaded.get(name, 0), quarantined.get(name, 0))
        for name in set(loaded) | set(quarantined)
    }
    return "unchanged" if held == found else "repair"


# --- the source -----------------------------------------------------------------------------


def ingest_source(
    con: duckdb.DuckDBPyConnection,
    quarter: str,
    source: str,
    landing_dir: Path,
    key: bytes,
    *,
    force: bool = False,
    chunk_rows: int = CHUNK_ROWS,
    settle_seconds: float = SETTLE_SECONDS,
    max_line_bytes: int = MAX_LINE_BYTES,
) -> IngestReport:
    """Make the quarter's rows of ``source`` those of ``landing_dir/<quarter>/<source>/*.csv``.

    ``source`` is a partner code of the registry (rows go to ``raw.signalen`` with
    ``partner_code = source``) or a municipal source (rows go to ``raw.<source>``).
    ``settle_seconds`` and ``max_line_bytes`` default to ``seeds/pipeline_parameters.csv``.
    Raises ``ValueError`` only for a bad ``quarter`` or ``source`` argument, and
    ``KeyMismatchError`` when ``key`` is not the key the warehouse was built with (one key per
    warehouse: ``monitor rotate-key`` changes it).
    """
    started = time.perf_counter()
    parse_quarter(quarter)
    spec = S.spec_for(source)
    landing = Path(landing_dir)
    ctx = Context(
        quarter=quarter,
        source=source,
        quarter_end=quarter_end(quarter),
        partner=partners().get(source) if spec is S.SIGNALEN else None,
        pseudonyms=BatchPseudonymiser(key),
    )
    paths, not_loaded = source_entries(landing, quarter, source)
    misspelt = [e for e in quarter_entries(landing, quarter) if e.meant_for == source]
    report = IngestReport(
        quarter=quarter,
        source=source,
        not_loaded=[*misspelt, *not_loaded],
        folder_exists=(landing / quarter / source).is_dir(),
    )
    now = time.time()
    deliveries = [
        scan(p, now=now, settle_seconds=settle_seconds, max_line_bytes=max_line_bytes)
        for p in paths
    ]

    ensure_schema(con)
    stage_folder = staging.new_folder(con)
    con.execute("BEGIN TRANSACTION")
    try:
        check_warehouse_key(con, key)
        previous = _previous(con, quarter, source)
        if not report.folder_exists:
            report.kept_files = sorted(n for n, p in previous.items() if p.status not in NO_ROWS)
        else:
            state = (
                "changed" if force else _compare(con, spec, quarter, source, deliveries, previous)
            )
            if state == "unchanged":
                report.files = [_unchanged(con, ctx, d, previous[d.name]) for d in deliveries]
            else:
                report.files = _reload(
                    con,
                    spec,
                    ctx,
                    deliveries,
                    previous,
                    chunk_rows,
                    force or state == "repair",
                    stage_folder,
                )
            for name in sorted(set(previous) - {d.name for d in deliveries}):
                _delete_audit_rows(con, quarter, source, name)
                report.removed_files.append(name)
                log.warning(
                    "%s %s %s: no longer in the landing folder, its rows were removed",
                    quarter,
                    source,
                    name,
                )
        report.top_reasons = [
            (reason, int(n))
            for reason, n in con.execute(
                "SELECT reason, count(*) AS n FROM audit.quarantine "
                "WHERE quarter = ? AND source = ? GROUP BY reason ORDER BY n DESC, reason LIMIT ?",
                [quarter, source, TOP_REASONS],
            ).fetchall()
        ]
        fault_pause("ingest")  # test hook (orchestration/settings.py), inert in production
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        staging.remove_folder(stage_folder)
    for f in report.files:
        log.info(
            "%s %s %s: %s, read %d, loaded %d, quarantined %d%s",
            quarter,
            source,
            f.file_name,
            f.status,
            f.rows_read,
            f.rows_loaded,
            f.rows_quarantined,
            f" ({f.error})" if f.error else "",
        )
    report.seconds = time.perf_counter() - started
    return report


def _unchanged(
    con: duckdb.DuckDBPyConnection, ctx: Context, delivery: Delivery, prev: _Previous
) -> FileReport:
    report = FileReport(
        delivery.name,
        delivery.sha256,
        prev.rows_read,
        prev.rows_loaded,
        prev.rows_quarantined,
        status="unchanged",
        modified_at=delivery.modified_at,
    )
    _record(con, ctx, report, prev)
    return report


def _reload(
    con: duckdb.DuckDBPyConnection,
    spec: S.SourceSpec,
    ctx: Context,
    deliveries: list[Delivery],
    previous: dict[str, _Previous],
    chunk_rows: int,
    forced: bool,
    stage_folder: Path,
) -> list[FileReport]:
    """Delete the quarter's rows of the source and load every present file again."""
    params = [ctx.quarter, ctx.source]
    where = "WHERE quarter = ? AND source = ?"
    con.execute(f"DELETE FROM raw.{spec.table} {where}", params)
    con.execute(f"DELETE FROM audit.quarantine {where}", params)
    ordered = precedence(deliveries)
    seen = SeenKeys(spec.duplicate_key) if spec.duplicate_key else None
    names = [d.name for d in ordered]
    reports = []
    for index, delivery in enumerate(ordered):
        prev = previous.get(delivery.name)
        report = _ingest_file(
            con,
            delivery,
            spec,
            ctx,
            KeyOrder(seen, names, index),
            prev,
            forced,
            chunk_rows,
            stage_folder,
        )
        if report.status in NO_ROWS and seen is not None:
            seen.forget(index)
        _record(con, ctx, report, prev)
        reports.append(report)
    return sorted(reports, key=lambda r: r.file_name)


def _status(prev: _Previous | None, delivery: Delivery, forced: bool) -> str:
    if prev is None or prev.status in NO_ROWS:
        return "loaded"
    if forced or prev.sha256 != delivery.sha256:
        return "replaced"
    return "unchanged"


def _ingest_file(
    con: duckdb.DuckDBPyConnection,
    delivery: Delivery,
    spec: S.SourceSpec,
    ctx: Context,
    keys: KeyOrder,
    prev: _Previous | None,
    forced: bool,
    chunk_rows: int,
    stage_folder: Path,
) -> FileReport:
    started = time.perf_counter()
    name = delivery.name
    report = FileReport(
        name,
        delivery.sha256,
        status=_status(prev, delivery, forced),
        modified_at=delivery.modified_at,
    )
    if delivery.error:
        _end(con, spec, ctx, report, "failed", f"{name}: {delivery.error}")
        return report
    try:
        if delivery.changed:
            raise StillBeingWritten("its size or modification time changed while it was read")
        blocks = read_delivered(delivery)
        load_file(
            con,
            blocks,
            spec,
            ctx,
            keys,
            file_chunk_rows(delivery.size, chunk_rows),
            report,
            may_be_cut=delivery.may_be_cut,
            stage_folder=stage_folder,
        )
    except StillBeingWritten as why:
        _end(con, spec, ctx, report, "waiting", _waiting_message(name, str(why)))
    except UnreadableFile as error:
        _end(con, spec, ctx, report, "failed", f"{name}: {error}")
    except OSError as error:
        message = f"{name}: cannot be opened ({error.strerror or type(error).__name__})"
        _end(con, spec, ctx, report, "failed", message)
    except Exception as error:  # a bug must not stop the other files; no value in the message
        log.error(
            "%s %s %s: unexpected %s while loading\n%s",
            ctx.quarter,
            ctx.source,
            name,
            type(error).__name__,
            "".join(traceback.format_tb(error.__traceback__)),
        )
        message = f"{name}: could not be ingested (internal {type(error).__name__}; see the log)"
        _end(con, spec, ctx, report, "failed", message)
    report.seconds = time.perf_counter() - started
    return report


def _waiting_message(name: str, why: str) -> str:
    return (
        f"{name}: still being written ({why}): not loaded; the next run loads it once the copy "
        "is complete"
    )


def _end(
    con: duckdb.DuckDBPyConnection,
    spec: S.SourceSpec,
    ctx: Context,
    report: FileReport,
    status: str,
    error: str,
) -> None:
    """A failed or waiting file: none of its rows stay."""
    params = [ctx.quarter, ctx.source, report.file_name]
    where = "WHERE quarter = ? AND source = ? AND file_name = ?"
    con.execute(f"DELETE FROM raw.{spec.table} {where}", params)
    con.execute(f"DELETE FROM audit.quarantine {where}", params)
    report.status = status
    report.error = error
    report.rows_read = report.rows_loaded = report.rows_quarantined = 0
    report.reasons = {}


def _delete_audit_rows(
    con: duckdb.DuckDBPyConnection, quarter: str, source: str, name: str
) -> None:
    con.execute(
        "DELETE FROM audit.ingest_files WHERE quarter = ? AND source = ? AND file_name = ?",
        [quarter, source, name],
    )


def _record(
    con: duckdb.DuckDBPyConnection, ctx: Context, report: FileReport, prev: _Previous | None
) -> None:
    """Append the file's row to audit.ingest_files, unless a retried failure (or a file still
    waiting) is unchanged."""
    if (
        report.status in NO_ROWS
        and prev is not None
        and (prev.status, prev.sha256, prev.error) == (report.status, report.sha256, report.error)
    ):
        return
    assert report.rows_read == report.rows_loaded + report.rows_quarantined
    con.execute(
        f"INSERT INTO audit.ingest_files ({', '.join(c for c, _ in AUDIT_INGEST_FILES)}) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            ctx.quarter,
            ctx.source,
            report.file_name,
            report.sha256,
            report.rows_read,
            report.rows_loaded,
            report.rows_quarantined,
            report.status,
            report.error,
            datetime.now(UTC).replace(tzinfo=None),
            report.modified_at,
        ],
    )
