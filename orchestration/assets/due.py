"""A quarter not published by its due date shows as a warning on ``published/area_indicators``.

Dagster's freshness policies judge an asset by its latest materialization of any partition,
not per quarter (a republished old quarter would make a late one look fresh), so lateness is
a non-blocking check, ``publication_on_time``, with severity WARN (orchestration/due.py says
which quarter is due). It runs after every publication in the quarterly job and each morning
by the schedule ``publication_due_schedule`` (orchestration/schedules.py), so a quarter that
is never run is flagged too.
"""

from datetime import date, datetime

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetKey,
    Config,
    MetadataValue,
    asset_check,
)
from pydantic import Field

from orchestration.assets.maintenance import TIMEZONE
from orchestration.contract import PUBLISHED_ASSET
from orchestration.due import PUBLICATION_DUE_DAYS, due_date, lateness
from orchestration.resources import MonitorResource

CHECK_NAME = "publication_on_time"


class DueConfig(Config):
    today: str | None = None
    """The day to judge, ISO (``2026-11-20``); default: today in Europe/Amsterdam."""
    runs_next: list[str] = Field(default_factory=list)
    """The quarters the same command runs after this run (``monitor run --from/--to``,
    ``monitor demo``; orchestration/cli.py): a due quarter among them is not late."""


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
    result = lateness(today, monitor.paths.monitor, config.runs_next)
    return AssetCheckResult(
        passed=not result.late,
        severity=AssetCheckSeverity.WARN,
        description=result.summary(),
        metadata={
            "today": today.isoformat(),
            "due_quarter": result.quarter or "",
            "due_date": due_date(result.quarter).isoformat() if result.quarter else "",
            "published_quarters": MetadataValue.json(sorted(result.published)),
            "runs_next": MetadataValue.json(sorted(result.runs_next)),
        },
    )
