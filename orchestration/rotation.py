"""Pseudonym key checks before a run, and key rotation (``monitor rotate-key --confirm``).

A warehouse holds pseudonyms of one key: ``audit.pseudonym_key`` keeps that key's fingerprint
(orchestration/pseudonym.py). Rotation to the key now in ``MONITOR_PSEUDONYM_KEY``:

1. the fingerprint of the new key is recorded with status ``rotating`` (plain runs refuse to
   start until the rotation finished);
2. every quarter still held in the warehouse (retention has removed older ones) is
   re-ingested from its landing folders with ``force=True``, i.e. re-pseudonymised under the
   new key. A quarter whose landing files are gone cannot be re-keyed: its household-level
   rows are removed (as retention does; its published figures stay) and the command says so;
3. the caller rebuilds those quarters (dbt, protect, gate, publish), replacing every derived
   table; the published figures come out identical;
4. the status becomes ``current``; the operator destroys the old key.

Interrupted at any point, the command can simply be run again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb

from orchestration.ingestion.deliveries import known_sources
from orchestration.ingestion.loader import ingest_source
from orchestration.pseudonym import (
    KEY_MISMATCH,
    KEY_TABLE,
    KeyMismatchError,
    fingerprint_matches,
    load_key,
    record_key,
)
from orchestration.retention import purge_quarters, quarters_held
from orchestration.settings import Paths


class RotationPendingError(RuntimeError):
    """A key rotation was started and has not finished."""


@dataclass
class RotationPlan:
    rekeyed: list[str] = field(default_factory=list)
    """Quarters re-ingested under the new key (to be rebuilt)."""
    dropped: list[str] = field(default_factory=list)
    """Quarters whose landing files were gone: household-level rows removed."""


def recorded_key(paths: Paths) -> tuple[str, str] | None:
    """The warehouse's key fingerprint and its status; None without a warehouse or a key."""
    if not paths.warehouse.exists():
        return None
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        exists = con.execute(
            "select count(*) from duckdb_tables() "
            "where schema_name || '.' || table_name = ? and database_name = current_database()",
            [KEY_TABLE],
        ).fetchone()[0]
        return (
            con.execute(f"select fingerprint, status from {KEY_TABLE}").fetchone()
            if exists
            else None
        )


def preflight(paths: Paths) -> None:
    """Refuse to start a run without a usable key (``MissingKeyError``), with a key other than
    the warehouse's (``KeyMismatchError``) or during an unfinished rotation."""
    key = load_key(paths.demo_key_file)
    recorded = recorded_key(paths)
    if recorded is None:
        return
    fingerprint, status = recorded
    if status == "rotating":
        raise RotationPendingError(
            "a pseudonym key rotation was started and did not finish: run "
            "`monitor rotate-key --confirm` again (docs/runbook.md, 'Key management')"
        )
    if not fingerprint_matches(fingerprint, key):
        raise KeyMismatchError(KEY_MISMATCH)


def start_rotation(paths: Paths, say: Callable[[str], None]) -> RotationPlan:
    """Steps 1 and 2: record the new key as rotating, re-key or drop every quarter held."""
    key = load_key(paths.demo_key_file)
    recorded = recorded_key(paths)
    if recorded is not None and recorded[1] == "current" and fingerprint_matches(recorded[0], key):
        raise KeyMismatchError(
            "MONITOR_PSEUDONYM_KEY is already the warehouse's key: set the new key first"
        )
    plan = RotationPlan()
    with duckdb.connect(str(paths.warehouse)) as con:
        record_key(con, key, status="rotating")
        for quarter in quarters_held(con):
            delivered = [
                source
                for (source,) in con.execute(
                    "select distinct source from audit.ingest_files where quarter = ?", [quarter]
                ).fetchall()
            ]
            missing = [s for s in delivered if not paths.landing_dir(quarter, s).is_dir()]
            if missing or not delivered:
                plan.dropped.append(quarter)
                say(
                    f"{quarter}: landing files gone ({', '.join(missing) or 'all sources'}): its "
                    "household-level data cannot be re-keyed and is REMOVED from the warehouse; "
                    "its published figures stay, but the quarter can no longer be rebuilt"
                )
                continue
            for source in known_sources():
                ingest_source(con, quarter, source, paths.landing, key, force=True)
            plan.rekeyed.append(quarter)
            say(f"{quarter}: re-ingested under the new key")
        if plan.dropped:
            purge_quarters(con, plan.dropped, "key rotation: landing files gone, not re-keyable")
    return plan


def finish_rotation(paths: Paths) -> None:
    """Step 4: the new key is the warehouse's key."""
    with duckdb.connect(str(paths.warehouse)) as con:
        record_key(con, load_key(paths.demo_key_file), status="current")
