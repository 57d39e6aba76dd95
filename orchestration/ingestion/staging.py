"""A file's checked chunks staged as Parquet, then inserted into DuckDB in one statement.

DuckDB keeps the rows appended inside an open transaction in memory when they arrive as many
small inserts (measured: about 375 MiB per million rows of eight 32-character columns), and a
source is loaded in one transaction (:mod:`.loader`), so memory grew with the source. Here each
chunk of a file is written to a Parquet part (Polars, outside the interpreter lock) in a private
folder next to the warehouse, and when the file has been read to its end its parts go into
``raw.<table>`` and ``audit.quarantine`` with one ``INSERT ... SELECT FROM read_parquet`` each,
still inside the source's transaction (but for the rows of lines found at the file's end to
be quarantined after all, :meth:`StagedFile.exclude`: their key is an earlier line's of the
file, :mod:`.dedup`). DuckDB writes such a bulk insert's row groups to the database file as it
goes (optimistic writing; dropped again on rollback), so the load's memory is bounded by the
chunk size and a failed or interrupted load still leaves the tables as they were. A file
that fails part way leaves no rows: its parts are never inserted.

The parts hold what the raw tables hold (pseudonyms, never a clear identifier). The folder is
created 0700 (``tempfile.mkdtemp``) and removed when the load ends; one left by a killed process
is removed by the next load next to the same warehouse.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import duckdb
import polars as pl

from orchestration.ingestion import sources as S
from orchestration.ingestion.pseudo import PSEUDONYM
from orchestration.pseudonym import PSEUDONYM_SQL_TYPE

_HIGH, _LOW = "__high", "__low"
"""Parquet has no 128-bit integer: a pseudonym column is staged as its two 64-bit halves."""
_TWO_64 = 2**64

FOLDER_PREFIX = ".ingest-staging-"
"""``<warehouse folder>/.ingest-staging-<pid>-<random>/``: one load's staged parts."""
COMPRESSION = "uncompressed"
"""Parquet compression of the parts (they live seconds): none. Measured at 10% scale, all
sources in one process: LZ4 cost about 4 CPU s more (31.4 against 35.7 s) and saves little
on random pseudonyms."""


def new_folder(con: duckdb.DuckDBPyConnection) -> Path:
    """A new private folder for one load's parts, next to ``con``'s database file (the system
    temporary folder for an in-memory database); remove it with :func:`remove_folder`. Folders
    left there by processes that no longer run are removed first."""
    base = _database_folder(con)
    remove_stale(base)
    return Path(tempfile.mkdtemp(prefix=f"{FOLDER_PREFIX}{os.getpid()}-", dir=base))


