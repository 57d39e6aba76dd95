"""A quarter not published by its due date is flagged: the check ``publication_on_time`` on
``published/area_indicators`` warns (severity WARN, never blocking), run through Dagster's own
execution of the ``publication_due`` job (as its daily schedule starts it) on a real published
file."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from dagster import (
    AssetCheckSeverity,
    AssetKey,
    DagsterEventType,
    DagsterInstance,
    build_schedule_context,
)

from orchestration.assets.due import CHECK_NAME, publication_on_time
from orchestration.contract import PUBLISHED_ASSET
from orchestration.definitions import defs
from orchestration.due import PUBLICATION_DUE_DAYS, due_date, latest_due_quarter
from orchestration.jobs import QUARTERLY_JOB_NAME
from orchestration.quarters import quarter_end
from orchestration.resources import MonitorResource
from orchestration.schedules import publication_due_schedule

try:
    from tests.pipeline_support import EARLIER, QUARTER, publish_earlier_quarter
except ImportError:  # tests/ is not a package: pytest put tests/ itself on sys.path
    from pipeline_support import (  # type: ignore[no-redef]
        EARLIER,
        QUARTER,
        publish_earlier_quarter,
    )

LATER = "2026Q3"
"""The quarter after EARLIER's (never published here)."""


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data directory whose published file holds EARLIER only."""
    data = tmp_path / "data"
    data.mkdir()
    publish_earlier_quarter(data / "monitor.duckdb")
    return data


def evaluate(data_dir: Path, run_config: dict):
    """The check's evaluation in a real run of the ``publication_due`` job."""
    job = defs.resolve_job_def("publication_due")
    with DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(
            instance=instance,
            run_config=run_config,
            resources={"monitor": MonitorResource(data_dir=str(data_dir))},
        )
    assert result.success
    [evaluation] = result.get_asset_check_evaluations()
    assert evaluation.asset_key == AssetKey(PUBLISHED_ASSET)
    assert evaluation.check_name == CHECK_NAME
    return evaluation


def on(day) -> dict:
    return {"ops": {publication_on_time.node_def.name: {"config": {"today": day.isoformat()}}}}


def test_a_quarter_is_due_the_set_number_of_days_after_its_end() -> None:
    assert EARLIER < LATER
    due = quarter_end(LATER) + timedelta(days=PUBLICATION_DUE_DAYS)
    assert due_date(LATER) == due
    assert latest_due_quarter(due) != LATER, "on its due date a quarter is still on time"
    assert latest_due_quarter(due + timedelta(days=1)) == LATER
    assert latest_due_quarter(quarter_end(LATER)) < LATER
    assert latest_due_quarter(due, first_quarter="2100Q1") is None


def test_the_published_due_quarter_passes(data_dir: Path) -> None:
    day = due_date(EARLIER) + timedelta(days=1)
    assert latest_due_quarter(day) == EARLIER
    evaluation = evaluate(data_dir, on(day))
    assert evaluation.passed
    assert evaluation.metadata["due_quarter"].value == EARLIER
    assert EARLIER in evaluation.metadata["published_quarters"].value


def test_a_late_quarter_warns_and_says_what_to_do(data_dir: Path) -> None:
    day = due_date(LATER) + timedelta(days=1)
    evaluation = evaluate(data_dir, on(day))
    assert not evaluation.passed
    assert evaluation.severity == AssetCheckSeverity.WARN
    description = evaluation.description
    assert f"{LATER} is late" in description and str(due_date(LATER)) in description
    assert f"monitor run --quarter {LATER}" in description


def test_a_due_quarter_the_same_command_runs_next_is_not_late(data_dir: Path) -> None:
    """`monitor run --from/--to` and `monitor demo` tell each quarter's run which quarters come
    after it (``cli._quarter_run_config``): the due quarter among them is on its way, and the
    earlier runs do not warn that it is late."""
    from orchestration.cli import _quarter_run_config

    day = due_date(LATER) + timedelta(days=1)
    for runs_next, late in (([LATER], False), (["2027Q1"], True), ([], True)):
        ops = _quarter_run_config(runs_next)["ops"]
        ops[publication_on_time.node_def.name]["config"]["today"] = day.isoformat()
        evaluation = evaluate(data_dir, {"ops": ops})
        assert evaluation.passed is not late, runs_next
        if not late:
            assert evaluation.description == (
                f"{LATER} (due {due_date(LATER)}) is not published yet: this command runs it next"
            )


def test_without_a_published_file_the_due_quarter_is_late(tmp_path: Path) -> None:
    evaluation = evaluate(tmp_path, on(due_date(EARLIER) + timedelta(days=1)))
    assert not evaluation.passed
    assert evaluation.metadata["published_quarters"].value == []


def test_the_daily_schedule_judges_its_own_day(data_dir: Path) -> None:
    day = due_date(LATER) + timedelta(days=1)
    moment = datetime(day.year, day.month, day.day, 7, tzinfo=ZoneInfo("Europe/Amsterdam"))
    with DagsterInstance.ephemeral() as instance:
        context = build_schedule_context(instance=instance, scheduled_execution_time=moment)
        request = publication_due_schedule.evaluate_tick(context).run_requests[0]
    evaluation = evaluate(data_dir, request.run_config)
    assert evaluation.metadata["today"].value == day.isoformat()
    assert not evaluation.passed


def test_the_check_never_blocks_and_runs_after_each_publication() -> None:
    graph = defs.resolve_asset_graph()
    check_key = next(k for k in graph.asset_check_keys if k.name == CHECK_NAME)
    assert check_key.asset_key == AssetKey(PUBLISHED_ASSET)
    assert not graph.get_check_spec(check_key).blocking
    quarterly = defs.resolve_job_def(QUARTERLY_JOB_NAME)
    assert check_key in quarterly.asset_layer.asset_graph.asset_check_keys


def test_a_quarterly_run_evaluates_the_check_after_publishing(pipeline_baseline) -> None:
    data_dir, _ = pipeline_baseline
    evaluations = []
    with DagsterInstance.from_config(str(data_dir / "dagster_home")) as instance:
        for run in instance.get_runs():
            for record in instance.all_logs(
                run.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION
            ):
                data = record.dagster_event.event_specific_data
                if data.asset_check_key.name == CHECK_NAME:
                    evaluations.append(data)
    [evaluation] = evaluations
    today = evaluation.metadata["today"].value
    due = latest_due_quarter(date.fromisoformat(today))
    assert evaluation.metadata["due_quarter"].value == (due or "")
    assert QUARTER in evaluation.metadata["published_quarters"].value
    assert evaluation.passed == (due in {None, QUARTER})
