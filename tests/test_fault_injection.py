"""Kill `monitor run` (SIGKILL of its process group) in every stage and at random moments,
then rerun: the result equals an uninterrupted run and monitor.duckdb is never half written.

One data directory goes through the whole sequence (each killed run leaves the state the next
one starts from, the hardest case for the rerun): killed in ingest, in dbt, in the checks, in
publish, twice at seeded random moments, then one run to the end, compared table by table with
the session's uninterrupted baseline run. Before the sequence the directory gets an earlier
publication of another quarter, so "the previous file" is a real file to compare bytes with.
The pauses are the MONITOR_FAULT_PAUSE test hook (orchestration/settings.py); dbt is killed
when its own output shows it building the first marts model. The sequence
(``pipeline_support.fault_sequence``) is shared with tests/test_concurrency.py, whose
contested run is the final one here.
"""

from __future__ import annotations

import duckdb
import pytest

from . import pipeline_support as support

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1800)]

EARLIER = support.EARLIER


@pytest.fixture(scope="module")
def faults(fault_sequence):
    return fault_sequence


def test_each_kill_happened_in_its_stage(faults) -> None:
    """Evidence from the Dagster event log: the step each killed run was in."""
    in_progress = [steps for steps in faults["active_steps"].values() if steps]
    stages = [step for steps in in_progress for step in steps]
    assert any(s.startswith("raw__") for s in stages), stages
    assert "dbt_models" in stages
    assert "quality_gate" in stages
    assert "published__area_indicators" in stages
    assert [entry["stage"] for entry in faults["log"][:4]] == ["ingest", "dbt", "checks", "publish"]


def test_monitor_file_is_never_half_written(faults) -> None:
    """After every kill: the previous file byte for byte, or the new one complete."""
    states = [entry["monitor"] for entry in faults["log"]]
    assert states[:4] == ["previous"] * 4  # no publication before the publish stage finished
    assert set(states) <= {"previous", "complete"}


def test_rerun_after_kills_equals_an_uninterrupted_run(faults) -> None:
    data_dir, baseline_dir = faults["data_dir"], faults["baseline_dir"]
    support.assert_same_warehouse(data_dir, baseline_dir, "warehouse after kills and rerun")
    support.assert_same_tables(
        support.table_rows(data_dir / "monitor.duckdb", quarter=support.QUARTER),
        support.table_rows(baseline_dir / "monitor.duckdb", quarter=support.QUARTER),
        "monitor.duckdb after kills and rerun",
    )


def test_earlier_publication_and_log_survive(faults) -> None:
    data_dir = faults["data_dir"]
    monitor_path = data_dir / "monitor.duckdb"
    before = data_dir.parent / "previous.duckdb"
    before.write_bytes(faults["previous"])
    assert (
        support.table_rows(monitor_path, quarter=EARLIER)["main.area_indicators"]
        == (support.table_rows(before, quarter=EARLIER)["main.area_indicators"])
    )
    with duckdb.connect(str(monitor_path), read_only=True) as con:
        log = con.execute(
            "select quarter from monitor.publication_log order by published_at"
        ).fetchall()
    # one publication of the quarter: the killed publications left no log row
    assert log == [(EARLIER,), (support.QUARTER,)]
    assert not list(data_dir.glob(".monitor.duckdb.publish-*"))  # stale temp files cleaned


def test_killed_runs_are_closed_and_the_rerun_was_not_blocked(faults) -> None:
    """A SIGKILLed run stays STARTED in Dagster, holding its slot of the 'warehouse' pool; the
    next `monitor run` marks it failed and frees the slot instead of waiting for ever."""
    statuses = support.run_statuses(faults["data_dir"])
    assert statuses[-1] == "SUCCESS"
    assert statuses.count("FAILURE") >= 4  # at least the four stage kills
    assert set(statuses) <= {"SUCCESS", "FAILURE"}, statuses  # none left STARTED
    outputs = [p.read_text() for p in faults["data_dir"].parent.glob("*.stdout")]
    assert sum(out.count("never finished: marked failed") for out in outputs) >= 4
