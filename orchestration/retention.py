"""Retention: remove the restricted, household-level rows of old quarters from the warehouse.

The retention period is ``retention_months`` in ``seeds/disclosure_parameters.csv`` (default
18). A quarter is purged once its last day lies more than that many months before today.

What is removed: the quarter's rows of every warehouse table with a ``quarter`` column, except
those in ``KEPT_TABLES``. That is ``raw.*``, ``audit.quarantine``, the dbt marts and
intermediate tables, the unsuppressed area tables ``main_monitor.*`` and
``disclosure.area_indicators_protected`` (restricted: they show which cells were suppressed
and their values). A new table with a ``quarter`` column is purged too unless it is added to
``KEPT_TABLES``: forgetting a table errs on the side of removing data.

What stays: ``audit.ingest_files`` (one row per delivered file: name, hash, counts, status; no
personal data) as the history of what was delivered and loaded, and
``disclosure.area_indicators_candidate`` (exactly what was published). The published file
``monitor.duckdb`` is not touched. Every purge is recorded in ``audit.retention_log`` (when,
quarter, table, rows removed, why), so an ``ingest_files`` row whose data is gone can be told
from one whose data went missing.

Landing files are not deleted here (they are the deliveries, kept by whoever manages the
landing area), but purged quarters whose landing folder still exists are reported: they hold
clear personal data and should be removed under the same period.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import duckdb

from orchestration.contract import CANDIDATE_TABLE
from orchestration.parameters import disclosure_parameters
from orchestration.quarters import parse_quarter, quarter_of

LOG_TABLE = "audit.retention_log"
KEPT_TABLES = frozenset({"audit.ingest_files", LOG_TABLE, CANDIDATE_TABLE})


@dataclass
class PurgeResult:
    quarters: list[str] = field(default_factory=list)
    """The quarters whose household-level rows were removed."""
    rows_removed: dict[str, int] = field(default_factory=dict)
    """Table -> rows removed (every household-level table, zeros included)."""

    @property
    def total(self) -> int:
        return sum(self.rows_removed.values())


def retention_months() -> int:
    months = int(disclosure_parameters()["retention_months"])
    if months < 1:
        raise ValueError("retention_months must be at least 1 (seeds/disclosure_parameters.csv)")
    return months


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (clamped to the month's last day)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def first_retained_quarter(today: date, months: int) -> str:
    """Quarters before this one ended more than ``months`` months before ``today``."""
    return quarter_of(months_before(today, months))


def household_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every base table with a ``quarter`` column except the kept ones, as ``schema.table``."""
    rows = con.execute(
        "select distinct schema_name || '.' || table_name from duckdb_columns() c "
        "join duckdb_tables() t using (database_name, schema_name, table_name) "
        "where c.column_name = 'quarter' and t.database_name = current_database() order by 1"
    ).fetchall()
    return [name for (name,) in rows if name not in KEPT_TABLES]


def quarters_held(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Quarters with household-level rows in the warehouse."""
    tables = household_tables(con)
    if not tables:
        return []
    union = " union ".join(f"select distinct quarter from {t}" for t in tables)
    return [q for (q,) in con.execute(f"select quarter from ({union}) order by 1").fetchall()]


def purge_quarters(
    con: duckdb.DuckDBPyConnection, quarters: Iterable[str], reason: str
) -> PurgeResult:
    """Remove the household-level rows of ``quarters`` in one transaction and log it."""
    quarters = sorted(set(quarters))
    for quarter in quarters:
        parse_quarter(quarter)
    result = PurgeResult(quarters=quarters)
    con.execute("create schema if not exists audit")
    con.execute(
        f"create table if not exists {LOG_TABLE} (purged_at TIMESTAMP not null, "
        "quarter VARCHAR not null, table_name VARCHAR not null, rows_removed BIGINT not null, "
        "reason VARCHAR not null)"
    )
    tables = household_tables(con)
    con.execute("begin transaction")
    try:
        for table in tables:
            result.rows_removed[table] = 0
            for quarter in quarters:
                (removed,) = con.execute(
                    f"delete from {table} where quarter = ?", [quarter]
                ).fetchone()
                result.rows_removed[table] += removed
                if removed:
                    con.execute(
                        f"insert into {LOG_TABLE} values (now()::timestamp, ?, ?, ?, ?)",
                        [quarter, table, removed, reason],
                    )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return result


def purge_expired(con: duckdb.DuckDBPyConnection, today: date, months: int) -> PurgeResult:
    """Purge every quarter held that ended more than ``months`` months before ``today``."""
    keep_from = first_retained_quarter(today, months)
    expired = [q for q in quarters_held(con) if q < keep_from]
    return purge_quarters(
        con, expired, f"retention: older than {months} months on {today.isoformat()}"
    )
