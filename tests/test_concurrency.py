"""Two `monitor` commands on one data directory at once: the second is refused at once with a
message naming the first, touches nothing, and the first finishes as if it ran alone.

The first run is held at its publish step (MONITOR_FAULT_PAUSE, orchestration/settings.py):
the moment it has the most to lose. (An analyst holding monitor.duckdb open during a
publication is tests/test_publish.py::test_reader_holding_the_file_open_does_not_block_publication.)
"""

from __future__ import annotations

import shutil

import pytest

from . import pipeline_support as support

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1800)]


@pytest.fixture(scope="module")
def contested(pipeline_baseline, tmp_path_factory):
    baseline_dir, _ = pipeline_baseline
    data_dir = tmp_path_factory.mktemp("concurrency") / "data"
    shutil.copytree(baseline_dir, data_dir)
    first = support.Run(data_dir, "first", MONITOR_FAULT_PAUSE="publish")
    marker = first.wait_for_pause("publish")
    monitor_before = (data_dir / "monitor.duckdb").read_bytes()
    runs_before = support.run_statuses(data_dir)
    second = support.monitor(data_dir, "run", "--quarter", support.QUARTER, check=False)
    rotate = support.monitor(
        data_dir, "rotate-key", "--confirm", key="another-key-0123456789", check=False
    )
    state_while_first_waits = {
        "monitor": (data_dir / "monitor.duckdb").read_bytes() == monitor_before,
        "runs": support.run_statuses(data_dir) == runs_before,
    }
    marker.unlink()  # let the first run go on
    first.finish_ok()
    return {
        "data_dir": data_dir,
        "baseline_dir": baseline_dir,
        "first": first,
        "second": second,
        "rotate": rotate,
        "state": state_while_first_waits,
    }


def test_second_run_is_refused_naming_the_first(contested) -> None:
    second, first = contested["second"], contested["first"]
    assert second.returncode == 1
    assert f"`monitor run {support.QUARTER}` (pid {first.proc.pid}" in second.stderr
    assert "Wait for it to finish" in second.stderr
    assert "succeeded" not in second.stdout


def test_other_commands_that_write_are_refused_too(contested) -> None:
    rotate = contested["rotate"]
    assert rotate.returncode == 1
    assert f"`monitor run {support.QUARTER}`" in rotate.stderr


def test_refused_commands_touch_nothing(contested) -> None:
    """While the first run waited: monitor.duckdb unchanged, no Dagster run added."""
    assert contested["state"] == {"monitor": True, "runs": True}


def test_final_state_equals_a_single_run(contested) -> None:
    data_dir, baseline_dir = contested["data_dir"], contested["baseline_dir"]
    support.assert_same_warehouse(data_dir, baseline_dir, "warehouse")
    monitor = support.table_rows(data_dir / "monitor.duckdb")
    expected = support.table_rows(baseline_dir / "monitor.duckdb")
    log = monitor.pop("main.publication_log")
    assert log == expected.pop("main.publication_log") * 2  # republished once, by the first run
    support.assert_same_tables(monitor, expected, "monitor.duckdb")
    assert (data_dir / "run.lock").read_text() == ""  # released on exit
