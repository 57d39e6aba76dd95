"""A quarter not published by its due date shows as a warning on ``monitor/area_indicators``.

Dagster's freshness policies judge an asset by its latest materialization of any partition,
not per quarter (a republished old quarter would make a late one look fresh), so lateness is
a non-blocking check, ``publication_on_time``, with severity WARN (orchestration/due.py says
which quarter is due). It runs after every publication in the quarterly job and each morning
by the schedule ``publication_due_schedule``, so a quarter that is never run is flagged too.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetKey,
    AssetSelection,
    Config,
    MetadataValue,
    RunRequest,
    ScheduleEvaluationContext,
    asset_check,
    define_asset_job,
    schedule,
)

from orchestration.contract import PUBLISHED_ASSET
from orchestration.due import PUBLICATION_DUE_DAYS, due_date, lateness
from orchestration.resources import MonitorResource

TIMEZONE = ZoneInfo("Europe/Amsterdam")
CHECK_NAME = "publication_on_time"


class DueConfig(Config):
    today: str | None = None
    """The day to judge, ISO (``2026-11-20``); default: today in Europe/Amsterdam."""


@asset_check(
    asset=AssetKey(PUBLISHED_ASSET),
    name=CHECK_NAME,
    blocking=False,
    description=(
        f"Checks that the latest quarter past its due date ({PUBLICATION_DUE_DAYS} days after "
        "the quarter's end, seeds/pipeline_parameters.csv publication_due_days) is in the "
        "publication log. Fails (a warning, never blocking) when it is not. What to do: run the "
        "quarter (`monitor run --quarter <quarter>`), or find why its last run failed."
    ),
)
def publication_on_time(
    context: AssetCheckExecutionContext, config: DueConfig, monitor: MonitorResource
) -> AssetCheckResult:
    today = date.fromisoformat(config.today) if config.today else datetime.now(TIMEZONE).date()
    result = lateness(today, monitor.paths.monitor)
    return AssetCheckResult(
        passed=not result.late,
        severity=AssetCheckSeverity.WARN,
        description=result.summary(),
        metadata={
            "today": today.isoformat(),
            "due_quarter": result.quarter or "",
            "due_date": due_date(result.quarter).isoformat() if result.quarter else "",
            "published_quarters": MetadataValue.json(sorted(result.published)),
        },
    )


publication_due_job = define_asset_job(
    name="publication_due",
    selection=AssetSelection.checks(publication_on_time),
    description="Whether the latest quarter past its due date is published (a warning if not).",
)


@schedule(
    job=publication_due_job,
    name="publication_due_schedule",
    cron_schedule="0 7 * * *",
    execution_timezone="Europe/Amsterdam",
    description="Daily, 07:00: flags the latest quarter past its due date if it is not published.",
)
def publication_due_schedule(context: ScheduleEvaluationContext) -> RunRequest:
    today = context.scheduled_execution_time.date().isoformat()
    return RunRequest(
        run_key=today,
        run_config={"ops": {publication_on_time.node_def.name: {"config": {"today": today}}}},
        tags={"monitor/trigger": "schedule"},
    )
