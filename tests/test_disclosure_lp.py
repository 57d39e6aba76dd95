"""``lp.py`` on systems small enough to solve by hand: the solver wrapper (``LPModel``, both
backends), the row blocks, the component's sub-LPs, the joint rounds, and the certificate
stages of ``attacker_intervals`` (which stage proves what, with how many LPs).

Every LP here has a unique optimum (a pair ``x1 + x2 = t``, independent boxes), so the points
the solver returns, and therefore which cells a point proves and how many LPs are solved, are
fixed by the mathematics, not by the solver's choice among equal vertices.

Cells of the pair: ``t`` (published), ``x1``, ``x2`` (hidden), one relation ``t = x1 + x2``
(``a_eq @ x = 0`` over all cells, as ``model.Table`` writes it)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import scipy.sparse as sp

from orchestration.disclosure import lp
from orchestration.disclosure.lp import BIG, LPModel, _Component, attacker_intervals, row_blocks

BACKENDS = ("highs", "linprog")


def csr(rows: list[list[float]], n: int) -> sp.csr_matrix:
    return sp.csr_matrix(np.array(rows, dtype=float).reshape(len(rows), n))


def pair_model(total: float = 20.0, backend: str = "highs", col_lo=(0.0, 0.0)) -> LPModel:
    """``x1 + x2 = total``, ``x >= col_lo``: vertices (lo1, total - lo1), (total - lo2, lo2)."""
    return LPModel(
        sp.csc_matrix(np.array([[1.0, 1.0]])),
        np.array([total]),
        np.array([total]),
        np.array(col_lo, dtype=float),
        backend,
    )


def pair(total: float, *, targets=(True, True), **kw) -> lp.Intervals:
    """The pair over cells (t, x1, x2), t published."""
    hidden = np.array([False, True, True])
    return attacker_intervals(
        csr([[1, -1, -1]], 3),
        csr([], 3),
        hidden,
        np.array([total, np.nan, np.nan]),
        np.array([False, *targets]),
        kw.pop("lower", np.zeros(3)),
        **kw,
    )


# LPModel


@pytest.mark.parametrize("backend", BACKENDS)
def test_optimize_gives_the_extremes_their_points_and_counts_each_lp(backend: str) -> None:
    m = pair_model(backend=backend)
    assert m.backend == backend and m.n == 2 and m.n_solves == 0
    status, value, x, duals = m.optimize(0, 1.0)
    assert status == "optimal" and value == pytest.approx(0)
    np.testing.assert_allclose(x, [0, 20], atol=1e-9)
    # minimising x1 leaves x2 basic: the row's dual is 0 (x1's own bound holds it)
    np.testing.assert_allclose(duals, [0], atol=1e-9)
    status, value, x, duals = m.optimize(0, -1.0)
    assert status == "optimal" and value == pytest.approx(20)
    np.testing.assert_allclose(x, [20, 0], atol=1e-9)
    assert abs(duals[0]) == pytest.approx(1)  # the row holds x1 at its maximum
    # another column after the first: the first one's objective must be cleared
    # (with x1's cost left at +1, minimising x2 is a constant objective: x2 would stay 20)
    m.optimize(0, 1.0)
    assert m.optimize(1, 1.0)[1] == pytest.approx(0)
    assert m.optimize(1, -1.0)[1] == pytest.approx(20)
    assert m.optimize(0, -1.0)[1] == pytest.approx(20)
    assert m.n_solves == 6


def pairs_model(n: int = 300) -> tuple[LPModel, np.ndarray]:
    """``x_i + y_i = t_i`` for ``n`` pairs and ``sum x_i <= sum t_i``, with a point strictly
    inside every bound (each pair split a third and two thirds)."""
    a = sp.lil_matrix((n + 1, 2 * n))
    for i in range(n):
        a[i, 2 * i] = a[i, 2 * i + 1] = 1.0
    a[n, 0 : 2 * n : 2] = 1.0
    t = np.arange(10.0, 10.0 + n)
    model = LPModel(
        sp.csc_matrix(a),
        np.append(t, -np.inf),
        np.append(t, t.sum()),
        np.zeros(2 * n),
        "highs",
    )
    return model, np.ravel(np.column_stack([t / 3, 2 * t / 3]))


def test_a_start_at_a_known_point_needs_no_search_for_a_first_vertex() -> None:
    """From scratch the simplex pivots once per equality row to find a feasible basis; from
    the basis the crossover finds at a feasible point it has nothing left to do."""
    cold, _ = pairs_model()
    cold.h.run()
    assert cold.h.getInfo().simplex_iteration_count == 300
    started, point = pairs_model()
    assert started.start_at(point)
    started.h.run()
    assert started.h.getInfo().simplex_iteration_count == 0
    assert started.h.getModelStatus() == lp._highs.HighsModelStatus.kOptimal


def test_a_start_changes_no_optimum() -> None:
    """The same minima and maxima from the start as from scratch, also from a point that is
    not feasible (the simplex then repairs the basis)."""
    for point in ([5.0, 15.0], [50.0, 3.0]):
        m = pair_model()
        assert m.start_at(np.array(point))
        assert [m.optimize(j, s)[1] for j in (0, 1) for s in (1.0, -1.0)] == pytest.approx(
            [0, 20, 0, 20]
        )
    started, point = pairs_model(40)
    started.start_at(point)
    cold, _ = pairs_model(40)
    for j in (0, 1, 39, 79):
        for sign in (1.0, -1.0):
            assert started.optimize(j, sign)[1] == pytest.approx(cold.optimize(j, sign)[1])


START_IN_A_NEW_PROCESS = """
import numpy as np, scipy.sparse as sp
from orchestration.disclosure.lp import LPModel
m = LPModel(sp.csc_matrix(np.array([[1.0, 2.0]])), np.array([-np.inf]), np.array([4.0]),
            np.zeros(2), "highs")
print(m.start_at(np.array([1.0, 1.0])), m.optimize(0, -1.0)[1], m.optimize(1, -1.0)[1])
"""


def test_a_start_in_a_process_that_has_solved_nothing_yet() -> None:
    """HiGHS' crossover crashed the process (SIGSEGV) when no LP had been run in it before, as
    in a fresh worker process whose first model starts from a point: ``start_at`` sets the
    solver up first. A new interpreter, as pytest's own has run LPs already."""
    done = subprocess.run(
        [sys.executable, "-c", START_IN_A_NEW_PROCESS], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "4.0", "2.0"]


def test_linprog_has_no_start() -> None:
    m = pair_model(backend="linprog")
    assert not m.start_at(np.array([5.0, 15.0]))
    assert m.optimize(0, -1.0)[1] == pytest.approx(20)


