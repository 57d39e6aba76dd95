"""Two `monitor` commands on one data directory at once: the second is refused at once with a
message naming the first, touches nothing, and the first finishes as if it ran alone.

The contested run is the last run of the shared fault sequence (tests/pipeline_support.py,
``fault_sequence``): held at its publish step (MONITOR_FAULT_PAUSE, orchestration/settings.py),
the moment it has the most to lose, while a second `monitor run` of the same quarter and a
`monitor rotate-key` try to start; then it goes on. Its data directory also saw six killed
runs before, whose Dagster runs it had to release first. (An analyst holding monitor.duckdb
open during a publication: tests/test_publish.py::
test_reader_holding_the_file_open_does_not_block_publication.)
"""

from __future__ import annotations

import pytest

from . import pipeline_support as support

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1800)]


@pytest.fixture(scope="module")
def contested(fault_sequence):
    return fault_sequence


def test_second_run_is_refused_naming_the_first(contested) -> None:
    second, first = contested["second"], contested["final"]
    assert second.returncode == 1
    assert f"is in use by `monitor run {support.QUARTER}` (pid {first.proc.pid}" in second.stderr
    assert "Wait for it to finish" in second.stderr
    assert "succeeded" not in second.stdout


def test_other_commands_that_write_are_refused_too(contested) -> None:
    rotate = contested["rotate"]
    assert rotate.returncode == 1
    assert f"is in use by `monitor run {support.QUARTER}`" in rotate.stderr


def test_refused_commands_touch_nothing(contested) -> None:
    """While the first run waited: monitor.duckdb unchanged, no Dagster run added."""
    assert contested["untouched_while_contested"] == {"monitor": True, "runs": True}


def test_the_first_run_finishes_as_if_alone(contested) -> None:
    data_dir = contested["data_dir"]
    assert f"{support.QUARTER}: succeeded" in contested["final"].stdout
    assert (data_dir / "run.lock").read_text() == ""  # released on exit
    support.assert_same_tables(
        support.table_rows(data_dir / "monitor.duckdb", quarter=support.QUARTER),
        support.table_rows(contested["baseline_dir"] / "monitor.duckdb", quarter=support.QUARTER),
        "monitor.duckdb",
    )
