"""The publication gate: Great Expectations suites (``expectations/*.json``) on small frames.

    outcome = check_quarter(warehouse_con, "2026Q3")   # the stage: suites + disclosure audit
    result = run_gate(warehouse_con, "2026Q3")
    result.passed            # False when any critical expectation failed: do not publish
    result.failures          # blocking failures, each with up to 20 failing rows
    result.warnings          # e.g. quarter-on-quarter jumps: reported, never blocking
    render_markdown(result)  # or render_markdown(result.suite("area_indicators"))

Frames are aggregated in DuckDB (``frames.py``); suites are loaded and run with GX 1.x in
an ephemeral context (``suites.py``); results are summarised in ``results.py``. Importing
this package does not import Great Expectations (that happens on the first run).
"""

from orchestration.gate.check import (
    GateCheck,
    GateOutcome,
    blocking_check_names,
    check_quarter,
    gate_checks,
    suite_check_names,
)
from orchestration.gate.frames import GateInput, GateTables, build_frames
from orchestration.gate.results import (
    ExpectationOutcome,
    GateResult,
    SuiteOutcome,
    render_markdown,
)
from orchestration.gate.suites import Suite, load_suites, run_gate, suite_keys, validate_frames

__all__ = [
    "ExpectationOutcome",
    "GateCheck",
    "GateInput",
    "GateOutcome",
    "GateResult",
    "GateTables",
    "Suite",
    "SuiteOutcome",
    "blocking_check_names",
    "build_frames",
    "check_quarter",
    "gate_checks",
    "load_suites",
    "render_markdown",
    "run_gate",
    "suite_check_names",
    "suite_keys",
    "validate_frames",
]