@pytest.mark.parametrize("backend", BACKENDS)
def test_column_lower_bounds_hold(backend: str) -> None:
    m = pair_model(backend=backend, col_lo=(3.0, 4.0))
    assert m.optimize(0, 1.0)[1] == pytest.approx(3)
    assert m.optimize(0, -1.0)[1] == pytest.approx(16)
    assert m.optimize(1, -1.0)[1] == pytest.approx(17)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_maximum_at_the_solver_bound_is_infinite(backend: str) -> None:
    """``-x1 - x2 <= -20`` only: x1 has no upper bound but the solver's BIG."""
    m = LPModel(
        sp.csc_matrix(np.array([[-1.0, -1.0]])), np.array([-np.inf]), np.array([-20.0]),
        np.zeros(2), backend,
    )  # fmt: skip
    status, value, x, _ = m.optimize(0, -1.0)
    assert status == "optimal" and value == np.inf and x[0] == pytest.approx(BIG)
    status, value, x, _ = m.optimize(0, 1.0)
    assert status == "optimal" and value == pytest.approx(0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_infeasible_model_says_so(backend: str) -> None:
    m = LPModel(
        sp.csc_matrix(np.array([[1.0, 1.0], [1.0, 1.0]])), np.array([20.0, 30.0]),
        np.array([20.0, 30.0]), np.zeros(2), backend,
    )  # fmt: skip
    status, value, x, duals = m.optimize(1, 1.0)
    assert status == "infeasible" and np.isnan(value) and x is None and duals is None
    assert m.explore(np.ones(2)) is None
    assert m.optimize_sum(np.array([0, 1]), 1.0) is None
    assert m.n_solves == 3


@pytest.mark.parametrize("backend", BACKENDS)
def test_explore_and_optimize_sum_return_the_minimising_vertex(backend: str) -> None:
    m = pair_model(backend=backend)
    np.testing.assert_allclose(m.explore(np.array([1.0, -1.0])), [0, 20], atol=1e-9)
    np.testing.assert_allclose(m.explore(np.array([-1.0, 1.0])), [20, 0], atol=1e-9)
    # explore's weights are cleared afterwards: with x1's -5 left, maximising x2 gives 0
    m.explore(np.array([-5.0, 0.0]))
    assert m.optimize(1, -1.0)[1] == pytest.approx(20)
    # optimize's objective is cleared by optimize_sum: with x1's +1 left, minimising the sum
    # of x2 is a constant objective and x2 stays at 20
    m.optimize(0, 1.0)
    np.testing.assert_allclose(m.optimize_sum(np.array([1]), 1.0), [20, 0], atol=1e-9)
    # and optimize_sum's own objective afterwards: maximising x2, then x1
    np.testing.assert_allclose(m.optimize_sum(np.array([1]), -1.0), [0, 20], atol=1e-9)
    assert m.optimize(0, -1.0)[1] == pytest.approx(20)
    # one sign per target
    np.testing.assert_allclose(
        m.optimize_sum(np.array([0, 1]), np.array([-1.0, 1.0])), [20, 0], atol=1e-9
    )
    np.testing.assert_allclose(
        m.optimize_sum(np.array([0, 1]), np.array([1.0, -1.0])), [0, 20], atol=1e-9
    )
    assert m.n_solves == 10


@pytest.mark.parametrize("backend", BACKENDS)
def test_duals_belong_to_their_rows(backend: str) -> None:
    """Rows ``x1 + x2 = 20`` (equality) and ``x1 <= 15``: at the maximum of x1 only the second
    binds (x2 = 5 is basic, so the equality's dual is 0); the linprog backend splits the rows
    into equalities and inequalities and must put each dual back on its own row."""
    for order in ((0, 1), (1, 0)):
        rows = np.array([[1.0, 1.0], [1.0, 0.0]])[list(order)]
        lo = np.array([20.0, -np.inf])[list(order)]
        hi = np.array([20.0, 15.0])[list(order)]
        m = LPModel(sp.csc_matrix(rows), lo, hi, np.zeros(2), backend)
        status, value, x, duals = m.optimize(0, -1.0)
        assert status == "optimal" and value == pytest.approx(15)
        np.testing.assert_allclose(x, [15, 5], atol=1e-9)
        assert np.flatnonzero(np.abs(duals) > 1e-9).tolist() == [order.index(1)]


def test_the_highs_model_prints_nothing(capfd: pytest.CaptureFixture[str]) -> None:
    """A national audit solves hundreds of thousands of LPs: HiGHS' log must stay off."""
    m = pair_model()
    m.optimize(0, 1.0)
    m.explore(np.ones(2))
    m.optimize_sum(np.array([0, 1]), 1.0)
    out, err = capfd.readouterr()
    assert out == "" and err == ""


# row_blocks and _Component


def test_row_blocks() -> None:
    a = csr([[1, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 0], [1, 0, 1, 0], [0, 0, 0, 1]], 4)
    blocks = row_blocks(a, np.array([0, 0, 5, -1]))
    assert blocks.tolist() == [0, 5, -1, -1, -1]
    assert blocks.dtype == np.int64
    assert row_blocks(csr([[0, 0], [0, 0]], 2), np.array([0, 0])).tolist() == [-1, -1]


def component() -> _Component:
    """Rows ``y0 + y1 = 10`` and ``y1 + y2 <= 7``; lower bounds 0, 1, 2."""
    return _Component(
        sp.csc_matrix(np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 1.0]])),
        np.array([10.0, 7.0]),
        np.array([True, False]),
        np.array([0.0, 1.0, 2.0]),
        "highs",
    )


def test_component_model_whole() -> None:
    m, rows = component().model()
    assert rows.tolist() == [0, 1]
    np.testing.assert_array_equal(m.a.toarray(), [[1, 1, 0], [0, 1, 1]])
    np.testing.assert_array_equal(m.row_lo, [10, -np.inf])
    np.testing.assert_array_equal(m.row_hi, [10, 7])
    np.testing.assert_array_equal(m.col_lo, [0, 1, 2])
    assert m.optimize(1, -1.0)[1] == pytest.approx(5)  # y1 <= 7 - y2 <= 5


def test_component_model_restricted_to_columns_with_others_fixed() -> None:
    """Columns [y0, y1]: both rows touch them; y2 fixed at 3 moves into the second row's
    right-hand side (y1 <= 4)."""
    m, rows = component().model(cols=np.array([0, 1]), fixed=np.array([4.0, 6.0, 3.0]))
    assert rows.tolist() == [0, 1]
    np.testing.assert_array_equal(m.a.toarray(), [[1, 1], [0, 1]])
    np.testing.assert_array_equal(m.row_lo, [10, -np.inf])
    np.testing.assert_array_equal(m.row_hi, [10, 4])
    np.testing.assert_array_equal(m.col_lo, [0, 1])
    assert m.optimize(0, 1.0)[1] == pytest.approx(6)
    # without a fixed point the columns keep the whole right-hand side
    m, rows = component().model(cols=np.array([0]))
    assert rows.tolist() == [0]
    np.testing.assert_array_equal(m.a.toarray(), [[1]])
    np.testing.assert_array_equal(m.row_hi, [10])
    # y2 alone, y1 fixed at 6: y2 <= 1, below its lower bound 2
    m, rows = component().model(cols=np.array([2]), fixed=np.array([4.0, 6.0, 3.0]))
    assert rows.tolist() == [1]
    np.testing.assert_array_equal(m.row_hi, [1])
    assert m.optimize(0, 1.0)[0] == "infeasible"


