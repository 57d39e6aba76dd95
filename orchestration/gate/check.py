"""The gate stage on the warehouse: every suite and the disclosure audit on one quarter.

    outcome = check_quarter(warehouse_con, "2026Q3")
    outcome.suites      # GateResult: one SuiteOutcome per check name of the suites
    outcome.audit       # AuditResult of the LP disclosure audit on the candidate

``blocking_check_names()`` are the checks that must all pass before a quarter is published
(the Dagster asset checks, and what ``publication_log.checks_passed`` records).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from orchestration.contract import (
    AUDIT_CHECK_NAME,
    CANDIDATE_TABLE,
    publishes_multi_quarter_periods,
)
from orchestration.disclosure.audit import AuditResult, audit_publication
from orchestration.gate.results import GateResult
from orchestration.gate.suites import load_suites, run_gate, suite_keys
from orchestration.settings import fault_pause


@dataclass(frozen=True)
class GateOutcome:
    quarter: str
    suites: GateResult
    audit: AuditResult


def suite_check_names() -> list[str]:
    """The check name of every suite run (``expectations/``), in run order."""
    return suite_keys(load_suites())


def blocking_check_names() -> tuple[str, ...]:
    """Every check that must pass before a quarter is published: the suites, then the audit."""
    return (*suite_check_names(), AUDIT_CHECK_NAME)


def check_quarter(con: duckdb.DuckDBPyConnection, quarter: str) -> GateOutcome:
    """Run every suite on the quarter's candidate, then the disclosure audit on it."""
    suites = run_gate(con, quarter)
    # with a period over several quarters, the audit covers every quarter (docs/periods-plan.md)
    every_quarter = publishes_multi_quarter_periods()
    candidate = con.execute(
        f"select * from {CANDIDATE_TABLE} where quarter = ? or ?", [quarter, every_quarter]
    ).pl()
    fault_pause("checks")  # test hook (orchestration/settings.py), inert in production
    return GateOutcome(quarter=quarter, suites=suites, audit=audit_publication(candidate))
