"""The pruning pass after secondary suppression (``secondary.release_unneeded``): a complement
that later ones made unneeded is published again, only when the attacker's LP still finds
every suppressed cell at least the width wide; on one gemeente whose personas add up to its
``hh_met_signaal`` (the helpers of ``test_disclosure_local``)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings

from demo.synthetic_quarter import synthetic_quarter
from orchestration.disclosure import secondary
from orchestration.disclosure.audit import audit_publication
from orchestration.disclosure.lp import attacker_intervals
from orchestration.disclosure.protect import protect_quarter
from orchestration.disclosure.secondary import (
    SecondaryStats,
    _KnownPoints,
    _Rows,
    cell_costs,
    release_unneeded,
)
from orchestration.parameters import disclosure_parameters
from tests.test_disclosure_local import personas, suppress
from tests.test_disclosure_property import tables

STARTER, SENIOR, OVERIG = "hh_persona_jonge_starter", "hh_persona_senior", "hh_persona_overig"
GENERATED = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
"""The generated tables' runs of the pruning pass (``tests.test_disclosure_property.tables``)."""


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


def watched_checks(calls: list[bool]):
    """``secondary.attacker_intervals``, recording per call whether it was the probe."""
    checked = secondary.attacker_intervals

    def watch(*args, **kw):
        calls.append(kw.get("local_only", False))
        return checked(*args, **kw)

    return watch


def test_no_probe_where_the_cells_around_hold_most_targets() -> None:
    """One gemeente: the families around any released cell hold every target, so the check's
    own block LPs come first anyway (a probe would solve them twice)."""
    calls: list[bool] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(secondary, "attacker_intervals", watched_checks(calls))
        kept, stats, _ = release([STARTER, SENIOR, OVERIG], lower={OVERIG: 10}, max_checks=1)
    assert kept == {STARTER, SENIOR, OVERIG} and stats.n_release_checks == 1
    assert calls == [False]


def with_and_without_probe(frame: pl.DataFrame) -> tuple[object, object, int]:
    """Protection of ``frame`` (up to 50 release checks) as it runs, and with the probe never
    trusted (every check runs on the whole); and how many checks ended at the probe (a probe
    followed by another probe or by nothing)."""
    params = {**disclosure_parameters(), "max_release_checks": 50}
    calls: list[bool] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(secondary, "attacker_intervals", watched_checks(calls))
        probed = protect_quarter(frame, params)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(secondary, "_proved_narrow", lambda iv, width: False)
        whole = protect_quarter(frame, params)
    ended = sum(1 for a, b in zip(calls, [*calls[1:], True], strict=True) if a and b)
    return probed, whole, ended


def assert_same_outcome(probed, whole) -> None:
    key = ["area_code", "indicator", "status"]
    assert probed.cells.select(key).equals(whole.cells.select(key))
    assert probed.stats.n_release_checks == whole.stats.n_release_checks


@GENERATED
@given(tables())
def test_the_probe_changes_no_outcome(frame: pl.DataFrame) -> None:
    """A check the probe ends (a block LP's failure is a failure) fails without it too: with
    the probe never trusted, every check runs on the whole and the same cells are published."""
    probed, whole, _ = with_and_without_probe(frame)
    assert_same_outcome(probed, whole)


def test_failing_checks_end_at_the_probe() -> None:
    """Two gemeenten of seven wijken: 11 probes, of which 4 prove a failure and end their
    check with no other LP (the generated tables above are mostly too small for a probe),
    with the same outcome as without."""
    frame = synthetic_quarter(
        wijken_per_gemeente=[4, 3], buurten_per_wijk=[4, 3, 5, 2, 3, 4, 3], seed=6,
        households_mean=600.0, signal_rate=0.013, signals_per_household=1.5,
        no_buurt_households=3.0,
    )  # fmt: skip
    probed, whole, ended = with_and_without_probe(frame)
    assert ended >= 1
    assert_same_outcome(probed, whole)


def test_points_kept_for_a_release_stay_feasible_and_prove_the_ranges() -> None:
    """a + b + c = 30 with c released at its value 15: of the points (30, 0, 0), (0, 0, 30)
    and (0, 30, 0) none has c at 15, but the segments' points (15, 0, 15) and (0, 15, 15) do,
    and they prove a and b each in [0, 15], which is exact (a + b = 15)."""
    x = np.array([10.0, 5.0, 15.0, 7.0])  # cell 3: published, outside the points
    known = _KnownPoints(x, np.array([0, 1, 2]))
    known.add([(np.array([0, 1, 2]), np.array([[30.0, 0, 0], [0, 0, 30], [0, 30, 0]]))])
    (lo, hi), points = known.released(2)
    assert lo.tolist() == [0, 0, 15, np.inf] and hi.tolist() == [15, 15, 15, -np.inf]
    assert sorted(map(tuple, points.tolist())) == [(0, 15, 15), (15, 0, 15)]
    assert np.allclose(points.sum(axis=1), 30)


