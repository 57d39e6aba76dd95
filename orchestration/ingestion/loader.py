"""Load one landing source of one quarter into ``raw.*`` and ``audit.*``, idempotently.

``ingest_source(con, quarter, source, landing_dir, key)`` reads every ``*.csv`` (any case)
in ``landing_dir/<quarter>/<source>/`` and returns an :class:`IngestReport`. Bad input never
raises: a file that cannot be read is reported ``failed`` with an error naming the file and
the problem, a bad row goes to ``audit.quarantine`` with its line number and a reason.

Redelivery and history (``audit.ingest_files`` keeps one row per file per run that saw it;
the latest row per file is its current state):

* the same bytes as the file's last successful load: ``unchanged``, no data is written, only
  the audit row (with the counts of that load). If that file's rows are
  no longer in the raw table as recorded, it is loaded again (``replaced``);
* other bytes under a name already seen for the quarter and source: the file's earlier raw
  and quarantine rows are deleted and the new content loaded (``replaced``); a new name:
  ``loaded``;
* a file that cannot be read: ``failed``, and any earlier rows of that file are removed, so
  the warehouse mirrors the landing folder; a failed file is retried on every run and a new
  ``failed`` row is written only when its bytes or error changed;
* a file that disappeared from an existing landing folder: its raw, quarantine and
  ``audit.ingest_files`` rows are deleted (listed in ``IngestReport.removed_files``). A
  landing folder that does not exist at all removes nothing (a missing mount must not empty
  the warehouse);
* ``force=True`` reloads every file (``replaced``), e.g. after a change in the rules.

All writes of one call happen in one DuckDB transaction: an interruption leaves the tables
as they were. Files are processed in name order; a duplicate key (e.g. ``signaal_id``) keeps
its first loaded occurrence, the later one is quarantined as a duplicate.
"""

from __future__ import annotations

import hashlib
import logging
import time
import traceback
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from orchestration.ingestion import sources as S
from orchestration.ingestion.pseudo import BatchPseudonymiser
from orchestration.ingestion.reading import DELIMITER_NAMES, UnreadableFile, read_text, split_fields
from orchestration.ingestion.validate import Context, HeaderMap, build, check, map_header
from orchestration.parameters import partners
from orchestration.pseudonym import check_warehouse_key
from orchestration.quarters import parse_quarter, quarter_end
from orchestration.settings import fault_pause

log = logging.getLogger(__name__)

CHUNK_ROWS = 1_000_000
"""Records validated, pseudonymised and inserted at a time (bounds memory on big files)."""
TOP_REASONS = 10

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
)
AUDIT_QUARANTINE = (
    ("quarter", "VARCHAR"),
    ("source", "VARCHAR"),
    ("file_name", "VARCHAR"),
    ("line_number", "INTEGER"),
    ("reason", "VARCHAR"),
)


@dataclass
class FileReport:
    file_name: str
    sha256: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    status: str = "loaded"
    """loaded, unchanged, replaced or failed."""
    error: str | None = None
    unknown_columns: list[str] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None
    seconds: float = 0.0
    reasons: dict[str, int] = field(default_factory=dict)
    """Quarantine reasons of this load (empty for an unchanged file)."""

    @property
    def file_sha256(self) -> str:
        return self.sha256


@dataclass
class IngestReport:
    quarter: str
    source: str
    files: list[FileReport] = field(default_factory=list)
    removed_files: list[str] = field(default_factory=list)
    """Files loaded earlier that are no longer in the landing folder (their rows are gone)."""
    ignored_files: list[str] = field(default_factory=list)
    """Files in the landing folder that are not ingested: not ``*.csv``, or hidden."""
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
    con.execute(f"CREATE TABLE IF NOT EXISTS audit.quarantine ({_columns_sql(AUDIT_QUARANTINE)})")


# --- the source -----------------------------------------------------------------------------


@dataclass
class _Previous:
    sha256: str
    status: str
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    error: str | None


def _landing_files(folder: Path) -> tuple[list[Path], list[str]]:
    if not folder.is_dir():
        return [], []
    files = sorted((p for p in folder.iterdir() if p.is_file()), key=lambda p: p.name)
    # Hidden files (macOS "._x.csv", editor lock files) and Excel's "~$" owner files are no
    # deliveries.
    hidden = [p for p in files if p.name.startswith((".", "~$"))]
    csvs = [p for p in files if p.suffix.lower() == ".csv" and p not in hidden]
    ignored = [p.name for p in files if p not in csvs]
    return csvs, ignored


