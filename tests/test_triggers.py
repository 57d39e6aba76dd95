"""What starts a quarter without an operator: the landing-folder sensor and the quarterly
schedule, evaluated through Dagster's own tick evaluation on a real (temporary) instance."""

from __future__ import annotations

import json
import os
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from dagster import build_schedule_context, build_sensor_context, instance_for_test

from orchestration.definitions import defs
from orchestration.ingestion.deliveries import SETTLE_SECONDS
from orchestration.partitions import quarterly_partitions
from orchestration.resources import MonitorResource
from orchestration.schedules import DELIVERY_WINDOW_DAYS, quarterly_schedule
from orchestration.sensors import landing_sensor

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    folder = tmp_path / "data" / "landing"
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
def instance():
    with instance_for_test() as instance:
        yield instance


class SensorDaemon:
    """Evaluates the sensor tick after tick, carrying the cursor like the daemon does, with
    the ``monitor`` resource of the installation whose landing folder it watches."""

    def __init__(self, instance, landing: Path) -> None:
        self.instance = instance
        self.cursor: str | None = None
        self.monitor = MonitorResource(data_dir=str(landing.parent))

    def tick(self) -> list:
        context = build_sensor_context(
            instance=self.instance,
            cursor=self.cursor,
            repository_def=defs.get_repository_def(),
            resources={"monitor": self.monitor},
        )
        result = landing_sensor.evaluate_tick(context)
        self.cursor = result.cursor
        return list(result.run_requests or [])


def deliver(landing: Path, quarter: str, source: str, name: str, text: str, mtime: int) -> Path:
    path = landing / quarter / source / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.utime(path, (mtime, mtime))
    return path


def test_sensor_requests_a_run_per_changed_quarter(landing: Path, instance) -> None:
    daemon = SensorDaemon(instance, landing)
    assert daemon.tick() == [], "an empty landing folder requests nothing"

    deliver(landing, "2026Q2", "eneco", "eneco.csv", "a;b\n1;2\n", 1_780_000_000)
    first = daemon.tick()
    assert [r.partition_key for r in first] == ["2026-04-01"]
    assert first[0].tags["monitor/quarter"] == "2026Q2"

    assert daemon.tick() == [], "nothing changed: no new request"

    deliver(landing, "2026Q3", "vitens", "vitens.csv", "a;b\n1;2\n", 1_790_000_000)
    assert [r.partition_key for r in daemon.tick()] == ["2026-07-01"], "only the new quarter"

    deliver(landing, "2026Q2", "eneco", "eneco.csv", "a;b\n1;2\n3;4\n", 1_780_000_500)
    again = daemon.tick()
    assert [r.partition_key for r in again] == ["2026-04-01"], "a corrected file: run again"
    assert again[0].run_key != first[0].run_key, "a new run key, so Dagster does not dedupe it"

    (landing / "2026Q3" / "vitens" / "vitens.csv").unlink()
    assert [r.partition_key for r in daemon.tick()] == ["2026-07-01"], "a removed file counts"
    assert daemon.tick() == []


def test_sensor_ignores_folders_that_are_no_partition(landing: Path, instance) -> None:
    daemon = SensorDaemon(instance, landing)
    deliver(landing, "2099Q1", "eneco", "eneco.csv", "a\n", 1_780_000_000)
    deliver(landing, "not-a-quarter", "eneco", "eneco.csv", "a\n", 1_780_000_000)
    (landing / "2026Q1.csv").write_text("a stray file\n")
    assert daemon.tick() == []
    # Files delivered before their quarter ended are not marked as seen: the quarter is
    # requested by the first tick after it became a partition.
    assert "2099Q1" not in json.loads(daemon.cursor or "{}")


@pytest.mark.parametrize(
    ("tick", "partition_key"),
    [
        (datetime(2026, 10, 1 + DELIVERY_WINDOW_DAYS, 6, 0, tzinfo=AMSTERDAM), "2026-07-01"),
        (datetime(2026, 1, 1 + DELIVERY_WINDOW_DAYS, 6, 0, tzinfo=AMSTERDAM), "2025-10-01"),
        (datetime(2026, 4, 1 + DELIVERY_WINDOW_DAYS, 6, 0, tzinfo=AMSTERDAM), "2026-01-01"),
        (datetime(2026, 7, 1 + DELIVERY_WINDOW_DAYS, 6, 0, tzinfo=AMSTERDAM), "2026-04-01"),
    ],
)
def test_schedule_requests_the_quarter_that_ended(instance, tick, partition_key) -> None:
    context = build_schedule_context(
        instance=instance,
        scheduled_execution_time=tick,
        repository_def=defs.get_repository_def(),
    )
    result = quarterly_schedule.evaluate_tick(context)
    [request] = result.run_requests
    assert request.partition_key == partition_key
    assert partition_key in quarterly_partitions.get_partition_keys(), "an existing partition"
    assert request.tags["monitor/trigger"] == "schedule"


def test_schedule_fires_after_the_delivery_window_of_each_quarter() -> None:
    minute, hour, day, months, weekday = quarterly_schedule.cron_schedule.split()
    assert (minute, hour, weekday) == ("0", "6", "*")
    assert int(day) == 1 + DELIVERY_WINDOW_DAYS
    assert months == "1,4,7,10"
    assert quarterly_schedule.execution_timezone == "Europe/Amsterdam"
    assert quarterly_schedule.job_name == "quarterly_refresh"


def test_sensor_waits_until_a_delivery_has_settled(landing: Path, instance) -> None:
    """A quarter with a file modified just now (a copy may be in progress) is requested only
    once its files are older than settle_seconds (seeds/pipeline_parameters.csv)."""
    daemon = SensorDaemon(instance, landing)
    path = deliver(landing, "2026Q2", "eneco", "eneco.csv", "a;b\n1;2\n", 1_780_000_000)
    assert [r.partition_key for r in daemon.tick()] == ["2026-04-01"]

    just_now = int(time.time())
    deliver(landing, "2026Q2", "eneco", "eneco.csv", "a;b\n1;2\n3;", just_now)
    assert daemon.tick() == [], "modified just now: still being written"
    assert daemon.tick() == [], "and on the next tick, until it settles"

    settled = just_now - int(SETTLE_SECONDS) - 1
    os.utime(path, (settled, settled))
    assert [r.partition_key for r in daemon.tick()] == ["2026-04-01"]
    assert daemon.tick() == []
