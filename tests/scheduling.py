"""How the suite is spread over its two pytest-xdist workers (`pyproject.toml` addopts).

Each test file is one unit of work, so its module fixtures are built once; the files that use
the session's pipeline runs (`pipeline_baseline`, `fault_sequence` in `conftest.py`) are one
unit, so those runs are made once. The slowest units are collected first, and the workers
take units in collection order, so the two end close together. (pytest-xdist's own
`--dist loadgroup` cannot do the grouping: with pytest 9 it does not see `xdist_group` marks.)
"""

from __future__ import annotations

from xdist.scheduler import LoadScopeScheduling

SHARED_RUNS = "shared-pipeline-runs"

# The test files whose tests use `pipeline_baseline` or `fault_sequence`
# (tests/test_scheduling.py checks this list against the collected tests).
SHARED_RUNS_FILES = frozenset(
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
)

# The slowest units, slowest first (measured with `--durations=0`, the durations of each unit's
# tests summed: 398 s for the shared runs down to about 30 s); every other file follows in its
# collection order. A slow file missing here only makes the run end later.
SLOWEST_FIRST = (
    SHARED_RUNS,
    "test_ui_browser.py",
    "test_end_to_end.py",
    "test_dbt_models.py",
    "test_region.py",
    "test_cohort_publication.py",
    "test_partner_feedback.py",
    "test_dbt_periods.py",
    "test_benchmark.py",
    "test_publish.py",
    "test_disclosure_audit.py",
    "test_disclosure_protect.py",
    "test_ingestion_formats.py",
    "test_dbt_contract.py",
)


def unit_of(nodeid: str) -> str:
    """The unit of work a test belongs to: its file, or the shared pipeline runs."""
    path = nodeid.split("::", 1)[0]
    return SHARED_RUNS if path.rsplit("/", 1)[-1] in SHARED_RUNS_FILES else path


def rank(nodeid: str) -> int:
    """Where a test's unit comes in the run: the slowest units first."""
    name = unit_of(nodeid).rsplit("/", 1)[-1]
    return SLOWEST_FIRST.index(name) if name in SLOWEST_FIRST else len(SLOWEST_FIRST)


class ByUnit(LoadScopeScheduling):
    """pytest-xdist's scope scheduling with `unit_of` as the scope; the units are sent in
    collection order (`--no-loadscope-reorder`)."""

    def _split_scope(self, nodeid: str) -> str:
        return unit_of(nodeid)