CURRENT_FILES = (
    "(select * from audit.ingest_files qualify row_number() over "
    "(partition by quarter, source, file_name order by ingested_at desc) = 1)"
)
"""``audit.ingest_files`` reduced to each file's latest row, its current state (the table keeps
a row per run that saw the file). A subquery, for ``from {CURRENT_FILES} ...``."""


def _previous(con: duckdb.DuckDBPyConnection, quarter: str, source: str) -> dict[str, _Previous]:
    rows = con.execute(
        "SELECT file_name, file_sha256, status, rows_read, rows_loaded, rows_quarantined, error "
        f"FROM {CURRENT_FILES} WHERE quarter = ? AND source = ?",
        [quarter, source],
    ).fetchall()
    return {r[0]: _Previous(*r[1:]) for r in rows}


def ingest_source(
    con: duckdb.DuckDBPyConnection,
    quarter: str,
    source: str,
    landing_dir: Path,
    key: bytes,
    *,
    force: bool = False,
    chunk_rows: int = CHUNK_ROWS,
) -> IngestReport:
    """Ingest ``landing_dir/<quarter>/<source>/*.csv`` into ``raw.*`` and ``audit.*``.

    ``source`` is a partner code of the registry (rows go to ``raw.signalen`` with
    ``partner_code = source``) or a municipal source (rows go to ``raw.<source>``).
    Raises ``ValueError`` only for a bad ``quarter`` or ``source`` argument, and
    ``KeyMismatchError`` when ``key`` is not the key the warehouse was built with (one key per
    warehouse: ``monitor rotate-key`` changes it).
    """
    started = time.perf_counter()
    parse_quarter(quarter)
    spec = S.spec_for(source)
    partner = partners().get(source) if spec is S.SIGNALEN else None
    ctx = Context(
        quarter=quarter,
        source=source,
        quarter_end=quarter_end(quarter),
        partner=partner,
        pseudonyms=BatchPseudonymiser(key),
    )
    folder = Path(landing_dir) / quarter / source
    paths, ignored = _landing_files(folder)
    report = IngestReport(
        quarter=quarter, source=source, ignored_files=ignored, folder_exists=folder.is_dir()
    )

    ensure_schema(con)
    con.execute("BEGIN TRANSACTION")
    try:
        check_warehouse_key(con, key)
        previous = _previous(con, quarter, source)
        for path in paths:
            file_report = _ingest_file(
                con, path, spec, ctx, previous.get(path.name), force, chunk_rows
            )
            report.files.append(file_report)
            log.info(
                "%s %s %s: %s, read %d, loaded %d, quarantined %d%s",
                quarter,
                source,
                path.name,
                file_report.status,
                file_report.rows_read,
                file_report.rows_loaded,
                file_report.rows_quarantined,
                f" ({file_report.error})" if file_report.error else "",
            )
        if report.folder_exists:
            present = {p.name for p in paths}
            for name in sorted(set(previous) - present):
                _delete_file_rows(con, spec, quarter, source, name, audit=True)
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
    report.seconds = time.perf_counter() - started
    return report


def _delete_file_rows(
    con: duckdb.DuckDBPyConnection,
    spec: S.SourceSpec,
    quarter: str,
    source: str,
    name: str,
    *,
    audit: bool = False,
) -> None:
    params = [quarter, source, name]
    where = "WHERE quarter = ? AND source = ? AND file_name = ?"
    con.execute(f"DELETE FROM raw.{spec.table} {where}", params)
    con.execute(f"DELETE FROM audit.quarantine {where}", params)
    if audit:
        con.execute(f"DELETE FROM audit.ingest_files {where}", params)


def _still_loaded(
    con: duckdb.DuckDBPyConnection,
    spec: S.SourceSpec,
    quarter: str,
    source: str,
    name: str,
    prev: _Previous,
) -> bool:
    params = [quarter, source, name]
    where = "WHERE quarter = ? AND source = ? AND file_name = ?"
    loaded = con.execute(f"SELECT count(*) FROM raw.{spec.table} {where}", params).fetchone()[0]
    quarantined = con.execute(f"SELECT count(*) FROM audit.quarantine {where}", params)
    return loaded == prev.rows_loaded and quarantined.fetchone()[0] == prev.rows_quarantined