def test_component_model_with_given_rows_is_a_relaxation() -> None:
    m, rows = component().model(rows=np.array([1]), cols=np.array([1, 2]))
    assert rows.tolist() == [1]
    np.testing.assert_array_equal(m.a.toarray(), [[1, 1]])
    np.testing.assert_array_equal(m.row_lo, [-np.inf])
    np.testing.assert_array_equal(m.row_hi, [7])
    np.testing.assert_array_equal(m.col_lo, [1, 2])
    assert m.optimize(0, -1.0)[1] == pytest.approx(5)


# _joint_rounds


def box(n: int = 3, backend: str = "highs") -> LPModel:
    """``x_i <= 20`` each: every objective with nonzero weights has one optimal vertex."""
    return LPModel(
        sp.csc_matrix(np.eye(n)), np.full(n, -np.inf), np.full(n, 20.0), np.zeros(n), backend
    )


@pytest.mark.parametrize("backend", BACKENDS)
def test_one_joint_round_pushes_every_target_to_both_ends(backend: str) -> None:
    """Minimising ``sum(s * x)`` and then ``sum(-s * x)`` puts every x_i at 0 once and at 20
    once, whatever the signs: two LPs prove every target, and no further round is tried."""
    m = box(backend=backend)
    lo, hi = np.full(3, 5.0), np.full(3, 5.0)
    lp._joint_rounds(m, np.arange(3), lo, hi, 10.0, 12, seed=1)
    np.testing.assert_allclose(lo, 0, atol=1e-9)
    np.testing.assert_allclose(hi, 20, atol=1e-9)
    assert m.n_solves == 2


def test_joint_rounds_stop_when_a_round_proves_nothing_or_nothing_is_open() -> None:
    m = box()
    lo, hi = np.full(3, 5.0), np.full(3, 5.0)
    lp._joint_rounds(m, np.arange(3), lo, hi, 30.0, 12, seed=1)  # 20 < 30: never proved
    assert m.n_solves == 2 and (hi - lo == 20).all()
    m = box()
    lp._joint_rounds(m, np.arange(3), np.zeros(3), np.full(3, 20.0), 10.0, 12, seed=1)
    assert m.n_solves == 0  # every target proved already
    m = box()
    lp._joint_rounds(m, np.arange(3), np.full(3, 5.0), np.full(3, 5.0), 10.0, 0, seed=1)
    assert m.n_solves == 0  # no round allowed
    # only the open targets are pushed: target 2, already proved, is in no objective and
    # lies wherever the solver leaves it, so it proves nothing new here: 2 LPs, one round
    m = box()
    lo, hi = np.array([5.0, 5.0, 0.0]), np.array([5.0, 5.0, 20.0])
    lp._joint_rounds(m, np.arange(3), lo, hi, 10.0, 12, seed=1)
    assert m.n_solves == 2
    np.testing.assert_allclose(lo[:2], [0, 0], atol=1e-9)
    np.testing.assert_allclose(hi[:2], [20, 20], atol=1e-9)


def test_joint_rounds_end_on_an_infeasible_model() -> None:
    m = LPModel(
        sp.csc_matrix(np.array([[1.0, 1.0], [1.0, 1.0]])), np.array([20.0, 30.0]),
        np.array([20.0, 30.0]), np.zeros(2), "highs",
    )  # fmt: skip
    lo, hi = np.full(2, 5.0), np.full(2, 5.0)
    lp._joint_rounds(m, np.arange(2), lo, hi, 10.0, 12, seed=1)
    assert m.n_solves == 1 and (lo == 5).all() and (hi == 5).all()


# _solve_targets


@pytest.mark.parametrize("backend", BACKENDS)
def test_solve_targets_skips_what_the_points_prove(backend: str) -> None:
    """From the point (15, 5): minimising x1 reaches (0, 20), after which x1 spans [0, 15]
    and x2 [5, 20], both at least 10: one LP, x1's maximum and x2 never solved."""
    m = pair_model(backend=backend)
    lo, hi = np.array([15.0, 5.0]), np.array([15.0, 5.0])
    c_lo, c_hi, ok = lp._solve_targets(m, np.array([0, 1]), lo, hi, 10.0, False, None)
    assert ok and m.n_solves == 1
    np.testing.assert_allclose(c_lo, [0, np.nan], atol=1e-9)
    assert np.isnan(c_hi).all()
    np.testing.assert_allclose(lo, [0, 5], atol=1e-9)
    np.testing.assert_allclose(hi, [15, 20], atol=1e-9)


@pytest.mark.parametrize("backend", BACKENDS)
def test_solve_targets_exact_solves_both_ends_of_every_target(backend: str) -> None:
    m = pair_model(backend=backend)
    lo, hi = np.array([15.0, 5.0]), np.array([15.0, 5.0])
    duals: dict[int, set[int]] = {}
    c_lo, c_hi, ok = lp._solve_targets(m, np.array([0, 1]), lo, hi, 10.0, True, duals)
    assert ok and m.n_solves == 4
    np.testing.assert_allclose(c_lo, [0, 0], atol=1e-9)
    np.testing.assert_allclose(c_hi, [20, 20], atol=1e-9)
    assert duals == {0: {0}, 1: {0}}  # the row binds at each maximum


def test_solve_targets_narrow_cell_takes_both_lps_and_reports_infeasible() -> None:
    """x1 + x2 = 8: never 10 wide, so min and max of x1 are both solved (x2 is then proved
    neither; its interval [0, 8] comes from the two points)."""
    m = pair_model(total=8.0)
    lo, hi = np.array([4.0, 4.0]), np.array([4.0, 4.0])
    c_lo, c_hi, ok = lp._solve_targets(m, np.array([0]), lo, hi, 10.0, False, None)
    assert ok and m.n_solves == 2
    np.testing.assert_allclose([c_lo[0], c_hi[0]], [0, 8], atol=1e-9)
    np.testing.assert_allclose(lo, [0, 0], atol=1e-9)
    np.testing.assert_allclose(hi, [8, 8], atol=1e-9)
    bad = LPModel(
        sp.csc_matrix(np.array([[1.0, 1.0], [1.0, 1.0]])), np.array([20.0, 30.0]),
        np.array([20.0, 30.0]), np.zeros(2), "highs",
    )  # fmt: skip
    c_lo, c_hi, ok = lp._solve_targets(bad, np.array([0, 1]), lo, hi, 10.0, True, None)
    assert not ok and bad.n_solves == 1


def test_solve_targets_a_width_just_reached_is_enough() -> None:
    """From (10, 10) minimising x1 gives (0, 20): x1 spans exactly 10, proved."""
    m = pair_model()
    lo, hi = np.array([10.0, 10.0]), np.array([10.0, 10.0])
    lp._solve_targets(m, np.array([0, 1]), lo, hi, 10.0, False, None)
    assert m.n_solves == 1


def test_solve_targets_an_unbounded_maximum_is_infinite() -> None:
    m = LPModel(
        sp.csc_matrix(np.array([[-1.0, -1.0]])), np.array([-np.inf]), np.array([-20.0]),
        np.zeros(2), "highs",
    )  # fmt: skip
    lo, hi = np.array([10.0, 10.0]), np.array([10.0, 10.0])
    c_lo, c_hi, _ = lp._solve_targets(m, np.array([0]), lo, hi, 1e9, False, None)
    assert c_lo[0] == pytest.approx(0) and c_hi[0] == np.inf


