"""Ingest stage: one quarter-partitioned asset per landing source.

Partner signal files (one asset per partner of the registry, so a new partner is a seed row,
not code) all load into ``raw.signalen``; the asset ``raw/signalen`` stands for the whole
table and is what dbt reads. Each municipal source loads into its own ``raw.<source>``.
Every asset has a blocking check that all its files were readable, none is still being
written and no folder of the source is misspelt (``Waternet``): one bad delivery stops the
quarter from being published, never the other sources from loading. Whatever in the landing
folder is not loaded (subfolders, other extensions, hidden files, unknown folders) is listed
in the metadata (``not_loaded``; the quarter folder's own entries on ``raw/signalen``) and
logged as a warning, so ``monitor run`` prints it with what to do (the quarter folder's
entries are printed by ``monitor run`` itself, before the run: ``raw/signalen`` does not run
when a source's check failed).
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
from orchestration.contract import warehouse_asset
from orchestration.ingestion.deliveries import NotLoaded, quarter_entries
from orchestration.ingestion.loader import IngestReport, ingest_source
from orchestration.ingestion.provenance import record_provenance
from orchestration.ingestion.sources import MUNICIPAL_SOURCES
from orchestration.metadata import bar_table, markdown_table, table_metadata
from orchestration.parameters import partners
from orchestration.partitions import QUARTERLY_WAREHOUSE_ASSET, quarter_from_partition_key
from orchestration.resources import MonitorResource

INGEST_GROUP = "ingest"
SIGNALEN_KEY = AssetKey(warehouse_asset("raw", "signalen"))


def _not_loaded_table(entries: list[NotLoaded]) -> MetadataValue:
    return markdown_table(
        ["entry", "what it is", "what to do"], [(e.entry, e.what, e.todo) for e in entries]
    )


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
        "folder": "present" if report.folder_exists else "missing",
        "files": len(report.files),
        "failed_files": len(report.failed_files),
        "waiting_files": len(report.waiting_files),
        "rows_read": report.rows_read,
        "rows_loaded": report.rows_loaded,
        "rows_quarantined": report.rows_quarantined,
        "file_report": files,
        "not_loaded": _not_loaded_table(report.not_loaded),
        "kept_files": MetadataValue.json(report.kept_files),
        "removed_files": MetadataValue.json(report.removed_files),
        "quarantine_reasons": reasons,
        "seconds": MetadataValue.float(round(report.seconds, 2)),
    }


def _say_what_is_not_loaded(context: AssetExecutionContext, report: IngestReport) -> None:
    """One log line (so one CLI line) per thing an operator must know about the delivery."""
    source, quarter = report.source, report.quarter
    folder = f"landing/{quarter}/{source}/"
    if not report.folder_exists and report.kept_files:
        context.log.warning(
            f"{source} {quarter}: no folder {folder}: the rows of its earlier delivery "
            f"({', '.join(report.kept_files)}) are KEPT (a missing folder never empties the "
            "warehouse); to withdraw them, leave the folder empty"
        )
    elif not report.folder_exists:
        context.log.info(f"{source} {quarter}: no folder {folder}: nothing delivered")
    for f in [*report.failed_files, *report.waiting_files]:
        context.log.warning(f"{source} {quarter}: {f.status}: {f.error}")
    for entry in report.not_loaded:
        context.log.warning(f"{source} {quarter}: not loaded: {entry.line()}")


def _problems(report: IngestReport) -> list[str]:
    """What keeps the quarter from being published: failed and waiting files, misspelt
    folders of the source."""
    files = [f.error or f.file_name for f in [*report.failed_files, *report.waiting_files]]
    return files + [e.line() for e in report.not_loaded if e.blocking]


def _readable_check_spec(key: AssetKey) -> AssetCheckSpec:
    return AssetCheckSpec(
        name="files_readable",
        asset=key,
        blocking=True,
        description="Every landed file of this source could be read (rows may still be "
        "quarantined), none is still being written, and no folder of the source is misspelt.",
    )


def build_ingest_asset(
    source: str, key: AssetKey, table: str, description: str
) -> AssetsDefinition:
    """A quarter-partitioned asset that ingests one landing source into ``table``; its table
    metadata counts the source's rows (``raw.signalen`` holds every partner's)."""

    @asset(
        key=key,
        name=None,
        **QUARTERLY_WAREHOUSE_ASSET,
        group_name=INGEST_GROUP,
        description=description,
        kinds={"polars", "duckdb"},
        check_specs=[_readable_check_spec(key)],
        deps=[PSEUDONYM_KEY_ASSET],  # the key is checked once, before any source
    )
    def _ingest(context: AssetExecutionContext, monitor: MonitorResource):
        quarter = quarter_from_partition_key(context.partition_key)
        key_bytes = monitor.pseudonym_key()
        with monitor.warehouse() as con:
            report = ingest_source(con, quarter, source, monitor.paths.landing, key_bytes)
            table_rows = table_metadata(con, table, quarter, rows_of=("source", source))
        context.log.info(
            f"{source} {quarter}: {len(report.files)} file(s), read {report.rows_read}, "
            f"loaded {report.rows_loaded}, quarantined {report.rows_quarantined}"
        )
        _say_what_is_not_loaded(context, report)
        problems = _problems(report)
        yield MaterializeResult(metadata={**_report_metadata(report), **table_rows})
        yield AssetCheckResult(
            check_name="files_readable",
            passed=not problems,
            severity=AssetCheckSeverity.ERROR,
            description="; ".join(problems) or f"{len(report.files)} file(s) read",
            metadata={
                "failed_files": MetadataValue.json([f.file_name for f in report.failed_files]),
                "waiting_files": MetadataValue.json([f.file_name for f in report.waiting_files]),
                "misspelt_folders": MetadataValue.json(
                    [e.entry for e in report.not_loaded if e.blocking]
                ),
            },
        )

    return _ingest


partner_ingest_assets = [
    build_ingest_asset(
        partner.code,
        AssetKey(warehouse_asset("raw", "signalen", partner.code)),
        "raw.signalen",
        f"Vroegsignalen from {partner.naam} ({partner.partner_type}) for the quarter, "
        f"read from `landing/<quarter>/{partner.code}/` into `raw.signalen`.",
    )
    for partner in partners().values()
]

municipal_ingest_assets = [
    build_ingest_asset(
        source,
        AssetKey(warehouse_asset("raw", source)),
        f"raw.{source}",
        f"Municipal extract {source} for the quarter, read from `landing/<quarter>/{source}/` "
        f"into `raw.{source}`.",
    )
    for source in MUNICIPAL_SOURCES
]


@asset(
    **QUARTERLY_WAREHOUSE_ASSET,
    key=SIGNALEN_KEY,
    group_name=INGEST_GROUP,
    deps=[a.key for a in partner_ingest_assets],
    description="All partner signals of the quarter (raw.signalen): the union of the partner assets.",
    kinds={"duckdb"},
)
def raw_signalen(context: AssetExecutionContext, monitor: MonitorResource) -> MaterializeResult:
    quarter = quarter_from_partition_key(context.partition_key)
    with monitor.warehouse() as con:
        record_provenance(con, quarter, monitor.paths.landing)  # generated (demo) or delivered
        rows = con.execute(
            "select partner_code, count(*) from raw.signalen where quarter = ? "
            "group by all order by partner_code",
            [quarter],
        ).fetchall()
        table_rows = table_metadata(con, "raw.signalen", quarter)
    missing = sorted(set(partners()) - {code for code, _ in rows})
    if missing:
        context.log.warning(f"{quarter}: no signals from {', '.join(missing)}")
    # The quarter folder's entries that are no source folder, listed once per quarter (the
    # command line prints them before the run: orchestration/cli.py).
    not_loaded = quarter_entries(monitor.paths.landing, quarter)
    if not_loaded:
        context.log.warning(
            f"{quarter}: {len(not_loaded)} entr{'y' if len(not_loaded) == 1 else 'ies'} of "
            f"landing/{quarter}/ not loaded: see landing_entries_not_loaded"
        )
    return MaterializeResult(
        metadata={
            "quarter": quarter,
            "signals": sum(n for _, n in rows),
            "signals_per_partner": bar_table(["partner", "signals"], rows, bar_columns=[1]),
            "partners_without_signals": MetadataValue.json(missing),
            "landing_entries_not_loaded": _not_loaded_table(not_loaded),
            **table_rows,
        }
    )


ingest_assets = [*partner_ingest_assets, *municipal_ingest_assets, raw_signalen]
