"""How the suite is spread over its two pytest-xdist workers (`pyproject.toml` addopts).

Each test file is one unit of work, so its module fixtures are built once. The files that use
one of the session's shared runs (`SHARED_UNITS`, fixtures in `conftest.py`) are one unit
together, so that run is made once: a session fixture is made once per worker, and each
worker that used it would make it again. The slowest units are collected first, and the
workers take units in collection order, so the two end close together. (pytest-xdist's own
`--dist loadgroup` cannot do the grouping: with pytest 9 it does not see `xdist_group` marks.)
"""

from __future__ import annotations

from xdist.scheduler import LoadScopeScheduling

SHARED_RUNS = "shared-pipeline-runs"
DEMO_RUN = "shared-demo-run"
REGION_RUN = "shared-region-run"

SHARED_UNITS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    # a small synthetic quarter with a real key, and the runs killed beside it
    SHARED_RUNS: (
        frozenset({"pipeline_baseline", "fault_sequence"}),
        frozenset(
            {
                "test_address_narrowing.py",
                "test_catalog.py",
                "test_concurrency.py",
                "test_fault_injection.py",
                "test_key_management.py",
                "test_metadata.py",
                "test_privacy_scan.py",
                "test_publication_due.py",
                "test_retention.py",
            }
        ),
    ),
    # `monitor demo`: three quarters of the small city
    DEMO_RUN: (
        frozenset({"demo_run"}),
        frozenset({"test_cohort_publication.py", "test_end_to_end.py"}),
    ),
    # the Drechtsteden region, two quarters
    REGION_RUN: (
        frozenset({"drechtsteden_run"}),
        frozenset({"test_partner_feedback.py", "test_region.py"}),
    ),
}
"""Unit name -> (its session fixtures, the test files that use them); tests/test_scheduling.py
checks each list of files against the collected tests."""

# The slowest units, slowest first (measured with `--durations=0`, the durations of each unit's
# tests summed: 400 s for the shared runs down to about 30 s); every other file follows in its
# collection order. A slow file missing here only makes the run end later.
SLOWEST_FIRST = (
    SHARED_RUNS,
    DEMO_RUN,
    "test_ui_browser.py",
    REGION_RUN,
    "test_dbt_models.py",
    "test_benchmark.py",
    "test_publish.py",
    "test_dbt_periods.py",
    "test_disclosure_audit.py",
    "test_disclosure_protect.py",
    "test_ingestion_formats.py",
    "test_dbt_contract.py",
)

_UNIT_OF_FILE = {file: unit for unit, (_, files) in SHARED_UNITS.items() for file in files}


def unit_of(nodeid: str) -> str:
    """The unit of work a test belongs to: its file, or the shared run its file uses."""
    path = nodeid.split("::", 1)[0]
    return _UNIT_OF_FILE.get(path.rsplit("/", 1)[-1], path)


def rank(nodeid: str) -> int:
    """Where a test's unit comes in the run: the slowest units first."""
    name = unit_of(nodeid).rsplit("/", 1)[-1]
    return SLOWEST_FIRST.index(name) if name in SLOWEST_FIRST else len(SLOWEST_FIRST)


class ByUnit(LoadScopeScheduling):
    """pytest-xdist's scope scheduling with `unit_of` as the scope; the units are sent in
    collection order (`--no-loadscope-reorder`)."""

    def _split_scope(self, nodeid: str) -> str:
        return unit_of(nodeid)
