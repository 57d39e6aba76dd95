"""Transform stage: the dbt project (staging, intermediate, marts, monitor) as Dagster assets.

dbt sources carry ``meta.dagster.asset_key`` = ``raw/<table>``, so the lineage runs from the
ingest assets through every dbt model. The quarter reaches dbt as the environment variable
``MONITOR_QUARTER`` (read with ``env_var()``), which keeps dbt's partial parsing.
"""

import os
from collections.abc import Mapping
from typing import Any

from dagster import AssetExecutionContext
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
)

from orchestration.dbt_project import DBT_RUN_TARGET, dbt_env, dbt_project, prepare_manifest
from orchestration.partitions import (
    ONE_QUARTER_PER_RUN,
    quarter_from_partition_key,
    quarterly_partitions,
)

TRANSFORM_GROUP = "transform"

prepare_manifest()


class MonitorDbtTranslator(DagsterDbtTranslator):
    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return TRANSFORM_GROUP


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    partitions_def=quarterly_partitions,
    backfill_policy=ONE_QUARTER_PER_RUN,
    dagster_dbt_translator=MonitorDbtTranslator(
        settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)
    ),
    pool="warehouse",
)
def dbt_models(context: AssetExecutionContext, dbt: DbtCliResource):
    """Seed the parameters, build and test every model for the partition's quarter."""
    quarter = quarter_from_partition_key(context.partition_key)
    os.environ.update(dbt_env(quarter))
    context.log.info(f"dbt build for {quarter}")
    yield from dbt.cli(["build"], context=context, target_path=DBT_RUN_TARGET).stream()
