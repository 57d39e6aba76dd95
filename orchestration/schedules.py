"""Schedules: the quarterly refresh, the monthly retention purge, the daily late-quarter check.

The quarterly schedule runs a quarter once the delivery window after its end has passed.

Dagster derives schedules from time partitions only for hourly to monthly windows, so the
quarterly one is written out: it fires at 06:00 on day ``1 + delivery_window_days`` of the
first month of each quarter and requests the quarter that just ended.
"""

from datetime import timedelta

from dagster import (
    AssetSelection,
    RunRequest,
    ScheduleEvaluationContext,
    define_asset_job,
    schedule,
)

from orchestration.assets.due import publication_on_time
from orchestration.assets.maintenance import MAINTENANCE_GROUP, RETENTION_KEY
from orchestration.jobs import quarterly_refresh_job
from orchestration.partitions import PIPELINE_PARAMETERS, partition_key_for_quarter
from orchestration.quarters import quarter_of

DELIVERY_WINDOW_DAYS = int(PIPELINE_PARAMETERS["delivery_window_days"])
if not 0 <= DELIVERY_WINDOW_DAYS <= 27:
    raise ValueError(
        "delivery_window_days must lie between 0 and 27 (seeds/pipeline_parameters.csv)"
    )


@schedule(
    job=quarterly_refresh_job,
    name="quarterly_refresh_schedule",
    cron_schedule=f"0 6 {1 + DELIVERY_WINDOW_DAYS} 1,4,7,10 *",
    execution_timezone="Europe/Amsterdam",
    description=(
        f"Runs the quarter that ended {DELIVERY_WINDOW_DAYS} days ago, at 06:00 Europe/Amsterdam."
    ),
)
def quarterly_schedule(context: ScheduleEvaluationContext) -> RunRequest:
    ended = context.scheduled_execution_time.date() - timedelta(days=DELIVERY_WINDOW_DAYS + 1)
    quarter = quarter_of(ended)
    return RunRequest(
        run_key=quarter,
        partition_key=partition_key_for_quarter(quarter),
        tags={"monitor/trigger": "schedule"},
    )


RETENTION_OP = RETENTION_KEY.to_python_identifier()
household_data_retention_job = define_asset_job(
    name="household_data_retention",
    selection=AssetSelection.groups(MAINTENANCE_GROUP),
    description="Remove household-level data older than retention_months (orchestration/retention.py).",
    tags={"dagster/concurrency_key": "warehouse"},
)


@schedule(
    job=household_data_retention_job,
    name="household_data_retention_schedule",
    cron_schedule="0 5 1 * *",
    execution_timezone="Europe/Amsterdam",
    description="Monthly, 05:00 on the 1st: purge household-level data past the retention period.",
)
def retention_schedule(context: ScheduleEvaluationContext) -> RunRequest:
    return run_of_the_day(context, RETENTION_OP)


def run_of_the_day(context: ScheduleEvaluationContext, op_name: str) -> RunRequest:
    """A run for the tick's day: the date is the run key and the op's ``today`` config."""
    today = context.scheduled_execution_time.date().isoformat()
    return RunRequest(
        run_key=today,
        run_config={"ops": {op_name: {"config": {"today": today}}}},
        tags={"monitor/trigger": "schedule"},
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
    return run_of_the_day(context, publication_on_time.node_def.name)
