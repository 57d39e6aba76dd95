"""One `monitor` run per data directory at a time, and recovery from runs that were killed.

``run_lock(paths, purpose)`` takes an exclusive ``fcntl.flock`` on ``data/run.lock`` for the
whole of a ``monitor run`` (or ``monitor rotate-key``) and writes who holds it (pid, host,
what, since when) into the file. A second command on the same data directory is refused at
once with a message naming the holder. The lock belongs to the open file: when the holder
exits or is killed (even SIGKILL) the operating system releases it, so a stale lock never
blocks. The file itself stays and is simply overwritten by the next holder.

Runs launched from the Dagster UI do not take this lock: ``dagster.yaml`` lets one run at a
time through the run queue, and every warehouse-writing step is in the concurrency pool
``warehouse`` (limit 1) that the command's in-process runs share.

``release_orphaned_runs(instance)``: a `monitor run` killed mid-run leaves its Dagster run
``STARTED`` and, worse, holding its slot in the ``warehouse`` pool, which would make every
later run wait for ever. Called while holding the lock, it marks the command's earlier runs
that never finished as failed and frees their slots: with the lock held, no other `monitor`
process can be running them.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from orchestration import filemodes
from orchestration.settings import Paths

if TYPE_CHECKING:
    from dagster import DagsterInstance

LOCK_FILE = "run.lock"
TRIGGER_TAG = "monitor/trigger"
CLI_TRIGGER = "cli"
PID_TAG = "monitor/pid"


class RunLockedError(RuntimeError):
    """Another `monitor` command holds the data directory."""


def _describe(holder: dict) -> str:
    if not holder:
        return "another `monitor` process (its details were not written yet)"
    return (
        f"`monitor {holder.get('purpose', '?')}` (pid {holder.get('pid', '?')} on "
        f"{holder.get('host', '?')}, started {holder.get('started_at', '?')} UTC)"
    )


def _read_holder(path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return {}


@contextlib.contextmanager
def run_lock(paths: Paths, purpose: str) -> Iterator[dict]:
    """Hold the data directory's run lock; raise ``RunLockedError`` naming the holder if taken.

    ``purpose``: what this process does, e.g. ``run 2026Q3``; shown to a refused second run.
    """
    path = paths.data_dir / LOCK_FILE
    filemodes.restricted_dir(paths.data_dir)
    handle = filemodes.open_restricted(path, "a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RunLockedError(
                f"{paths.data_dir} is in use by {_describe(_read_holder(path))}. "
                "Wait for it to finish (one run per data directory at a time; see "
                "docs/runbook.md, 'Concurrent runs')."
            ) from None
        holder = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "purpose": purpose,
            "started_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S"),
        }
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps(holder) + "\n")
        handle.flush()
        try:
            yield holder
        finally:
            handle.seek(0)
            handle.truncate()
            handle.flush()
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        handle.close()


def release_orphaned_runs(instance: DagsterInstance) -> list[str]:
    """Mark `monitor` command runs that never finished as failed; free their pool slots.

    Call only while holding ``run_lock``: then no other command process is alive to own them.
    Runs launched from the UI or by the daemon are left alone. Returns the run ids released.
    """
    from dagster import DagsterRunStatus, RunsFilter

    unfinished = instance.get_runs(
        filters=RunsFilter(
            statuses=[
                DagsterRunStatus.NOT_STARTED,
                DagsterRunStatus.STARTING,
                DagsterRunStatus.STARTED,
                DagsterRunStatus.CANCELING,
            ],
            tags={TRIGGER_TAG: CLI_TRIGGER},
        )
    )
    released = []
    for run in unfinished:
        instance.report_run_failed(
            run,
            message=(
                f"The `monitor` process that ran this (pid {run.tags.get(PID_TAG, '?')}) ended "
                "without finishing it (killed or crashed); marked failed by the next command."
            ),
        )
        released.append(run.run_id)
    storage = instance.event_log_storage
    if storage.supports_global_concurrency_limits:
        for run_id in storage.get_concurrency_run_ids():
            run = instance.get_run_by_id(run_id)
            if run is not None and run.tags.get(TRIGGER_TAG) == CLI_TRIGGER and run.is_finished:
                storage.free_concurrency_slots_for_run(run_id)
    return released
