"""One file's bytes -> checked, pseudonymised rows in ``raw.*`` and ``audit.quarantine``.

:func:`load_file` reads the header (:mod:`.reading`, :mod:`.validate`), then streams the
records (:class:`~.reading.CsvStream`, blocks of ``chunk_rows`` x :data:`BYTES_PER_ROW` bytes,
at most 16 MiB) in chunks of exactly ``chunk_rows`` (:func:`file_chunk_rows` picks it per
file). The steps overlap: up to :data:`PREPARING` chunks are split, checked and
pseudonymised at once, each on a thread of its own (Polars and the hashing release the GIL),
while this thread reads the next chunk and checks the oldest prepared one against the keys of
earlier files (:mod:`.dedup`), in file order, and a last thread writes the chunk before it to
its staged Parquet part (:mod:`.staging`). At most four chunks and two blocks are in flight.
When the last chunk is staged, the rows whose key an earlier line of the file has are found
and quarantined, and the file's parts go into DuckDB in one statement per table (inside the
source's transaction, written to the database file as it goes): the memory of the whole load
is bounded by the chunk size, not the file size (only the keys kept for the duplicate check,
20 bytes a row, grow with it).

The checks that need the whole file (a young file's cut last record, a file without data
rows) are made before any row is read when the file fits in one block, as always; for a
bigger file after its last block, before its parts are inserted.

A file that cannot be read raises :class:`~.reading.UnreadableFile` (the caller fails it);
a young file whose last record is cut raises :class:`~.deliveries.StillBeingWritten`. Either
way none of its rows reach DuckDB and its parts are removed. The next chunk is read before
the oldest prepared one is collected, so when both go wrong (a bug while preparing a chunk,
then a block that cannot be read or a file that changes while read) the reading error is the
one reported.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from orchestration.ingestion import sources as S
from orchestration.ingestion.dedup import SeenKeys
from orchestration.ingestion.deliveries import StillBeingWritten
from orchestration.ingestion.reading import (
    BLOCK_BYTES,
    DELIMITER_NAMES,
    Blocks,
    CsvStream,
    UnreadableFile,
    has_quotes,
    split_fields,
)
from orchestration.ingestion.staging import StagedFile
from orchestration.ingestion.validate import Context, HeaderMap, build, check, map_header
from orchestration.parameters import partners

BYTES_PER_ROW = 64
"""The file is read in blocks of ``chunk_rows`` times this (at most ``BLOCK_BYTES``), so a
block holds no more records than a chunk for rows of this length or more."""
CHUNKS_PER_FILE = 4
MIN_CHUNK_ROWS = 100_000
"""A file of fewer than :data:`CHUNKS_PER_FILE` full chunks is cut into that many (of at least
this many rows), so its steps overlap too: one chunk would run them one after another.
Measured on the national partner files (0.04-0.7M rows each): 10-15% faster."""
PREPARING = 2
"""Chunks split, checked and pseudonymised at once, each on its own thread (the machines have
two cores; Polars and the hashing release the interpreter lock)."""
NO_DATA_ROWS = "the file has a header but no data rows"


def file_chunk_rows(size_bytes: int, chunk_rows: int) -> int:
    """The rows per chunk of a file of ``size_bytes``: ``chunk_rows`` for a big file, fewer for
    a file of fewer than :data:`CHUNKS_PER_FILE` chunks (its rows estimated at
    :data:`BYTES_PER_ROW` bytes each), never fewer than :data:`MIN_CHUNK_ROWS`."""
    quarter_of_the_file = size_bytes // (BYTES_PER_ROW * CHUNKS_PER_FILE)
    return min(chunk_rows, max(MIN_CHUNK_ROWS, quarter_of_the_file))


@dataclass
class FileReport:
    """One file of an ingestion: filled in by :func:`load_file` as it goes (so a failed file
    still tells its encoding and unknown columns) and by the loader (status, error)."""

    file_name: str
    sha256: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    status: str = "loaded"
    """loaded, unchanged, replaced, failed or waiting (orchestration/ingestion/loader.py)."""
    error: str | None = None
    modified_at: datetime | None = None
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
class KeyOrder:
    """The duplicate check of one (quarter, source) load: the keys kept so far, the files in
    precedence order, and which of them is being loaded."""

    seen: SeenKeys | None
    names: list[str]
    index: int


def load_file(
    con: duckdb.DuckDBPyConnection,
    blocks: Blocks,
    spec: S.SourceSpec,
    ctx: Context,
    keys: KeyOrder,
    chunk_rows: int,
    result: FileReport,
    *,
    may_be_cut: bool,
    stage_folder: Path,
) -> None:
    partner = ctx.partner
    text = CsvStream(
        blocks,
        encoding_hint=partner.encoding_hint if partner else None,
        delimiter_hint=partner.delimiter_hint if partner else None,
        block_bytes=min(BLOCK_BYTES, chunk_rows * BYTES_PER_ROW),
    )
    result.encoding = text.encoding
    result.delimiter = DELIMITER_NAMES.get(text.delimiter, text.delimiter)
    if text.complete and may_be_cut and _last_record_cut(text):
        raise StillBeingWritten("it was modified just now and its last record is cut")
    header = map_header(text.header, spec, partner)
    result.unknown_columns = header.unknown
    _check_header(text, header, spec, ctx.source)

    n_columns = len(text.header)
    wanted = header.positions | header.repeated

    def prepared(chunk: pl.DataFrame) -> tuple[int, pl.DataFrame, pl.DataFrame]:
        """(records, rows to load, quarantined lines) of one chunk, before the duplicate check."""
        fields = split_fields(chunk, text.delimiter, n_columns, wanted, has_quotes(chunk))
        checked = check(fields, spec, ctx, n_columns)
        del fields
        is_bad = pl.col("reason").is_not_null()
        rejected = checked.filter(is_bad).select("line_number", "reason")
        return chunk.height, build(checked.filter(~is_bad), spec, ctx), rejected

    reasons: Counter[str] = Counter()
    staged = StagedFile(stage_folder, result.file_name)
    try:
        with ThreadPoolExecutor(max_workers=PREPARING + 1, thread_name_prefix="ingest") as pool:
            preparing: deque[Future[tuple[int, pl.DataFrame, pl.DataFrame]]] = deque()
            staging: Future[None] | None = None
            chunks = _rechunk(text.records(), chunk_rows)
            while (chunk := next(chunks, None)) is not None or preparing:
                if chunk is not None:
                    preparing.append(pool.submit(prepared, chunk))
                    del chunk
                    if len(preparing) < PREPARING:
                        continue
                height, rows, rejected = preparing.popleft().result()
                if keys.seen is not None:
                    rows, superseded = keys.seen.split(rows, keys.index)
                    if superseded.height:
                        rejected = pl.concat([rejected, _superseded_reasons(superseded, keys)])
                _wait(staging)
                staging = pool.submit(staged.add, rows, rejected)
                result.rows_read += height
                result.rows_loaded += rows.height
                result.rows_quarantined += rejected.height
                reasons.update(dict(rejected.get_column("reason").value_counts().iter_rows()))
                del rows, rejected
            _wait(staging)
        if not text.complete:  # known only now: the checks made before reading for a small file
            if may_be_cut and _last_record_cut(text):
                raise StillBeingWritten("it was modified just now and its last record is cut")
            if result.rows_read == 0:
                raise UnreadableFile(NO_DATA_ROWS)
        if keys.seen is not None:
            _quarantine_repeated(keys.seen.repeated(keys.index), spec, staged, result, reasons)
        staged.insert(con, spec, ctx.quarter, ctx.source)
    finally:
        staged.remove()
    result.reasons = dict(reasons.most_common())


def _rechunk(frames: Iterator[pl.DataFrame], rows: int) -> Iterator[pl.DataFrame]:
    """The records again, in frames of exactly ``rows`` records (the last one fewer)."""
    pending: list[pl.DataFrame] = []
    held = 0
    for frame in frames:
        while frame.height:
            take = frame.slice(0, rows - held)
            frame = frame.slice(take.height)
            pending.append(take)
            held += take.height
            if held == rows:
                yield pl.concat(pending, rechunk=True)
                pending, held = [], 0
    if held:
        yield pl.concat(pending, rechunk=True)


def _superseded_reasons(superseded: pl.DataFrame, keys: KeyOrder) -> pl.DataFrame:
    """The quarantined lines of rows whose key the earlier file ``owner`` keeps."""
    reasons = pl.Series([f"superseded by {name}" for name in keys.names], dtype=pl.String)
    return superseded.select("line_number", reason=reasons.gather(superseded.get_column("owner")))


def _quarantine_repeated(
    lines: np.ndarray,
    spec: S.SourceSpec,
    staged: StagedFile,
    result: FileReport,
    reasons: Counter[str],
) -> None:
    """Quarantine the staged rows of ``lines`` (a key repeated in the file, found at its end:
    :meth:`~.dedup.SeenKeys.repeated`) as duplicates, and count them so."""
    if not lines.size:
        return
    staged.exclude(
        pl.DataFrame(
            {"line_number": lines, "reason": spec.duplicate_reason},
            schema={"line_number": pl.Int32, "reason": pl.String},
        )
    )
    result.rows_loaded -= lines.size
    result.rows_quarantined += lines.size
    reasons[spec.duplicate_reason] += lines.size


def _last_record_cut(text: CsvStream) -> bool:
    """Whether the last record has fewer fields than the header or an open quoted field."""
    last = text.last
    if last is None:
        return False
    if last.get_column("odd_quotes")[0]:
        return True
    fields = split_fields(last, text.delimiter, len(text.header), {}, has_quotes(last))
    return fields.get_column("n_fields")[0] < len(text.header)


def _check_header(text: CsvStream, header: HeaderMap, spec: S.SourceSpec, source: str) -> None:
    elsewhere = (
        ""
        if header.positions and not _missing(spec, header)
        else _fits_elsewhere(text.header, source)
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
    if text.complete and text.last is None:
        raise UnreadableFile(NO_DATA_ROWS)


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


def _wait(pending: Future[None] | None) -> None:
    """Wait for the chunk in flight; its error, if any, is raised here."""
    if pending is not None:
        pending.result()
