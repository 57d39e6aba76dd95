"""Ingest stage: one quarter-partitioned asset per landing source.

Partner signal files (one asset per partner of the registry, so a new partner is a seed row,
not code) all load into ``raw.signalen``; the asset ``raw/signalen`` stands for the whole
table and is what dbt reads. Each municipal source loads into its own ``raw.<source>``.
Every asset has a blocking check that all its files were readable: one bad delivery stops
the quarter from being published, never the other sources from loading.
"""

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    MaterializeResult,
    MetadataValue,
    asset,
)

from orchestration.assets.key import PSEUDONYM_KEY_ASSET
from orchestration.ingestion.loader import IngestReport, ingest_source
from orchestration.ingestion.sources import MUNICIPAL_SOURCES
from orchestration.metadata import bar_table, markdown_table
from orchestration.parameters import partners
from orchestration.partitions import (
    ONE_QUARTER_PER_RUN,
    quarter_from_partition_key,
    quarterly_partitions,
)
from orchestration.resources import MonitorResource

INGEST_GROUP = "ingest"
SIGNALEN_KEY = AssetKey(["raw", "signalen"])


def _report_metadata(report: IngestReport) -> dict[str, object]:
    files = markdown_table(
        ["file", "status", "read", "loaded", "quarantined", "unknown columns", "error"],
        [
            (
                f.file_name,
                f.status,
                f.rows_read,
                f.rows_loaded,
                f.rows_quarantined,
                ", ".join(f.unknown_columns),
                f.error or "",
            )
            for f in report.files
        ],
    )
    reasons = bar_table(["quarantine reason", "rows"], report.top_reasons, bar_columns=[1])
    return {
        "quarter": report.quarter,
        "files": len(report.files),
        "failed_files": sum(f.status == "failed" for f in report.files),
        "rows_read": report.rows_read,
        "rows_loaded": report.rows_loaded,
        "rows_quarantined": report.rows_quarantined,
        "file_report": files,
        "quarantine_reasons": reasons,
        "seconds": MetadataValue.float(round(report.seconds, 2)),
    }


def _readable_check_spec(key: AssetKey) -> AssetCheckSpec:
    return AssetCheckSpec(
        name="files_readable",
        asset=key,
        blocking=True,
        description="Every landed file of this source could be read (rows may still be quarantined).",
    )


def build_ingest_asset(source: str, key: AssetKey, description: str) -> AssetsDefinition:
    """A quarter-partitioned asset that ingests one landing source."""

    @asset(
        key=key,
        name=None,
        group_name=INGEST_GROUP,
        partitions_def=quarterly_partitions,
        backfill_policy=ONE_QUARTER_PER_RUN,
        description=description,
        kinds={"polars", "duckdb"},
        check_specs=[_readable_check_spec(key)],
        pool="warehouse",
        deps=[PSEUDONYM_KEY_ASSET],  # the key is checked once, before any source
    )
    def _ingest(context: AssetExecutionContext, monitor: MonitorResource):
        quarter = quarter_from_partition_key(context.partition_key)
        key_bytes = monitor.pseudonym_key()
        with monitor.warehouse() as con:
            report = ingest_source(con, quarter, source, monitor.paths.landing, key_bytes)
        context.log.info(
            f"{source} {quarter}: {len(report.files)} file(s), read {report.rows_read}, "
            f"loaded {report.rows_loaded}, quarantined {report.rows_quarantined}"
        )
        failed = [f for f in report.files if f.status == "failed"]
        yield MaterializeResult(metadata=_report_metadata(report))
        yield AssetCheckResult(
            check_name="files_readable",
            passed=not failed,
            severity=AssetCheckSeverity.ERROR,
            description=(
                "; ".join(f"{f.file_name}: {f.error}" for f in failed)
                if failed
                else f"{len(report.files)} file(s) read"
            ),
            metadata={"failed_files": MetadataValue.json([f.file_name for f in failed])},
        )

    return _ingest


partner_ingest_assets = [
    build_ingest_asset(
        partner.code,
        AssetKey(["raw", "signalen", partner.code]),
        f"Vroegsignalen from {partner.naam} ({partner.partner_type}) for the quarter, "
        f"read from landing/<quarter>/{partner.code}/ into raw.signalen.",
    )
    for partner in partners().values()
]

municipal_ingest_assets = [
    build_ingest_asset(
        source,
        AssetKey(["raw", source]),
        f"Municipal extract {source} for the quarter, read from landing/<quarter>/{source}/ "
        f"into raw.{source}.",
    )
    for source in MUNICIPAL_SOURCES
]


@asset(
    key=SIGNALEN_KEY,
    group_name=INGEST_GROUP,
    partitions_def=quarterly_partitions,
    backfill_policy=ONE_QUARTER_PER_RUN,
    deps=[a.key for a in partner_ingest_assets],
    description="All partner signals of the quarter (raw.signalen): the union of the partner assets.",
    kinds={"duckdb"},
    pool="warehouse",
)
def raw_signalen(context: AssetExecutionContext, monitor: MonitorResource) -> MaterializeResult:
    quarter = quarter_from_partition_key(context.partition_key)
    with monitor.warehouse() as con:
        rows = con.execute(
            "select partner_code, count(*) from raw.signalen where quarter = ? "
            "group by all order by partner_code",
            [quarter],
        ).fetchall()
    missing = sorted(set(partners()) - {code for code, _ in rows})
    if missing:
        context.log.warning(f"{quarter}: no signals from {', '.join(missing)}")
    return MaterializeResult(
        metadata={
            "quarter": quarter,
            "signals": sum(n for _, n in rows),
            "signals_per_partner": bar_table(["partner", "signals"], rows, bar_columns=[1]),
            "partners_without_signals": MetadataValue.json(missing),
        }
    )


ingest_assets = [*partner_ingest_assets, *municipal_ingest_assets, raw_signalen]
