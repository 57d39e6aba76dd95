"""Gate stage: the checks on the candidate quarter.

Every Great Expectations suite in ``expectations/`` is one Dagster asset check on
``disclosure/area_indicators_candidate``, plus the disclosure audit (``disclosure_audit``).
A suite with a critical expectation and the audit are blocking: when one fails (severity
ERROR), Dagster does not run the publish asset in that run, so ``monitor.duckdb`` stays as it
was. A check whose only findings are warnings (``jumps``, which is not blocking, or a warning
expectation of a blocking suite) fails with severity WARN: the UI shows it as a warning, and
publication goes on. Each check's description (what it checks, when it fails, what to do)
comes from its suite file (``orchestration.gate.gate_checks``); its result's description
names what it found; the per-expectation results with failing rows and the narrowest
suppressed cells are Markdown metadata.
"""

import warnings

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    MetadataValue,
    PreviewWarning,
    multi_asset_check,
)

from orchestration.contract import AUDIT_CHECK_NAME, CANDIDATE_ASSET
from orchestration.gate import SuiteOutcome, check_quarter, gate_checks, render_markdown
from orchestration.metadata import markdown_table
from orchestration.partitions import quarter_from_partition_key, quarterly_partitions
from orchestration.progress import step_progress
from orchestration.resources import MonitorResource

CANDIDATE_KEY = AssetKey(CANDIDATE_ASSET)

with warnings.catch_warnings():
    # Partitioned asset checks are a Dagster preview feature; they are what lets a check
    # report per quarter, so the warning is expected here.
    warnings.simplefilter("ignore", PreviewWarning)
    SPECS = [
        AssetCheckSpec(
            check.name,
            asset=CANDIDATE_KEY,
            blocking=check.blocking,
            partitions_def=quarterly_partitions,
            description=check.description(),
            metadata={"defined_in": check.source},
        )
        for check in gate_checks()
    ]


def _severity(suite: SuiteOutcome) -> AssetCheckSeverity:
    """WARN when the suite found warnings only (then ``passed`` is False too, so the UI shows
    the warning; a WARN never stops publication), else ERROR."""
    only_warnings = suite.warnings and not suite.failures
    return AssetCheckSeverity.WARN if only_warnings else AssetCheckSeverity.ERROR


@multi_asset_check(
    specs=SPECS, name="quality_gate", compute_kind="great_expectations", pool="warehouse"
)
def gate_checks(context: AssetCheckExecutionContext, monitor: MonitorResource):
    """Run every suite and the disclosure audit on one quarter of the candidate."""
    quarter = quarter_from_partition_key(context.partition_key)
    with monitor.warehouse() as con:
        outcome = check_quarter(con, quarter, report=step_progress(context.log.info, "audit: "))
    for suite in outcome.suites.suites:
        yield AssetCheckResult(
            asset_key=CANDIDATE_KEY,
            check_name=suite.key,
            passed=not suite.failures and not suite.warnings,
            severity=_severity(suite),
            description=suite.summary(),
            metadata={
                "quarter": quarter,
                "rows": suite.rows or 0,
                "failures": len(suite.failures),
                "warnings": len(suite.warnings),
                "result": MetadataValue.md(render_markdown(suite)),
            },
        )
    audit = outcome.audit
    context.log.info(f"{quarter}: {audit.summary()}")
    yield AssetCheckResult(
        asset_key=CANDIDATE_KEY,
        check_name=AUDIT_CHECK_NAME,
        passed=audit.passed,
        severity=AssetCheckSeverity.ERROR,
        description=audit.summary(),
        metadata={
            "quarter": quarter,
            "suppressed_counts_checked": audit.n_checked,
            "too_narrow": len(audit.failures),
            "rule_violations": MetadataValue.md(
                "\n".join(f"- {v}" for v in audit.violations) or "none"
            ),
            "narrowest_cells": markdown_table(
                ["area", "indicator", "lower", "upper", "width"],
                [
                    (a, i, round(lo, 2), round(hi, 2), round(w, 2))
                    for a, i, lo, hi, w in audit.narrowest[:15]
                ],
            ),
            "seconds": MetadataValue.float(round(audit.seconds, 2)),
            "start_point": audit.start_point,
            "protect_points": audit.protect_points,
        },
    )
