"""One quarter is one Dagster partition.

Dagster has no quarterly partitions class, so quarters are time windows on a cron that fires
on the first day of each quarter. A partition key is the quarter's first day
(``2026-07-01``); everything outside Dagster speaks of quarters (``2026Q3``).
"""

from __future__ import annotations

import warnings
from datetime import date

from dagster import BackfillPolicy, BetaWarning, TimeWindowPartitionsDefinition

from orchestration.parameters import pipeline_parameters
from orchestration.quarters import quarter_of, quarter_start

PIPELINE_PARAMETERS = pipeline_parameters()
FIRST_QUARTER = PIPELINE_PARAMETERS["first_quarter"]
PARTITION_FORMAT = "%Y-%m-%d"

quarterly_partitions = TimeWindowPartitionsDefinition(
    cron_schedule="0 0 1 1,4,7,10 *",
    start=quarter_start(FIRST_QUARTER).isoformat(),
    fmt=PARTITION_FORMAT,
    timezone="Europe/Amsterdam",
)

ONE_QUARTER_PER_RUN = BackfillPolicy.multi_run(max_partitions_per_run=1)
# Dagster marks the asset parameter `backfill_policy` beta and warns once per asset at import;
# it is what makes backfills run quarter by quarter, so that one warning is expected.
warnings.filterwarnings("ignore", message="Parameter `backfill_policy`", category=BetaWarning)
"""Every quarterly asset's backfill policy: a backfill of a range runs quarter by quarter (dbt
builds one quarter per invocation, and DuckDB allows one writer)."""


QUARTERLY_WAREHOUSE_ASSET = {
    "partitions_def": quarterly_partitions,
    "backfill_policy": ONE_QUARTER_PER_RUN,
    "pool": "warehouse",
}
"""The arguments every quarter-partitioned asset that writes the warehouse shares:
``@asset(**QUARTERLY_WAREHOUSE_ASSET, ...)`` (one writer at a time: the ``warehouse`` pool)."""


def quarter_from_partition_key(partition_key: str) -> str:
    """``2026-07-01`` -> ``2026Q3``."""
    return quarter_of(date.fromisoformat(partition_key))


def partition_key_for_quarter(quarter: str) -> str:
    """``2026Q3`` -> ``2026-07-01``."""
    return quarter_start(quarter).isoformat()


def quarters_outside_partitions(quarters: list[str]) -> list[str]:
    """The ``quarters`` that are no partition: before ``first_quarter``, or not yet ended."""
    keys = set(quarterly_partitions.get_partition_keys())
    return [q for q in quarters if partition_key_for_quarter(q) not in keys]


def partition_range() -> str:
    """``2025Q1 to 2026Q3``: the quarters the pipeline runs today."""
    keys = quarterly_partitions.get_partition_keys()
    return f"{quarter_from_partition_key(keys[0])} to {quarter_from_partition_key(keys[-1])}"
