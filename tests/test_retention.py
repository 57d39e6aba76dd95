"""Retention: the scheduled maintenance asset removes the household-level rows of quarters
older than retention_months, and nothing else.

The warehouse is the session baseline's (a real pipeline run), with its quarter copied to
older quarters; "today" is passed to the asset as config, the way the schedule does.
"""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime

import duckdb
import pytest
from dagster import DagsterInstance, build_schedule_context, materialize

from orchestration.assets.maintenance import household_data_retention
from orchestration.definitions import defs
from orchestration.jobs import QUARTERLY_JOB_NAME
from orchestration.resources import MonitorResource
from orchestration.retention import (
    KEPT_TABLES,
    first_retained_quarter,
    household_tables,
    months_before,
    purge_expired,
    retention_months,
)
from orchestration.schedules import RETENTION_OP, retention_schedule

from . import pipeline_support as support

TODAY = "2027-01-20"
"""18 months back is 2025-07-20: quarters up to 2025Q2 (ended 2025-06-30) are purged."""
EXPIRED = ("2024Q4", "2025Q2")
KEPT = ("2025Q3", support.QUARTER)


@pytest.mark.parametrize(
    ("today", "months", "first_kept"),
    [
        (date(2027, 1, 20), 18, "2025Q3"),
        (date(2026, 12, 31), 18, "2025Q2"),  # 2025Q2 ended 2025-06-30: not yet 18 months
        (date(2027, 1, 1), 18, "2025Q3"),
        (date(2026, 3, 31), 1, "2026Q1"),
        (date(2026, 4, 1), 1, "2026Q1"),
        (date(2026, 5, 1), 1, "2026Q2"),
    ],
)
def test_first_retained_quarter(today: date, months: int, first_kept: str) -> None:
    assert first_retained_quarter(today, months) == first_kept


def test_months_before_clamps_to_the_month_end() -> None:
    assert months_before(date(2026, 8, 31), 18) == date(2025, 2, 28)
    assert months_before(date(2026, 1, 15), 1) == date(2025, 12, 15)


def test_retention_period_comes_from_the_seed() -> None:
    assert retention_months() == 18


def test_retention_runs_on_its_own_schedule_outside_the_quarterly_job() -> None:
    quarterly = defs.resolve_job_def(QUARTERLY_JOB_NAME)
    assert RETENTION_OP not in quarterly.graph.node_dict
    job = defs.resolve_job_def("household_data_retention")
    assert list(job.graph.node_dict) == [RETENTION_OP]
    schedule = defs.resolve_schedule_def("household_data_retention_schedule")
    assert schedule.cron_schedule == "0 5 1 * *"
    with DagsterInstance.ephemeral() as instance:
        context = build_schedule_context(
            instance=instance, scheduled_execution_time=datetime(2027, 2, 1, 5, tzinfo=UTC)
        )
        request = retention_schedule(context)
    assert request.run_config == {"ops": {RETENTION_OP: {"config": {"today": "2027-02-01"}}}}


def counts(con: duckdb.DuckDBPyConnection, tables: list[str]) -> dict[tuple[str, str], int]:
    out = {}
    for table in tables:
        for quarter, n in con.execute(
            f"select quarter, count(*) from {table} group by 1"
        ).fetchall():
            out[(table, quarter)] = n
    return out


@pytest.fixture(scope="module")
def purged(pipeline_baseline, tmp_path_factory):
    baseline_dir, _ = pipeline_baseline
    data_dir = tmp_path_factory.mktemp("retention") / "data"
    shutil.copytree(baseline_dir, data_dir, ignore=shutil.ignore_patterns("dagster_home"))
    warehouse = data_dir / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        tables = household_tables(con)
        for quarter in (*EXPIRED, KEPT[0]):
            for table in [*tables, "audit.ingest_files", "disclosure.area_indicators_candidate"]:
                con.execute(
                    f"insert into {table} by name select * replace ('{quarter}' as quarter) "
                    f"from {table} where quarter = ?",
                    [support.QUARTER],
                )
        before = counts(con, tables)
        kept_before = {
            t: con.execute(f"select * from {t} order by all").fetchall()
            for t in ("audit.ingest_files", "disclosure.area_indicators_candidate")
        }
    monitor_before = (data_dir / "monitor.duckdb").read_bytes()
    with DagsterInstance.ephemeral() as instance:
        result = materialize(
            [household_data_retention],
            instance=instance,
            resources={"monitor": MonitorResource(data_dir=str(data_dir))},
            run_config={"ops": {RETENTION_OP: {"config": {"today": TODAY}}}},
        )
        assert result.success
        metadata = result.asset_materializations_for_node(RETENTION_OP)[0].metadata
    with duckdb.connect(str(warehouse), read_only=True) as con:
        after = counts(con, tables)
        kept_after = {
            t: con.execute(f"select * from {t} order by all").fetchall() for t in kept_before
        }
        log = con.execute(
            "select quarter, table_name, rows_removed, reason from audit.retention_log order by all"
        ).fetchall()
    return {
        "data_dir": data_dir,
        "tables": tables,
        "before": before,
        "after": after,
        "kept_before": kept_before,
        "kept_after": kept_after,
        "monitor_same": (data_dir / "monitor.duckdb").read_bytes() == monitor_before,
        "metadata": metadata,
        "log": log,
    }


def test_household_tables_are_every_restricted_table(purged) -> None:
    tables = set(purged["tables"])
    assert {
        "raw.signalen", "raw.bag_adressen", "raw.brp_personen", "raw.uitkeringen",
        "raw.schuldhulp", "raw.vroegsignaal_zaken", "audit.quarantine",
        "main_marts.fct_signalen", "main_marts.fct_huishouden_signalen",
        "main_intermediate.int_huishoudens", "disclosure.area_indicators_protected",
    } <= tables  # fmt: skip
    assert not tables & KEPT_TABLES


def test_expired_quarters_are_gone_and_the_rest_untouched(purged) -> None:
    before, after = purged["before"], purged["after"]
    assert any(q in EXPIRED for _, q in before)
    for (table, quarter), n in before.items():
        if quarter in EXPIRED:
            assert (table, quarter) not in after, (table, quarter)
        else:
            assert after[(table, quarter)] == n, (table, quarter)


def test_published_figures_and_file_history_stay(purged) -> None:
    assert purged["monitor_same"]
    assert purged["kept_after"] == purged["kept_before"]


def test_rows_removed_per_table_are_reported_and_logged(purged) -> None:
    metadata = purged["metadata"]
    expected = {
        table: sum(n for (t, q), n in purged["before"].items() if t == table and q in EXPIRED)
        for table in purged["tables"]
    }
    assert metadata["purged_quarters"].value == list(EXPIRED)
    assert metadata["rows_removed"].value == sum(expected.values()) > 0
    assert metadata["first_retained_quarter"].value == KEPT[0]
    table = metadata["rows_removed_per_table"].value
    for name, n in expected.items():
        assert f"| {name} | {n} |" in table
    logged: dict[str, int] = {}
    for quarter, name, rows, reason in purged["log"]:
        assert quarter in EXPIRED and reason.startswith("retention: older than 18 months")
        logged[name] = logged.get(name, 0) + rows
    assert logged == {t: n for t, n in expected.items() if n}


def test_a_second_purge_removes_nothing(purged) -> None:
    with duckdb.connect(str(purged["data_dir"] / "warehouse.duckdb")) as con:
        again = purge_expired(con, date.fromisoformat(TODAY), retention_months())
    assert again.quarters == [] and again.total == 0