def _ingest_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    spec: S.SourceSpec,
    ctx: Context,
    prev: _Previous | None,
    force: bool,
    chunk_rows: int,
) -> FileReport:
    started = time.perf_counter()
    name = path.name
    try:
        data = path.read_bytes()
    except OSError as error:
        report = FileReport(
            name,
            "",
            status="failed",
            error=f"{name}: cannot be opened ({error.strerror or type(error).__name__})",
        )
        _record(con, ctx, report, prev)
        return report
    sha = hashlib.sha256(data).hexdigest()
    if (
        prev is not None
        and not force
        and prev.sha256 == sha
        and prev.status != "failed"
        and _still_loaded(con, spec, ctx.quarter, ctx.source, name, prev)
    ):
        report = FileReport(
            name,
            sha,
            prev.rows_read,
            prev.rows_loaded,
            prev.rows_quarantined,
            status="unchanged",
            seconds=time.perf_counter() - started,
        )
        _record(con, ctx, report, prev)
        return report

    report = FileReport(name, sha, status="replaced" if prev is not None else "loaded")
    _delete_file_rows(con, spec, ctx.quarter, ctx.source, name)
    try:
        _load(con, data, spec, ctx, report, chunk_rows)
    except UnreadableFile as error:
        _fail(con, spec, ctx, report, f"{name}: {error}")
    except Exception as error:  # a bug must not stop the other files; no value in the message
        log.error(
            "%s %s %s: unexpected %s while loading\n%s",
            ctx.quarter,
            ctx.source,
            name,
            type(error).__name__,
            "".join(traceback.format_tb(error.__traceback__)),
        )
        _fail(
            con,
            spec,
            ctx,
            report,
            f"{name}: could not be ingested (internal {type(error).__name__}; see the log)",
        )
    del data
    report.seconds = time.perf_counter() - started
    _record(con, ctx, report, prev)
    return report


def _fail(
    con: duckdb.DuckDBPyConnection, spec: S.SourceSpec, ctx: Context, report: FileReport, error: str
) -> None:
    _delete_file_rows(con, spec, ctx.quarter, ctx.source, report.file_name)
    report.status = "failed"
    report.error = error
    report.rows_read = report.rows_loaded = report.rows_quarantined = 0
    report.reasons = {}


def _record(
    con: duckdb.DuckDBPyConnection, ctx: Context, report: FileReport, prev: _Previous | None
) -> None:
    """Append the file's row to audit.ingest_files, unless a retried failure is unchanged."""
    if (
        report.status == "failed"
        and prev is not None
        and prev.status == "failed"
        and prev.sha256 == report.sha256
        and prev.error == report.error
    ):
        return
    assert report.rows_read == report.rows_loaded + report.rows_quarantined
    con.execute(
        "INSERT INTO audit.ingest_files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
        ],
    )


# --- one file -------------------------------------------------------------------------------


