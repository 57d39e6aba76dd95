"""Protect stage: primary and secondary suppression of the quarter's monitor tables.

Reads the unsuppressed dbt output ``main_monitor.mon_area_indicators`` and writes two tables
for the quarter: ``disclosure.area_indicators_protected`` (restricted: which cells were
primary or secondary suppressed) and ``disclosure.area_indicators_candidate`` (exactly the
published shape). The gate checks the candidate; publish copies it.
"""

import duckdb
import polars as pl
from dagster import (
    AssetExecutionContext,
    AssetKey,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
)

from orchestration.disclosure.protect import protect_quarter
from orchestration.metadata import bar_table
from orchestration.partitions import (
    ONE_QUARTER_PER_RUN,
    quarter_from_partition_key,
    quarterly_partitions,
)
from orchestration.resources import MonitorResource

CANDIDATE_KEY = AssetKey(["disclosure", "area_indicators_candidate"])
MONITOR_MODEL_KEY = AssetKey(["mon_area_indicators"])
PROTECTED_TABLE = "disclosure.area_indicators_protected"
CANDIDATE_TABLE = "disclosure.area_indicators_candidate"
LEVEL_ORDER = {"gemeente": 0, "wijk": 1, "buurt": 2}


def replace_quarter(
    con: duckdb.DuckDBPyConnection, table: str, quarter: str, frame: pl.DataFrame
) -> None:
    """Replace one quarter's rows of ``table`` (created from the frame's columns if absent)."""
    con.register("_frame", frame.to_arrow())
    try:
        con.execute(f"create table if not exists {table} as select * from _frame limit 0")
        con.execute(f"delete from {table} where quarter = ?", [quarter])
        con.execute(f"insert into {table} by name select * from _frame")
    finally:
        con.unregister("_frame")


@asset(
    key=CANDIDATE_KEY,
    deps=[MONITOR_MODEL_KEY],
    group_name="protect",
    partitions_def=quarterly_partitions,
    backfill_policy=ONE_QUARTER_PER_RUN,
    kinds={"python", "duckdb"},
    pool="warehouse",
    description="The quarter's area indicators after primary and secondary suppression, in the "
    "published shape (value NULL where suppressed). Checked by the gate, then published.",
)
def area_indicators_candidate(
    context: AssetExecutionContext, monitor: MonitorResource
) -> MaterializeResult:
    quarter = quarter_from_partition_key(context.partition_key)
    with monitor.warehouse() as con:
        frame = con.execute(
            "select * from main_monitor.mon_area_indicators where quarter = ?", [quarter]
        ).pl()
        if frame.is_empty():
            raise Failure(
                f"main_monitor.mon_area_indicators has no rows for {quarter}: run dbt first"
            )
        result = protect_quarter(frame)
        con.execute("create schema if not exists disclosure")
        con.execute("begin")
        replace_quarter(con, PROTECTED_TABLE, quarter, result.cells)
        replace_quarter(con, CANDIDATE_TABLE, quarter, result.published)
        con.execute("commit")
    per_level = (
        result.cells.group_by("area_level")
        .agg(
            cells=pl.len(),
            primary=(pl.col("suppression") == "primary").sum(),
            secondary=(pl.col("suppression") == "secondary").sum(),
        )
        .sort(pl.col("area_level").replace_strict(LEVEL_ORDER, default=len(LEVEL_ORDER)))
    )
    context.log.info(
        f"{quarter}: {result.n_primary} primary and {result.n_secondary} secondary suppressions"
    )
    return MaterializeResult(
        metadata={
            "quarter": quarter,
            "cells": result.cells.height,
            "primary_suppressions": result.n_primary,
            "secondary_suppressions": result.n_secondary,
            "share_suppressed": MetadataValue.float(
                round((result.n_primary + result.n_secondary) / max(result.cells.height, 1), 4)
            ),
            # The bar is the share of the level's cells suppressed: a full bar is 100%.
            "suppressions_per_level": bar_table(
                ["level", "cells", "primary", "secondary", "suppressed"],
                [
                    (level, cells, primary, secondary, f"{(primary + secondary) / cells:.1%}")
                    for level, cells, primary, secondary in per_level.rows()
                ],
                bar_columns=[2, 3],
                relative_to=1,
            ),
            "seconds": MetadataValue.float(round(result.seconds, 2)),
        }
    )