def test_components_share_rows_and_the_newest_points_come_first() -> None:
    """Two components' vertices of one LP run share rows (the true table where one has fewer);
    a later run's rows go first, and at most ``KNOWN_POINTS`` are kept."""
    x = np.array([1.0, 2.0, 3.0])
    known = _KnownPoints(x, np.array([0, 1, 2]))
    known.add([(np.array([0]), np.array([[5.0], [6.0]])), (np.array([1, 2]), np.array([[7.0, 8]]))])
    assert known.rows.tolist() == [[5, 7, 8], [6, 2, 3]]
    known.add([(np.array([2]), np.array([[9.0]]))])
    assert known.rows.tolist() == [[1, 2, 9], [5, 7, 8], [6, 2, 3]]
    known.add([(np.array([0]), np.arange(secondary.KNOWN_POINTS, dtype=float)[:, None])])
    assert known.rows.shape == (secondary.KNOWN_POINTS, 3) and known.rows[0].tolist() == [0, 2, 3]


def test_a_point_with_the_cell_at_its_value_is_kept_as_it_is() -> None:
    x = np.array([10.0, 20.0])
    known = _KnownPoints(x, np.array([0, 1]))
    known.add([(np.array([0, 1]), np.array([[0.0, 20], [4, 26]]))])
    (lo, hi), points = known.released(1)
    assert points.tolist() == [[0, 20]]  # (4, 26) has no partner on the other side of 20
    assert lo.tolist() == [0, 20] and hi.tolist() == [0, 20]


@GENERATED
@given(tables())
def test_points_kept_between_checks_change_no_outcome(frame: pl.DataFrame) -> None:
    """The kept points only prove cells wide before an LP does: every check ends as it does
    without them (a pass proved, a failure found by an LP), so the same cells are published."""
    params = {**disclosure_parameters(), "max_release_checks": 50}
    with_points = protect_quarter(frame, params)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(secondary, "KNOWN_POINTS", 0)
        without = protect_quarter(frame, params)
    key = ["area_code", "indicator", "status"]
    assert with_points.cells.select(key).equals(without.cells.select(key))
    assert with_points.stats.n_release_checks == without.stats.n_release_checks


def test_every_kept_point_is_a_point_of_the_table_it_checks() -> None:
    """Each point the pass keeps for a trial release, and each it moves back around the
    released cell (``anchored``), satisfies the table with that cell published: every
    published cell at its value, every relation held, every hidden cell at least its lower
    bound (LP round-off aside). Watched on the generated tables' passes."""
    state: dict[str, object] = {}
    checked: dict[str, int] = {"released": 0, "anchored": 0}
    pass_ = secondary.release_unneeded
    released = secondary._KnownPoints.released
    anchored = secondary._KnownPoints.anchored

    def watch_pass(table, x, suppressed, start, lower, *args, **kw):
        state.update(table=table, x=np.nan_to_num(x), suppressed=suppressed, lower=lower)
        return pass_(table, x, suppressed, start, lower, *args, **kw)

    def assert_feasible(known: _KnownPoints, c: int, points: np.ndarray) -> None:
        table, x, lower = state["table"], state["x"], state["lower"]
        hidden = state["suppressed"] | table.never_published()  # (the pass's current state)
        hidden[c] = False
        for row in points:
            v = x.copy()
            v[known.cells] = row
            assert np.abs(v - x)[~hidden].max(initial=0) <= 1e-6
            assert np.abs(table.a_eq @ v).max(initial=0) <= 1e-6
            assert (table.a_ub @ v).max(initial=0) <= 1e-6
            assert (v[hidden] >= lower[hidden] - 1e-6).all()

    def watch_points(self: _KnownPoints, c: int):
        seen, points = released(self, c)
        assert_feasible(self, c, points)
        checked["released"] += points.shape[0]
        return seen, points

    def watch_anchored(self: _KnownPoints, c: int, *args, **kw):
        points = anchored(self, c, *args, **kw)
        assert_feasible(self, c, points)
        checked["anchored"] += points.shape[0]
        return points

    @GENERATED
    @given(tables())
    def run(frame: pl.DataFrame) -> None:
        protect_quarter(frame, {**disclosure_parameters(), "max_release_checks": 50})

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(secondary, "release_unneeded", watch_pass)
        patch.setattr(secondary._KnownPoints, "released", watch_points)
        patch.setattr(secondary._KnownPoints, "anchored", watch_anchored)
        run()
    assert checked["released"] > 0 and checked["anchored"] > 0  # there were points to check
