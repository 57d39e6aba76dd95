"""The pruning pass after secondary suppression (``secondary.release_unneeded``): a complement
that later ones made unneeded is published again, only when the attacker's LP still finds
every suppressed cell at least the width wide; on one gemeente whose personas add up to its
``hh_met_signaal`` (the helpers of ``test_disclosure_local``)."""

from __future__ import annotations

import numpy as np
import polars as pl
from hypothesis import HealthCheck, given, settings

from orchestration.disclosure.audit import audit_publication
from orchestration.disclosure.lp import attacker_intervals
from orchestration.disclosure.protect import protect_quarter
from orchestration.disclosure.secondary import (
    SecondaryStats,
    _Rows,
    cell_costs,
    release_unneeded,
)
from orchestration.parameters import disclosure_parameters
from tests.test_disclosure_local import personas, suppress
from tests.test_disclosure_property import tables

STARTER, SENIOR, OVERIG = "hh_persona_jonge_starter", "hh_persona_senior", "hh_persona_overig"


def release(
    hidden: list[str],
    *,
    lower: dict[str, float] | None = None,
    fixed: tuple[str, ...] = (),
    max_checks: int = 10,
) -> tuple[set[str], SecondaryStats, np.ndarray]:
    """Starter 3 (primary), senior 20 and overig 15: what stays suppressed of ``hidden`` after
    the pass, its statistics and the exact width of the starter cell afterwards."""
    table, x, cell = personas(jonge_starter=3, senior=20, overig=15)
    mask = suppress(table, cell, hidden)
    low = np.zeros(table.n_cells)
    for name, value in (lower or {}).items():
        low[cell[name]] = value
    stats = SecondaryStats()
    release_unneeded(
        table,
        x,
        mask,
        suppress(table, cell, [STARTER]),
        low,
        10,
        cell_costs(table, x),
        _Rows(table),
        fixed=suppress(table, cell, list(fixed)) if fixed else None,
        max_checks=max_checks,
        stats=stats,
    )
    iv = attacker_intervals(table.a_eq, table.a_ub, mask, x, mask, low, width=10, exact=True)
    kept = {name for name, c in cell.items() if mask[c]}
    return kept, stats, iv.width[cell[STARTER]]


def test_a_complement_later_ones_made_unneeded_is_published_again() -> None:
    # senior and overig both hide the starter; either alone leaves it in [0, 15] or [0, 20]:
    # the costlier (senior, 20) goes back first, then overig is needed by the sum rule
    kept, stats, width = release([STARTER, SENIOR, OVERIG])
    assert kept == {STARTER, OVERIG}
    assert stats.n_released == 1 and stats.n_release_checks == 1
    assert width >= 10


def test_a_complement_the_local_rule_needs_is_not_even_checked() -> None:
    kept, stats, _ = release([STARTER, OVERIG])
    assert kept == {STARTER, OVERIG} and stats.n_release_checks == 0


def test_a_release_the_lp_finds_too_narrow_stays_suppressed() -> None:
    # overig is at least 10 (a published median's lower bound): without senior the starter
    # lies in [0, 18 - 10], 8 wide, though the sum rule alone (18 hidden) would allow it; so
    # senior stays and overig, whose going leaves the starter in [0, 23], is published again
    kept, stats, width = release([STARTER, SENIOR, OVERIG], lower={OVERIG: 10})
    assert kept == {STARTER, SENIOR}
    assert stats.n_release_checks == 2 and stats.n_released == 1
    assert width >= 10


def test_at_most_max_checks_lp_checks() -> None:
    kept, stats, _ = release([STARTER, SENIOR, OVERIG], lower={OVERIG: 10}, max_checks=1)
    assert kept == {STARTER, SENIOR, OVERIG} and stats.n_release_checks == 1
    kept, stats, _ = release([STARTER, SENIOR, OVERIG], max_checks=0)
    assert kept == {STARTER, SENIOR, OVERIG} and stats.n_release_checks == 0


def test_an_earlier_publications_suppressed_cell_is_never_released() -> None:
    kept, stats, _ = release([STARTER, SENIOR, OVERIG], fixed=(SENIOR,))
    assert kept == {STARTER, SENIOR}  # overig goes instead
    assert stats.n_released == 1


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
@given(tables())
def test_the_pass_only_publishes_more_and_the_file_still_passes(frame: pl.DataFrame) -> None:
    without = protect_quarter(frame, {**disclosure_parameters(), "max_release_checks": 0})
    released = protect_quarter(frame, {**disclosure_parameters(), "max_release_checks": 50})
    key = ["area_code", "indicator"]
    before = without.cells.filter(pl.col("status") == "suppressed").select(key)
    after = released.cells.filter(pl.col("status") == "suppressed").select(key)
    assert after.join(before, on=key, how="anti").height == 0  # nothing newly suppressed
    primary = released.cells.filter(pl.col("suppression") == "primary")
    assert (primary["status"] == "suppressed").all()
    audit = audit_publication(released.published, exact=True)
    assert audit.passed, (audit.failures[:3], audit.violations[:3])