# attacker_intervals: the stages


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_true_point_leaves_one_lp_for_a_cell_it_half_proves(backend: str) -> None:
    """Point (15, 5), only x1 a target: its minimum 0 proves it (0 to 15), its maximum is never
    solved: the reported interval is the part proved, not exact."""
    iv = pair(20, targets=(True, False), width=10, points=[np.array([20, 15, 5.0])],
              backend=backend)  # fmt: skip
    assert (iv.lo[1], iv.hi[1], bool(iv.exact[1])) == (0, 15, False)
    assert np.isnan(iv.lo[[0, 2]]).all() and np.isnan(iv.hi[[0, 2]]).all()
    assert not iv.exact[[0, 2]].any()
    assert iv.n_lp == 1 and iv.n_lp_local == 0 and iv.n_components == 1
    assert iv.largest_component == 2 and iv.infeasible == [] and iv.deferred is None
    # from (5, 15) the minimum proves too little (0 to 5): the maximum is solved as well
    iv = pair(20, targets=(True, False), width=10, points=[np.array([20, 5, 15.0])],
              backend=backend)  # fmt: skip
    assert (iv.lo[1], iv.hi[1], bool(iv.exact[1])) == (0, 20, True) and iv.n_lp == 2
    # exact: both ends whatever the point proves
    iv = pair(20, targets=(True, False), width=10, points=[np.array([20, 15, 5.0])],
              exact=True, backend=backend)  # fmt: skip
    assert (iv.lo[1], iv.hi[1], bool(iv.exact[1])) == (0, 20, True) and iv.n_lp == 2


@pytest.mark.parametrize("backend", BACKENDS)
def test_without_a_point_the_component_is_explored_first(backend: str) -> None:
    """No point: ``n_explore`` random-objective LPs (at least one), then, exact, min and max of
    both targets: 4 + 4 LPs, and 1 + 4 with ``n_explore`` 0 or 1."""
    for n_explore, n_lp in ((4, 8), (1, 5), (0, 5)):
        iv = pair(20, width=10, exact=True, n_explore=n_explore, backend=backend)
        np.testing.assert_allclose(iv.lo[1:], [0, 0], atol=1e-9)
        np.testing.assert_allclose(iv.hi[1:], [20, 20], atol=1e-9)
        assert iv.exact[1:].all() and iv.n_lp == n_lp


def test_without_a_point_the_explored_vertices_prove_or_the_lps_decide() -> None:
    """Whatever vertices the exploration finds, a pass is proved by points of the polyhedron
    (inside [0, 20], at least 10 apart) and a narrow pair is solved exactly."""
    for seed_cell in range(4):
        iv = pair(20, width=10, n_explore=4 + seed_cell)
        assert (iv.lo[1:] >= -1e-9).all() and (iv.hi[1:] <= 20 + 1e-9).all()
        assert (iv.hi[1:] - iv.lo[1:] >= 10 - 1e-6).all()
    iv = pair(8, width=10)
    np.testing.assert_allclose(iv.lo[1:], [0, 0], atol=1e-9)
    np.testing.assert_allclose(iv.hi[1:], [8, 8], atol=1e-9)
    assert iv.exact[1:].all()


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_infeasible_component_is_reported_and_left_unsolved(backend: str) -> None:
    """``t = x1 + x2 = 20`` and ``s = x1 + x2 = 30``: no point; without a point the first
    exploring LP finds that out."""
    iv = attacker_intervals(
        csr([[1, 0, -1, -1], [0, 1, -1, -1]], 4), csr([], 4),
        np.array([False, False, True, True]), np.array([20.0, 30.0, np.nan, np.nan]),
        np.array([False, False, True, True]), np.zeros(4), width=10, backend=backend,
    )  # fmt: skip
    assert len(iv.infeasible) == 1 and iv.infeasible[0].tolist() == [2, 3]
    assert np.isnan(iv.lo).all() and np.isnan(iv.hi).all() and not iv.exact.any()
    assert iv.n_lp == 1 and iv.n_components == 1


def test_lower_bounds_of_hidden_cells_enter_the_lp() -> None:
    lower = np.array([0.0, 3.0, 4.0])
    iv = pair(20, width=10, exact=True, lower=lower, points=[np.array([20, 8, 12.0])])
    np.testing.assert_allclose(iv.lo[1:], [3, 4], atol=1e-9)
    np.testing.assert_allclose(iv.hi[1:], [16, 17], atol=1e-9)


def test_no_hidden_cell_no_lp_and_a_bad_backend_is_refused() -> None:
    iv = attacker_intervals(
        csr([[1, -1, -1]], 3), csr([], 3), np.zeros(3, bool), np.array([20.0, 15, 5]),
        np.zeros(3, bool), np.zeros(3), width=10,
    )  # fmt: skip
    assert np.isnan(iv.lo).all() and np.isnan(iv.hi).all() and iv.exact.tolist() == [0, 0, 0]
    assert iv.n_components == 0 and iv.n_lp == 0
    with pytest.raises(
        ValueError, match=r"^backend must be one of \('highs', 'linprog'\), not 'glpk'$"
    ):
        pair(20, width=10, backend="glpk")


def two_components() -> dict:
    """Cells t, x1, x2 | u, y1, y2, y3 | z: ``t = x1 + x2`` (20), ``u = y1 + y2 + y3`` (30),
    and z hidden in no relation."""
    return dict(
        a_eq=csr([[1, -1, -1, 0, 0, 0, 0, 0], [0, 0, 0, 1, -1, -1, -1, 0]], 8),
        a_ub=csr([], 8),
        hidden=np.array([False, True, True, False, True, True, True, True]),
        known=np.array([20.0, np.nan, np.nan, 30.0, np.nan, np.nan, np.nan, np.nan]),
        lower=np.array([0, 0, 0, 0, 0, 0, 0, 7.0]),
    )