def _load(
    con: duckdb.DuckDBPyConnection,
    data: bytes,
    spec: S.SourceSpec,
    ctx: Context,
    report: FileReport,
    chunk_rows: int,
) -> None:
    partner = ctx.partner
    text = read_text(
        data,
        encoding_hint=partner.encoding_hint if partner else None,
        delimiter_hint=partner.delimiter_hint if partner else None,
    )
    report.encoding = text.encoding
    report.delimiter = DELIMITER_NAMES.get(text.delimiter, text.delimiter)
    header = map_header(text.header, spec, partner)
    report.unknown_columns = header.unknown
    elsewhere = (
        ""
        if header.positions and not _missing(spec, header)
        else _fits_elsewhere(text.header, ctx.source)
    )
    if not header.positions:
        hint = (
            "the first line looks like data: is the header line missing?"
            if header.looks_like_data
            else elsewhere or "is this the wrong file or source folder?"
        )
        raise UnreadableFile(
            f"none of its {len(text.header)} columns is a known {spec.kind} column "
            f"(expected e.g. {', '.join(f.name for f in spec.fields if f.required)}); {hint}"
        )
    missing = _missing(spec, header)
    if missing:
        plural = "s" if len(missing) > 1 else ""
        raise UnreadableFile(
            f"missing required column{plural} {', '.join(missing)}"
            + (f"; {elsewhere}" if elsewhere else "")
        )
    if text.records.height == 0:
        raise UnreadableFile("the file has a header but no data rows")

    n_columns = len(text.header)
    wanted = header.positions | header.repeated

    def checked_chunk(start: int) -> tuple[int, pl.DataFrame]:
        chunk = text.records.slice(start, chunk_rows)
        fields = split_fields(chunk, text.delimiter, n_columns, wanted, text.has_quotes)
        return chunk.height, check(fields, spec, ctx, n_columns)

    # Three steps overlap, one chunk apart: Polars splits and checks chunk i+1 and DuckDB
    # inserts chunk i-1 (both release the GIL) while chunk i is pseudonymised and checked for
    # duplicates here (the per-value HMACs hold the GIL). At most three chunks are in flight,
    # which bounds memory; one insert at a time, in order, on the one DuckDB connection.
    starts = range(0, text.records.height, chunk_rows)
    seen = _SeenKeys(con, spec, ctx, report.file_name) if spec.duplicate_key else None
    reasons: Counter[str] = Counter()
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="ingest") as pool:
        next_checked = pool.submit(checked_chunk, starts[0])
        inserting: Future[None] | None = None
        for following in [*starts[1:], None]:
            height, checked = next_checked.result()
            if following is not None:
                next_checked = pool.submit(checked_chunk, following)
            is_bad = pl.col("reason").is_not_null()
            rejected = checked.filter(is_bad).select("line_number", "reason")
            rows = build(checked.filter(~is_bad), spec, ctx)
            del checked
            if seen is not None:
                rows, duplicates = seen.split(rows)
                if duplicates.height:
                    rejected = pl.concat(
                        [
                            rejected,
                            duplicates.select(
                                "line_number", pl.lit(spec.duplicate_reason).alias("reason")
                            ),
                        ]
                    )
            _wait(inserting)
            inserting = pool.submit(_insert_chunk, con, rows, rejected, spec, ctx, report.file_name)
            report.rows_read += height
            report.rows_loaded += rows.height
            report.rows_quarantined += rejected.height
            reasons.update(dict(rejected.get_column("reason").value_counts().iter_rows()))
        _wait(inserting)
    report.reasons = dict(reasons.most_common())


def _missing(spec: S.SourceSpec, header: HeaderMap) -> list[str]:
    return [
        f.name
        for f in spec.fields
        if (f.required or f.column_required) and f.name not in header.positions
    ]


def _fits_elsewhere(header: list[str], source: str) -> str:
    """A hint naming the other source(s) whose required columns this header has, or ''.

    For a file dropped in the wrong landing folder: another partner's header names
    (``seeds/partner_header_mapping.csv``) or a municipal extract in a partner's folder.
    """
    fits = [
        f"source {other}"
        for other, other_spec in S.MUNICIPAL_SPECS.items()
        if other != source and not _missing(other_spec, map_header(header, other_spec, None))
    ]
    fits += [
        f"partner {code}"
        for code, partner in partners().items()
        if code != source and not _missing(S.SIGNALEN, map_header(header, S.SIGNALEN, partner))
    ]
    if not fits:
        return ""
    if len(fits) > 3:
        fits = [*fits[:3], "others"]
    return f"the header is that of {' or '.join(fits)}: is the file in the wrong source folder?"


