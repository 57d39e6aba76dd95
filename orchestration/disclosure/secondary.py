"""Secondary suppression: complements until every suppressed count is protected.

Three stages, all deterministic (stable orders, ties broken by cell index, no randomness):

1. **Local fixpoint (HiTaS-like).** Every equality of the model is a one-dimensional
   sub-table: a total and its parts (a parent area and its children for one indicator, or a
   total and its parts within one area). A sub-table that holds a suppressed cell needs

   - total published: at least two suppressed real parts, and the suppressed parts together
     (the remainder of a gemeente included) at least ``protection_width``: each of them can
     then lie anywhere between 0 and that sum as far as this sub-table tells;
   - total suppressed: at least one suppressed real part (else total = sum of the parts).

   Inequalities (``sum(parts) <= total``, e.g. ``hh_met_signaal + hh_meerdere_signalen <=
   signalen``) with a published total: a suppressed part can be at most the total minus the
   published other parts, and that headroom must be at least the width.

   Missing complements are the cheapest published parts (cost below; the cheapest one that
   covers the shortfall, else the largest); when no part is left the total is suppressed.
   Every new suppression is checked in all its sub-tables again, until nothing changes.
   This settles most cases at a fraction of an LP's cost. Beside it, a bound whose *room*
   (``total - sum(parts)``) is below the width in a gemeente or regio is *linked*: wherever
   in that gemeente or regio one of its cells is suppressed, so are the others
   (``_LinkedBounds``): the room of every area is at most the gemeente's, and no complement
   elsewhere widens it.
2. **LP repair.** The attacker's LP (``lp.attacker_intervals``, the audit's own engine, with
   the true table as a known feasible point) runs on the components holding suppressed
   cells; for each cell still narrower than the width it suppresses the cheapest published
   cell of a relation binding at the cell's min or max (read from the LP duals; else of any
   relation holding the cell), re-runs stage 1 for the new cells and re-checks only the
   failing and the newly suppressed cells: suppressing more only widens intervals (a
   constant becomes a variable), so a cell that passed stays passed. A round that fails
   suppresses at least one more cell, so it ends; after ``max_repair_rounds``
   (``seeds/disclosure_parameters.csv``) a still failing
   gemeente is suppressed whole with the regio above it (``_last_resort_areas``; with no
   published cell left in the gemeente and its regio total hidden every interval is
   [0, inf)), and when that adds nothing, its whole region. A first national quarter
   settles in under ten rounds; the national 2026Q3 with four quarters of history in 43, in
   three phases, each ending with the full LPs of the cells the cheap LPs left
   undecided (``defer``, below).
3. **Pruning pass** (``release_unneeded``), once every cell passes. Complements chosen one
   failing cell at a time can be left unneeded by later ones; the most valuable of them (by
   the cost seed's weights) are published again on trial, each kept published only when the
   attacker's LP still finds every suppressed cell of its component at least the width
   wide. At most ``max_release_checks`` LP checks (``seeds/disclosure_parameters.csv``).
   The feasible points each check finds, and those of the repair, prove most cells of the
   next check without an LP (``_KnownPoints``).

Cost of suppressing a cell: ``(value + 1) x level weight x period weight x indicator
weight``, the weights from ``seeds/suppression_costs.csv`` (1 where it names none): small
cells first, buurt before wijk before gemeente before regio, and the indicators and levels
marked ``last_resort`` there (``huishoudens``, the denominator everyone needs; the gemeente
and the regio, whose figures everyone reads)
only when nothing else will do. So is a 0 whose total is 0 (``_trapped_zeros``): suppressed,
it stays pinned at 0 until the total goes too, and that cascaded up to the gemeente. A
remainder cell (addresses without a buurt) is never a complement: it is not published anyway;
nor is an unpublished cell (a count at a level it is not published at, ``model.Table``):
both are unknowns of the attacker's model that need no protection of their own.

With an earlier publication in the table (``fixed``), its suppressed cells are targets like
the new ones: what is published now must not narrow them. A new cell that the earlier
publication's published cells alone hold narrower than the width (``_pinned``: a relation
whose other cells are all fixed and published, such as a wijk's households over four closed
quarters between one quarter's count and the period's households) is published and never a
complement: suppressed, nothing could protect it, and the repair of the first national run
with four quarters of history looped on such cells until its last resort, which suppressed
more of them (benchmarks/results.md, session 33). A cell that the cheap LPs can
neither pass nor fail waits (``lp`` ``defer``) while other cells of its component are
repaired; the component's full LP runs when none are left, once for all waiting cells, new
and earlier (checking the earlier cells only after the new ones passed cost the demo's
four-quarter component a second full pass, ~12 s).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import scipy.sparse as sp

from orchestration.disclosure.lp import TOL, Intervals, LPModel, attacker_intervals, row_blocks
from orchestration.disclosure.model import REMAINDER_LEVEL, Table, families, inner_blocks
from orchestration.parameters import SuppressionCost, disclosure_parameters, suppression_costs


@dataclass
class SecondaryStats:
    n_local: int = 0
    n_lp_rounds: int = 0
    n_lp_repairs: int = 0
    n_lp: int = 0
    n_whole_components: int = 0
    n_release_checks: int = 0
    n_released: int = 0
    lp_seconds: float = 0.0
    rounds: list[dict[str, float]] = field(default_factory=list)
    points: tuple[np.ndarray, np.ndarray] | None = None
    """(hidden cells, one row per point over them): feasible points of the attacker's
    polyhedron of the final suppression (``_KnownPoints``), over the hidden cells that differ
    from the true table in one of them at least; the true table elsewhere. The gate's audit
    checks them against its own model and starts its search from them."""
    pinned: np.ndarray | None = None
    """Per cell: held narrower than the width by an earlier publication's cells alone
    (``_pinned``), so published and never a complement."""
    released_bounds: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """Cells whose lower bound from a published median was withdrawn: a failing cell held at
    that bound that no complement could widen. The caller suppresses those medians
    (``protect.suppression_plan``)."""


def _cost(dimension: str, name: str) -> SuppressionCost | None:
    """The first row of ``seeds/suppression_costs.csv`` for ``name`` in ``dimension``."""
    return next(
        (c for c in suppression_costs() if c.dimension == dimension and c.matches(name)), None
    )


def _weight(dimension: str, name: str) -> float:
    if dimension == "area_level" and name == REMAINDER_LEVEL:
        return np.inf
    found = _cost(dimension, name)
    return found.weight if found else 1.0


def _per_area(values: np.ndarray, of: Callable[[str], float]) -> np.ndarray:
    """``of(value)`` for each of the areas' ``values`` (a level, a period type), looked up
    once per distinct value: the seed's rows are matched one by one."""
    distinct, index = np.unique(values.astype(str), return_inverse=True)
    return np.array([of(str(v)) for v in distinct])[index]


