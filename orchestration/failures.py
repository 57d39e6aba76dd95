"""The cause of a failed run in words an operator can act on, instead of a framework wrapper.

A run that cannot write its files fails deep inside DuckDB, SQLite (Dagster's own storage) or
the operating system, and Dagster reports "Error occurred while executing op". ``explain``
looks through the whole chain of an exception (or of the error Dagster recorded for a step)
for three causes and says what happened and what to do:

- **locked**: another process holds a DuckDB file (``Conflicting lock is held in <program>
  (PID n)``): which file, which process, and what to do about it;
- **no permission**: the file or folder is not writable by the pipeline's user (EACCES), or
  cannot be written at all (EPERM: an immutable flag; EROFS: a read-only mount);
- **disk full**: ENOSPC/EDQUOT, DuckDB's and SQLite's words for it, and the free space left.

Assets raise ``Failure(description=<the explanation>)`` through ``named_cause`` (the run's
failure message in the UI), and ``monitor`` prints it as its last lines. An ``OperatorError``
(e.g. ``PublishError``) already says what to do: ``named_cause`` passes its message on as is.
This module imports Dagster only when it is used, so Dagster-free stages can raise
``OperatorError``.
"""

from __future__ import annotations

import contextlib
import errno
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

_LOCK = re.compile(
    r'(?:on file|database) "?(?P<path>[^"]+?)"?: Conflicting lock is held in (?P<program>.+?) '
    r"\(PID (?P<pid>\d+)\)"
)
_QUOTED_PATH = re.compile(r'"(/[^"]+)"|\'(/[^\']+)\'')
_DENIED = ("permission denied", "operation not permitted", "read-only file system")
_FULL = ("no space left on device", "disk quota exceeded", "database or disk is full", "disk full")
_SQLITE_IO = "disk i/o error"
_ERRNO_DENIED = {errno.EACCES, errno.EPERM, errno.EROFS}
_ERRNO_FULL = {errno.ENOSPC, errno.EDQUOT}
_LOW_SPACE = 64 * 1024 * 1024
"""Below this much free space a bare "disk I/O error" is taken for a full disk."""


class OperatorError(RuntimeError):
    """An error whose message says what happened and what to do, for the operator."""


def _chain(error: BaseException) -> Iterator[BaseException]:
    """``error``, its causes and contexts, and the user errors Dagster wraps."""
    seen: set[int] = set()
    todo = [error]
    while todo:
        current = todo.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo += [
            current.__cause__,
            current.__context__,
            getattr(current, "user_exception", None),
        ]


def _error_info_chain(info) -> Iterator[str]:
    """The messages of a Dagster ``SerializableErrorInfo`` and its causes and contexts."""
    todo = [info]
    while todo:
        current = todo.pop(0)
        if current is None:
            continue
        yield current.message or ""
        todo += [current.cause, current.context]


def _free_space(data_dir: Path | None) -> int | None:
    folder = data_dir
    while folder is not None and not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        return shutil.disk_usage(folder).free if folder is not None else None
    except OSError:
        return None


def _size(n: int) -> str:
    if n < 1024**2:
        return f"{n // 1024} kB"
    return f"{n / 1024**2:.0f} MB" if n < 1024**3 else f"{n / 1024**3:.1f} GB"


def _lock_advice(path: str, data_dir: Path | None) -> str:
    name = Path(path).name
    if name == "monitor.duckdb" or name.startswith(".monitor.duckdb"):
        return (
            "The published file is opened read-write by someone (a DuckDB session without "
            "-readonly, or a tool that writes). Close that session, or stop that process if it "
            "is left over; analysts open the file with `duckdb -readonly`. Then rerun the "
            "quarter: the published file is unchanged."
        )
    if name == "warehouse.duckdb":
        return (
            "Another run or a DuckDB session holds the restricted warehouse. Wait for that run "
            "to finish, or close the session (the warehouse is for the pipeline only; analysts "
            "use monitor.duckdb). Then rerun the quarter."
        )
    return "Close the other process's connection to it, then rerun the quarter."


def _explain(
    texts: list[str], codes: set[int], paths: list[str], data_dir: Path | None
) -> str | None:
    joined = "\n".join(texts)
    lower = joined.lower()
    path = next(iter(paths), None)
    if path is None:
        quoted = _QUOTED_PATH.search(joined)
        path = (quoted.group(1) or quoted.group(2)) if quoted else None
    where = path or (str(data_dir) if data_dir else "a file of the pipeline")
    if match := _LOCK.search(joined):
        return (
            f"{match['path']} is locked by another process: {match['program']} (PID "
            f"{match['pid']}). {_lock_advice(match['path'], data_dir)}"
        )
    if codes & _ERRNO_FULL or any(word in lower for word in _FULL):
        free = _free_space(Path(path).parent if path else data_dir)
        return _disk_full(where, free)
    if codes & _ERRNO_DENIED or any(word in lower for word in _DENIED):
        reason = next((w for w in _DENIED if w in lower), "permission denied")
        folder = f"the data directory {data_dir}" if data_dir else "the data directory"
        return (
            f"cannot write {where}: {reason}. The user running the pipeline needs write access "
            f"to {folder} and everything in it: check the owner and mode (`ls -ld`), a "
            "read-only mount (`findmnt`) or an immutable flag (`lsattr`). Nothing was "
            "published; fix the access and rerun the quarter."
        )
    if _SQLITE_IO in lower or "could not write" in lower or "could not truncate" in lower:
        free = _free_space(data_dir)
        if free is not None and free < _LOW_SPACE:
            return _disk_full(where, free)
    return None


def _disk_full(where: str, free: int | None) -> str:
    left = f" ({_size(free)} free)" if free is not None else ""
    return (
        f"disk full while writing {where}{left}. Free space on that file system (old quarters' "
        "landing files, dbt's target folders, Dagster's logs under the Dagster home), then "
        "rerun the quarter. A failed run does not change the published file, and a failed "
        "publication removes its temporary file."
    )


def explain(error: BaseException, data_dir: Path | None = None) -> str | None:
    """What went wrong and what to do, for a lock, permission or disk-full error; else None."""
    from dagster import Failure

    chain = list(_chain(error))
    for item in chain:
        if isinstance(item, Failure) and item.description:
            return item.description
    texts = [f"{type(e).__name__}: {e}" for e in chain]
    codes = {e.errno for e in chain if isinstance(e, OSError) and e.errno}
    paths = [str(e.filename) for e in chain if isinstance(e, OSError) and e.filename]
    return _explain(texts, codes, paths, data_dir)


def explain_error_info(info, data_dir: Path | None = None) -> str | None:
    """``explain`` for the error Dagster recorded (``SerializableErrorInfo``)."""
    return _explain(list(_error_info_chain(info)), set(), [], data_dir)


def root_message(info) -> str:
    """The innermost cause's message (the error itself, without Dagster's wrappers)."""
    while info.cause is not None:
        info = info.cause
    return (info.message or "").strip()


@contextlib.contextmanager
def named_cause(data_dir: Path | None = None) -> Iterator[None]:
    """Turn a lock, permission or disk-full error into ``Failure`` with its explanation, and an
    ``OperatorError`` into ``Failure`` with its message."""
    from dagster import Failure

    try:
        yield
    except Failure:
        raise
    except Exception as error:
        cause = explain(error, data_dir)
        if cause is None and isinstance(error, OperatorError):
            cause = str(error)
        if cause is None:
            raise
        raise Failure(
            description=cause, metadata={"error": f"{type(error).__name__}: {error}"[:2000]}
        ) from error
