"""The landing folder as delivered: what is there, what is loaded, in which order, what waits.

Layout: ``<landing>/<quarter>/<source>/<any name>.csv``. Everything else is listed as
:class:`NotLoaded`, with what it is and what to do, never skipped in silence:

* in a source folder: subfolders (their files are not loaded), files that are not ``*.csv``
  (any case), hidden and lock files (``.x``, macOS ``._x.csv``, Excel ``~$x.csv``), and
  entries that are no regular file;
* in a quarter folder: folders that are no known source (a partner code of
  ``seeds/partner_registry.csv`` or a municipal source), files outside any source folder,
  hidden entries, and a folder whose name differs from a known source only in case, spaces or
  hyphens (``Waternet``, ``zilveren kruis``): that one is *blocking* (its files are clearly a
  delivery of that source, and publishing without them would drop the source).

Every ``*.csv`` file is first scanned as a stream (:func:`scan`, memory bounded by
``READ_CHUNK``): its SHA-256, whether it ends with a line break, and its longest line.

* **Too long a line.** A line longer than ``max_line_bytes`` (``seeds/pipeline_parameters.csv``,
  16 MiB) fails the file with an error naming the line; the file is never read whole (a
  shorter line with too long a value is quarantined by the validation).
* **Still being written.** A file is *waiting* (not loaded; its earlier rows, if any, are
  removed like a withdrawn file's, and the check ``files_readable`` blocks publication) when
  its size or modification time changes while it is read, or when it was modified less than
  ``settle_seconds`` ago (``seeds/pipeline_parameters.csv``, 120) *and* it ends mid-record:
  no line break at its end and a last record that is cut (fewer fields than the header, an
  open quote). :func:`read_delivered` streams the file for loading and checks once more, after
  its last block, that size, modification time and SHA-256 are those of the scan (a file
  changed in between is waiting). A file that cannot be read at all fails, young or not. A complete file without a final line break
  is loaded at once (CONTRACTS.md accepts it), and so is any file older than the settle time.
  A copy cut exactly at a line break while no writer is active is not recognised; the landing
  sensor waits until a quarter's files are ``settle_seconds`` old before it requests a run.
* **Precedence.** :func:`precedence` orders the files for loading: the latest modification
  time first, equal times in reverse name order (``x_v2.csv`` before ``x.csv``). The first
  file holding a key keeps it; see :mod:`.dedup`.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from orchestration.ingestion.provenance import PROVENANCE_FILE
from orchestration.ingestion.reading import Blocks
from orchestration.ingestion.sources import MUNICIPAL_SOURCES
from orchestration.parameters import partners, pipeline_parameters

SETTLE_SECONDS = float(pipeline_parameters()["settle_seconds"])
MAX_LINE_BYTES = int(pipeline_parameters()["max_line_bytes"])
READ_CHUNK = 1 << 20
"""Bytes read at a time while scanning a file."""
HIDDEN_PREFIXES = (".", "~$")


class StillBeingWritten(Exception):
    """The file is being written: the message says why it is taken to be incomplete."""


@dataclass(frozen=True)
class NotLoaded:
    """An entry of the landing folder that is not loaded."""

    entry: str
    """Its path under the landing folder, e.g. ``2026Q3/eneco/notes.txt``."""
    what: str
    todo: str
    meant_for: str | None = None
    """The source a misspelt folder is meant for (then the entry is blocking)."""

    @property
    def blocking(self) -> bool:
        return self.meant_for is not None

    def line(self) -> str:
        return f"{self.entry}: {self.what}; {self.todo}"


# --- inventory ------------------------------------------------------------------------------


def known_sources() -> list[str]:
    return [*partners(), *MUNICIPAL_SOURCES]


def source_entries(landing: Path, quarter: str, source: str) -> tuple[list[Path], list[NotLoaded]]:
    """The ``*.csv`` files of a source folder, and its other entries."""
    folder = landing / quarter / source
    if not folder.is_dir():
        return [], []
    files: list[Path] = []
    others: list[NotLoaded] = []
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        entry = f"{quarter}/{source}/{path.name}"
        if path.name.startswith(HIDDEN_PREFIXES):
            others.append(_hidden(entry))
        elif path.is_dir():
            others.append(
                NotLoaded(
                    entry,
                    "a folder: files in subfolders are not loaded",
                    f"move the files of this delivery up into {quarter}/{source}/ and anything "
                    "else out of the landing folder",
                )
            )
        elif not path.is_file():
            others.append(_no_file(entry))
        elif path.suffix.lower() != ".csv":
            others.append(
                NotLoaded(
                    entry,
                    "not a .csv file",
                    "if it is a delivery, export it as CSV (.csv) into this folder; "
                    "otherwise remove it",
                )
            )
        else:
            files.append(path)
    return files, others


def quarter_entries(landing: Path, quarter: str) -> list[NotLoaded]:
    """The entries of a quarter folder that are no source folder (the generator's marker,
    read by ``provenance.py``, is not listed)."""
    folder = landing / quarter
    if not folder.is_dir():
        return []
    sources = known_sources()
    by_spelling = {_spelling(s): s for s in sources}
    out: list[NotLoaded] = []
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        entry = f"{quarter}/{path.name}"
        if path.name in sources and path.is_dir():
            continue
        if path.name == PROVENANCE_FILE and path.is_file():
            continue  # recorded in audit.quarter_provenance by the raw__signalen asset
        if path.name.startswith(HIDDEN_PREFIXES):
            out.append(_hidden(entry))
        elif path.is_dir():
            meant = by_spelling.get(_spelling(path.name))
            if meant is not None:
                if _same_folder(path, folder / meant):
                    continue  # a case-insensitive file system: it is the source folder
                out.append(
                    NotLoaded(
                        entry,
                        f"its name differs from the source {meant} only in case or spelling: "
                        "its files are NOT loaded and the quarter is not published",
                        f"rename it to {quarter}/{meant}/ (move its files there if that folder "
                        "exists too)",
                        meant_for=meant,
                    )
                )
            else:
                out.append(
                    NotLoaded(
                        entry,
                        "not a known source: its files are not loaded",
                        "move its files into the folder of their source (a partner code of "
                        "seeds/partner_registry.csv or a municipal source), or add the partner "
                        "to the registry",
                    )
                )
        elif path.is_file():
            out.append(
                NotLoaded(
                    entry,
                    "a file outside any source folder: not loaded",
                    f"move it into {quarter}/<source>/",
                )
            )
        else:
            out.append(_no_file(entry))
    return out


def _spelling(name: str) -> str:
    return re.sub(r"[\s\-_]+", "_", name.strip()).casefold()


def _same_folder(path: Path, other: Path) -> bool:
    try:
        return other.is_dir() and os.path.samefile(path, other)
    except OSError:
        return False


def _hidden(entry: str) -> NotLoaded:
    return NotLoaded(
        entry,
        "a hidden or lock file (e.g. macOS ._ copies, Excel ~$ files), not a delivery",
        "nothing to do; remove it to silence this line",
    )


def _no_file(entry: str) -> NotLoaded:
    return NotLoaded(entry, "not a regular file (a broken link, pipe or device)", "remove it")


# --- one file -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    """A landed ``*.csv`` file as scanned."""

    path: Path
    size: int
    mtime_ns: int
    sha256: str
    young: bool
    """Modified less than the settle time before the scan."""
    ends_with_break: bool
    changed: bool
    """Its size or modification time changed while it was scanned."""
    error: str | None = None
    """Why it cannot be loaded at all (cannot be opened, too long a line)."""

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def modified_at(self) -> datetime:
        """The modification time (UTC, microseconds: what ``audit.ingest_files`` records)."""
        return datetime.fromtimestamp(self.mtime_ns // 1000 / 1e6, UTC).replace(tzinfo=None)

    @property
    def may_be_cut(self) -> bool:
        """Young and not ending with a line break: a cut last record means still being written."""
        return self.young and not self.ends_with_break


def scan(path: Path, *, now: float, settle_seconds: float, max_line_bytes: int) -> Delivery:
    """Hash and check a file as a stream; never more than ``READ_CHUNK`` bytes in memory."""
    digest = hashlib.sha256()
    buffer = bytearray(READ_CHUNK)
    view = memoryview(buffer)
    line_length = breaks_lf = breaks_cr = read = 0
    too_long: int | None = None
    last = b""
    try:
        with path.open("rb") as handle:
            before = os.fstat(handle.fileno())
            while n := handle.readinto(buffer):
                digest.update(view[:n])
                read += n
                last = bytes(view[n - 1 : n])
                if too_long is not None:
                    continue
                chunk = np.frombuffer(buffer, dtype=np.uint8, count=n)
                is_lf = chunk == 10
                breaks = np.flatnonzero(is_lf | (chunk == 13))
                if breaks.size == 0:
                    line_length += n
                    if line_length > max_line_bytes:
                        too_long = (breaks_lf or breaks_cr) + 1
                    continue
                lengths = np.diff(breaks, prepend=-1) - 1
                lengths[0] += line_length
                over = np.flatnonzero(lengths > max_line_bytes)
                if over.size:
                    lf_before = int(is_lf[breaks[: over[0]]].sum())
                    cr_before = int(over[0]) - lf_before
                    too_long = ((breaks_lf + lf_before) or (breaks_cr + cr_before)) + 1
                    continue
                n_lf = int(is_lf[breaks].sum())
                breaks_lf += n_lf
                breaks_cr += breaks.size - n_lf
                line_length = n - int(breaks[-1]) - 1
            if too_long is None and line_length > max_line_bytes:
                too_long = (breaks_lf or breaks_cr) + 1
        after = path.stat()
    except OSError as error:
        return Delivery(
            path, 0, 0, "", False, True, False,
            error=f"cannot be opened ({error.strerror or type(error).__name__})",
        )  # fmt: skip
    changed = (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns) or (
        read != before.st_size
    )
    return Delivery(
        path=path,
        size=read,
        mtime_ns=before.st_mtime_ns,
        sha256=digest.hexdigest(),
        young=now - before.st_mtime_ns / 1e9 < settle_seconds,
        ends_with_break=last in (b"\n", b"\r"),
        changed=changed,
        error=None
        if too_long is None
        else (
            f"line {too_long} is longer than {max_line_bytes:,} bytes (max_line_bytes, "
            "seeds/pipeline_parameters.csv): this is no CSV export (a damaged file, or "
            "binary data?); send a corrected file"
        ),
    )


def read_delivered(delivery: Delivery) -> Blocks:
    """Opens the file as scanned, for :class:`~.reading.CsvStream`: each call reads its bytes
    anew in blocks. :class:`StillBeingWritten` when its size or modification time differ from
    the scan's, now or after the last block, or (unless ``verify=False``) its bytes from the
    scanned SHA-256."""
    _check_unchanged(delivery, delivery.size)

    def blocks(size: int, *, verify: bool = True) -> Iterator[bytes]:
        digest = hashlib.sha256() if verify else None
        read = 0
        with delivery.path.open("rb") as handle:
            # never asks for more than is left: a read allocates what it asks for
            while read < delivery.size and (block := handle.read(min(size, delivery.size - read))):
                if digest is not None:
                    digest.update(block)
                read += len(block)
                yield block
            read += len(handle.read(1))
        _check_unchanged(delivery, read)
        if digest is not None and digest.hexdigest() != delivery.sha256:
            raise StillBeingWritten("it changed while it was being read")

    return blocks


def _check_unchanged(delivery: Delivery, size: int) -> None:
    now = delivery.path.stat()
    if size != delivery.size or (now.st_size, now.st_mtime_ns) != (
        delivery.size,
        delivery.mtime_ns,
    ):
        raise StillBeingWritten("it changed while it was being read")


def precedence(deliveries: list[Delivery]) -> list[Delivery]:
    """The order in which files are loaded: the latest delivery first (modification time in
    microseconds, as recorded), then the later name first. The first file to hold a key
    keeps it."""
    return sorted(deliveries, key=lambda d: (d.mtime_ns // 1000, d.name), reverse=True)
