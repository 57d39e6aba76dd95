"""Publish stage: copy a checked quarter into the analysts' file, atomically.

Runs only when every blocking check on the candidate passed (Dagster skips it otherwise),
so a failed gate leaves ``monitor.duckdb`` untouched.
"""

import hashlib

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from orchestration.assets.gate import BLOCKING_CHECK_NAMES
from orchestration.assets.protect import CANDIDATE_KEY, PROTECTED_TABLE
from orchestration.ingestion.loader import CURRENT_FILES
from orchestration.partitions import (
    ONE_QUARTER_PER_RUN,
    quarter_from_partition_key,
    quarterly_partitions,
)
from orchestration.publish import publish_quarter
from orchestration.report import write_report
from orchestration.resources import MonitorResource

PUBLISHED_KEY = AssetKey(["monitor", "area_indicators"])


@asset(
    key=PUBLISHED_KEY,
    deps=[CANDIDATE_KEY],
    group_name="publish",
    partitions_def=quarterly_partitions,
    backfill_policy=ONE_QUARTER_PER_RUN,
    kinds={"duckdb"},
    pool="warehouse",
    description="The published quarter in monitor.duckdb (monitor.area_indicators, buurt, wijk, "
    "gemeente, publication_log; docs/migrations.md). Replaced atomically; other quarters stay.",
)
def published_area_indicators(
    context: AssetExecutionContext, monitor: MonitorResource
) -> MaterializeResult:
    quarter = quarter_from_partition_key(context.partition_key)
    paths = monitor.paths
    with monitor.warehouse() as con:
        hashes = [
            r[0]
            for r in con.execute(
                # the current state of each file: a rerun that saw the same files (and
                # logged them `unchanged`) must not change the version
                f"select file_sha256 from {CURRENT_FILES} where quarter = ? "
                "and status <> 'failed' order by source, file_name",
                [quarter],
            ).fetchall()
        ]
        n_primary, n_secondary = con.execute(
            f"select count(*) filter (suppression = 'primary'), count(*) filter (suppression = 'secondary') "
            f"from {PROTECTED_TABLE} where quarter = ?",
            [quarter],
        ).fetchone()
        data_version = hashlib.sha256("".join(hashes).encode()).hexdigest()[:16]
        result = publish_quarter(
            con,
            quarter,
            paths.monitor,
            run_id=context.run_id,
            data_version=data_version,
            checks_passed=list(BLOCKING_CHECK_NAMES),
            n_primary=n_primary,
            n_secondary=n_secondary,
            synthetic=(paths.ground_truth / quarter).exists(),
        )
    report = write_report(paths, quarter)
    context.log.info(f"published {quarter} to {paths.monitor}; report {report}")
    return MaterializeResult(
        metadata={
            "quarter": quarter,
            "path": MetadataValue.path(str(paths.monitor)),
            "report": MetadataValue.path(str(report)),
            "data_version": data_version,
            "primary_suppressions": n_primary,
            "secondary_suppressions": n_secondary,
            "published_quarters": MetadataValue.json(getattr(result, "quarters", [])),
        }
    )
