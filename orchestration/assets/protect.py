"""Protect stage: primary and secondary suppression of the quarter's monitor tables.

Reads the unsuppressed dbt output ``main_monitor.mon_area_indicators`` and writes two tables
for the quarter: ``disclosure.area_indicators_protected`` (restricted: which cells were
primary or secondary suppressed) and ``disclosure.area_indicators_candidate`` (exactly the
published shape; names in orchestration/contract.py), with ``disclosure.feasible_points``
(restricted: where the gate's audit starts its search). The gate checks the candidate;
publish copies it. The work is ``disclosure.protect.protect_stored_quarter``.
"""

from dagster import (
    AssetExecutionContext,
    AssetKey,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
)

from orchestration.contract import CANDIDATE_ASSET, CANDIDATE_TABLE, MONITOR_MODEL_ASSET
from orchestration.disclosure.model import InconsistentTableError
from orchestration.disclosure.protect import NothingToProtectError, protect_stored_quarter
from orchestration.metadata import bar_table, table_metadata
from orchestration.partitions import QUARTERLY_WAREHOUSE_ASSET, quarter_from_partition_key
from orchestration.progress import step_progress
from orchestration.resources import MonitorResource


@asset(
    key=AssetKey(CANDIDATE_ASSET),
    deps=[AssetKey(MONITOR_MODEL_ASSET)],
    group_name="protect",
    kinds={"python", "duckdb"},
    **QUARTERLY_WAREHOUSE_ASSET,
    description="The quarter's area indicators after primary and secondary suppression, in the "
    "published shape (value NULL where suppressed). Checked by the gate, then published.",
)
def area_indicators_candidate(
    context: AssetExecutionContext, monitor: MonitorResource
) -> MaterializeResult:
    quarter = quarter_from_partition_key(context.partition_key)
    with monitor.warehouse() as con:
        try:
            result = protect_stored_quarter(con, quarter, report=step_progress(context.log.info))
        except (NothingToProtectError, InconsistentTableError) as error:
            # docs/runbook.md, Failures: what each means and what to do
            raise Failure(str(error)) from error
        table = table_metadata(con, CANDIDATE_TABLE, quarter)
    released = result.stats.n_released if result.stats else 0
    checks = result.stats.n_release_checks if result.stats else 0
    context.log.info(
        f"{quarter}: {result.n_primary} primary and {result.n_secondary} secondary suppressions; "
        f"the pruning pass published {released} of its complements again ({checks} LP checks)"
    )
    whole = result.stats.n_whole_components if result.stats else 0
    pinned = (
        int(result.stats.pinned.sum()) if result.stats and result.stats.pinned is not None else 0
    )
    rounds = result.stats.n_lp_rounds if result.stats else 0
    if whole:
        context.log.warning(
            f"{quarter}: the repair did not settle in {rounds} rounds (max_repair_rounds, "
            f"seeds/disclosure_parameters.csv): {whole} gemeente(n) or regio's suppressed whole "
            "as the last resort; the gate refuses the quarter if that hid a gemeente's "
            "huishoudens (docs/runbook.md, Failures)"
        )
    if result.left_out_periods:
        context.log.warning(
            f"{quarter}: not published: {', '.join(result.left_out_periods)}; each spans a "
            "quarter whose outcomes were published with that quarter, before they moved to a "
            "period type published later (docs/migrations.md 14)"
        )
    return MaterializeResult(
        metadata={
            "quarter": quarter,
            "cells": result.n_cells,
            "primary_suppressions": result.n_primary,
            "secondary_suppressions": result.n_secondary,
            # secondary.release_unneeded: complements published again after the repair, of
            # how many checked (at most max_release_checks, seeds/disclosure_parameters.csv)
            "complements_released": released,
            "release_checks": checks,
            # secondary.protect_counts: LP rounds, and gemeenten suppressed whole as the last
            # resort when the repair ran out of rounds (0 on a quarter that settles)
            "repair_rounds": rounds,
            "suppressed_whole": whole,
            # secondary._pinned: new cells an earlier publication already holds narrower than
            # the width, published (suppressed, nothing could protect them)
            "published_pinned": pinned,
            "periods_left_out": ", ".join(result.left_out_periods) or "none",
            "share_suppressed": MetadataValue.float(round(result.share_suppressed, 4)),
            # The bar is the share of the level's cells suppressed: a full bar is 100%.
            "suppressions_per_level": bar_table(
                ["level", "cells", "primary", "secondary", "suppressed"],
                [
                    (
                        level,
                        n["cells"],
                        n["primary"],
                        n["secondary"],
                        f"{(n['primary'] + n['secondary']) / n['cells']:.1%}",
                    )
                    for level, n in result.per_level.items()
                ],
                bar_columns=[2, 3],
                relative_to=1,
            ),
            "seconds": MetadataValue.float(round(result.seconds, 2)),
            **table,
        }
    )
