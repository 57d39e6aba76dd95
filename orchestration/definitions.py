"""The Dagster code location: one Definitions for the whole buurtmonitor.

Loaded by ``workspace.yaml`` (``dagster dev`` in the repository root) and by the
``monitor`` command.
"""

from __future__ import annotations

from dagster import AssetSpec, Definitions, in_process_executor, map_asset_specs

from orchestration.assets.due import publication_on_time
from orchestration.assets.gate import gate_checks
from orchestration.assets.ingest import ingest_assets
from orchestration.assets.key import pseudonym_key
from orchestration.assets.maintenance import household_data_retention
from orchestration.assets.partners import partner_audit, partner_files, partner_indicators_candidate
from orchestration.assets.protect import area_indicators_candidate
from orchestration.assets.publish import published_area_indicators
from orchestration.assets.transform import dbt_models
from orchestration.contract import asset_location
from orchestration.dbt_project import dbt_resource
from orchestration.jobs import quarterly_refresh_job
from orchestration.progress import progress_logger
from orchestration.resources import default_monitor_resource
from orchestration.schedules import (
    household_data_retention_job,
    publication_due_job,
    publication_due_schedule,
    quarterly_schedule,
    retention_schedule,
)
from orchestration.sensors import landing_sensor


def with_location(spec: AssetSpec) -> AssetSpec:
    """The asset with its description ending in where its data sits: restricted (the key's
    layer) or published (``contract.asset_location``, the key rule of docs/architecture.md)."""
    description = f"{spec.description or ''}\n\n{asset_location(spec.key.path)}".strip()
    return spec.replace_attributes(description=description)


defs = Definitions(
    assets=map_asset_specs(
        with_location,
        [
            pseudonym_key,
            *ingest_assets,
            dbt_models,
            area_indicators_candidate,
            published_area_indicators,
            partner_indicators_candidate,
            partner_files,
            household_data_retention,
        ],
    ),
    asset_checks=[gate_checks, partner_audit, publication_on_time],
    jobs=[quarterly_refresh_job, household_data_retention_job, publication_due_job],
    schedules=[quarterly_schedule, retention_schedule, publication_due_schedule],
    sensors=[landing_sensor],
    resources={
        "monitor": default_monitor_resource(),
        "dbt": dbt_resource(),
    },
    loggers={"progress": progress_logger},
    # Also for runs launched from the asset graph (Dagster's implicit asset job): one process
    # per run, steps in order. A process per step re-imports the code location every time.
    executor=in_process_executor,
)
