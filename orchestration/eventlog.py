"""Dagster's event log without fsync: the demo's, and `monitor run`'s when set off.

Dagster's SQLite storage (the instance in ``<data dir>/dagster_home``) opens a connection,
writes and commits for every event it records: the planned materialization of every asset and
the planned evaluation of every check when a run is created (about 260 per quarter here, most
of them dbt tests), then every step's events. SQLite waits for the disk (fsync) at each commit;
on this 2-core machine that was 10 to 25 s of a quarter's run before its first step.

``monitor demo`` records its runs with ``PRAGMA synchronous = OFF`` on the instance's own
SQLite files: a crash of the process loses nothing, a power failure during a run can lose the
demo's run history (never the warehouse or the published file, which DuckDB writes itself).
``monitor run`` does the same with ``MONITOR_EVENT_LOG_SYNC=off`` (``settings.event_log_fsync``),
and keeps SQLite's default otherwise, as the UI does.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine


@contextmanager
def event_log_without_fsync(dagster_home: Path) -> Iterator[None]:
    """While inside, SQLite connections SQLAlchemy opens to files under ``dagster_home`` do not
    fsync at commit (other databases are left alone)."""
    home = dagster_home.resolve()

    def no_fsync(connection: object, _record: object) -> None:
        if not isinstance(connection, sqlite3.Connection):
            return
        databases = connection.execute("pragma database_list").fetchall()
        if any(path and Path(path).resolve().is_relative_to(home) for _, _, path in databases):
            connection.execute("pragma synchronous = off")

    event.listen(Engine, "connect", no_fsync)
    try:
        yield
    finally:
        event.remove(Engine, "connect", no_fsync)
