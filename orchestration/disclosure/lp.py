"""The attacker's linear programme: the interval of every hidden cell, per connected component.

Published cells are constants; the hidden cells (suppressed cells and the gemeente
remainders) are the variables, with ``lower <= x`` (0, or ``min_median_n`` for a household
count whose median is published) and every relation of ``model.Table``. For a target cell
``j`` its interval is ``[min x_j, max x_j]`` over that polyhedron; it passes when
``max - min >= width``. Solver: HiGHS through SciPy, either HiGHS' own model object as SciPy
ships it (``backend="highs"``, the default: warm re-solves) or
``scipy.optimize.linprog(method="highs")`` (``backend="linprog"``: a cold solve per LP; the
tests check both give the same intervals).

Speed (a national quarter has ~180,000 suppressed counts; one LP of a large component costs
about a millisecond however little changes, so the number of LPs is what matters):

- **Components.** The polyhedron falls apart into connected components (cells linked by a
  relation holding at least two hidden cells: in practice one per gemeente, or per regio
  where a regio's hidden cells tie its gemeenten together); each is solved
  on its own, optionally spread over worker processes (``workers``).
- **Warm re-solves.** One HiGHS model per component, re-optimised with only the objective
  changed: the primal simplex starts from the previous optimal basis. The first LP of a
  component's full model starts from scratch, or, with ``start_at_point`` (the audit and the
  pruning pass), at a vertex HiGHS' crossover finds from a known feasible point (the true
  table; the audit's checked start point; ``LPModel.start_at``).
- **Certificates.** Every LP optimum is a feasible point, and so is the true table on the
  protecting side: a cell whose values over the feasible points seen differ by at least
  ``width`` passes without an LP of its own (its reported interval is then the part proved,
  ``exact`` False); so does one that the values ``seen`` at points found before span (the
  pruning pass keeps the joint rounds' vertices, ``keep_points``, from one check to the next).
  ``exact=True`` solves min and max of every target anyway. The stages:

  1. *restricted block LPs*: the buurten of one wijk, every other hidden cell fixed at a
     feasible point ``p`` (the true table, or the mean of a few random-objective vertices):
     tiny LPs whose solutions are feasible points of the whole;
  2. *joint rounds*: minimise ``sum(s * x)`` over all open targets with random signs ``s``,
     then ``sum(-s * x)``: one LP pushes hundreds of cells to opposite extremes;
  3. *relaxed block LPs* (``local_fail``, protecting side only): the block's LP with every
     relation that leaves the block dropped contains the true polyhedron's projection, so a
     cell narrower than ``width`` there fails for certain (no full LP needed to know);
  4. *single-cell LPs* on the component for what is left: exact min and max;
  5. with ``narrowest`` (the audit's report), exact min and max of the narrowest targets.

A cell is reported failing only by an exact LP (stages 4 and 5) or by a relaxation (stage 3),
so a failure is always real; a pass is always proved by two feasible points.

With ``defer`` (the protecting side's repair rounds), stage 3 runs before stage 2, and in a
component where it proves a cell failing the targets still open are left unresolved
(``Intervals.deferred``): complements are added first, and the component's full LP (one
per gemeente or regio once a period spans several quarters: tens of seconds to build and
solve) runs only in a round where nothing else is left to repair. With ``local_only`` the
full LP never runs (stages 1 and 3 only): the pruning pass's probe for a failure near the
cell it releases.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog
from scipy.sparse.csgraph import connected_components

from orchestration.settings import disclosure_workers

try:  # HiGHS' model object as SciPy vendors it (warm starts); linprog is the fallback.
    from scipy.optimize._highspy import _core as _highs
except ImportError:  # pragma: no cover - depends on the SciPy build
    _highs = None

TOL = 1e-6
BIG = 1e7
"""Upper bound on every hidden cell inside the solver (no count comes near it): keeps the
exploration objectives bounded. A maximum at or above BIG / 2 is reported as infinite."""
BACKENDS = ("highs", "linprog")
HIGHS_OPTIONS = {
    "output_flag": False,
    "presolve": "off",
    "threads": 1,
    "simplex_strategy": 4,  # primal: a new objective keeps the basis feasible
}
"""Options of every HiGHS model (an option HiGHS does not know is an error, not ignored)."""
JOINT_MIN_GAIN = 0.05
"""A joint round that proves fewer than this share of the open targets ends the joint stage."""


@dataclass
class Intervals:
    """Result per cell of the table (NaN where not a target or not solved)."""

    lo: np.ndarray
    hi: np.ndarray
    exact: np.ndarray
    """True where [lo, hi] is the LP optimum; False: only [lo, hi] inside it is proved."""
    n_components: int = 0
    n_lp: int = 0
    n_lp_local: int = 0
    largest_component: int = 0
    binding: dict[int, set[int]] = field(default_factory=dict)
    """Failing target cell -> every cell of the relations binding at its min or max."""
    infeasible: list[np.ndarray] = field(default_factory=list)
    """Cells of components with no feasible point (the published table contradicts itself)."""
    deferred: np.ndarray | None = None
    """Targets left unresolved (``defer``): neither proved wide enough nor proved failing,
    because their component had other cells proved failing."""
    points: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    """With ``keep_points``: per component, (its cells, the vertices its joint rounds found on
    the full LP, one row each). Every row with the true table elsewhere is a feasible point."""

    @property
    def width(self) -> np.ndarray:
        return self.hi - self.lo


class LPModel:
    """One LP ``row_lo <= a @ x <= row_hi, col_lo <= x <= BIG``, re-optimised per objective."""

    def __init__(
        self,
        a: sp.csc_matrix,
        row_lo: np.ndarray,
        row_hi: np.ndarray,
        col_lo: np.ndarray,
        backend: str,
    ) -> None:
        self.a = a.tocsc()
        self.row_lo, self.row_hi, self.col_lo = row_lo, row_hi, col_lo
        self.n = a.shape[1]
        self.backend = backend if _highs is not None else "linprog"
        self.current: int | None = None
        self.n_solves = 0
        if self.backend == "highs":
            lp = _highs.HighsLp()
            lp.num_col_ = self.n
            lp.num_row_ = a.shape[0]
            lp.col_cost_ = np.zeros(self.n)
            lp.col_lower_ = col_lo.astype(np.float64)
            lp.col_upper_ = np.full(self.n, BIG)
            lp.row_lower_ = np.where(np.isfinite(row_lo), row_lo, -_highs.kHighsInf)
            lp.row_upper_ = np.where(np.isfinite(row_hi), row_hi, _highs.kHighsInf)
            lp.a_matrix_.format_ = _highs.MatrixFormat.kColwise
            lp.a_matrix_.start_ = self.a.indptr.astype(np.int32)
            lp.a_matrix_.index_ = self.a.indices.astype(np.int32)
            lp.a_matrix_.value_ = self.a.data.astype(np.float64)
            h = _highs._Highs()
            for name, value in HIGHS_OPTIONS.items():
                if h.setOptionValue(name, value) != _highs.HighsStatus.kOk:
                    raise RuntimeError(f"HiGHS rejects the option {name}={value!r}")
            h.passModel(lp)
            self.h = h

    def start_at(self, point: np.ndarray) -> bool:
        """Start the simplex at a vertex found from ``point``, a known feasible point (HiGHS'
        crossover), instead of searching for a first feasible basis from scratch. Only where
        the first LP starts changes, not what any LP solves: on the demo's largest component
        (12,883 cells) the first LP took 2.5 s cold and 0.1 s from the true table. Returns
        False, and the model starts cold, when the point gives no valid basis or the backend
        keeps no basis (``linprog``)."""
        if self.backend != "highs":
            return False
        # HiGHS' crossover needs the solver set up by a run first (without one it crashes on
        # some models): a run stopped before its first iteration costs next to nothing
        _, limit = self.h.getOptionValue("simplex_iteration_limit")
        self.h.setOptionValue("simplex_iteration_limit", 0)
        self.h.run()
        self.h.setOptionValue("simplex_iteration_limit", limit)
        sol = _highs.HighsSolution()
        sol.col_value = point
        sol.row_value = self.a @ point
        sol.value_valid = True
        sol.col_dual = np.zeros(self.n)
        sol.row_dual = np.zeros(self.a.shape[0])
        sol.dual_valid = True
        if self.h.crossover(sol) == _highs.HighsStatus.kOk and self.h.getBasis().valid:
            return True
        self.h.clearSolver()
        return False

    def optimize(
        self, j: int, sign: float
    ) -> tuple[str, float, np.ndarray | None, np.ndarray | None]:
        """Minimise ``sign * x_j``: (status, optimum of x_j, point, row duals)."""
        self.n_solves += 1
        if self.backend != "highs":
            c = np.zeros(self.n)
            c[j] = sign
            return self._linprog(c, j)
        idx = [j] if self.current is None or self.current == j else [self.current, j]
        vals = [sign] if len(idx) == 1 else [0.0, sign]
        self.h.changeColsCost(len(idx), np.array(idx, dtype=np.int32), np.array(vals))
        self.current = j
        self.h.run()
        status = self.h.getModelStatus()
        if status == _highs.HighsModelStatus.kOptimal:
            sol = self.h.getSolution()
            x = np.asarray(sol.col_value)
            value = float(x[j]) if x[j] < BIG / 2 else np.inf
            return "optimal", value, x, np.asarray(sol.row_dual)
        if status in (
            _highs.HighsModelStatus.kUnbounded,
            _highs.HighsModelStatus.kUnboundedOrInfeasible,
        ):
            return "unbounded", -sign * np.inf, None, None  # (cannot happen with the BIG bound)
        if status == _highs.HighsModelStatus.kInfeasible:
            return "infeasible", np.nan, None, None
        c = np.zeros(self.n)  # numerical trouble on a warm start: a cold solve decides
        c[j] = sign
        return self._linprog(c, j)

    def explore(self, weights: np.ndarray) -> np.ndarray | None:
        """A vertex minimising ``weights @ x`` (None when infeasible)."""
        self.n_solves += 1
        if self.backend != "highs":
            status, _, x, _ = self._linprog(weights, 0)
            return x if status == "optimal" else None
        cols = np.arange(self.n, dtype=np.int32)
        self.h.changeColsCost(self.n, cols, weights.astype(np.float64))
        self.h.run()
        ok = self.h.getModelStatus() == _highs.HighsModelStatus.kOptimal
        x = np.asarray(self.h.getSolution().col_value) if ok else None
        self.h.changeColsCost(self.n, cols, np.zeros(self.n))
        self.current = None
        return x

    def optimize_sum(self, idx: np.ndarray, sign: float | np.ndarray) -> np.ndarray | None:
        """A vertex minimising ``sum(sign * x[idx])`` (None when infeasible)."""
        if self.backend != "highs":
            c = np.zeros(self.n)
            c[idx] = sign
            self.n_solves += 1
            status, _, x, _ = self._linprog(c, int(idx[0]))
            return x if status == "optimal" else None
        self.n_solves += 1
        if self.current is not None:
            self.h.changeColsCost(1, np.array([self.current], dtype=np.int32), np.zeros(1))
            self.current = None
        idx32 = idx.astype(np.int32)
        self.h.changeColsCost(
            idx.size, idx32, np.broadcast_to(np.asarray(sign, dtype=np.float64), idx.shape).copy()
        )
        self.h.run()
        ok = self.h.getModelStatus() == _highs.HighsModelStatus.kOptimal
        x = np.asarray(self.h.getSolution().col_value) if ok else None
        self.h.changeColsCost(idx.size, idx32, np.zeros(idx.size))
        return x

    def _linprog(
        self, c: np.ndarray, j: int
    ) -> tuple[str, float, np.ndarray | None, np.ndarray | None]:
        eq = np.isfinite(self.row_lo) & (self.row_lo == self.row_hi)
        a = self.a.tocsr()
        a_eq, a_ub = a[eq], a[~eq]
        res = linprog(
            c,
            A_ub=a_ub if a_ub.shape[0] else None,
            b_ub=self.row_hi[~eq] if a_ub.shape[0] else None,
            A_eq=a_eq if a_eq.shape[0] else None,
            b_eq=self.row_hi[eq] if a_eq.shape[0] else None,
            bounds=np.column_stack([self.col_lo, np.full(self.n, BIG)]),
            method="highs",
        )
        if res.status == 0:
            duals = np.zeros(self.a.shape[0])
            if a_eq.shape[0]:
                duals[eq] = res.eqlin.marginals
            if a_ub.shape[0]:
                duals[~eq] = res.ineqlin.marginals
            value = float(res.x[j]) if res.x[j] < BIG / 2 else np.inf
            return "optimal", value, np.asarray(res.x), duals
        if res.status == 2:
            return "infeasible", np.nan, None, None
        raise RuntimeError(f"linprog failed on a disclosure component: {res.message}")


def _solve_targets(
    model: LPModel,
    targets: np.ndarray,
    obs_lo: np.ndarray,
    obs_hi: np.ndarray,
    width: float,
    exact: bool,
    duals_to: dict[int, set[int]] | None,
) -> tuple[np.ndarray, np.ndarray, bool]:
    """Min and max of each target (skipped once proved wide enough, unless ``exact``).

    Updates ``obs_lo``/``obs_hi`` in place with every point found. Returns (lo, hi, feasible),
    NaN where not solved. ``duals_to``: target -> rows (of the model) binding at its optima.
    """
    c_lo = np.full(targets.size, np.nan)
    c_hi = np.full(targets.size, np.nan)
    spread = obs_hi[targets] - obs_lo[targets]
    order = np.argsort(np.where(np.isfinite(spread), spread, -1.0), kind="stable")
    for t in order:
        j = int(targets[t])
        for sign in (1.0, -1.0):  # minimise x_j, then maximise it
            if not exact and obs_hi[j] - obs_lo[j] >= width - TOL:
                break
            status, value, x, duals = model.optimize(j, sign)
            if status == "infeasible":
                return c_lo, c_hi, False
            if sign > 0:
                c_lo[t] = value
            else:
                c_hi[t] = value
            if x is not None:
                np.minimum(obs_lo, x, out=obs_lo)
                np.maximum(obs_hi, x, out=obs_hi)
                if duals_to is not None and duals is not None:
                    duals_to.setdefault(j, set()).update(
                        np.flatnonzero(np.abs(duals) > 1e-9).tolist()
                    )
            elif value == np.inf:
                obs_hi[j] = np.inf
    return c_lo, c_hi, True


def _joint_rounds(
    model: LPModel,
    targets: np.ndarray,
    obs_lo: np.ndarray,
    obs_hi: np.ndarray,
    width: float,
    max_rounds: int,
    seed: int,
    found: list[np.ndarray] | None = None,
) -> None:
    """Push all unproved targets to opposite extremes at once: minimise ``sum(s * x)`` and
    then ``sum(-s * x)`` for seeded random signs ``s``, so cells sharing a relation move apart
    instead of competing. Every optimum is a feasible point: ``obs_lo``/``obs_hi`` are widened
    in place (and the points appended to ``found``). Stops when a round proves (almost)
    nothing new."""
    rng = np.random.default_rng(seed)
    open_ = targets[obs_hi[targets] - obs_lo[targets] < width - TOL]
    for _ in range(max_rounds):
        if open_.size == 0:
            return
        signs = rng.choice([-1.0, 1.0], open_.size)
        for sign in (signs, -signs):
            x = model.optimize_sum(open_, sign)
            if x is None:
                return
            np.minimum(obs_lo, x, out=obs_lo)
            np.maximum(obs_hi, x, out=obs_hi)
            if found is not None:
                found.append(x)
        still = open_[obs_hi[open_] - obs_lo[open_] < width - TOL]
        if open_.size - still.size < max(1, JOINT_MIN_GAIN * open_.size):
            return
        open_ = still


def row_blocks(a: sp.csr_matrix, col_block: np.ndarray) -> np.ndarray:
    """Per row: the block all its columns belong to, or -1 when they span several (or the row
    is empty)."""
    entry_block = col_block[a.indices]
    starts = a.indptr[:-1]
    nonempty = np.diff(a.indptr) > 0
    lo = np.full(a.shape[0], -1)
    hi = np.full(a.shape[0], -2)
    lo[nonempty] = np.minimum.reduceat(entry_block, starts[nonempty])
    hi[nonempty] = np.maximum.reduceat(entry_block, starts[nonempty])
    return np.where(lo == hi, lo, -1)


@dataclass
class _Component:
    """One connected component's LP data (columns: its hidden cells)."""

    a: sp.csc_matrix
    rhs: np.ndarray
    is_eq: np.ndarray
    col_lo: np.ndarray
    backend: str

    def model(
        self,
        rows: np.ndarray | None = None,
        cols: np.ndarray | None = None,
        fixed: np.ndarray | None = None,
        start: np.ndarray | None = None,
    ) -> tuple[LPModel, np.ndarray]:
        """The LP over ``cols`` (all by default) and the ``rows`` touching them, other columns
        fixed at ``fixed``; with ``rows`` given, exactly those rows (a relaxation when rows
        touching ``cols`` are left out). ``start``: a feasible point of the component where
        the full LP's simplex starts (``LPModel.start_at``); the block LPs are small enough to
        start cold (from a point they took longer: 60 s against 55 s for the demo's fifth
        quarter). Returns (model, the rows used)."""
        a, rhs = self.a, self.rhs
        if cols is None:
            model = LPModel(a, np.where(self.is_eq, rhs, -np.inf), rhs, self.col_lo, self.backend)
            if start is not None:
                model.start_at(start)
            return model, np.arange(a.shape[0])
        a_c = a[:, cols].tocsr()
        if rows is None:
            rows = np.flatnonzero(np.diff(a_c.indptr) > 0)
        a_c = a_c[rows].tocsc()
        b = rhs[rows].copy()
        if fixed is not None:
            b -= a[rows] @ fixed - a_c @ fixed[cols]
        return LPModel(
            a_c, np.where(self.is_eq[rows], b, -np.inf), b, self.col_lo[cols], self.backend
        ), rows


