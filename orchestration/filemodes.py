"""File and folder modes: what is restricted stays the owner's, what analysts share is readable.

Every file and folder the project creates goes through one of the functions below, so its mode
does not depend on the umask of whoever started the process (the umask itself is left alone:
it is process-wide and Dagster's own files follow it).

- **restricted** (0600 files, 0700 folders): the data directory itself, ``warehouse.duckdb``,
  the Dagster home, the demo key file, the run lock and the publisher's lock, the landing
  copies and ground truth the demo generator writes;
- **shared** (0644 files, 0755 folders): the published ``monitor.duckdb``, ``reports/`` and
  ``exports/``.

The data directory is 0700, so whatever DuckDB or Dagster create in it with the process
umask (DuckDB's ``warehouse.duckdb.wal``, which it deletes and recreates at every checkpoint,
Dagster's storage under the Dagster home) is out of other users' reach too. The shared files
keep their 0644/0755 where they are copied or synced to for analysts (docs/runbook.md, "File
modes").
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, TextIO

RESTRICTED_FILE = 0o600
RESTRICTED_DIR = 0o700
SHARED_FILE = 0o644
SHARED_DIR = 0o755


def _make_dir(path: Path, mode: int, *, enforce: bool) -> Path:
    """Create ``path`` and any missing parents with ``mode``; with ``enforce`` set ``mode`` on an
    existing ``path`` too (a restricted folder made by an earlier version with 0755), if it is
    this user's: a folder another user owns is the operator's arrangement (e.g. a data
    directory of a service group) and is left as it is.

    Existing parents keep their mode (they may be the operator's, e.g. ``/srv``)."""
    path = Path(path)
    missing = []
    for folder in (path, *path.parents):
        if folder.is_dir():
            break
        missing.append(folder)
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=mode)
        except FileExistsError:
            if not folder.is_dir():
                raise
        os.chmod(folder, mode)  # mkdir's mode is filtered by the umask
    if enforce:
        _set_own(path, mode)
    return path


def _set_own(path: Path, mode: int) -> None:
    """chmod ``path`` if this user owns it; another owner's file or folder is left as it is."""
    if path.stat().st_uid == os.geteuid():
        os.chmod(path, mode)


def restricted_dir(path: Path) -> Path:
    """A folder only the pipeline's user may enter (0700), created if missing."""
    return _make_dir(path, RESTRICTED_DIR, enforce=True)


def shared_dir(path: Path) -> Path:
    """A folder analysts may read, created 0755 if missing (missing parents get 0700); an
    existing folder keeps its mode (it may be one the operator chose, e.g. ``--out``)."""
    path = Path(path)
    if not path.parent.is_dir():
        restricted_dir(path.parent)
    return _make_dir(path, SHARED_DIR, enforce=False)


def restrict(path: Path) -> Path:
    """Make an existing file the owner's only (0600).

    For files another library creates, e.g. a DuckDB database (DuckDB refuses an empty file
    made beforehand): chmod right after creation, inside the 0700 data directory, so there is
    no moment at which another user can reach it."""
    _set_own(Path(path), RESTRICTED_FILE)
    return Path(path)


def share(path: Path) -> Path:
    """Make an existing file readable by analysts (0644)."""
    os.chmod(path, SHARED_FILE)
    return Path(path)


def open_restricted(path: Path, mode: str = "a+", **kwargs):
    """``open()`` a restricted file (created 0600; an existing one is set to 0600)."""
    flags = os.O_CREAT | (os.O_RDWR if "+" in mode else os.O_WRONLY)
    if "a" in mode:
        flags |= os.O_APPEND
    fd = os.open(path, flags, RESTRICTED_FILE)
    if os.fstat(fd).st_uid == os.geteuid():
        os.fchmod(fd, RESTRICTED_FILE)
    return os.fdopen(fd, mode, **kwargs)


def write_new_restricted(path: Path, text: str) -> bool:
    """Write ``text`` to ``path`` as a new 0600 file; False (nothing written) if it exists.

    Created exclusively with its final mode, so no other process sees a partial or readable
    file."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, RESTRICTED_FILE)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        os.fchmod(handle.fileno(), RESTRICTED_FILE)
        handle.write(text)
    return True


def stage_shared(
    path: Path,
    write: Callable[[TextIO], None] | Callable[[BinaryIO], None],
    encoding: str | None = "utf-8",
    newline: str | None = None,
) -> Path:
    """Write a file analysts read (0644) whole into a temp file beside ``path`` and return the
    temp file, for the caller to rename over ``path`` (``os.replace``) when everything it
    writes together is ready. ``encoding=None``: ``write`` gets a binary handle.

    A failure (a full disk) leaves no temp file behind."""
    path = Path(path)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    mode = "wb" if encoding is None else "w"
    try:
        with os.fdopen(fd, mode, encoding=encoding, newline=newline) as handle:
            write(handle)
            os.fchmod(handle.fileno(), SHARED_FILE)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return Path(temp)


def write_shared(
    path: Path,
    write: Callable[[TextIO], None] | Callable[[BinaryIO], None],
    encoding: str | None = "utf-8",
    newline: str | None = None,
) -> Path:
    """Write a file analysts read (0644) whole: into a temp file beside it, then renamed.
    ``encoding=None``: ``write`` gets a binary handle (an .xlsx workbook).

    A failure (a full disk) leaves the previous file and no temp file behind."""
    os.replace(stage_shared(path, write, encoding, newline), path)
    return Path(path)