class _SeenKeys:
    """The duplicate check of one file: a row's key seen earlier in the file, or loaded from
    another file of the quarter and source, makes it a duplicate.

    The keys seen are held in memory as 128-bit fingerprints (two 64-bit hashes with
    independent seeds, in sorted arrays: 16 bytes a key, 290 MB for the national BRP), so a
    chunk is checked in time that hardly grows with the rows before it; checking each chunk
    against the loaded rows in DuckDB cost 0.5-0.7 s per chunk at national scale. Two keys
    share a fingerprint with a probability of about n^2 / 2^129 (1e-25 for 18M keys): the
    same bound as two BSNs sharing their 128-bit pseudonym, which the warehouse already
    relies on.
    """

    def __init__(
        self, con: duckdb.DuckDBPyConnection, spec: S.SourceSpec, ctx: Context, file_name: str
    ) -> None:
        self.key = list(spec.duplicate_key)
        self.first = np.empty(0, dtype=np.uint64)
        self.second = np.empty(0, dtype=np.uint64)
        other_files = con.execute(
            f"SELECT {', '.join(self.key)} FROM raw.{spec.table} "
            "WHERE quarter = ? AND source = ? AND file_name <> ?",
            [ctx.quarter, ctx.source, file_name],
        ).pl()
        self._add(*_sorted_fingerprints(other_files)[1:])

    def split(self, rows: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        """(kept, duplicates) of one chunk; the kept keys count as seen from now on."""
        order, first, second = _sorted_fingerprints(rows.select(self.key))
        duplicate_sorted = _repeated(order, first, second) | self.contains(first, second)
        self._add(first[~duplicate_sorted], second[~duplicate_sorted])
        duplicate = np.empty(len(order), dtype=bool)
        duplicate[order] = duplicate_sorted
        mask = pl.Series(duplicate)
        return rows.filter(~mask), rows.filter(mask)

    def contains(self, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        """Which of the fingerprints (sorted by ``first``) have been seen."""
        lo = np.searchsorted(self.first, first, side="left")
        hi = np.searchsorted(self.first, first, side="right")
        found = np.zeros(len(first), dtype=bool)
        one = hi - lo == 1
        found[one] = self.second[lo[one]] == second[one]
        for i in np.flatnonzero(hi - lo > 1):  # the same first hash seen more than once: rare
            found[i] = bool((self.second[lo[i] : hi[i]] == second[i]).any())
        return found

    def _add(self, first: np.ndarray, second: np.ndarray) -> None:
        at = np.searchsorted(self.first, first)
        self.first = np.insert(self.first, at, first)
        self.second = np.insert(self.second, at, second)


_SECOND_SEED = 0x9E3779B97F4A7C15


def _sorted_fingerprints(keys: pl.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(order, first, second): each row's two 64-bit hashes, in the order that sorts ``first``."""
    first = keys.hash_rows(seed=0).to_numpy()
    second = keys.hash_rows(seed=_SECOND_SEED).to_numpy()
    order = np.argsort(first)
    return order, first[order], second[order]


def _repeated(order: np.ndarray, first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Which fingerprints (sorted by ``first``; ``order`` = their rows) repeat one of an
    earlier row of the chunk. Equal ``first`` values sit side by side; only those are looked
    at one by one (true duplicates, and the rare runs that differ in ``second``)."""
    repeated = np.zeros(len(first), dtype=bool)
    for value in np.unique(first[1:][first[1:] == first[:-1]]):
        lo, hi = np.searchsorted(first, value, side="left"), np.searchsorted(first, value, "right")
        kept: set[int] = set()
        for j in sorted(range(lo, hi), key=lambda j: order[j]):  # in row order: first one kept
            repeated[j] = int(second[j]) in kept
            kept.add(int(second[j]))
    return repeated


def _wait(pending: Future[None] | None) -> None:
    """Wait for the chunk in flight; its error, if any, is raised here."""
    if pending is not None:
        pending.result()


def _insert_chunk(
    con: duckdb.DuckDBPyConnection,
    rows: pl.DataFrame,
    rejected: pl.DataFrame,
    spec: S.SourceSpec,
    ctx: Context,
    file_name: str,
) -> None:
    _insert_rows(con, rows, spec, ctx, file_name)
    _insert_quarantine(con, rejected, ctx, file_name)


def _insert_rows(
    con: duckdb.DuckDBPyConnection,
    rows: pl.DataFrame,
    spec: S.SourceSpec,
    ctx: Context,
    file_name: str,
) -> None:
    if rows.height == 0:
        return
    names = [name for name, _ in spec.columns]
    select = ", ".join(
        f"CAST({name} AS {sql_type})" if sql_type.startswith("DECIMAL") else name
        for name, sql_type in spec.columns
    )
    con.register("_ingest_rows", rows.to_arrow())
    try:
        con.execute(
            f"INSERT INTO raw.{spec.table} "
            f"(quarter, source, file_name, line_number, {', '.join(names)}) "
            f"SELECT ?, ?, ?, line_number, {select} FROM _ingest_rows",
            [ctx.quarter, ctx.source, file_name],
        )
    finally:
        con.unregister("_ingest_rows")


def _insert_quarantine(
    con: duckdb.DuckDBPyConnection, rejected: pl.DataFrame, ctx: Context, file_name: str
) -> None:
    if rejected.height == 0:
        return
    con.register("_ingest_quarantine", rejected.to_arrow())
    try:
        con.execute(
            "INSERT INTO audit.quarantine (quarter, source, file_name, line_number, reason) "
            "SELECT ?, ?, ?, line_number, reason FROM _ingest_quarantine",
            [ctx.quarter, ctx.source, file_name],
        )
    finally:
        con.unregister("_ingest_quarantine")