@dataclass
class _Task:
    """One component to solve (picklable: it may go to a worker process)."""

    cells: np.ndarray
    """Global cell index per column."""
    data: _Component
    tgt: np.ndarray
    """Columns that are targets."""
    pts: list[np.ndarray]
    inner: np.ndarray | None
    outer: np.ndarray | None
    global_rows: np.ndarray
    """Row of ``a_eq``/``a_ub`` stacked, per row of ``data.a``."""
    width: float
    exact: bool
    want_binding: bool
    local_fail: bool
    local_single: bool
    n_explore: int
    defer: bool
    joint_rounds: int
    seen_lo: np.ndarray | None = None
    seen_hi: np.ndarray | None = None
    """Per column: the least and greatest value at feasible points known beforehand."""
    keep_points: bool = False
    start_at_point: bool = False
    narrowest: int = 0
    narrowest_width: float = np.inf
    local_only: bool = False


@dataclass
class _TaskResult:
    cells: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    exact: np.ndarray
    binding: dict[int, np.ndarray]
    """Failing target cell -> stacked rows binding at its min or max."""
    infeasible: bool
    n_lp: int
    n_lp_local: int
    deferred: np.ndarray
    """Per target: left unresolved (``defer``)."""
    points: list[np.ndarray] = field(default_factory=list)
    """With ``keep_points``: the full LP's vertices of the joint rounds (per column)."""


