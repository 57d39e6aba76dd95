"""The gate stage on the warehouse: every suite and the disclosure audit on one quarter.

    outcome = check_quarter(warehouse_con, "2026Q3")
    outcome.suites      # GateResult: one SuiteOutcome per check name of the suites
    outcome.audit       # AuditResult of the LP disclosure audit on the candidate

``gate_checks()`` describes every check of the gate (one per suite run, and the audit): what it
checks, when it fails and what to do, from the suite files; the Dagster check descriptions and
the runbook's table (``orchestration/gate/docs.py``) are made from it. ``blocking_check_names()``
are the checks that must pass before a quarter is published (what
``publication_log.checks_passed`` records); the others (``jumps``) only warn.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import duckdb
import polars as pl

from orchestration.contract import (
    AUDIT_CHECK_NAME,
    CANDIDATE_TABLE,
    PROTECTED_TABLE,
    publishes_across_quarters,
)
from orchestration.disclosure.audit import AuditResult, audit_publication
from orchestration.disclosure.protect import left_out_rows, stored_points
from orchestration.gate.results import GateResult
from orchestration.gate.suites import Suite, load_suites, run_gate, suite_key
from orchestration.settings import fault_pause


@dataclass(frozen=True)
class GateCheck:
    """One check of the gate as the operator reads it (Dagster UI and runbook)."""

    name: str
    what: str
    fails_when: str
    what_to_do: str
    blocking: bool
    warnings: tuple[str, ...] = ()
    """Expectations of a blocking suite that only warn."""
    source: str = ""
    """Where the check is defined (the suite file)."""

    def description(self) -> str:
        """The check's description in the Dagster UI."""
        if self.blocking:
            verdict = f"Blocking: fails when {self.fails_when}; the quarter is then not published."
            if self.warnings:
                verdict += (
                    f" Warnings only, never blocking: {', '.join(self.warnings)} "
                    "(the check then shows as a warning)."
                )
        else:
            verdict = f"A warning, never blocking: warns when {self.fails_when}."
        return f"{self.what}\n\n{verdict}\n\nWhat to do: {self.what_to_do}."


AUDIT_CHECK = GateCheck(
    name=AUDIT_CHECK_NAME,
    what=(
        "The disclosure audit: the interval of values an attacker can derive for every "
        "suppressed count, by linear programming over all published cells and equations "
        "(as tau-Argus' audit does)."
    ),
    fails_when=(
        "a suppressed cell can be narrowed to an interval below the protection width, or a "
        "primary-suppression rule is broken"
    ),
    what_to_do=(
        "never publish around it; report it as a bug in `orchestration/disclosure/` (the "
        "check's metadata lists the narrowest cells)"
    ),
    blocking=True,
    source="orchestration/disclosure/audit.py",
)


def _suite_check(suite: Suite, frame: str) -> GateCheck:
    return GateCheck(
        name=suite_key(suite, frame),
        what=suite.description,
        fails_when=suite.fails_when,
        what_to_do=suite.what_to_do,
        blocking=suite.blocking,
        warnings=tuple(suite.warning_names) if suite.blocking else (),
        source=f"expectations/{suite.path.name}",
    )


def gate_checks() -> list[GateCheck]:
    """Every check of the gate, in run order: one per suite run (``expectations/``), then the
    disclosure audit."""
    return [_suite_check(s, f) for s in load_suites() for f in s.frames] + [AUDIT_CHECK]


@dataclass(frozen=True)
class GateOutcome:
    quarter: str
    suites: GateResult
    audit: AuditResult


def suite_check_names() -> list[str]:
    """The check name of every suite run (``expectations/``), in run order."""
    return [c.name for c in gate_checks() if c is not AUDIT_CHECK]


def blocking_check_names() -> tuple[str, ...]:
    """Every check that must pass before a quarter is published: the blocking suites, then the
    audit (``jumps`` only warns)."""
    return tuple(c.name for c in gate_checks() if c.blocking)


def check_quarter(
    con: duckdb.DuckDBPyConnection, quarter: str, report: Callable[[str], None] | None = None
) -> GateOutcome:
    """Run every suite on the quarter's candidate, then the disclosure audit on it (``report``:
    told how far the audit's LPs are)."""
    suites = run_gate(con, quarter)
    # with a period over several quarters, the audit covers every quarter (docs/periods-plan.md)
    every_quarter = publishes_across_quarters()
    candidate = con.execute(
        f"select * from {CANDIDATE_TABLE} where quarter = ? or ?", [quarter, every_quarter]
    ).pl()
    # protect's true values and the other points it found: where the audit starts its search,
    # checked by it before use
    restricted = con.execute(
        f"select * from {PROTECTED_TABLE} where quarter = ? or ?", [quarter, every_quarter]
    ).pl()
    restricted = pl.concat(  # with the counts left out of a level (model.Table.unpublished)
        [
            restricted,
            left_out_rows(con, sorted(set(candidate["quarter"]))).select(restricted.columns),
        ]
    )
    fault_pause("checks")  # test hook (orchestration/settings.py), inert in production
    audit = audit_publication(
        candidate, restricted=restricted, points=stored_points(con, quarter), report=report
    )
    return GateOutcome(quarter=quarter, suites=suites, audit=audit)
