"""Gate stage: the blocking checks on the candidate quarter.

Every Great Expectations suite in ``expectations/`` is one Dagster asset check on
``disclosure/area_indicators_candidate``, plus the disclosure audit (``disclosure_audit``).
All are blocking: when one fails, Dagster does not run the publish asset in that run, so
``monitor.duckdb`` stays as it was. Results (per expectation, with failing rows; the
narrowest suppressed cells) are Markdown metadata on the check in the UI.
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
from orchestration.gate import blocking_check_names, check_quarter, render_markdown
from orchestration.metadata import markdown_table
from orchestration.partitions import quarter_from_partition_key, quarterly_partitions
from orchestration.resources import MonitorResource

CANDIDATE_KEY = AssetKey(CANDIDATE_ASSET)

with warnings.catch_warnings():
    # Partitioned asset checks are a Dagster preview feature; they are what lets a check
    # report per quarter, so the warning is expected here.
    warnings.simplefilter("ignore", PreviewWarning)
    SPECS = [
        AssetCheckSpec(
            name,
            asset=CANDIDATE_KEY,
            blocking=True,
            partitions_def=quarterly_partitions,
            description=(
                "The disclosure audit: attacker intervals of every suppressed cell by linear "
                "programming from the published cells alone."
                if name == AUDIT_CHECK_NAME
                else f"Great Expectations suite {name} (expectations/)."
            ),
        )
        for name in blocking_check_names()
    ]


@multi_asset_check(
    specs=SPECS, name="quality_gate", compute_kind="great_expectations", pool="warehouse"
)
def gate_checks(context: AssetCheckExecutionContext, monitor: MonitorResource):
    """Run every suite and the disclosure audit on one quarter of the candidate."""
    quarter = quarter_from_partition_key(context.partition_key)
    with monitor.warehouse() as con:
        outcome = check_quarter(con, quarter)
    for suite in outcome.suites.suites:
        context.log.info(
            f"{quarter} {suite.key}: {'passed' if suite.passed else 'FAILED'} "
            f"({len(suite.failures)} failures, {len(suite.warnings)} warnings)"
        )
        yield AssetCheckResult(
            asset_key=CANDIDATE_KEY,
            check_name=suite.key,
            passed=suite.passed,
            severity=AssetCheckSeverity.ERROR,
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
        },
    )
