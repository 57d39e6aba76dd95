"""The quarterly refresh job: every asset of a quarter, in one process, one step at a time.

The in-process executor keeps warehouse writers serialised (DuckDB allows one writer) and
avoids re-importing the code location for every step.
"""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job, in_process_executor

QUARTERLY_JOB_NAME = "quarterly_refresh"

quarterly_refresh_job = define_asset_job(
    name=QUARTERLY_JOB_NAME,
    selection=AssetSelection.all() - AssetSelection.groups("maintenance"),
    executor_def=in_process_executor,
    description=(
        "Ingest every landing source, build the dbt models, protect, check and publish one quarter."
    ),
    tags={"dagster/concurrency_key": "warehouse"},
)
