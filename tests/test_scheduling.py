"""The spread of the suite over its workers (tests/scheduling.py) matches the tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from . import scheduling

SHARED_FIXTURES = {"pipeline_baseline", "fault_sequence"}


def test_the_shared_runs_files_are_exactly_those_that_use_the_shared_runs(
    request: pytest.FixtureRequest,
) -> None:
    using = {
        item.path.name
        for item in request.session.items
        if SHARED_FIXTURES & set(getattr(item, "fixturenames", ()))
    }
    collected = {item.path.name for item in request.session.items}
    # a file of the list that was not collected (a run of some files only) says nothing
    assert using == scheduling.SHARED_RUNS_FILES & collected


def test_every_listed_slow_file_exists() -> None:
    for name in scheduling.SLOWEST_FIRST[1:]:
        assert (Path(scheduling.__file__).parent / name).is_file(), name


def test_units_are_files_except_the_shared_runs() -> None:
    assert scheduling.unit_of("tests/test_cli.py::test_x[a::b]") == "tests/test_cli.py"
    assert scheduling.unit_of("tests/test_retention.py::test_y") == scheduling.SHARED_RUNS
    assert scheduling.rank("tests/test_retention.py::t") < scheduling.rank(
        "tests/test_ui_browser.py::t"
    )
    assert scheduling.rank("tests/test_ui_browser.py::t") < scheduling.rank("tests/test_cli.py::t")