def _reported(
    cols: np.ndarray, c_lo: np.ndarray, c_hi: np.ndarray, obs_lo: np.ndarray, obs_hi: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per column of ``cols``: the interval reported (an LP's optimum where one was solved,
    the feasible points' extreme elsewhere) and whether both ends were solved."""
    lo = np.where(np.isnan(c_lo[cols]), obs_lo[cols], c_lo[cols])
    hi = np.where(np.isnan(c_hi[cols]), obs_hi[cols], c_hi[cols])
    return lo, hi, ~np.isnan(c_lo[cols]) & ~np.isnan(c_hi[cols])


def _solve_task(task: _Task) -> _TaskResult:
    """The stages of the module docstring on one component: known points, restricted block
    LPs, joint rounds on the full LP, relaxed block LPs (``local_fail``), single-cell LPs,
    the narrowest targets exact (``narrowest``)."""
    cells, comp_data, tgt, width = task.cells, task.data, task.tgt, task.width
    exact = task.exact
    n_cols = cells.size
    full: LPModel | None = None
    n_lp_local = 0
    obs_lo = np.full(n_cols, np.inf)
    obs_hi = np.full(n_cols, -np.inf)
    comp_pts = list(task.pts)
    for p in comp_pts:
        np.minimum(obs_lo, p, out=obs_lo)
        np.maximum(obs_hi, p, out=obs_hi)
    if task.seen_lo is not None and task.seen_hi is not None:
        np.minimum(obs_lo, task.seen_lo, out=obs_lo)
        np.maximum(obs_hi, task.seen_hi, out=obs_hi)
    kept: list[np.ndarray] | None = [] if task.keep_points else None
    c_lo = np.full(n_cols, np.nan)
    c_hi = np.full(n_cols, np.nan)
    failed = np.zeros(n_cols, dtype=bool)
    binding: dict[int, np.ndarray] = {}
    infeasible = False
    if not comp_pts:  # no known point: explore with seeded random objectives
        full, _ = comp_data.model()
        rng = np.random.default_rng(int(cells[0]))
        found = []
        for _ in range(max(task.n_explore, 1)):
            x = full.explore(rng.choice([-1.0, 1.0], n_cols) * rng.uniform(0.5, 1.5, n_cols))
            if x is None:
                break
            found.append(x)
            np.minimum(obs_lo, x, out=obs_lo)
            np.maximum(obs_hi, x, out=obs_hi)
        if not found:
            infeasible = True
        else:
            comp_pts = [np.mean(found, axis=0)]
    todo = tgt if exact else tgt[obs_hi[tgt] - obs_lo[tgt] < width - TOL]
    p = comp_pts[0] if comp_pts else None
    start = p if task.start_at_point else None  # where the full LP's simplex starts
    # 1. Restricted block LPs (other cells fixed at p): prove passes cheaply.
    if not infeasible and task.inner is not None and todo.size and not exact:
        blk = task.inner
        for b in np.unique(blk[todo]):
            if b < 0:
                continue
            bcols = np.flatnonzero(blk == b)
            local, _ = comp_data.model(cols=bcols, fixed=p)
            pos = np.searchsorted(bcols, todo[blk[todo] == b])
            l_lo, l_hi = obs_lo[bcols].copy(), obs_hi[bcols].copy()
            if task.joint_rounds and pos.size > 1:
                _joint_rounds(local, pos, l_lo, l_hi, width, task.joint_rounds, int(b))
            if task.local_single:  # (skips the targets the joint rounds proved)
                _solve_targets(local, pos, l_lo, l_hi, width, False, None)
            n_lp_local += local.n_solves
            obs_lo[bcols], obs_hi[bcols] = l_lo, l_hi
        todo = todo[obs_hi[todo] - obs_lo[todo] < width - TOL]
    # 2. Joint rounds on the full LP: many targets pushed to their extremes per LP (with
    # ``defer``, after stage 3, and only when stage 3 proved nothing failing).
    joint_first = not (task.defer or task.local_only)
    if joint_first and not infeasible and task.joint_rounds and todo.size > 1 and not exact:
        if full is None:
            full, _ = comp_data.model(start=start)
        _joint_rounds(full, todo, obs_lo, obs_hi, width, task.joint_rounds, int(cells[0]), kept)
        todo = todo[obs_hi[todo] - obs_lo[todo] < width - TOL]
    # 3. Relaxed block LPs (relations leaving the block dropped): prove failures.
    if not infeasible and task.local_fail and task.outer is not None and todo.size and not exact:
        blk = task.outer
        row_blk = row_blocks(comp_data.a.tocsr(), blk)
        for b in np.unique(blk[todo]):
            if b < 0:
                continue
            bcols = np.flatnonzero(blk == b)
            pos = np.searchsorted(bcols, todo[blk[todo] == b])
            relaxed, used = comp_data.model(rows=np.flatnonzero(row_blk == b), cols=bcols)
            duals: dict[int, set[int]] | None = {} if task.want_binding else None
            r_lo, r_hi = np.full(bcols.size, np.inf), np.full(bcols.size, -np.inf)
            o_lo, o_hi, ok = _solve_targets(relaxed, pos, r_lo, r_hi, width, True, duals)
            n_lp_local += relaxed.n_solves
            if not ok:
                infeasible = True
                break
            for t, q in enumerate(pos):
                if o_hi[t] - o_lo[t] < width - TOL:  # fails even with those relations dropped
                    j = bcols[q]
                    failed[j] = True
                    c_lo[j], c_hi[j] = o_lo[t], o_hi[t]
                    if duals is not None and int(q) in duals:
                        binding[int(cells[j])] = task.global_rows[used[sorted(duals[int(q)])]]
        todo = todo[~failed[todo]]
    deferred = np.zeros(n_cols, dtype=bool)
    if task.local_only or (task.defer and failed.any()):  # the full LP waits (or never runs)
        deferred[todo] = True
        todo = todo[:0]
    elif task.defer and not infeasible and task.joint_rounds and todo.size > 1:
        if full is None:
            full, _ = comp_data.model(start=start)
        _joint_rounds(full, todo, obs_lo, obs_hi, width, task.joint_rounds, int(cells[0]), kept)
        todo = todo[obs_hi[todo] - obs_lo[todo] < width - TOL]
    # 4. The full LP, one target at a time (exact).
    if not infeasible and todo.size:
        if full is None:
            full, _ = comp_data.model(start=start)
        duals = {} if task.want_binding else None
        t_lo, t_hi, feasible = _solve_targets(full, todo, obs_lo, obs_hi, width, exact, duals)
        infeasible = not feasible
        c_lo[todo], c_hi[todo] = t_lo, t_hi
        for j, brows in (duals or {}).items():
            if not (np.isnan(c_lo[j]) or np.isnan(c_hi[j])) and c_hi[j] - c_lo[j] < width - TOL:
                binding[int(cells[j])] = task.global_rows[sorted(brows)]
    # 5. The narrowest targets exact (``narrowest``): their min and max on the full LP, until
    # the ``narrowest`` targets of least width (ties by cell) are all exact or wider than
    # ``narrowest_width``
    while task.narrowest and not infeasible:
        lo_t, hi_t, solved = _reported(tgt, c_lo, c_hi, obs_lo, obs_hi)
        done = solved & ~failed[tgt] | (hi_t - lo_t > task.narrowest_width)
        top = np.lexsort((cells[tgt], hi_t - lo_t))[: task.narrowest]
        todo = tgt[top[~done[top]]]
        if not todo.size:
            break
        if full is None:
            full, _ = comp_data.model(start=start)
        t_lo, t_hi, feasible = _solve_targets(full, todo, obs_lo, obs_hi, width, True, None)
        infeasible = not feasible
        c_lo[todo], c_hi[todo], failed[todo] = t_lo, t_hi, False
    lo_t, hi_t, solved = _reported(tgt, c_lo, c_hi, obs_lo, obs_hi)
    return _TaskResult(
        cells=cells[tgt],
        lo=lo_t,
        hi=hi_t,
        exact=solved & ~failed[tgt],
        binding=binding,
        infeasible=infeasible,
        n_lp=full.n_solves if full is not None else 0,
        n_lp_local=n_lp_local,
        deferred=deferred[tgt],
        points=kept or [],
    )


PARALLEL_MIN_CELLS = 20_000
"""Below this many hidden cells in the components to solve, worker processes cost more than
they save."""


def _run_tasks(
    tasks: list[_Task], workers: int, report: Callable[[str], None] | None = None
) -> list[_TaskResult]:
    """Every task's result, in order; ``report`` is told after each component how far the
    tasks are."""
    total = sum(t.cells.size for t in tasks)
    results: list[_TaskResult | None] = [None] * len(tasks)
    n_done = n_cells = 0

    def done(i: int, res: _TaskResult) -> None:
        nonlocal n_done, n_cells
        results[i] = res
        n_done, n_cells = n_done + 1, n_cells + tasks[i].cells.size
        if report is not None:
            report(
                f"{n_done:,} of {len(tasks):,} component{'' if len(tasks) == 1 else 's'} solved "
                f"({n_cells:,} of {total:,} hidden cells)"
            )

    if workers <= 1 or len(tasks) < 2 or total < PARALLEL_MIN_CELLS:
        for i, task in enumerate(tasks):
            done(i, _solve_task(task))
        return results  # type: ignore[return-value]
    # Largest first, so the long components do not end up last on one worker.
    order = sorted(range(len(tasks)), key=lambda i: (-tasks[i].cells.size, i))
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        running = {pool.submit(_solve_task, tasks[i]): i for i in order}
        for future in as_completed(running):  # as they finish: the report does not wait
            done(running[future], future.result())
    return results  # type: ignore[return-value]


def default_workers() -> int:
    """Worker processes for the LPs: ``MONITOR_DISCLOSURE_WORKERS`` (orchestration/settings.py)
    or min(2, cpu count)."""
    return disclosure_workers() or max(1, min(2, os.cpu_count() or 1))


def attacker_intervals(
    a_eq: sp.csr_matrix,
    a_ub: sp.csr_matrix,
    hidden: np.ndarray,
    known: np.ndarray,
    targets: np.ndarray,
    lower: np.ndarray,
    *,
    width: float,
    points: list[np.ndarray] | None = None,
    exact: bool = False,
    only_cells: np.ndarray | None = None,
    backend: str = "highs",
    want_binding: bool = False,
    blocks: np.ndarray | None = None,
    inner_blocks: np.ndarray | None = None,
    local_fail: bool = False,
    local_single: bool = False,
    n_explore: int = 4,
    joint_rounds: int = 12,
    workers: int = 1,
    defer: bool = False,
    seen: tuple[np.ndarray, np.ndarray] | None = None,
    keep_points: bool = False,
    start_at_point: bool = False,
    narrowest: int = 0,
    narrowest_width: float = np.inf,
    local_only: bool = False,
    report: Callable[[str], None] | None = None,
) -> Intervals:
    """Intervals of the ``targets`` cells (bool masks over all cells).

    ``known``: values of the published cells (ignored where hidden). ``points``: full vectors
    known to be feasible (the true table on the protecting side). ``only_cells``: solve only
    the components holding one of these cells. ``inner_blocks``, ``blocks``: block id per cell
    (-1: none) for the restricted and the relaxed local LPs. ``local_fail``: accept a failure
    proved by a block's relaxed LP (its interval then *contains* the true one) instead of
    confirming it on the full LP. ``n_explore``: random-objective vertices per component when
    no point is given (their average is the point the local LPs fix the other cells at).
    ``joint_rounds``: at most this many rounds of ``_joint_rounds`` per LP model.
    ``workers``: processes sharing the components (results do not depend on it).
    ``defer`` (with ``local_fail``): in a component where a relaxed block LP proves a cell
    failing, leave the targets neither proved wide enough nor failing unresolved
    (``Intervals.deferred``) instead of solving the component's full LP for them.
    ``seen``: per cell, the least and greatest value at feasible points known beforehand
    (+inf and -inf where none): a target they span ``width`` of is proved without an LP.
    ``keep_points``: return the full LP's vertices of the joint rounds (``Intervals.points``).
    ``start_at_point``: start each component's full LP at the vertex HiGHS' crossover finds
    from the point (``LPModel.start_at``) instead of from scratch. The optimum values are the
    same either way, so is every pass and failure; the vertices and duals of a degenerate
    optimum may not be, so a caller that chooses by them (the repair's complements, from the
    binding rows) leaves it off to keep its choices.
    ``narrowest``: in every component, solve min and max of targets until the ``narrowest`` of
    least width (ties by cell index) are exact; then the ``narrowest`` of least width over
    all components are exact too (each of them is among its own component's).
    ``narrowest_width``: leave out of that the targets already proved wider than this.
    ``local_only`` (with ``local_fail``): stop after the block LPs (stages 1 and 3), no
    component's full LP: every target neither proved wide enough nor proved failing is left
    unresolved (``Intervals.deferred``); a cheap probe for a failure.
    ``report``: told after each component how many are solved (progress of a long call).
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, not {backend!r}")
    n = hidden.size
    out = Intervals(lo=np.full(n, np.nan), hi=np.full(n, np.nan), exact=np.zeros(n, dtype=bool))
    h_cells = np.flatnonzero(hidden)
    if h_cells.size == 0:
        return out
    x_pub = np.where(hidden, 0.0, np.nan_to_num(known))
    a_all = sp.vstack([a_eq, a_ub], format="csr")
    b_all = -(a_all @ x_pub)
    n_eq = a_eq.shape[0]
    sub = a_all[:, h_cells].tocsr()
    rows_used = np.flatnonzero(np.diff(sub.indptr) > 0)
    sub = sub[rows_used]
    b_used = b_all[rows_used]
    is_eq = rows_used < n_eq
    # Components: the bipartite graph of hidden cells and the rows they share.
    n_h, n_r = h_cells.size, rows_used.size
    coo = sub.tocoo()
    graph = sp.coo_matrix(
        (np.ones(coo.nnz), (coo.row + n_h, coo.col)), shape=(n_h + n_r, n_h + n_r)
    )
    n_comp, labels = connected_components(graph, directed=False)
    col_label, row_label = labels[:n_h], labels[n_h:]
    target_h = targets[h_cells]
    wanted = np.zeros(n_comp, dtype=bool)
    wanted[col_label[target_h]] = True
    if only_cells is not None:
        in_scope = np.zeros(n, dtype=bool)
        in_scope[only_cells] = True
        scoped = np.zeros(n_comp, dtype=bool)
        scoped[col_label[in_scope[h_cells]]] = True
        wanted &= scoped
    col_order = np.argsort(col_label, kind="stable")
    col_bounds = np.searchsorted(col_label[col_order], np.arange(n_comp + 1))
    row_order = np.argsort(row_label, kind="stable")
    row_bounds = np.searchsorted(row_label[row_order], np.arange(n_comp + 1))
    sub_csc = sub.tocsc()
    pts = [p[h_cells] for p in (points or [])]
    block_h = blocks[h_cells] if blocks is not None else None
    inner_h = inner_blocks[h_cells] if inner_blocks is not None else None
    tasks: list[_Task] = []
    for comp in np.flatnonzero(wanted):
        cols = col_order[col_bounds[comp] : col_bounds[comp + 1]]
        rows = np.sort(row_order[row_bounds[comp] : row_bounds[comp + 1]])
        tgt = np.flatnonzero(target_h[cols])
        cells = h_cells[cols]
        out.n_components += 1
        out.largest_component = max(out.largest_component, cols.size)
        if rows.size == 0:  # in no relation at all: [lower, inf)
            out.lo[cells[tgt]] = lower[cells[tgt]]
            out.hi[cells[tgt]] = np.inf
            out.exact[cells[tgt]] = True
            continue
        data = _Component(
            sub_csc[:, cols][rows].tocsc(), b_used[rows], is_eq[rows], lower[cells], backend
        )
        tasks.append(
            _Task(
                cells=cells,
                data=data,
                tgt=tgt,
                pts=[p[cols] for p in pts],
                inner=inner_h[cols] if inner_h is not None else None,
                outer=block_h[cols] if block_h is not None else None,
                global_rows=rows_used[rows],
                width=width,
                exact=exact,
                want_binding=want_binding,
                local_fail=local_fail,
                local_single=local_single,
                n_explore=n_explore,
                joint_rounds=joint_rounds,
                defer=defer and local_fail,
                seen_lo=seen[0][cells] if seen is not None else None,
                seen_hi=seen[1][cells] if seen is not None else None,
                keep_points=keep_points,
                start_at_point=start_at_point,
                narrowest=narrowest,
                narrowest_width=narrowest_width,
                local_only=local_only and local_fail,
            )
        )
    for task, res in zip(tasks, _run_tasks(tasks, workers, report), strict=True):
        out.n_lp += res.n_lp
        out.n_lp_local += res.n_lp_local
        if res.infeasible:
            out.infeasible.append(task.cells)
            continue
        out.lo[res.cells], out.hi[res.cells], out.exact[res.cells] = res.lo, res.hi, res.exact
        if res.points:
            out.points.append((task.cells, np.vstack(res.points)))
        if res.deferred.any():
            if out.deferred is None:
                out.deferred = np.zeros(n, dtype=bool)
            out.deferred[res.cells[res.deferred]] = True
        indptr, indices = a_all.indptr, a_all.indices
        for cell, grows in res.binding.items():
            # the columns of the binding rows, read off the CSR arrays directly (fancy row
            # indexing builds a new matrix per cell: seconds over a national table)
            out.binding[cell] = {
                int(c)
                for r in np.asarray(grows).ravel()
                for c in indices[indptr[r] : indptr[r + 1]]
            }
    return out