@pytest.mark.parametrize("backend", BACKENDS)
def test_components_are_solved_each_on_their_own(backend: str) -> None:
    c = two_components()
    args = (c["a_eq"], c["a_ub"], c["hidden"], c["known"], c["hidden"], c["lower"])
    iv = attacker_intervals(*args, width=10, exact=True, backend=backend,
                            points=[np.array([20, 15, 5, 30, 10, 10, 10, 9.0])])  # fmt: skip
    np.testing.assert_allclose(iv.lo[[1, 2, 4, 5, 6, 7]], [0, 0, 0, 0, 0, 7], atol=1e-9)
    np.testing.assert_allclose(iv.hi[[1, 2, 4, 5, 6]], [20, 20, 30, 30, 30], atol=1e-9)
    assert iv.hi[7] == np.inf  # z: in no relation, [lower, inf)
    assert iv.exact[[1, 2, 4, 5, 6, 7]].all() and not iv.exact[[0, 3]].any()
    assert iv.n_components == 3 and iv.largest_component == 3
    assert iv.n_lp == 4 + 6  # min and max of each target, per component
    # only_cells: the components holding y2 only
    iv = attacker_intervals(*args, width=10, exact=True, only_cells=np.array([5]),
                            points=[np.array([20, 15, 5, 30, 10, 10, 10, 9.0])])  # fmt: skip
    assert iv.n_components == 1 and iv.largest_component == 3 and iv.n_lp == 6
    assert np.isnan(iv.lo[[1, 2, 7]]).all() and not np.isnan(iv.lo[[4, 5, 6]]).any()
    # only the targets are reported: x1 of the first, y1 of the second component
    targets = np.zeros(8, bool)
    targets[[1, 4]] = True
    iv = attacker_intervals(*args[:4], targets, c["lower"], width=10, exact=True,
                            points=[np.array([20, 15, 5, 30, 10, 10, 10, 9.0])])  # fmt: skip
    assert iv.n_components == 2 and iv.largest_component == 3 and iv.n_lp == 2 + 2
    assert np.flatnonzero(~np.isnan(iv.lo)).tolist() == [1, 4]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_failing_cell_names_the_cells_of_its_binding_relation(backend: str) -> None:
    """``t = x1 + x2 = 8``: both fail; the relation binds at each maximum, and the repair is
    told every cell it holds (t too, though published). A passing cell names nothing."""
    iv = pair(8, width=10, want_binding=True, points=[np.array([8, 4, 4.0])], backend=backend)
    np.testing.assert_allclose(iv.hi[1:] - iv.lo[1:], [8, 8], atol=1e-9)
    # one joint round (2 LPs: whatever the signs, it cannot make 8 wide enough, so it is the
    # last), then min and max of each: 6 LPs
    assert iv.n_lp == 6
    assert iv.binding == {1: {0, 1, 2}, 2: {0, 1, 2}}
    assert pair(8, width=10, points=[np.array([8, 4, 4.0])]).binding == {}
    iv = pair(20, width=10, want_binding=True, exact=True, points=[np.array([20, 10, 10.0])])
    assert iv.binding == {}


def blocks_system(w1: float) -> dict:
    """Cells w1, b11, b12, w2, b21, b22 (w published): ``w1 = b11 + b12``, ``w2 = b21 + b22``
    (30), and ``b11 <= b21``, which joins them in one component. Block 0: b11, b12; block 1:
    b21, b22 (the wijk totals, published, in none)."""
    return dict(
        a_eq=csr([[1, -1, -1, 0, 0, 0], [0, 0, 0, 1, -1, -1]], 6),
        a_ub=csr([[0, 1, 0, 0, -1, 0]], 6),
        hidden=np.array([False, True, True, False, True, True]),
        known=np.array([w1, np.nan, np.nan, 30.0, np.nan, np.nan]),
        lower=np.zeros(6),
        blocks=np.array([-1, 0, 0, -1, 1, 1]),
    )


def run_blocks(w1: float, point: list[float], **kw) -> lp.Intervals:
    s = blocks_system(w1)
    return attacker_intervals(
        s["a_eq"], s["a_ub"], s["hidden"], s["known"], s["hidden"], s["lower"],
        width=10, points=[np.array(point)], joint_rounds=0, **kw,
    )  # fmt: skip


@pytest.mark.parametrize("backend", BACKENDS)
def test_restricted_block_lps_prove_passes_with_the_other_cells_fixed(backend: str) -> None:
    """Point (b11, b12, b21, b22) = (20, 10, 25, 5). Block 0 with b21 fixed at 25: minimising
    b11 gives (0, 30), which proves both (b11 0 to 20, b12 10 to 30): 1 LP. Block 1 with b11
    fixed at 20 (b21 >= 20): min b21 = 20 proves neither (b21 20 to 25, b22 5 to 10), max
    b21 = 30 proves both (b21 20 to 30, b22 0 to 10): 2 LPs. No full LP."""
    point = [30, 20, 10, 30, 25, 5.0]
    s = blocks_system(30)
    iv = run_blocks(30, point, inner_blocks=s["blocks"], local_single=True, backend=backend)
    np.testing.assert_allclose(iv.lo[[1, 2, 4, 5]], [0, 10, 20, 0], atol=1e-9)
    np.testing.assert_allclose(iv.hi[[1, 2, 4, 5]], [20, 30, 30, 10], atol=1e-9)
    assert not iv.exact.any() and iv.n_lp_local == 3 and iv.n_lp == 0
    # without local_single the restricted LPs are not solved: the full LP decides
    iv = run_blocks(30, point, inner_blocks=s["blocks"], backend=backend)
    assert iv.n_lp_local == 0 and iv.n_lp > 0
    assert (iv.hi[[1, 2, 4, 5]] - iv.lo[[1, 2, 4, 5]] >= 10 - 1e-6).all()
    # exact: no certificate stage, every end solved on the full LP
    iv = run_blocks(30, point, inner_blocks=s["blocks"], local_single=True, exact=True)
    assert iv.n_lp_local == 0 and iv.n_lp == 8 and iv.exact[[1, 2, 4, 5]].all()
    np.testing.assert_allclose(iv.lo[[1, 2, 4, 5]], [0, 0, 0, 0], atol=1e-9)
    np.testing.assert_allclose(iv.hi[[1, 2, 4, 5]], [30, 30, 30, 30], atol=1e-9)


@pytest.mark.parametrize("backend", BACKENDS)
def test_relaxed_block_lps_prove_failures(backend: str) -> None:
    """w1 = 8: block 0 alone (``b11 <= b21`` leaves it and is dropped) has b11, b12 in [0, 8]:
    both fail for certain, 4 LPs; block 1 alone is [0, 30]: 4 LPs, no failure. Then the full LP
    for b21, b22 from the point (3, 5, 20, 10): minimising b21 gives (0, 8, 0, 30), which
    proves both (b21 0 to 20, b22 10 to 30): 1 LP."""
    point = [8, 3, 5, 30, 20, 10.0]
    s = blocks_system(8)
    iv = run_blocks(8, point, blocks=s["blocks"], local_fail=True, want_binding=True,
                    backend=backend)  # fmt: skip
    np.testing.assert_allclose(iv.lo[[1, 2, 4, 5]], [0, 0, 0, 10], atol=1e-9)
    np.testing.assert_allclose(iv.hi[[1, 2, 4, 5]], [8, 8, 20, 30], atol=1e-9)
    assert not iv.exact.any()  # a relaxation's interval only contains the true one
    assert iv.n_lp_local == 8 and iv.n_lp == 1 and iv.deferred is None
    assert iv.binding == {1: {0, 1, 2}, 2: {0, 1, 2}}
    # without want_binding nothing is recorded
    assert run_blocks(8, point, blocks=s["blocks"], local_fail=True).binding == {}
    # without local_fail the blocks are not used: the full LP proves the failures
    iv = run_blocks(8, point, blocks=s["blocks"], backend=backend)
    assert iv.n_lp_local == 0 and iv.exact[[1, 2]].all()
    np.testing.assert_allclose(iv.hi[[1, 2]] - iv.lo[[1, 2]], [8, 8], atol=1e-9)


