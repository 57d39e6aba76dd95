"""Kill `monitor run` (SIGKILL of its process group) in every stage and at random moments,
then rerun: the result equals an uninterrupted run and monitor.duckdb is never half written.

One data directory goes through the whole sequence (each killed run leaves the state the next
one starts from, the hardest case for the rerun): killed in ingest, in dbt, in the checks, in
publish, twice at seeded random moments, then one run to the end, compared table by table with
the session's uninterrupted baseline run. Before the sequence the directory gets an earlier
publication of another quarter, so "the previous file" is a real file to compare bytes with.
The pauses are the MONITOR_FAULT_PAUSE test hook (orchestration/settings.py); dbt is killed
when its own output shows it building the first marts model.
"""

from __future__ import annotations

import hashlib
import random
import time
from pathlib import Path

import duckdb
import pytest

from orchestration.gate.sample import sample_frames, write_tables
from orchestration.publish import publish_quarter

from . import pipeline_support as support

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1800)]

EARLIER = "2026Q2"
RANDOM_KILLS = 2
RANDOM_SEED = 20260930
DBT_MARTS_STARTED = "START sql incremental model main_marts."


def landing_digest(data_dir: Path) -> dict[str, str]:
    landing = data_dir / "landing"
    return {
        str(p.relative_to(landing)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(landing.rglob("*"))
        if p.is_file()
    }


def publish_earlier_quarter(monitor_path: Path) -> None:
    """An earlier publication (the gate's sample figures for EARLIER) in monitor.duckdb."""
    with duckdb.connect() as con:
        write_tables(con, **sample_frames(EARLIER))
        publish_quarter(
            con, EARLIER, monitor_path, run_id="earlier", data_version="v0",
            checks_passed=[], n_primary=0, n_secondary=0, synthetic=True,
        )  # fmt: skip


def monitor_state(path: Path, previous: bytes) -> str:
    """'previous' (byte for byte) or 'complete' (opens; the quarter whole next to the earlier
    one). Anything else fails the test."""
    data = path.read_bytes()
    if data == previous:
        return "previous"
    with duckdb.connect(str(path), read_only=True) as con:
        quarters = con.execute(
            "select quarter, count(*) from monitor.area_indicators group by 1 order by 1"
        ).fetchall()
        logged = con.execute(
            "select count(*) from monitor.publication_log where quarter = ?", [support.QUARTER]
        ).fetchone()[0]
    assert [q for q, _ in quarters] == [EARLIER, support.QUARTER] and logged == 1, quarters
    return "complete"


def assert_warehouse_unlocked(data_dir: Path) -> None:
    """The killed run's DuckDB lock died with it: a writer can open the warehouse at once."""
    if (data_dir / "warehouse.duckdb").exists():
        duckdb.connect(str(data_dir / "warehouse.duckdb")).close()


@pytest.fixture(scope="module")
def faults(pipeline_baseline, tmp_path_factory):
    baseline_dir, _ = pipeline_baseline
    data_dir = tmp_path_factory.mktemp("faults") / "data"
    support.generate(data_dir)
    assert landing_digest(data_dir) == landing_digest(baseline_dir)  # same input as baseline
    monitor_path = data_dir / "monitor.duckdb"
    publish_earlier_quarter(monitor_path)
    previous = monitor_path.read_bytes()
    log: list[dict] = []

    def killed(run: support.Run, stage: str) -> None:
        run.kill()
        assert_warehouse_unlocked(data_dir)
        log.append({"stage": stage, "monitor": monitor_state(monitor_path, previous)})

    for stage in ("ingest", "dbt", "checks", "publish"):
        if stage == "dbt":
            run = support.Run(data_dir, "killed-dbt")
            run.wait_until(lambda r=run: DBT_MARTS_STARTED in r.stdout, "dbt building the marts")
        else:
            run = support.Run(data_dir, f"killed-{stage}", MONITOR_FAULT_PAUSE=stage)
            run.wait_for_pause(stage)
        if stage == "publish":
            # the new file is complete next to the target, the swap not yet done
            assert list(data_dir.glob(".monitor.duckdb.publish-*.tmp"))
            assert monitor_path.read_bytes() == previous
        killed(run, stage)

    rng = random.Random(RANDOM_SEED)
    for i in range(RANDOM_KILLS):
        delay = rng.uniform(2.0, 45.0)
        run = support.Run(data_dir, f"killed-random-{i}")
        deadline = time.monotonic() + delay
        while time.monotonic() < deadline and run.proc.poll() is None:
            time.sleep(0.1)
        killed(run, f"random after {delay:.1f} s")

    final = support.Run(data_dir, "final")
    final.finish_ok()
    return {
        "data_dir": data_dir,
        "baseline_dir": baseline_dir,
        "previous": previous,
        "log": log,
        "final": final,
        "active_steps": support.active_steps(data_dir),
    }


def test_each_kill_happened_in_its_stage(faults) -> None:
    """Evidence from the Dagster event log: the step each killed run was in."""
    in_progress = [steps for steps in faults["active_steps"].values() if steps]
    stages = [step for steps in in_progress for step in steps]
    assert any(s.startswith("raw__") for s in stages), stages
    assert "dbt_models" in stages
    assert "quality_gate" in stages
    assert "monitor__area_indicators" in stages
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
