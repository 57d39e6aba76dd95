"""The spread of the suite over its workers (tests/scheduling.py) matches the tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from . import scheduling


@pytest.mark.parametrize("unit", sorted(scheduling.SHARED_UNITS))
def test_a_shared_units_files_are_exactly_those_that_use_its_runs(
    request: pytest.FixtureRequest, unit: str
) -> None:
    fixtures, files = scheduling.SHARED_UNITS[unit]
    using = {
        item.path.name
        for item in request.session.items
        if fixtures & set(getattr(item, "fixturenames", ()))
    }
    collected = {item.path.name for item in request.session.items}
    # a file of the list that was not collected (a run of some files only) says nothing
    assert using == files & collected


def test_a_file_is_in_one_unit_at_most() -> None:
    files = [file for _, unit_files in scheduling.SHARED_UNITS.values() for file in unit_files]
    assert len(files) == len(set(files))
    assert not set(files) & set(scheduling.SLOWEST_FIRST)  # ranked by their unit's name


def test_every_listed_slow_file_exists() -> None:
    for name in scheduling.SLOWEST_FIRST:
        if name in scheduling.SHARED_UNITS:
            continue
        assert (Path(scheduling.__file__).parent / name).is_file(), name


def test_units_are_files_except_the_shared_runs_files() -> None:
    assert scheduling.unit_of("tests/test_cli.py::test_x[a::b]") == "tests/test_cli.py"
    assert scheduling.unit_of("tests/test_retention.py::test_y") == scheduling.SHARED_RUNS
    assert scheduling.unit_of("tests/test_region.py::t") == scheduling.REGION_RUN
    assert scheduling.rank("tests/test_retention.py::t") < scheduling.rank(
        "tests/test_ui_browser.py::t"
    )
    assert scheduling.rank("tests/test_ui_browser.py::t") < scheduling.rank("tests/test_cli.py::t")
