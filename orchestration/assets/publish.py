"""Publish stage: copy a checked quarter into the analysts' file, atomically.

Runs only when every blocking check on the candidate passed (Dagster skips it otherwise),
so a failed gate leaves ``monitor.duckdb`` untouched. The work is
``publish.publish_checked_quarter``.
"""

import duckdb
from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from orchestration.contract import CANDIDATE_ASSET, PUBLISHED_ASSET, PUBLISHED_SCHEMA
from orchestration.gate import blocking_check_names
from orchestration.metadata import table_metadata
from orchestration.partitions import QUARTERLY_WAREHOUSE_ASSET, quarter_from_partition_key
from orchestration.publish import publish_checked_quarter
from orchestration.resources import MonitorResource
from orchestration.shares import shares_markdown


@asset(
    key=AssetKey(PUBLISHED_ASSET),
    deps=[AssetKey(CANDIDATE_ASSET)],
    group_name="publish",
    kinds={"duckdb"},
    **QUARTERLY_WAREHOUSE_ASSET,
    description="The published quarter in monitor.duckdb (monitor.area_indicators, buurt, wijk, "
    "gemeente, regio and their *_leesbaar tables, the indicator dictionary indicatoren, "
    "publication_log; docs/migrations.md). Replaced atomically; other quarters stay.",
)
def published_area_indicators(
    context: AssetExecutionContext, monitor: MonitorResource
) -> MaterializeResult:
    quarter = quarter_from_partition_key(context.partition_key)
    paths = monitor.paths
    with monitor.warehouse() as con:
        publication = publish_checked_quarter(
            con,
            quarter,
            paths,
            run_id=context.run.run_id,
            checks_passed=list(blocking_check_names()),
        )
    context.log.info(f"published {quarter} to {paths.monitor}; report {publication.report}")
    with duckdb.connect(str(paths.monitor), read_only=True) as published:
        table = table_metadata(published, f"{PUBLISHED_SCHEMA}.area_indicators", quarter)
    return MaterializeResult(
        metadata={
            "quarter": quarter,
            "path": MetadataValue.path(str(paths.monitor)),
            "report": MetadataValue.path(str(publication.report)),
            "data_version": publication.data_version,
            "primary_suppressions": publication.n_primary,
            "secondary_suppressions": publication.n_secondary,
            "published_quarters": MetadataValue.json(publication.result.quarters),
            "published_shares": MetadataValue.md(shares_markdown(publication.shares)),
            **table,
        }
    )