@pytest.mark.parametrize("backend", BACKENDS)
def test_defer_leaves_the_open_cells_of_a_failing_component(backend: str) -> None:
    point = [8, 3, 5, 30, 20, 10.0]
    s = blocks_system(8)
    iv = run_blocks(8, point, blocks=s["blocks"], local_fail=True, defer=True, backend=backend)
    assert iv.deferred is not None and iv.deferred.tolist() == [0, 0, 0, 0, 1, 1]
    assert iv.n_lp == 0 and iv.n_lp_local == 8
    # the deferred cells keep what the point shows; the failures stay reported
    np.testing.assert_allclose(iv.lo[[1, 2, 4, 5]], [0, 0, 20, 10], atol=1e-9)
    np.testing.assert_allclose(iv.hi[[1, 2, 4, 5]], [8, 8, 20, 10], atol=1e-9)
    # defer without local_fail does nothing
    iv = run_blocks(8, point, blocks=s["blocks"], defer=True, backend=backend)
    assert iv.deferred is None and iv.exact[[1, 2]].all()
    # no failure in the component: nothing deferred, the full LP runs
    iv = run_blocks(30, [30, 20, 10, 30, 25, 5.0], blocks=s["blocks"], local_fail=True,
                    defer=True, backend=backend)  # fmt: skip
    assert iv.deferred is None and iv.n_lp >= 1 and iv.n_lp_local == 8
    assert (iv.hi[[1, 2, 4, 5]] - iv.lo[[1, 2, 4, 5]] >= 10 - 1e-6).all()


@pytest.mark.parametrize("backend", BACKENDS)
def test_local_only_never_builds_the_full_lp(backend: str) -> None:
    """``local_only``, the pruning pass's probe: w1 = b11 + b12 = 30, w2 = b21 + b22 = 5 and
    ``b11 <= b21`` across the blocks. Block 1's relaxed LP proves b21 and b22 failing (each in
    [0, 5]); b11 and b12 are wide in their block (0 to 30) and narrow only over the whole
    (b11 in [0, 5], b12 in [25, 30]), which takes the full LP: left unresolved, not failing."""
    a_eq = csr([[1, -1, -1, 0, 0, 0], [0, 0, 0, 1, -1, -1]], 6)
    a_ub = csr([[0, 1, 0, 0, -1, 0]], 6)
    hidden = np.array([False, True, True, False, True, True])
    known = np.array([30, np.nan, np.nan, 5, np.nan, np.nan])
    point = np.array([30, 3, 27, 5, 4, 1.0])

    def run(**kw) -> lp.Intervals:
        return attacker_intervals(
            a_eq, a_ub, hidden, known, hidden, np.zeros(6), width=10, points=[point],
            blocks=np.array([-1, 0, 0, -1, 1, 1]), local_fail=True, backend=backend, **kw,
        )  # fmt: skip

    probe = run(local_only=True)
    assert probe.n_lp == 0 and probe.deferred is not None
    assert probe.deferred.tolist() == [0, 1, 1, 0, 0, 0]
    np.testing.assert_allclose(probe.width[[4, 5]], [5, 5], atol=1e-9)
    full = run()
    assert full.n_lp > 0 and full.deferred is None
    np.testing.assert_allclose(full.lo[[1, 2, 4, 5]], [0, 25, 0, 0], atol=1e-9)
    np.testing.assert_allclose(full.hi[[1, 2, 4, 5]], [5, 30, 5, 5], atol=1e-9)


@pytest.mark.parametrize("defer", [False, True])
def test_joint_rounds_on_the_full_lp(defer: bool) -> None:
    """Three cells each at most 20 (``x_i <= c`` with c published) and ``x1 + x2 + x3 <= 60``
    (never binding, but one component): one joint round (2 LPs) proves all three from a
    point at 5; with ``defer`` (and no failure) the joint round comes after the relaxed
    block LPs, which prove nothing here (no row lies inside a block)."""
    a_ub = csr(
        [[-1, 1, 0, 0], [-1, 0, 1, 0], [-1, 0, 0, 1], [-3, 1, 1, 1]], 4
    )  # x_i <= c, sum <= 3c
    hidden = np.array([False, True, True, True])
    iv = attacker_intervals(
        csr([], 4), a_ub, hidden, np.array([20.0, np.nan, np.nan, np.nan]), hidden, np.zeros(4),
        width=10, points=[np.array([20, 5, 5, 5.0])], blocks=np.array([-1, 0, 1, 2]),
        local_fail=defer, defer=defer,
    )  # fmt: skip
    np.testing.assert_allclose(iv.lo[1:], [0, 0, 0], atol=1e-9)
    np.testing.assert_allclose(iv.hi[1:], [20, 20, 20], atol=1e-9)
    assert iv.n_lp == 2 and not iv.exact.any()
    assert iv.n_lp_local == (6 if defer else 0)  # min and max of each in its own block


def test_the_joint_rounds_vertices_are_kept_when_asked() -> None:
    """``keep_points``: the two vertices of the one joint round above, per component, each a
    feasible point (every relation held) and together spanning every cell."""
    a_ub = csr([[-1, 1, 0, 0], [-1, 0, 1, 0], [-1, 0, 0, 1], [-3, 1, 1, 1]], 4)
    hidden = np.array([False, True, True, True])
    args = (csr([], 4), a_ub, hidden, np.array([20.0, np.nan, np.nan, np.nan]), hidden)
    kw = {"width": 10, "points": [np.array([20, 5, 5, 5.0])]}
    assert attacker_intervals(*args, np.zeros(4), **kw).points == []
    iv = attacker_intervals(*args, np.zeros(4), **kw, keep_points=True)
    [(cells, vertices)] = iv.points
    assert cells.tolist() == [1, 2, 3] and vertices.shape == (2, 3)
    assert (vertices >= -1e-9).all()
    assert (a_ub @ np.column_stack([np.full(2, 20.0), vertices]).T <= 1e-9).all()
    np.testing.assert_allclose(np.ptp(vertices, axis=0), [20, 20, 20], atol=1e-9)


def pairs_table(n: int = 30) -> tuple[sp.csr_matrix, sp.csr_matrix, np.ndarray, np.ndarray]:
    """Cells ``t_i, x_i, y_i`` per pair, ``t_i = x_i + y_i`` with ``t_i`` published, and the
    ``x_i`` together at most their published sum ``s`` (the last cell): one component of
    ``2 n`` hidden cells. Returns (a_eq, a_ub, hidden, the true table)."""
    size = 3 * n + 1
    a_eq = sp.lil_matrix((n, size))
    a_ub = sp.lil_matrix((1, size))
    truth = np.zeros(size)
    for i in range(n):
        a_eq[i, 3 * i], a_eq[i, 3 * i + 1], a_eq[i, 3 * i + 2] = 1.0, -1.0, -1.0
        a_ub[0, 3 * i + 1] = 1.0
        truth[3 * i : 3 * i + 3] = [10.0 + i, 4.0 + (i % 5), 6.0 + i - (i % 5)]
    a_ub[0, size - 1] = -1.0
    truth[-1] = truth[1 : 3 * n : 3].sum() + 7.0
    hidden = np.zeros(size, dtype=bool)
    hidden[1 : 3 * n : 3] = hidden[2 : 3 * n : 3] = True
    return a_eq.tocsr(), a_ub.tocsr(), hidden, truth