def cell_costs(table: Table, x: np.ndarray) -> np.ndarray:
    k = table.k
    level_w = _per_area(table.area_level, lambda lvl: _weight("area_level", lvl)).astype(float)
    if table.area_period_type is not None:
        level_w *= _per_area(table.area_period_type, lambda p: _weight("period_type", p))
    ind_w = np.array([_weight("indicator", n) for n in table.relations.counts])
    cells = np.arange(table.n_cells)
    return (np.nan_to_num(x) + 1.0) * level_w[cells // k] * ind_w[cells % k]


def _last_resort(dimension: str, name: str) -> bool:
    return bool((c := _cost(dimension, name)) and c.last_resort)


def _heavy(table: Table) -> np.ndarray:
    """Cells of an indicator or area level marked ``last_resort`` (``huishoudens``, the
    gemeente): complements of last resort."""
    by_indicator = [_last_resort("indicator", n) for n in table.relations.counts]
    by_level = _per_area(table.area_level, lambda lvl: _last_resort("area_level", lvl))
    return np.tile(by_indicator, table.n_areas) | np.repeat(by_level.astype(bool), table.k)


def _trapped_zeros(table: Table, x: np.ndarray) -> np.ndarray:
    """Cells of value 0 that are a part of an equality or a bound whose one total is 0:
    suppressed, such a cell is pinned at 0 until its total is suppressed too (a zero student
    count of a wijk under the gemeente's zero; the reached students of a wijk without
    students), so it is a complement of last resort."""
    xs = np.nan_to_num(x)
    trapped = np.zeros(table.n_cells, dtype=bool)

    def mark(cols: np.ndarray, totals: np.ndarray, part: np.ndarray) -> None:
        """Mark the zero parts (``part``: entries that are a part of a row with one total)
        whose row's total is 0."""
        part = part & (totals >= 0)
        zero_total = np.zeros(cols.size, dtype=bool)
        zero_total[part] = xs[totals[part]] == 0
        trapped[cols[part & zero_total & (xs[cols] == 0)]] = True

    eq = table.a_eq.tocoo()
    mark(eq.col, table.eq_total[eq.row], eq.col != table.eq_total[eq.row])
    ub = table.a_ub.tocoo()  # part - total <= 0 with one total
    mark(ub.col, _bound_totals(table.a_ub)[ub.row], ub.data > 0)
    return trapped


def _bound_totals(a_ub: sp.csr_matrix) -> np.ndarray:
    """Per inequality row (``parts - totals <= 0``): the cell of its one total, -1 where it
    has several (a period bounded by the sum of its quarters, a linked bound)."""
    ub = a_ub.tocoo()
    totals = np.full(a_ub.shape[0], -1, dtype=np.int64)
    totals[ub.row[ub.data < 0]] = ub.col[ub.data < 0]
    totals[np.bincount(ub.row[ub.data < 0], minlength=a_ub.shape[0]) > 1] = -1
    return totals


def _pinned(
    table: Table,
    rows: _Rows,
    x: np.ndarray,
    constant: np.ndarray,
    candidates: np.ndarray,
    lower_kept: np.ndarray,
    width: float,
) -> np.ndarray:
    """The ``candidates`` whose interval the ``constant`` cells (published by an earlier
    publication, or known) already hold narrower than ``width``: a relation whose every
    other cell is a constant bounds the cell whatever is suppressed now (a wijk's picked-up
    households of four quarters between its households with a signal, published a quarter
    before, and one quarter's picked-up households, published when that quarter closed).
    Suppressed, such a cell can never be protected, so it is published: a candidate found
    pinned is a constant for the next pass, until no new cell is found."""
    a = rows.a.tocoo()
    is_eq = a.row < rows.n_eq
    xs = np.nan_to_num(x)
    constant = constant.copy()
    pinned = np.zeros(table.n_cells, dtype=bool)
    while True:
        open_ = ~constant[a.col]
        n_open = np.bincount(a.row, weights=open_, minlength=a.shape[0])
        rest = np.bincount(
            a.row, weights=np.where(open_, 0.0, a.data * xs[a.col]), minlength=a.shape[0]
        )
        one = open_ & (n_open[a.row] == 1)  # the one open cell of its row
        cells, coef = a.col[one], a.data[one]
        bound = -rest[a.row[one]] / coef  # coef * cell + rest (=, <=) 0
        lo = np.maximum(lower_kept, 0.0)
        hi = np.full(table.n_cells, np.inf)
        upper = ~is_eq[one] & (coef > 0)
        below = ~is_eq[one] & (coef < 0)
        np.minimum.at(hi, cells[~below], bound[~below])  # an equality or an upper bound
        np.maximum.at(lo, cells[~upper], bound[~upper])  # an equality or a lower bound
        new = candidates & ~pinned & (hi - lo < width - TOL)
        if not new.any():
            return pinned
        pinned |= new
        constant |= new


def _last_resort_cells(table: Table, x: np.ndarray) -> np.ndarray:
    """Complements only when nothing else will do: the seed's last resorts and trapped
    zeros."""
    return _heavy(table) | _trapped_zeros(table, x)


class _Rows:
    """Equality rows then inequality rows as member lists, and which rows hold each cell."""

    def __init__(self, table: Table) -> None:
        a = sp.vstack([table.a_eq, table.a_ub], format="csr")
        self.a = a
        self.n_eq = table.a_eq.shape[0]
        self.indptr, self.cells, self.coef = a.indptr, a.indices, a.data
        self.total = np.concatenate([table.eq_total, _bound_totals(table.a_ub)])
        csc = a.tocsc()
        self.cell_indptr, self.cell_rows = csc.indptr, csc.indices
        self.n_rows = a.shape[0]

    def members(self, r: int) -> np.ndarray:
        return self.cells[self.indptr[r] : self.indptr[r + 1]]

    def rows_of(self, cell: int) -> np.ndarray:
        return self.cell_rows[self.cell_indptr[cell] : self.cell_indptr[cell + 1]]


def _greedy(pool: list[int], x: np.ndarray, heavy: np.ndarray, deficit: float) -> int:
    """Index in ``pool`` (sorted by cost) of the cheapest cell covering ``deficit``, else of
    the largest; ``heavy`` cells (household totals) only when nothing else is left."""
    light = [i for i, c in enumerate(pool) if not heavy[c]] or list(range(len(pool)))
    values = np.nan_to_num(x[np.array([pool[i] for i in light])])
    enough = np.flatnonzero(values >= deficit - TOL)
    return light[int(enough[0])] if enough.size else light[int(np.argmax(values))]


def local_fixpoint(
    table: Table,
    x: np.ndarray,
    suppressed: np.ndarray,
    width: float,
    cost: np.ndarray,
    start: np.ndarray | None = None,
    rows: _Rows | None = None,
    lower: np.ndarray | None = None,
    fixed: np.ndarray | None = None,
    heavy: np.ndarray | None = None,
) -> int:
    """Add complements in place until every sub-table passes the local rule; returns how many.
    ``fixed`` cells (an earlier publication's) are never added. ``heavy``: the complements of
    last resort (``_last_resort_cells``), computed here when not given (a caller that checks
    many times passes them: computed per call, they took most of the local rule's time).

    Equalities (total = sum of parts) as in the module docstring. Inequalities
    (sum of parts <= total) with a published total: each suppressed part ``j`` can be at most
    ``total - published other parts``, so that headroom (minus ``j``'s own lower bound) must
    be at least the width; else the cheapest of the other published parts and the total is
    suppressed, until it is.
    """
    rows = rows or _Rows(table)
    lower = np.zeros(table.n_cells) if lower is None else lower
    remainder = table.never_published()  # remainders and unpublished cells (model.py)
    hidden = suppressed | remainder
    free = np.ones(table.n_cells, dtype=bool) if fixed is None else ~fixed
    heavy = _last_resort_cells(table, x) if heavy is None else heavy
    xs = np.nan_to_num(x)
    seeds = np.flatnonzero(suppressed) if start is None else np.asarray(start)
    queue: deque[int] = deque()
    queued = np.zeros(rows.n_rows, dtype=bool)
    for c in seeds:
        for r in rows.rows_of(int(c)):
            if not queued[r]:
                queued[r] = True
                queue.append(int(r))
    added = 0
    while queue:
        r = queue.popleft()
        queued[r] = False
        members = rows.members(r)
        if not suppressed[members].any():
            continue
        total = int(rows.total[r])
        parts = members[members != total]
        real_parts = parts[~remainder[parts]]
        new: list[int] = []
        if r >= rows.n_eq:  # inequality: sum(coef * parts) <= total
            if total < 0 or hidden[total]:  # no single total: left to the LP repair
                continue
            coef = rows.coef[rows.indptr[r] : rows.indptr[r + 1]][members != total]
            pub_mask = ~hidden[parts]
            pool = [int(c) for c in np.concatenate([parts[pub_mask], [total]]) if free[c]]
            pool.sort(key=lambda c: (cost[c], c))
            for j, cj in zip(parts, coef, strict=True):
                if not suppressed[j]:
                    continue
                headroom = (xs[total] - (coef[pub_mask] * xs[parts[pub_mask]]).sum()) / cj - lower[
                    j
                ]
                while headroom < width - TOL and pool:
                    c = pool.pop(_greedy(pool, x, heavy, width - headroom))
                    new.append(c)
                    if c == total:
                        break
                    freed = parts == c
                    headroom += (coef[freed] * xs[c]).sum() / cj
                    pub_mask &= ~freed
                if total in new:
                    break
        else:
            cand = real_parts[~hidden[real_parts] & free[real_parts]]
            cand = cand[np.lexsort((cand, cost[cand]))]
            if hidden[total]:
                if not hidden[real_parts].any() and cand.size:
                    new.append(int(cand[0]))
            else:
                n_hidden = int(hidden[real_parts].sum())
                mass = float(xs[parts[hidden[parts]]].sum())
                pool = [int(c) for c in cand]
                while (n_hidden < 2 or mass < width - TOL) and pool:
                    c = pool.pop(_greedy(pool, x, heavy, width - mass))
                    new.append(c)
                    n_hidden += 1
                    mass += float(xs[c])
                if (n_hidden < 2 or mass < width - TOL) and not remainder[total] and free[total]:
                    new.append(total)
        for c in new:
            if suppressed[c]:
                continue
            suppressed[c] = True
            hidden[c] = True
            added += 1
            for r2 in rows.rows_of(c):
                if not queued[r2]:
                    queued[r2] = True
                    queue.append(int(r2))
    return added


def _patterns(rows: _Rows, which: np.ndarray, k: int) -> np.ndarray:
    """Per row of ``which``: a label shared by exactly the rows over the same indicators (the
    set of their cells modulo ``k``, whatever the area)."""
    starts, ends = rows.indptr[which], rows.indptr[which + 1]
    lengths = ends - starts
    entries = np.repeat(np.arange(which.size), lengths)
    position = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    indicator = rows.cells[np.repeat(starts, lengths) + position] % k
    order = np.lexsort((indicator, entries))  # each row's indicators ascending
    padded = np.full((which.size, int(lengths.max(initial=0))), -1, dtype=np.int64)
    padded[entries[order], position] = indicator[order]
    return np.unique(padded, axis=0, return_inverse=True)[1].ravel()


class _LinkedBounds:
    """Bounds ``sum(parts) <= total`` within one area whose room is narrow at the top.

    The *room* of a bound, ``total - sum(parts)``, is at least 0 in every area and adds up
    like the counts do: a regio's room is the sum of its gemeenten's, a gemeente's the sum of
    its wijken's and its remainder's, a wijk's the sum of its buurten'. So when a gemeente (or
    a regio: what follows holds for it and its areas alike) publishes every cell of a bound
    and its room is below the width (``hh_met_signaal`` 121 and ``hh_opgepakt`` 113: 8
    households not picked up), a count of that bound suppressed in any of its areas while the others are
    published can move by less than the room: a suppressed ``hh_met_signaal`` of a buurt is at
    most its ``hh_opgepakt`` + 8. No complement in another buurt or wijk widens that, so the
    LP repair would try one after another. Such bounds are *linked* instead: in each area of
    that gemeente where one cell of the bound is suppressed, its other cells are too (mostly
    small counts that are primary anyway); the LP checks the result as always.

    The values and the fixed cells do not change during a protection, so which gemeente and
    regio bounds are narrow, and the same bounds in their areas, are found once."""

    def __init__(
        self, table: Table, rows: _Rows, x: np.ndarray, width: float, free: np.ndarray
    ) -> None:
        k = table.k
        self.rows = rows
        self.free = free
        area_of_row = row_blocks(table.a_ub.tocsr(), np.arange(table.n_cells) // k)
        within = rows.n_eq + np.flatnonzero(area_of_row >= 0)
        area = area_of_row[area_of_row >= 0].astype(np.int64)
        top = (table.parent[area] < 0) | np.isin(table.area_level[area], ("regio", "gemeente"))
        tops = np.flatnonzero(top & (area < table.n_real))
        room = -(rows.a[within[tops]] @ np.nan_to_num(x))  # exact: integer counts and coefficients
        narrow = tops[room < width - TOL]
        self.narrow: list[tuple[np.ndarray, list[np.ndarray]]] = []
        """Per narrow gemeente or regio bound: its cells, and the cells of the same bound in
        every area of that gemeente or regio (itself included)."""
        if not narrow.size:
            return
        # the same bound: the same indicators (the row's cells modulo k) in an area below
        # (or equal to) the narrow one; found by sorting (indicators, area above) pairs once
        pattern = _patterns(rows, within, k)
        above = table.ancestors()[area]
        own, depth = np.nonzero(above >= 0)  # row-major: each key's rows stay in order
        key = pattern[own] * table.n_areas + above[own, depth]
        order = np.argsort(key, kind="stable")
        key, own = key[order], own[order]
        wanted = pattern[narrow] * table.n_areas + area[narrow]
        starts = np.searchsorted(key, wanted, side="left")
        ends = np.searchsorted(key, wanted, side="right")
        for i, lo, hi in zip(narrow.tolist(), starts.tolist(), ends.tolist(), strict=True):
            self.narrow.append(
                (rows.members(within[i]), [rows.members(within[j]) for j in own[lo:hi]])
            )
        # the same, flat, for to_suppress: one pass over every bound's cells per call
        self._tops = _Segments([top for top, _ in self.narrow])
        self._bounds = _Segments([cells for _, bounds in self.narrow for cells in bounds])
        self._owner = np.repeat(np.arange(len(self.narrow)), [len(b) for _, b in self.narrow])

    def to_suppress(self, suppressed: np.ndarray) -> list[int]:
        """The free published cells of every bound that shares a suppressed cell with a
        narrow gemeente or regio bound of the same indicators whose own cells are all
        published (a cell in several such bounds once for each)."""
        if not self.narrow:
            return []
        hit = self._bounds.any(suppressed) & ~self._tops.any(suppressed)[self._owner]
        cells = self._bounds.cells[np.repeat(hit, self._bounds.lengths)]
        return cells[~suppressed[cells] & self.free[cells]].tolist()


class _Segments:
    """Cell lists, each non-empty, stored end to end."""

    def __init__(self, lists: list[np.ndarray]) -> None:
        self.lengths = np.array([len(cells) for cells in lists], dtype=np.int64)
        self.starts = np.cumsum(self.lengths) - self.lengths
        self.cells = np.concatenate(lists) if lists else np.zeros(0, dtype=np.int64)

    def any(self, mask: np.ndarray) -> np.ndarray:
        """Per list: whether ``mask`` holds any of its cells."""
        return np.logical_or.reduceat(mask[self.cells], self.starts)


def _settle(
    table: Table,
    x: np.ndarray,
    suppressed: np.ndarray,
    width: float,
    cost: np.ndarray,
    linked: _LinkedBounds,
    **local: object,
) -> int:
    """``local_fixpoint`` and the linked bounds (``_LinkedBounds``) in turn until neither
    adds a cell; returns how many cells they added."""
    added = local_fixpoint(table, x, suppressed, width, cost, **local)
    while new := linked.to_suppress(suppressed):
        suppressed[new] = True
        added += len(new) + local_fixpoint(
            table, x, suppressed, width, cost, **{**local, "start": np.array(new)}
        )
    return added


def _top_areas(table: Table) -> np.ndarray:
    """Per area: the code of its top area (the regio, or a gemeente in none), the same in
    every period."""
    anc = table.ancestors()
    top = anc[np.arange(table.n_areas), (anc >= 0).sum(axis=1) - 1]
    key = table.area_code if table.area_base is None else table.area_base
    return key[top].astype(str)


def _last_resort_areas(
    table: Table, failing: np.ndarray, whole_top: bool
) -> tuple[np.ndarray, int]:
    """(real areas, number of groups) the last resort suppresses whole for the ``failing``
    areas, in every period of the table: the gemeente of each (with its wijken and buurten;
    for an area above every gemeente, a regio, or with ``whole_top``: its whole top area),
    and the areas above those, whose totals would give them back (a regio minus its other
    gemeenten is the gemeente)."""
    anc = table.ancestors()
    n = table.n_areas
    at_gemeente = (anc >= 0) & (table.area_level[np.maximum(anc, 0)] == "gemeente")
    gemeente = np.where(at_gemeente.any(axis=1), anc[np.arange(n), at_gemeente.argmax(axis=1)], -1)
    key = table.area_code if table.area_base is None else table.area_base  # in every period
    of_gemeente = key[np.maximum(gemeente, 0)].astype(str)
    of_top = _top_areas(table)
    whole = np.ones(failing.size, dtype=bool) if whole_top else gemeente[failing] < 0
    gemeenten = np.unique(of_gemeente[failing[~whole]])
    tops = np.unique(of_top[failing[whole]])
    chosen = (np.isin(of_gemeente, gemeenten) & (gemeente >= 0)) | np.isin(of_top, tops)
    areas = np.flatnonzero(chosen & (np.arange(n) < table.n_real))
    above = anc[areas, 1:]
    return np.union1d(areas, above[above >= 0]), int(gemeenten.size + tops.size)


def _neighbours(rows: _Rows, cells: np.ndarray) -> np.ndarray:
    """Every cell sharing an equality or inequality with one of ``cells``."""
    found = [rows.members(int(r)) for c in cells for r in rows.rows_of(int(c))]
    return np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)


def _pick(
    cands: np.ndarray, x: np.ndarray, cost: np.ndarray, heavy: np.ndarray, deficit: float
) -> int | None:
    """The cheapest candidate covering ``deficit``, else the largest; ``heavy`` cells (the
    household totals, the gemeente's figures) only when no other candidate has a value. A
    published 0 beside the failing cell in a sum gives it no room (it cannot go lower), so
    when every light candidate is 0, a heavy one with a value is the complement that helps:
    picking the zeros one by one, a full LP each, ran a gemeente's five-quarter model out of
    rounds into the last resort (docs/late-figures-plan.md, What is left 3)."""
    if cands.size == 0:
        return None
    cands = cands[np.lexsort((cands, cost[cands]))]
    values = np.nan_to_num(x[cands])
    covers = values >= deficit - TOL
    light = ~heavy[cands]
    for pool in (light, ~light):
        if (pool & covers).any():
            return int(cands[np.flatnonzero(pool & covers)[0]])
        if (pool & (values > 0)).any():
            return int(cands[np.argmax(np.where(pool, values, -1.0))])
    return int(cands[np.flatnonzero(light)[0]] if light.any() else cands[0])


def protect_counts(
    table: Table,
    x: np.ndarray,
    primary: np.ndarray,
    lower: np.ndarray,
    width: float,
    *,
    max_rounds: int | None = None,
    backend: str = "highs",
    joint_rounds: int = 12,
    workers: int = 1,
    fixed: np.ndarray | None = None,
    max_release_checks: int = 0,
    lower_kept: np.ndarray | None = None,
    report: Callable[[str], None] | None = None,
) -> tuple[np.ndarray, SecondaryStats]:
    """Suppression mask over the cells (primary plus complements) and what it took.

    ``primary``: the cells suppressed from the start. ``lower``: per cell, the attacker's lower
    bound (a published median's ``min_median_n``). ``fixed``: cells of an earlier
    publication, whose status (suppressed in ``primary`` or published) never changes: they are
    never complements, but a suppressed one is checked like any other (what is published now
    must not narrow it). ``max_release_checks``: at most this many LP checks of the pruning
    pass (``release_unneeded``) once every cell passes. ``lower_kept``: the part of ``lower``
    that stays whatever is suppressed now (medians an earlier publication holds; 0 without).
    ``report``: told where the repair is (each round, and the LPs' components within one).

    A failing cell held at its lower bound that no complement can widen (a count between
    ``min_median_n`` and ``min_median_n + width`` whose total is fixed: a partner's reached
    households under the households it published a quarter before) has that bound withdrawn
    down to ``lower_kept``; the caller suppresses the medians that gave it
    (``SecondaryStats.released_bounds``)."""
    stats = SecondaryStats()
    if max_rounds is None:
        max_rounds = int(disclosure_parameters()["max_repair_rounds"])
    lower = lower.copy()  # bounds may be withdrawn below
    kept = np.zeros(table.n_cells) if lower_kept is None else lower_kept
    if table.structural is not None:  # known zeros (model.py): published, never complements
        fixed = table.structural if fixed is None else fixed | table.structural
    if table.unpublished is not None:  # never in the file: never complements either
        fixed = table.unpublished if fixed is None else fixed | table.unpublished
    cost = cell_costs(table, x)
    heavy = _last_resort_cells(table, x)
    remainder = table.never_published()  # remainders and unpublished cells (model.py)
    rows = _Rows(table)
    if fixed is not None:  # an earlier publication's constants may pin a cell: it is published
        constant = fixed & ~primary & ~remainder
        open_ = ~fixed & ~primary & ~remainder
        stats.pinned = _pinned(table, rows, x, constant, open_, kept, width)
        fixed = fixed | stats.pinned
    suppressed = primary.copy() & ~remainder
    free = np.ones(table.n_cells, dtype=bool) if fixed is None else ~fixed
    linked = _LinkedBounds(table, rows, x, width, free)
    local = {"rows": rows, "lower": lower, "fixed": fixed, "heavy": heavy}
    stats.n_local += _settle(table, x, suppressed, width, cost, linked, **local)
    scope: np.ndarray | None = None
    blocks = families(table)
    inner = inner_blocks(table)
    deferred = np.zeros(0, dtype=np.int64)  # unresolved while other cells were repaired
    found: deque[list[tuple[np.ndarray, np.ndarray]]] = deque()  # the newest rounds' points
    passed = False
    for round_no in range(max_rounds + 1):
        if round_no == max_rounds and deferred.size:  # the last round decides every cell
            scope = deferred if scope is None else np.union1d(scope, deferred)
            deferred = np.zeros(0, dtype=np.int64)
        hidden = suppressed | remainder
        started = time.perf_counter()
        # Suppressing more only widens intervals (a constant becomes a variable), so a cell that
        # passed stays passed: after the first round only the failing and new cells are checked.
        targets = (
            suppressed if scope is None else np.isin(np.arange(table.n_cells), scope) & suppressed
        )
        iv = attacker_intervals(
            table.a_eq,
            table.a_ub,
            hidden,
            x,
            targets,
            lower,
            width=width,
            points=[x],
            want_binding=True,
            only_cells=scope,
            backend=backend,
            blocks=blocks,
            inner_blocks=inner,
            local_fail=True,
            joint_rounds=joint_rounds,
            workers=workers,
            defer=round_no < max_rounds,
            keep_points=True,  # for the pruning pass and the gate's audit
            report=None if report is None else partial(_in_round, report, round_no),
        )
        stats.lp_seconds += time.perf_counter() - started
        stats.n_lp += iv.n_lp + iv.n_lp_local
        stats.n_lp_rounds += 1
        if iv.infeasible:
            raise RuntimeError(
                "the true table is not a solution of its own relations (numerical trouble)"
            )
        # suppressing more keeps every point feasible: the newest serve the pruning pass and
        # the gate's audit
        if iv.points:
            found.appendleft(iv.points)
        while found and sum(_n_rows(pts) for pts in found) - _n_rows(found[-1]) >= KNOWN_POINTS:
            found.pop()
        # Intervals.width is computed over every cell on each access: once per round, not
        # once per failing cell (that made a national table's rounds quadratic)
        iv_width = iv.width
        if iv.deferred is not None:
            deferred = np.union1d(deferred, np.flatnonzero(iv.deferred))
        with np.errstate(invalid="ignore"):
            fails = np.flatnonzero(
                targets & (iv_width < width - TOL) & ~np.isin(np.arange(table.n_cells), deferred)
            )
        stats.rounds.append(
            {
                "round": round_no,
                "components": iv.n_components,
                "lp": iv.n_lp,
                "fails": int(fails.size),
                "largest": iv.largest_component,
                "lp_local": iv.n_lp_local,
                "seconds": time.perf_counter() - started,
            }
        )
        if report is not None:
            waiting = f", {deferred.size:,} waiting for the full LPs" if deferred.size else ""
            _in_round(
                report,
                round_no,
                f"{fails.size:,} cell{'' if fails.size == 1 else 's'} too narrow{waiting} "
                f"({stats.lp_seconds:.0f} s of LPs so far)",
            )
        if fails.size == 0 and deferred.size:  # the repairs are done: now the full LPs
            scope, deferred = deferred, np.zeros(0, dtype=np.int64)
            continue
        if fails.size == 0:
            passed = True
            break
        new: list[int] = []
        for j in fails if round_no < max_rounds else ():
            deficit = width - float(iv_width[j])
            cands = np.array(sorted(iv.binding.get(int(j), ())), dtype=np.int64)
            cands = cands[~hidden[cands] & free[cands]] if cands.size else cands
            pick = _pick(cands, x, cost, heavy, deficit)
            if pick is None:
                near = _neighbours(rows, np.array([j]))
                pick = _pick(near[~hidden[near] & free[near]], x, cost, heavy, deficit)
            if pick is None:  # nothing published around it: widen to the neighbours' neighbours
                near = _neighbours(rows, _neighbours(rows, np.array([j])))
                pick = _pick(near[~hidden[near] & free[near]], x, cost, heavy, deficit)
            if pick is not None:
                new.append(pick)
        if not new and round_no < max_rounds:  # no complement: a median's bound may go
            held = fails[(lower[fails] > kept[fails]) & (iv.lo[fails] <= lower[fails] + TOL)]
            if held.size:
                lower[held] = kept[held]
                stats.released_bounds = np.union1d(stats.released_bounds, held)
                scope = np.concatenate([fails, deferred])
                deferred = np.zeros(0, dtype=np.int64)
                continue
        if not new:
            # Last resort (or nothing left to pick): suppress every count of the gemeenten
            # still failing and of the areas above them, in every period whose cells may still
            # change; when that adds nothing, of their whole top areas.
            for whole_top in (False, True):
                areas, n_groups = _last_resort_areas(table, fails // table.k, whole_top)
                cells = (areas[:, None] * table.k + np.arange(table.k)[None, :]).ravel()
                cells = cells[free[cells] & ~suppressed[cells]]
                if cells.size:
                    break
            if cells.size == 0:
                break  # nothing more can be suppressed: the audit will say which cells fail
            suppressed[cells] = True
            stats.n_whole_components += n_groups
            scope = np.concatenate([fails, cells, deferred])
            deferred = np.zeros(0, dtype=np.int64)
            continue
        new_cells = np.unique(np.array(new, dtype=np.int64))
        suppressed[new_cells] = True
        stats.n_lp_repairs += int(new_cells.size)
        before = suppressed.copy()
        stats.n_local += _settle(
            table, x, suppressed, width, cost, linked, start=new_cells, **local
        )
        # the deferred cells wait for the full pass: checking them again in every repair round
        # only repeats their local LPs
        scope = np.concatenate([fails, np.flatnonzero(suppressed & ~before), new_cells])
    known = _KnownPoints(x, np.flatnonzero(suppressed | remainder))
    for points in reversed(found):  # oldest first: the newest end up in front
        known.add(points)
    if passed:  # every cell passed: give back the complements later ones made unneeded
        release_unneeded(
            table,
            x,
            suppressed,
            primary,
            lower,
            width,
            cost,
            rows,
            fixed=fixed,
            max_checks=max_release_checks,
            backend=backend,
            workers=workers,
            stats=stats,
            known=known,
        )
    # the cells still hidden (a complement published again is no unknown) that move
    keep = (suppressed | remainder)[known.cells] & (known.rows != known.x[known.cells]).any(axis=0)
    stats.points = (known.cells[keep], known.rows[:, keep])
    return suppressed, stats


def _in_round(report: Callable[[str], None], round_no: int, message: str) -> None:
    report(f"repair round {round_no}: {message}")


KNOWN_POINTS = 48
"""Feasible points the pruning pass keeps from one check to the next (``_KnownPoints``). On
the scale-0.3 demo's fifth quarter (a component of 13,400 hidden cells) 48 prove about 9,000
of 9,300 cells per check before any LP, 24 about 7,000; the pass took 176 s with 48, 230 s
with 24 and 437 s without (docs/late-figures-plan.md, What is left 3). Memory: a row per point
over the hidden cells."""


def _n_rows(points: list[tuple[np.ndarray, np.ndarray]]) -> int:
    """Rows ``_KnownPoints.add`` makes of one ``lp.Intervals.points``."""
    return max((v.shape[0] for _, v in points), default=0)


class _KnownPoints:
    """Feasible points of the attacker's polyhedron, kept between the pruning pass's checks.

    One row per point, over ``cells`` (the hidden cells when the pass starts; the true table
    elsewhere). Publishing a cell ``c`` again fixes it at its true value ``x[c]``: a point
    with ``c`` there stays feasible, and so does, on the segment between a point below
    ``x[c]`` and one above, the point where ``c`` is at ``x[c]`` (the polyhedron is convex).
    Those points prove most cells of a check wide enough before any LP: the checks that pass
    otherwise push every suppressed cell of the gemeente to its extremes on the full LP again
    (docs/late-figures-plan.md, What is left 3). Sound whatever the points: each is feasible."""

    def __init__(self, x: np.ndarray, cells: np.ndarray) -> None:
        self.x = np.nan_to_num(x)
        self.cells = cells
        self.rows = np.zeros((0, cells.size))

    def add(self, points: list[tuple[np.ndarray, np.ndarray]]) -> None:
        """Add the points of one ``lp.Intervals.points`` (per component: its cells, one vertex
        per row; the components' i-th vertices share a row, as the components are
        independent) before the others, keeping at most ``KNOWN_POINTS``."""
        if not points:
            return
        rows = np.tile(self.x[self.cells], (_n_rows(points), 1))
        for comp_cells, vertices in points:
            rows[: vertices.shape[0], np.searchsorted(self.cells, comp_cells)] = vertices
        self.rows = np.vstack([rows, self.rows])[:KNOWN_POINTS]

    def released(self, c: int) -> tuple[tuple[np.ndarray, np.ndarray], np.ndarray]:
        """With ``c`` published at its true value: (per cell of the table, the least and
        greatest value over the points that stay feasible, +inf and -inf where none), and
        those points, at most ``KNOWN_POINTS``: the ones with ``c`` at its value, then the
        segments' points that give the most cells their least or greatest value."""
        lo, hi = np.full(self.x.size, np.inf), np.full(self.x.size, -np.inf)
        m, cols = self.rows.shape
        if not m:
            return (lo, hi), self.rows
        target = self.x[c]
        value = self.rows[:, int(np.searchsorted(self.cells, c))]
        kept = self.rows[np.abs(value - target) <= TOL]
        p_lo = kept.min(axis=0, initial=np.inf)
        p_hi = kept.max(axis=0, initial=-np.inf)
        best = np.full((2, cols), -1)  # per cell: the segment (i * m + k) of its least, greatest
        above = np.flatnonzero(value > target + TOL)
        below = np.flatnonzero(value < target - TOL) if above.size else above
        for i in below:  # the segments from point i to every point above
            seg = self._on_segments(i, above, value, target)
            extremes = ((p_lo, np.less, np.argmin), (p_hi, np.greater, np.argmax))
            for side, (ext, better, pick) in enumerate(extremes):
                arg = pick(seg, axis=0)
                val = seg[arg, np.arange(cols)]
                won = better(val, ext)
                ext[won] = val[won]
                best[side, won] = i * m + above[arg[won]]
        lo[self.cells], hi[self.cells] = p_lo, p_hi
        segments, uses = np.unique(best[best >= 0], return_counts=True)
        chosen = segments[np.argsort(-uses, kind="stable")][: KNOWN_POINTS - kept.shape[0]]
        points = [kept] + [
            self._on_segments(int(s // m), np.array([s % m]), value, target) for s in chosen
        ]
        return (lo, hi), np.vstack(points)

    def anchored(
        self,
        c: int,
        a: sp.csr_matrix,
        n_eq: int,
        block: np.ndarray,
        lower: np.ndarray,
        backend: str,
    ) -> np.ndarray:
        """With ``c`` published at its true value: each point that has ``c`` elsewhere, with
        ``c`` moved to its value and the hidden cells of ``block`` (cell indices, ``c`` not
        among them) solved again, every other cell kept where the point has it: a restricted LP
        with no objective over the rows ``a`` (``a_eq`` then ``a_ub`` stacked, ``n_eq`` rows
        of the first) touching the block. A point it finds no solution for is left out.

        Each row is a feasible point with ``c`` published: the relations that touch the block
        hold by the LP, the others as at the point. A cell far from ``c`` keeps the value the
        point had, so what the points proved there stays proved; the segments of ``released``
        only shrink it. Rows over ``cells``."""
        col = int(np.searchsorted(self.cells, c))
        moved = self.rows[np.abs(self.rows[:, col] - self.x[c]) > TOL]
        if not moved.shape[0] or not block.size:
            return np.zeros((0, self.cells.size))
        rows = np.unique(a[:, block].tocoo().row)
        a_rows = a[rows]
        a_block = a_rows[:, block].tocsc()
        is_eq = rows < n_eq
        at = np.searchsorted(self.cells, block)
        out = []
        for point in moved:
            v = self.x.copy()
            v[self.cells] = point
            v[c] = self.x[c]
            v[block] = 0.0
            b = -(a_rows @ v)
            model = LPModel(a_block, np.where(is_eq, b, -np.inf), b, lower[block], backend)
            y = model.explore(np.zeros(block.size))
            if y is not None:
                point = point.copy()
                point[col] = self.x[c]
                point[at] = y
                out.append(point)
        return np.array(out).reshape(-1, self.cells.size)

    def _on_segments(
        self, i: int, others: np.ndarray, value: np.ndarray, target: float
    ) -> np.ndarray:
        """Per point in ``others``: the point of its segment from point ``i`` where the
        released cell (``value`` per point) is at ``target``."""
        t = (target - value[i]) / (value[others] - value[i])
        return self.rows[i] + t[:, None] * (self.rows[others] - self.rows[i])


def _widened(
    seen: tuple[np.ndarray, np.ndarray], cells: np.ndarray, points: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``seen`` (least and greatest value per cell of the table) widened by ``points`` (rows
    over ``cells``)."""
    if not points.shape[0]:
        return seen
    lo, hi = seen[0].copy(), seen[1].copy()
    lo[cells] = np.minimum(lo[cells], points.min(axis=0))
    hi[cells] = np.maximum(hi[cells], points.max(axis=0))
    return lo, hi


def _proved_narrow(iv: Intervals, width: float) -> bool:
    """A cell of ``iv`` proved narrower than ``width`` (not one merely left unresolved), or a
    component without a feasible point."""
    proved = ~np.isnan(iv.lo)
    if iv.deferred is not None:
        proved &= ~iv.deferred
    return bool(iv.infeasible) or bool((iv.width[proved] < width - TOL).any())


def release_unneeded(
    table: Table,
    x: np.ndarray,
    suppressed: np.ndarray,
    start: np.ndarray,
    lower: np.ndarray,
    width: float,
    cost: np.ndarray,
    rows: _Rows,
    *,
    fixed: np.ndarray | None,
    max_checks: int,
    backend: str = "highs",
    workers: int = 1,
    stats: SecondaryStats | None = None,
    known: _KnownPoints | None = None,
) -> int:
    """Publish again, in place, complements that later complements made unneeded; returns how
    many (a pruning pass after the repair).

    The repair adds complements for one failing cell at a time, so one chosen early can be
    unneeded once later ones widen the same cells (docs/periods-plan.md 7). Candidates: the
    complements (suppressed, not in ``start``, not ``fixed``) whose sub-tables still pass the
    local rule of ``local_fixpoint`` without them, in the order of the cost seed's weights (the
    cost per unit of value: ``hh_met_signaal`` before ``signalen`` before a persona split, a
    wijk before a buurt), the largest first within a weight. Each is published on trial and the
    attacker's LP re-run on every component holding a hidden cell of its relations (publishing
    a cell only turns a variable of its own component into a constant), with every suppressed
    cell there a target: the trial stands only when each is still at least ``width`` wide,
    proved as in the repair rounds (a pass by two feasible points, a failure by an exact LP or
    a relaxed block LP, which ends the check early). A check starts with a probe: the block
    LPs of the families around the released cell alone (``lp`` ``local_only``), where a
    failure shows first; one they prove ends the check before the other targets' block LPs
    and any full LP (the demo's 2026Q3: eight failing checks 1.1-3.5 s each before, 0.02-0.05 s
    after). When it proves none, the kept points that move the released cell are moved back
    around it (``_KnownPoints.anchored``): what they proved further off stays proved, and
    fewer cells are left for the full LP's joint rounds (the demo's last check 17.4 s to 8.5
    s). Neither runs around a gemeente's cell, whose relations reach every wijk: there the
    check's own block LPs are the same work. At most ``max_checks`` such checks
    (``max_release_checks`` of ``seeds/disclosure_parameters.csv``): the pass costs a bounded
    time whatever the size of the table, and its result does not depend on the machine.

    Feasible points carry over from one check to the next (``known``: started with the repair
    rounds' ``lp.Intervals.points``, updated in place, so that the caller holds the points
    feasible after the pass) and prove most cells before an LP does. They change no outcome: a
    check passes when every cell is proved wide, and fails only on a cell an LP proves too
    narrow, whichever points proved the others."""
    if max_checks <= 0:
        return 0
    free = np.ones(table.n_cells, dtype=bool) if fixed is None else ~fixed
    remainder = table.never_published()
    complements = np.flatnonzero(suppressed & ~start & free & ~remainder)
    weight = cost[complements] / (np.nan_to_num(x[complements]) + 1.0)  # per unit of value
    order = complements[np.lexsort((complements, -cost[complements], -weight))]
    blocks, inner = families(table), inner_blocks(table)
    top_of_cell = np.repeat(_top_areas(table), table.k)
    heavy = _last_resort_cells(table, x)
    if known is None:
        known = _KnownPoints(x, np.flatnonzero(suppressed | remainder))
    released = checks = 0
    for c in order:
        if checks >= max_checks:
            break
        trial = suppressed.copy()
        trial[c] = False
        if local_fixpoint(
            table, x, trial, width, cost, start=np.array([c]), rows=rows, lower=lower,
            fixed=fixed, heavy=heavy,
        ):  # fmt: skip
            continue  # a sub-table of c would need a complement again
        near = _neighbours(rows, np.array([c]))
        checks += 1
        started = time.perf_counter()
        seen, still_feasible = known.released(int(c))
        check = {
            "a_eq": table.a_eq,
            "a_ub": table.a_ub,
            "hidden": trial | remainder,
            "known": x,
            "lower": lower,
            "width": width,
            "points": [x],
            "only_cells": near[trial[near] | remainder[near]],
            "backend": backend,
            "blocks": blocks,
            "inner_blocks": inner,
            "local_fail": True,
            "workers": workers,
            "seen": seen,
            "start_at_point": True,  # a check's verdict does not depend on the vertices
        }
        # the probe: the block LPs of the families around c alone, where a failure shows first
        # (unless those hold most targets of c's top area, as around a gemeente's cell: then the
        # check's own block LPs are the probe)
        in_around = np.isin(blocks, blocks[near])
        around = trial & in_around
        local = 2 * around.sum() < (trial & (top_of_cell == top_of_cell[c])).sum()
        runs: list[Intervals] = []
        anchored = np.zeros((0, known.cells.size))
        if local:
            runs.append(attacker_intervals(targets=around, local_only=True, **check))
        if not runs or not _proved_narrow(runs[0], width):
            if local:  # the points that move c, moved back around c, prove the cells far off
                block = np.flatnonzero(in_around & (trial | remainder))
                anchored = known.anchored(int(c), rows.a, rows.n_eq, block, lower, backend)
                check["seen"] = _widened(seen, known.cells, anchored)
            runs.append(attacker_intervals(targets=trial, defer=True, keep_points=True, **check))
        iv = runs[-1]
        if stats is not None:
            stats.lp_seconds += time.perf_counter() - started
            stats.n_lp += sum(run.n_lp + run.n_lp_local for run in runs)
        # a cell proved too narrow; after a relaxed LP proved one, the component's other open
        # targets are left unresolved (deferred) with the known points' widths, also narrow
        solved = ~np.isnan(iv.lo)
        if iv.infeasible or (iv.width[solved] < width - TOL).any():
            known.add(iv.points)  # the trial's points are feasible with c suppressed too
            continue
        suppressed[c] = False
        known.rows = np.vstack([anchored, still_feasible])[:KNOWN_POINTS]
        known.add(iv.points)
        released += 1
    if stats is not None:
        stats.n_release_checks += checks
        stats.n_released += released
    return released
