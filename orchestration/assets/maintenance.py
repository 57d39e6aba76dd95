"""Maintenance stage: retention of household-level data (group ``maintenance``).

Not part of the quarterly job (which excludes this group); run by its own monthly schedule
(``household_data_retention_schedule``, orchestration/schedules.py) or by hand from the UI.
What is removed and what stays: orchestration/retention.py and docs/runbook.md.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from dagster import AssetExecutionContext, AssetKey, Config, MaterializeResult, MetadataValue, asset

from orchestration.contract import warehouse_asset
from orchestration.metadata import markdown_table
from orchestration.resources import MonitorResource
from orchestration.retention import first_retained_quarter, purge_expired, retention_months

MAINTENANCE_GROUP = "maintenance"
RETENTION_KEY = AssetKey(warehouse_asset("audit", "retention_log"))
"""Keyed by the table that records every purge (``audit.retention_log``), like every asset."""
TIMEZONE = ZoneInfo("Europe/Amsterdam")


class RetentionConfig(Config):
    today: str | None = None
    """The date retention is counted back from, ISO (``2026-11-30``); default: today in
    Europe/Amsterdam. The schedule sets its own date; tests pass a fixed one."""


@asset(
    key=RETENTION_KEY,
    group_name=MAINTENANCE_GROUP,
    kinds={"duckdb"},
    pool="warehouse",
    description="Removes the household-level rows (raw, quarantine, marts, intermediate, "
    "restricted area tables) of quarters older than retention_months "
    "(seeds/disclosure_parameters.csv), and records each purge in audit.retention_log. "
    "Published figures and audit.ingest_files stay.",
)
def household_data_retention(
    context: AssetExecutionContext, config: RetentionConfig, monitor: MonitorResource
) -> MaterializeResult:
    today = date.fromisoformat(config.today) if config.today else datetime.now(TIMEZONE).date()
    months = retention_months()
    with monitor.warehouse() as con:
        result = purge_expired(con, today, months)
    landing = [q for q in result.quarters if monitor.paths.landing_dir(q).exists()]
    context.log.info(
        f"retention ({months} months, today {today}): purged {result.quarters or 'nothing'}, "
        f"{result.total} rows"
    )
    if landing:
        context.log.warning(
            f"landing folders of purged quarters still hold personal data: {', '.join(landing)}"
        )
    return MaterializeResult(
        metadata={
            "today": today.isoformat(),
            "retention_months": months,
            "first_retained_quarter": first_retained_quarter(today, months),
            "purged_quarters": MetadataValue.json(result.quarters),
            "rows_removed": result.total,
            "rows_removed_per_table": markdown_table(
                ["table", "rows removed"], sorted(result.rows_removed.items())
            ),
            "landing_folders_still_present": MetadataValue.json(landing),
        }
    )