@pytest.mark.parametrize("exact", [True, False])
def test_full_lps_started_at_the_point_give_the_same_intervals(
    exact: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``start_at_point``: the component's full LP starts from the point (once), and every
    interval and pass is what the cold start gives."""
    a_eq, a_ub, hidden, truth = pairs_table()
    starts: list[int] = []
    started_at = LPModel.start_at

    def counted(model: LPModel, point: np.ndarray) -> bool:
        starts.append(model.n)
        return started_at(model, point)

    monkeypatch.setattr(LPModel, "start_at", counted)
    args = (a_eq, a_ub, hidden, np.where(hidden, np.nan, truth), hidden, np.zeros(truth.size))
    kw = {"width": 5.0, "points": [truth], "exact": exact}
    cold = attacker_intervals(*args, **kw)
    assert starts == []
    warm = attacker_intervals(*args, **kw, start_at_point=True)
    assert starts == [60]
    np.testing.assert_allclose(warm.lo[hidden], cold.lo[hidden], atol=1e-9)
    np.testing.assert_allclose(warm.hi[hidden], cold.hi[hidden], atol=1e-9)
    assert (warm.hi - warm.lo >= 5.0 - 1e-9)[hidden].tolist() == (cold.hi - cold.lo >= 5.0 - 1e-9)[
        hidden
    ].tolist()
    assert warm.exact[hidden].all() == exact and cold.n_lp > 0


def test_values_seen_at_known_points_prove_without_an_lp() -> None:
    """``seen`` spans x1 from 0 to 20: proved without an LP (from the true point alone its
    minimum is solved), the reported interval the part proved; a span short of the width
    proves nothing."""
    point = [np.array([20, 15, 5.0])]
    seen = (np.array([np.inf, 0, np.inf]), np.array([-np.inf, 20, -np.inf]))
    iv = pair(20, targets=(True, False), width=10, points=point, seen=seen)
    assert (iv.lo[1], iv.hi[1], bool(iv.exact[1])) == (0, 20, False) and iv.n_lp == 0
    assert pair(20, targets=(True, False), width=10, points=point).n_lp == 1
    seen = (np.array([np.inf, 14, np.inf]), np.array([-np.inf, 20, -np.inf]))
    iv = pair(20, targets=(True, False), width=10, points=point, seen=seen)
    assert (iv.lo[1], iv.hi[1]) == (0, 20) and iv.n_lp == 1


def test_worker_processes_share_the_components(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two components of different sizes over two worker processes (the threshold lowered so
    that tiny components go there): the same intervals and LP counts, each in its place."""
    c = two_components()
    args = (c["a_eq"], c["a_ub"], c["hidden"], c["known"], c["hidden"], c["lower"])
    kw = dict(width=10, exact=True, points=[np.array([20, 15, 5, 30, 10, 10, 10, 9.0])])
    one = attacker_intervals(*args, **kw, workers=1)
    monkeypatch.setattr(lp, "PARALLEL_MIN_CELLS", 0)
    two = attacker_intervals(*args, **kw, workers=2)
    np.testing.assert_array_equal(one.lo, two.lo)
    np.testing.assert_array_equal(one.hi, two.hi)
    np.testing.assert_array_equal(one.exact, two.exact)
    assert (two.n_lp, two.n_components) == (one.n_lp, one.n_components) == (10, 3)
    np.testing.assert_allclose(two.hi[[1, 2, 4, 5, 6]], [20, 20, 30, 30, 30], atol=1e-9)


def test_default_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONITOR_DISCLOSURE_WORKERS", "3")
    assert lp.default_workers() == 3
    monkeypatch.delenv("MONITOR_DISCLOSURE_WORKERS")
    for cpus, workers in ((8, 2), (2, 2), (1, 1), (None, 1)):
        monkeypatch.setattr(lp.os, "cpu_count", lambda cpus=cpus: cpus)
        assert lp.default_workers() == workers


def test_an_option_highs_rejects_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """A misspelt option or value would otherwise be ignored silently (presolve left on, the
    dual simplex, a log on stdout)."""
    monkeypatch.setattr(lp, "HIGHS_OPTIONS", {**lp.HIGHS_OPTIONS, "presolve": "Off"})
    with pytest.raises(RuntimeError, match=r"^HiGHS rejects the option presolve='Off'$"):
        pair_model()
    monkeypatch.setattr(lp, "HIGHS_OPTIONS", {"simplex_strategies": 4})
    with pytest.raises(RuntimeError, match="simplex_strategies=4"):
        pair_model()


def test_joint_round_signs_differ_between_targets() -> None:
    """On the pair, ``x1 + x2`` is 20 everywhere: a round with equal signs has a constant
    objective and leaves the point where it is; only a round whose signs differ reaches both
    vertices, (0, 20) and (20, 0). The signs are random, so over a few seeds some rounds do
    that and others do not; each stops after one round (it proves both, or it gains nothing
    more with the next)."""
    both_vertices = 0
    for seed in range(8):
        m = pair_model()
        lo, hi = np.array([2.0, 18.0]), np.array([2.0, 18.0])
        lp._joint_rounds(m, np.arange(2), lo, hi, 10.0, 12, seed=seed)
        assert m.n_solves == 2
        both_vertices += bool(np.allclose(lo, 0) and np.allclose(hi, 20))
    assert 0 < both_vertices < 8


def box_blocks(n_per_block: int = 2) -> dict:
    """Two blocks of cells each at most c (published, 20), tied by one relation that never
    binds (their sum at most 4c): every objective of nonzero weights has one optimal vertex."""
    n = 2 * n_per_block
    rows = [[-1.0] + [1.0 if j == i else 0.0 for j in range(n)] for i in range(n)]
    rows.append([-4.0] + [1.0] * n)
    hidden = np.array([False] + [True] * n)
    return dict(
        a_eq=csr([], n + 1),
        a_ub=csr(rows, n + 1),
        hidden=hidden,
        known=np.array([20.0] + [np.nan] * n),
        lower=np.zeros(n + 1),
        blocks=np.array([-1] + [0] * n_per_block + [1] * n_per_block),
    )


@pytest.mark.parametrize("backend", BACKENDS)
def test_joint_rounds_in_the_restricted_block_lps(backend: str) -> None:
    """Inner blocks with joint rounds: one round per block (2 LPs) proves both of its cells
    (0 to 20), no full LP; without joint rounds and single LPs the block stage does nothing."""
    s = box_blocks()
    args = (s["a_eq"], s["a_ub"], s["hidden"], s["known"], s["hidden"], s["lower"])
    point = [np.array([20, 5, 5, 5, 5.0])]
    iv = attacker_intervals(*args, width=10, points=point, inner_blocks=s["blocks"],
                            backend=backend)  # fmt: skip
    assert iv.n_lp_local == 4 and iv.n_lp == 0 and not iv.exact.any()
    np.testing.assert_allclose(iv.lo[1:], 0, atol=1e-9)
    np.testing.assert_allclose(iv.hi[1:], 20, atol=1e-9)
    iv = attacker_intervals(*args, width=10, points=point, inner_blocks=s["blocks"],
                            joint_rounds=0, backend=backend)  # fmt: skip
    assert iv.n_lp_local == 0 and iv.n_lp > 0 and iv.exact[1:].all()


@pytest.mark.parametrize("backend", BACKENDS)
def test_restricted_block_lps_without_a_point_fix_the_explored_mean(backend: str) -> None:
    """No point: the other cells are fixed at the mean of the explored vertices (here one),
    itself a point of the polyhedron, so every interval the block LPs prove lies inside the
    true one."""
    s = blocks_system(30)
    iv = attacker_intervals(
        s["a_eq"], s["a_ub"], s["hidden"], s["known"], s["hidden"], s["lower"], width=10,
        inner_blocks=s["blocks"], local_single=True, joint_rounds=0, n_explore=1,
        backend=backend,
    )  # fmt: skip
    assert iv.n_lp_local >= 1
    cells = [1, 2, 4, 5]
    assert (iv.lo[cells] >= -1e-9).all() and (iv.hi[cells] <= 30 + 1e-9).all()
    assert (iv.hi[cells] - iv.lo[cells] >= 10 - 1e-6).all()


@pytest.mark.parametrize("n", [1, 2, 3])
def test_joint_rounds_after_the_relaxed_block_lps_need_two_targets(n: int) -> None:
    """With ``defer`` and no failure the joint round runs after the relaxed block LPs, for two
    or more open targets; a single target gets its own exact LPs instead."""
    rows = [[-1.0] + [1.0 if j == i else 0.0 for j in range(n)] for i in range(n)]
    rows.append([-float(n)] + [1.0] * n)
    hidden = np.array([False] + [True] * n)
    iv = attacker_intervals(
        csr([], n + 1), csr(rows, n + 1), hidden, np.array([20.0] + [np.nan] * n), hidden,
        np.zeros(n + 1), width=10, points=[np.array([20.0] + [5.0] * n)],
        blocks=np.array([-1, *range(n)]), local_fail=True, defer=True,
    )  # fmt: skip
    np.testing.assert_allclose(iv.lo[1:], 0, atol=1e-9)
    np.testing.assert_allclose(iv.hi[1:], 20, atol=1e-9)
    assert iv.n_lp == 2 and iv.exact[1:].all() == (n == 1)


def test_explored_vertices_prove_without_further_lps() -> None:
    """Eight random objectives on the pair reach both of its vertices (for this seed), which
    proves x1 and x2 (0 to 20) with no LP beyond the exploration."""
    iv = pair(20, width=10, n_explore=8)
    np.testing.assert_allclose(iv.lo[1:], 0, atol=1e-9)
    np.testing.assert_allclose(iv.hi[1:], 20, atol=1e-9)
    assert iv.n_lp == 8 and not iv.exact.any()


def test_joint_rounds_go_on_while_a_round_proves_something() -> None:
    """3 <= x1 <= 20, 3 <= x2 <= 8: the first round proves x1 (one of two open targets, enough
    to go on), the second tries x2 alone and proves nothing (it spans 5): 4 LPs."""
    m = LPModel(
        sp.csc_matrix(np.eye(2)), np.full(2, -np.inf), np.array([20.0, 8.0]), np.full(2, 3.0),
        "highs",
    )  # fmt: skip
    lo, hi = np.array([5.0, 5.0]), np.array([5.0, 5.0])
    lp._joint_rounds(m, np.arange(2), lo, hi, 10.0, 12, seed=1)
    assert m.n_solves == 4
    np.testing.assert_allclose([lo, hi], [[3, 3], [20, 8]], atol=1e-9)


def test_one_target_in_a_block_is_left_to_the_full_lp() -> None:
    """Inner blocks of one cell each: a joint round needs two targets, so the block stage does
    nothing and one joint round on the full LP proves both (2 LPs)."""
    s = box_blocks(n_per_block=1)
    iv = attacker_intervals(
        s["a_eq"], s["a_ub"], s["hidden"], s["known"], s["hidden"], s["lower"], width=10,
        points=[np.array([20, 5, 5.0])], inner_blocks=s["blocks"],
    )  # fmt: skip
    assert iv.n_lp_local == 0 and iv.n_lp == 2
    np.testing.assert_allclose(iv.hi[1:] - iv.lo[1:], [20, 20], atol=1e-9)


def test_an_infeasible_block_makes_its_component_infeasible() -> None:
    """Block 0 holds ``b11 + b12 = 8`` and ``b11 + b12 = 5`` (two published totals that
    contradict each other): its relaxed LP is infeasible, so the component is, without a full
    LP."""
    s = blocks_system(8)
    a_eq = csr([[1, -1, -1, 0, 0, 0, 0], [0, 0, 0, 1, -1, -1, 0], [0, -1, -1, 0, 0, 0, 1]], 7)
    a_ub = csr([[0, 1, 0, 0, -1, 0, 0]], 7)
    hidden = np.append(s["hidden"], False)
    iv = attacker_intervals(
        a_eq, a_ub, hidden, np.append(s["known"], 5.0), hidden, np.zeros(7), width=10,
        points=[np.array([8, 3, 5, 30, 20, 10, 5.0])], blocks=np.append(s["blocks"], -1),
        local_fail=True, joint_rounds=0,
    )  # fmt: skip
    assert len(iv.infeasible) == 1 and iv.infeasible[0].tolist() == [1, 2, 4, 5]
    assert iv.n_lp == 0 and iv.n_lp_local == 1
    assert np.isnan(iv.lo).all() and not iv.exact.any()


def test_the_narrowest_targets_of_every_component_are_solved_exactly() -> None:
    """``narrowest=1``: per component, min and max of its target of least width (ties by cell)
    until that one is exact. The pair: x1 (a tie with x2). The triple: y2 and y3 at [0, 10]
    from the point and the LPs that proved them wide, each then [0, 30]; then y1, at width 20
    until it too is solved. z, in no relation, is exact anyway. The values are the exact
    ones; without ``narrowest`` only z is exact."""
    c = two_components()
    args = (c["a_eq"], c["a_ub"], c["hidden"], c["known"], c["hidden"], c["lower"])
    point = [np.array([20, 15, 5, 30, 10, 10, 10, 9.0])]
    exact = attacker_intervals(*args, width=10, points=point, exact=True)
    plain = attacker_intervals(*args, width=10, points=point)
    assert np.flatnonzero(plain.exact).tolist() == [7]
    iv = attacker_intervals(*args, width=10, points=point, narrowest=1)
    assert np.flatnonzero(iv.exact).tolist() == [1, 4, 5, 6, 7]
    for c_ in (1, 4, 5, 6, 7):
        assert (iv.lo[c_], iv.hi[c_]) == pytest.approx((exact.lo[c_], exact.hi[c_]))
    assert iv.width[2] >= 10  # x2: proved wide, not solved
    # narrowest_width 15: x1 and y1, 20 wide, are left out; y1 is widened by y2's and y3's
    # vertices all the same
    iv = attacker_intervals(*args, width=10, points=point, narrowest=1, narrowest_width=15)
    assert np.flatnonzero(iv.exact).tolist() == [5, 6, 7] and iv.width[4] == pytest.approx(30)
    assert np.flatnonzero(
        attacker_intervals(*args, width=10, points=point, narrowest=2).exact
    ).tolist() == [1, 2, 4, 5, 6, 7]
