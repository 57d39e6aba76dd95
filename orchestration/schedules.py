"""The quarterly schedule: run a quarter once its delivery window after the quarter's end has passed."""

from __future__ import annotations

from dagster import build_schedule_from_partitioned_job

from orchestration.jobs import quarterly_refresh_job
from orchestration.partitions import PIPELINE_PARAMETERS

DELIVERY_WINDOW_DAYS = int(PIPELINE_PARAMETERS["delivery_window_days"])
if not 0 <= DELIVERY_WINDOW_DAYS <= 27:
    raise ValueError("delivery_window_days must lie between 0 and 27 (seeds/pipeline_parameters.csv)")

quarterly_schedule = build_schedule_from_partitioned_job(
    quarterly_refresh_job,
    name="quarterly_refresh_schedule",
    description=(
        f"Runs the quarter that ended {DELIVERY_WINDOW_DAYS} days ago, at 06:00 Europe/Amsterdam."
    ),
    cron_schedule=f"0 6 {1 + DELIVERY_WINDOW_DAYS} 1,4,7,10 *",
    execution_timezone="Europe/Amsterdam",
)