def remove_folder(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def _database_folder(con: duckdb.DuckDBPyConnection) -> Path:
    row = con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()
    path = row[0] if row else None
    if not path or path == ":memory:":
        return Path(tempfile.gettempdir())
    return Path(path).resolve().parent


def remove_stale(base: Path) -> list[Path]:
    """Remove the staging folders in ``base`` of processes that no longer run; returns them."""
    removed = []
    for folder in base.glob(f"{FOLDER_PREFIX}*"):
        pid = folder.name.removeprefix(FOLDER_PREFIX).split("-", 1)[0]
        if folder.is_dir() and pid.isdigit() and not _running(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


class StagedFile:
    """One delivered file's rows and quarantined lines as Parquet parts in ``folder``."""

    def __init__(self, folder: Path, file_name: str) -> None:
        self.file_name = file_name
        self._folder = Path(tempfile.mkdtemp(prefix="file-", dir=folder))
        self._parts: dict[str, list[Path]] = {"rows": [], "quarantine": []}
        self._excluded: list[Path] = []

    def add(self, rows: pl.DataFrame, rejected: pl.DataFrame) -> None:
        """Stage one chunk: its checked rows and its quarantined lines (``line_number``,
        ``reason``)."""
        for kind, frame in (("rows", _split_pseudonyms(rows)), ("quarantine", rejected)):
            if frame.height:
                self._write(kind, frame)

    def exclude(self, rejected: pl.DataFrame) -> None:
        """Quarantine lines whose rows were staged (``line_number``, ``reason``): they are
        staged as quarantined lines and left out of the rows' insert."""
        if not rejected.height:
            return
        self._excluded.append(self._write("quarantine", rejected))

    def _write(self, kind: str, frame: pl.DataFrame) -> Path:
        path = self._folder / f"{kind}-{len(self._parts[kind]):06d}.parquet"
        frame.write_parquet(path, compression=COMPRESSION, statistics=False)
        self._parts[kind].append(path)
        return path

    def insert(
        self, con: duckdb.DuckDBPyConnection, spec: S.SourceSpec, quarter: str, source: str
    ) -> None:
        """Insert every staged part into ``raw.<spec.table>`` and ``audit.quarantine`` (one
        statement per table; the rows keep their ``line_number``, not their order, see
        :func:`_unordered`), but the rows of excluded lines."""
        with _unordered(con):
            if self._parts["rows"]:
                names = [name for name, _ in spec.columns]
                select = ", ".join(_staged_value(name, sql_type) for name, sql_type in spec.columns)
                parts = [[str(p) for p in self._parts["rows"]]]
                where = ""
                if self._excluded:
                    where = " WHERE line_number NOT IN (SELECT line_number FROM read_parquet(?))"
                    parts.append([str(p) for p in self._excluded])
                con.execute(
                    f"INSERT INTO raw.{spec.table} "
                    f"(quarter, source, file_name, line_number, {', '.join(names)}) "
                    f"SELECT ?, ?, ?, line_number, {select} FROM read_parquet(?){where}",
                    [quarter, source, self.file_name, *parts],
                )
            if self._parts["quarantine"]:
                con.execute(
                    "INSERT INTO audit.quarantine "
                    "(quarter, source, file_name, line_number, reason) "
                    "SELECT ?, ?, ?, line_number, reason FROM read_parquet(?)",
                    [quarter, source, self.file_name, [str(p) for p in self._parts["quarantine"]]],
                )

    def remove(self) -> None:
        """Delete the parts (after the insert, or of a file that failed)."""
        remove_folder(self._folder)
        self._parts = {"rows": [], "quarantine": []}
        self._excluded = []


@contextmanager
def _unordered(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Inside, DuckDB may insert rows in any order (``preserve_insertion_order`` off).

    An insert that keeps the order of Parquet parts bigger than a row group writes a partly
    filled row group at every part's end, and DuckDB merges them at a later checkpoint (its
    vacuum, at most ``max_vacuum_tasks`` a checkpoint, so the work spills into later ones): on
    the national files that took 2.7-6.8 s at the close of every ingest step. Unordered, the
    threads fill whole row groups (schuldhulp: 15 row groups for 1.67M rows instead of 26,
    and the close 0.06 s instead of 0.76 s). Nothing reads raw tables in their physical
    order: every row keeps its file and line number, and dbt reads with
    ``preserve_insertion_order`` off too. The setting is the database's (the pipeline's steps
    run one at a time) and is restored afterwards; after a failed insert the aborted
    transaction refuses that, and it stays off until the connection closes, as every ingest
    step's does when the step ends."""
    (before,) = con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()
    restore = f"SET preserve_insertion_order = {'true' if before else 'false'}"
    con.execute("SET preserve_insertion_order = false")
    try:
        yield
    except BaseException:
        with suppress(duckdb.Error):  # an aborted transaction refuses it; the error goes on
            con.execute(restore)
        raise
    con.execute(restore)


def _split_pseudonyms(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with every pseudonym column replaced by its high and low 64 bits."""
    halves = pl.lit(_TWO_64, dtype=PSEUDONYM)
    pseudonyms = [name for name, dtype in frame.schema.items() if dtype == PSEUDONYM]
    return frame.with_columns(
        *(
            expr
            for name in pseudonyms
            for expr in (
                (pl.col(name) // halves).cast(pl.UInt64).alias(name + _HIGH),
                (pl.col(name) % halves).cast(pl.UInt64).alias(name + _LOW),
            )
        )
    ).drop(pseudonyms)


def _staged_value(name: str, sql_type: str) -> str:
    """The SQL giving column ``name`` of the raw table from a staged part."""
    if sql_type == PSEUDONYM_SQL_TYPE:
        high, low = (f"CAST({name}{half} AS {PSEUDONYM_SQL_TYPE})" for half in (_HIGH, _LOW))
        return f"({high} << 64) | {low}"
    if sql_type.startswith("DECIMAL"):
        return f"CAST({name} AS {sql_type})"
    return name
