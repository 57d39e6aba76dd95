"""The disclosure audit: what can an attacker derive from the published table alone?

    audit = audit_publication(published)     # the candidate / published frame of one quarter
    audit.passed, audit.failures, audit.narrowest, audit.violations

Input: only the published frame (``value`` NULL where ``status`` is suppressed) and the
public structure: the hierarchy from ``parent_code`` and the indicator relations of
``model.py`` (from seeds/indicators.csv). No restricted value decides anything. The gate may
hand in the protected (restricted) rows as a *starting point* (``restricted``): the audit
checks that their values are a point of its own polyhedron (every published value equal,
every relation and lower bound held) and then starts its search from it, as the protecting
side starts from the true table (``lp.attacker_intervals``, ``points``); rejected, it is not
used. Likewise the other tables protect found the attacker could take for the true one
(``points``: ``protect.feasible_points``, about 48 of them, stored with the quarter): each
is completed with the start point and checked the same way, and the least and greatest value
per cell over those that pass prove most cells wide before any LP (``lp.attacker_intervals``,
``seen``). A point counts only when it meets every published value, relation and lower bound
to ``POINT_TOL`` (1e-9, far below the tolerances of the widths). A pass is still proved by two
feasible points of the audit's own model and a failure by its own LPs, so the verdict cannot
depend on the points beyond that round-off, only the time does (the demo's four-quarter file:
48 s without the start point, 28 s with it; the audit of its five-quarter file of 2026Q3: 57
s with the start point alone, 13 s with protect's points too).

1. Visible rules (``violations``): no published count from 1 to ``min_count - 1``; no
   published rate over a suppressed numerator or denominator (it would give the suppressed
   count back: num = rate x den / scale), nor over a published denominator below
   ``min_denominator``; no published median over a published count below ``min_median_n``;
   no suppressed rate whose numerator and denominator are both published with a denominator
   of at least ``min_denominator`` (such a rate is recomputable, so its suppression would be
   a pretence; below ``min_denominator`` the rate is withheld as unreliable, not secret:
   both its counts are public anyway); published cells satisfy every relation exactly. A count
   the reader knows already (``Relations.known``: a partner its own signals) is exempt from
   the first rule and must be published (suppressed, it would protect nothing). A part of a
   group whose members the reader can name (``Relations.named_groups``) must not be published
   within ``min_count`` of its published total (``primary.primary_nearly_all``).
2. The LP (``lp.attacker_intervals``): variables are the suppressed counts, the hidden
   gemeente remainders and the unpublished counts (a count at a level
   ``seeds/publicatie_niveaus.csv`` leaves it out of, with no row in the file), constants
   the published counts and the structural zeros (a count at a level its indicator does not
   exist at is 0 by definition, suppressed or not: ``model.py``), constraints every relation of
   ``model.Table`` and ``x >= 0`` (``x >= min_median_n`` for a household count whose median
   is published). For every suppressed count: min and max over that polyhedron, solved per
   connected component. ``failures``: cells whose interval is narrower than
   ``protection_width``. A suppressed rate is covered by this: it is published only with
   both its counts, so a suppressed rate always has a suppressed count (numerator or
   denominator) of at least that width behind it, or a denominator below
   ``min_denominator`` (rule 1). A suppressed median cannot be derived from counts at all.
   With known counts, a narrower interval passes when it is the reader's *prior* interval:
   the same cell's interval with only the known counts published (a partner that sent 7
   signals knows every count of them is at most 7; the file must not tell it more).

Widths are compared with a tolerance of ``AUDIT_TOL`` (LP round-off); the protecting side
demands ``lp.TOL`` (smaller), so what it passes, the audit passes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from orchestration.contract import PERIOD_KEY
from orchestration.disclosure.lp import Intervals, attacker_intervals, default_workers
from orchestration.disclosure.model import (
    Relations,
    Table,
    build_table,
    default_relations,
    families,
    fill_remainders,
    inner_blocks,
    relations_for,
    row_areas,
)
from orchestration.parameters import disclosure_parameters

AUDIT_TOL = 1e-4
POINT_TOL = 1e-9
"""How far a start point or one of protect's points may miss a published value, a relation
or a lower bound and still be taken for a point of the audit's polyhedron. The true table
meets them exactly (integer counts) and protect's LP vertices to about 1e-13 (measured); a
point missing them by more could stretch a cell's proved interval by about as much, so it is
kept far below ``lp.TOL`` and ``AUDIT_TOL``."""


@dataclass
class AuditResult:
    passed: bool
    narrowest: list[tuple[str, str, float, float, float]]
    """(area_code, indicator, lower, upper, width) of the narrowest suppressed counts, their
    exact intervals (the LP's min and max)."""
    failures: list[tuple[str, str, float, float, float]]
    """Suppressed counts whose interval is narrower than ``protection_width``."""
    violations: list[str] = field(default_factory=list)
    """Visible rule breaches (see the module docstring)."""
    n_checked: int = 0
    """Suppressed count cells whose interval was established."""
    n_exact: int = 0
    """Of those, how many by their own LP min and max (the others proved wide enough by
    feasible points of other LPs: their true interval is at least as wide as reported)."""
    n_components: int = 0
    largest_component: int = 0
    n_lp: int = 0
    seconds: float = 0.0
    start_point: str = "none"
    """``restricted`` rows given: ``used`` (a point of the audit's polyhedron) or why they
    were ``rejected: ...``; ``none`` without them."""
    protect_points: str = "none"
    """``points`` given: how many of protect's feasible points were points of the audit's
    polyhedron (``47 of 48 used``), or why none could be used (``rejected: ...``); ``none``
    without them."""

    def summary(self) -> str:
        head = "passed" if self.passed else "FAILED"
        return (
            f"disclosure audit {head}: {self.n_checked} suppressed counts checked in "
            f"{self.n_components} components ({self.n_lp} LPs, {self.seconds:.1f}s); "
            f"{len(self.failures)} too narrow, {len(self.violations)} rule violations"
        )


def _published_mask(frame: pl.DataFrame) -> np.ndarray:
    return (frame["status"] == "published").to_numpy()


@dataclass
class _Published:
    """The published frame over the model's areas: per indicator, published or not and the
    published value (NaN where suppressed), one entry per real area."""

    frame: pl.DataFrame
    table: Table
    published: dict[str, np.ndarray]
    values: dict[str, np.ndarray]


def _published_table(published: pl.DataFrame, rel: Relations) -> _Published:
    frame = published.with_columns(
        value=pl.when(pl.col("status") == "published").then(pl.col("value")).otherwise(None)
    )
    table = build_table(frame, rel)
    n = table.n_real
    idx = row_areas(frame, table)
    names = frame["indicator"].to_numpy()
    pub = _published_mask(frame)
    vals = frame["value"].cast(pl.Float64).fill_null(np.nan).to_numpy()
    wide_pub: dict[str, np.ndarray] = {}
    wide_val: dict[str, np.ndarray] = {}
    for name in rel.kinds:
        m = names == name
        p = np.zeros(n, dtype=bool)
        p[idx[m]] = pub[m]
        v = np.full(n, np.nan)
        v[idx[m]] = vals[m]
        wide_pub[name], wide_val[name] = p, v
    return _Published(frame, table, wide_pub, wide_val)


# --- 1. visible rules -------------------------------------------------------------------------


def _visible_rule_violations(pub: _Published, rel: Relations, params: dict) -> list[str]:
    """Rule 1 of the module docstring on the published cells alone (the relations among
    published cells are checked with the hidden cells, ``_relation_violations``)."""
    frame, wide_pub, wide_val = pub.frame, pub.published, pub.values
    violations: list[str] = []
    unknown_status = frame.filter(~pl.col("status").is_in(["published", "suppressed"]))
    if unknown_status.height:
        violations.append(
            f"{unknown_status.height} rows with a status other than published/suppressed"
        )
    null_published = frame.filter((pl.col("status") == "published") & pl.col("value").is_null())
    for row in null_published.head(20).iter_rows(named=True):
        violations.append(f"{row['area_code']} {row['indicator']}: published without a value")
    codes_arr = pub.table.area_code

    def flag(mask: np.ndarray, what: str) -> None:
        for a in np.flatnonzero(mask)[:20]:
            violations.append(f"{codes_arr[a]} {what}")
        if mask.sum() > 20:
            violations.append(f"... and {int(mask.sum()) - 20} more: {what}")

    for name in rel.known:
        flag(~wide_pub[name], f"{name}: suppressed, but the reader knows it")
    for part, total in rel.named_groups:
        p, t = wide_val[part], wide_val[total]
        flag(
            wide_pub[part] & wide_pub[total] & (p > 0) & (t - p < params["min_count"]),
            f"{part}: published within min_count of {total}, whose members the reader can name",
        )
    for name in (n for n in rel.counts if n not in rel.known):
        v = wide_val[name]
        flag(
            wide_pub[name] & (v > 0) & (v < params["min_count"]),
            f"{name}: published count below min_count",
        )
    for ind in rel.rates:
        p, num_p, den_p = wide_pub[ind.name], wide_pub[ind.numerator], wide_pub[ind.denominator]
        den = wide_val[ind.denominator]
        flag(
            p & ~(num_p & den_p),
            f"{ind.name}: published while its numerator or denominator is suppressed",
        )
        flag(
            p & den_p & ~(den >= params["min_denominator"]),
            f"{ind.name}: published over a denominator below min_denominator",
        )
        flag(
            ~p & num_p & den_p & (den >= params["min_denominator"]),
            f"{ind.name}: suppressed but recomputable from its published numerator and denominator",
        )
    for ind in rel.medians:
        p, den_p, den = wide_pub[ind.name], wide_pub[ind.denominator], wide_val[ind.denominator]
        flag(
            p & den_p & ~(den >= params["min_median_n"]),
            f"{ind.name}: published over fewer than min_median_n households",
        )
    return violations


# --- 2. the attacker's LP ---------------------------------------------------------------------


@dataclass
class _Unknowns:
    """The attacker's view: hidden cells (suppressed counts and remainders), the suppressed
    counts to bound (targets), the known values and the lower bounds of the hidden cells."""

    hidden: np.ndarray
    targets: np.ndarray
    known: np.ndarray
    lower: np.ndarray


def _unknowns(pub: _Published, rel: Relations, params: dict) -> _Unknowns:
    table = pub.table
    k, n = table.k, table.n_real
    hidden = np.zeros(table.n_cells, dtype=bool)
    for i, name in enumerate(rel.counts):
        hidden[np.arange(n) * k + i] = ~pub.published[name]
    hidden[table.structural] = False  # 0 by definition, whatever the frame says (model.py)
    targets = hidden.copy()
    hidden[n * k :] = True
    if table.unpublished is not None:  # not in the file: an unknown, not a target (model.py)
        targets &= ~table.unpublished
        hidden |= table.unpublished
    known = np.where(hidden, 0.0, np.nan_to_num(table.values))
    lower = np.zeros(table.n_cells)
    for ind in rel.medians:
        areas = np.flatnonzero(pub.published[ind.name])
        cells = table.cell(areas, ind.denominator)
        lower[cells] = np.maximum(lower[cells], params["min_median_n"])
    return _Unknowns(hidden, targets, known, table.fold_lower_bounds(lower))


def _relation_violations(table: Table, unknowns: _Unknowns) -> list[str]:
    """Published cells among themselves must satisfy every relation (rule 1, last item)."""
    violations = []
    for a_mat, kind in ((table.a_eq, "eq"), (table.a_ub, "ub")):
        only_pub = np.asarray((a_mat[:, unknowns.hidden] != 0).sum(axis=1)).ravel() == 0
        resid = a_mat @ unknowns.known
        bad = only_pub & ((np.abs(resid) > AUDIT_TOL) if kind == "eq" else (resid > AUDIT_TOL))
        for r in np.flatnonzero(bad)[:20]:
            cells = a_mat.getrow(r).indices
            violations.append(
                "published cells break a relation: "
                + ", ".join(f"{table.describe(int(c))}" for c in cells)
            )
    return violations


def _breaks(table: Table, unknowns: _Unknowns, point: np.ndarray) -> str | None:
    """What keeps ``point`` from being a point of the audit's polyhedron (to ``POINT_TOL``):
    ``missing`` (a value that is no number), ``published`` (a published cell has another
    value) or ``relation`` (a relation or lower bound broken); None when it is one."""
    if not np.isfinite(point).all():
        return "missing"
    shown = ~unknowns.hidden
    if np.abs(point[shown] - unknowns.known[shown]).max(initial=0.0) > POINT_TOL:
        return "published"
    if (
        np.abs(table.a_eq @ point).max(initial=0.0) > POINT_TOL
        or (table.a_ub @ point).max(initial=0.0) > POINT_TOL
        or (point < unknowns.lower - POINT_TOL).any()
    ):
        return "relation"
    return None


def _start_point(
    pub: _Published, unknowns: _Unknowns, restricted: pl.DataFrame, rel: Relations
) -> tuple[np.ndarray | None, str]:
    """The restricted rows' values as a point of the audit's polyhedron: (point, "used"), or
    (None, "rejected: why") when they are not one (module docstring)."""
    key = [c for c in ("quarter", *PERIOD_KEY, "area_code", "indicator") if c in pub.frame.columns]
    missing = sorted(set(key) - set(restricted.columns))
    if missing:
        return None, f"rejected: the restricted rows lack {missing}"
    truth = pub.frame.select(key).join(
        restricted.select(*key, "value"), on=key, how="left", maintain_order="left"
    )
    frame = pub.frame.with_columns(value=truth["value"])
    if "status" in restricted.columns:  # the cells not in the file: values of the unknowns
        left_out = restricted.filter(pl.col("status") == "unpublished")
        frame = pl.concat([frame, left_out.select(frame.columns)], how="vertical_relaxed")
    table = build_table(frame, rel)
    point = fill_remainders(table)
    if np.isnan(point).any():
        return None, "rejected: a count of the published frame has no restricted value"
    why = _breaks(pub.table, unknowns, point)
    if why == "published":
        return None, "rejected: a published value differs from its restricted value"
    if why == "relation":
        return None, "rejected: the restricted values break a relation of the model"
    return point, "used"


def _protect_points(
    table: Table, unknowns: _Unknowns, start: np.ndarray | None, points: pl.DataFrame | None
) -> tuple[tuple[np.ndarray, np.ndarray] | None, str]:
    """Protect's feasible points (``protect.feasible_points``: the hidden cells that differ
    from the true table, by name) completed with the start point and checked one by one:
    ((per cell the least and greatest value over those that are points of the audit's
    polyhedron), "k of m used"), or (None, why none is used)."""
    if points is None or points.is_empty():
        return None, "none"
    if start is None:
        return None, "rejected: they complete the start point, which was not used"
    missing = sorted({"area", "indicator", "point_values"} - set(points.columns))
    if missing:
        return None, f"rejected: they lack {missing}"
    dtype = points["point_values"].dtype
    if not isinstance(dtype, pl.List) or not dtype.inner.is_numeric():
        return None, "rejected: their values are no lists of numbers"
    lengths = points["point_values"].list.len()
    if lengths.null_count() or lengths.n_unique() != 1:
        return None, "rejected: their rows hold different numbers of points"
    n_points = int(lengths[0])
    if n_points == 0:
        return None, "none"
    if len(set(table.area_code.tolist())) != table.n_areas:  # names could not say which area
        return None, "rejected: two areas of the published file's model share a name"
    areas = pl.DataFrame({"area": table.area_code.astype(str), "_area": range(table.n_areas)})
    names = pl.DataFrame({"indicator": list(table.relations.counts), "_count": range(table.k)})
    found = points.join(areas, on="area", how="left", maintain_order="left").join(
        names, on="indicator", how="left", maintain_order="left"
    )
    if found["_area"].null_count() or found["_count"].null_count():
        return None, "rejected: they name cells the published file's model does not hold"
    cells = found["_area"].to_numpy() * table.k + found["_count"].to_numpy()
    values = points["point_values"].explode().cast(pl.Float64).to_numpy().reshape(-1, n_points)
    lo, hi = start.copy(), start.copy()
    used = 0
    for j in range(n_points):
        point = start.copy()
        point[cells] = values[:, j]
        if _breaks(table, unknowns, point) is None:
            np.minimum(lo, point, out=lo)
            np.maximum(hi, point, out=hi)
            used += 1
    return ((lo, hi) if used else None), f"{used} of {n_points} used"


def _intervals(
    table: Table,
    u: _Unknowns,
    width: float,
    *,
    exact: bool,
    n_narrowest: int,
    backend: str,
    workers: int,
    points: list[np.ndarray] | None = None,
    seen: tuple[np.ndarray, np.ndarray] | None = None,
    report: Callable[[str], None] | None = None,
) -> tuple[Intervals, np.ndarray, int]:
    """Attacker intervals of every target, the narrowest ``n_narrowest`` exact; (intervals,
    checked target cells, number of LPs solved). ``points``, ``seen``, ``report``: as
    ``lp.attacker_intervals`` takes them.

    The narrowest: the components holding a target among the ``n_narrowest`` of least width
    (ties by cell) that is not exact yet are solved again, starting from the values found so
    far, each until its own ``n_narrowest`` are exact or wider than the widest of those
    (``attacker_intervals``' ``narrowest``, in the model the component builds once); again
    while exact widths bring in other targets. Only those components: in a file of many
    gemeenten the others cost nothing."""
    kw = dict(
        backend=backend,
        blocks=families(table),
        inner_blocks=inner_blocks(table),
        workers=workers,
        start_at_point=True,  # the verdict and the intervals do not depend on the start
        report=report,
    )
    args = (table.a_eq, table.a_ub, u.hidden, u.known, u.targets, u.lower)
    iv = attacker_intervals(*args, width=width, points=points, seen=seen, exact=exact, **kw)
    t_cells = np.flatnonzero(u.targets)
    checked = t_cells[~np.isnan(iv.lo[t_cells])]
    n_lp = iv.n_lp + iv.n_lp_local
    for _ in range(8):
        order = checked[np.lexsort((checked, iv.hi[checked] - iv.lo[checked]))]
        top = order[:n_narrowest]
        todo = top[~iv.exact[top]]
        if todo.size == 0:
            break
        # every value found is one at a feasible point: where the refinement starts
        found_lo, found_hi = np.fmin(iv.lo, np.inf), np.fmax(iv.hi, -np.inf)
        if seen is not None:
            found_lo, found_hi = np.fmin(found_lo, seen[0]), np.fmax(found_hi, seen[1])
        again = attacker_intervals(
            *args,
            width=width,
            points=points,
            seen=(found_lo, found_hi),
            only_cells=todo,
            narrowest=n_narrowest,
            narrowest_width=float((iv.hi - iv.lo)[top].max()),
            **kw,
        )
        n_lp += again.n_lp + again.n_lp_local
        # a cell solved before and only proved now has the same interval: still exact
        done = u.targets & ~np.isnan(again.lo)
        iv.lo[done], iv.hi[done] = again.lo[done], again.hi[done]
        iv.exact[done] |= again.exact[done]
    return iv, checked, n_lp


def _at_prior(
    table: Table, u: _Unknowns, cells: np.ndarray, iv: Intervals, backend: str, workers: int
) -> np.ndarray:
    """Per cell of ``cells``: its interval is the reader's prior one (module docstring, 2.),
    the interval from the known counts (and the structural zeros) alone."""
    hidden = ~table.known_cells()
    if table.structural is not None:
        hidden &= ~table.structural
    targets = np.zeros(table.n_cells, dtype=bool)
    targets[cells] = True
    prior = _Unknowns(hidden, targets, np.where(hidden, 0.0, u.known), np.zeros(table.n_cells))
    alone, _, _ = _intervals(
        table, prior, 0.0, exact=True, n_narrowest=cells.size, backend=backend, workers=workers
    )
    return (np.abs(alone.lo[cells] - iv.lo[cells]) <= AUDIT_TOL) & (
        np.abs(alone.hi[cells] - iv.hi[cells]) <= AUDIT_TOL
    )


def audit_publication(
    published: pl.DataFrame,
    params: dict | None = None,
    *,
    relations: Relations | None = None,
    exact: bool = False,
    n_narrowest: int = 25,
    backend: str = "highs",
    workers: int | None = None,
    restricted: pl.DataFrame | None = None,
    points: pl.DataFrame | None = None,
    report: Callable[[str], None] | None = None,
) -> AuditResult:
    """Audit a published frame: one quarter, or several quarters with their periods (the
    relations between a period and its quarters are in the model; see the module docstring).

    ``restricted``: the protected rows of the same cells (true ``value``), a starting point
    checked before use (module docstring); the result does not depend on it. ``points``:
    protect's other feasible points (``protect.feasible_points``), each checked the same way
    and completed with the start point; the result does not depend on them either.

    ``exact``: solve min and max of every suppressed count (slower; by default a cell already
    proved wide enough by other LPs' solutions gets no LP of its own). ``workers``: processes
    for the LPs (default ``lp.default_workers()``; the result does not depend on it).
    ``report``: told how many components the LPs have solved (progress; no effect on the
    result).
    """
    started = time.perf_counter()
    params = dict(params or disclosure_parameters())
    rel = relations_for(relations or default_relations(), published)
    width = float(params["protection_width"])
    workers = default_workers() if workers is None else workers
    pub = _published_table(published, rel)
    table = pub.table
    violations = _visible_rule_violations(pub, rel, params)  # 1.
    unknowns = _unknowns(pub, rel, params)
    violations += _relation_violations(table, unknowns)
    point, start_point = (None, "none")
    if restricted is not None:
        point, start_point = _start_point(pub, unknowns, restricted, rel)
    seen, protect_points = _protect_points(table, unknowns, point, points)
    iv, checked, n_lp = _intervals(  # 2.
        table,
        unknowns,
        width,
        exact=exact,
        n_narrowest=n_narrowest,
        backend=backend,
        workers=workers,
        points=None if point is None else [point],
        seen=seen,
        report=report,
    )
    for cells in iv.infeasible:
        violations.append(
            f"no table fits the published values around {table.describe(int(cells[0]))} "
            f"({cells.size} hidden cells): the publication contradicts its own relations"
        )
    narrow = checked[iv.hi[checked] - iv.lo[checked] < width - AUDIT_TOL]
    if narrow.size and rel.known:  # narrow, but no narrower than the reader knew already
        narrow = narrow[~_at_prior(table, unknowns, narrow, iv, backend, workers)]
    failing = set(narrow.tolist())
    rows = []
    for c in checked:
        area, ind = table.describe(int(c))
        lo, hi = float(iv.lo[c]), float(iv.hi[c])
        rows.append((area, ind, lo, hi, hi - lo, c in failing, not iv.exact[c]))
    # exact intervals first among equal widths: the n_narrowest of least width are exact
    # (``_intervals``), and so the first n_narrowest rows are
    rows.sort(key=lambda r: (r[4], r[6], r[0], r[1]))
    failures = [r[:5] for r in rows if r[5]]
    rows = [r[:5] for r in rows]
    unchecked = int(unknowns.targets.sum()) - checked.size
    if unchecked and not iv.infeasible:
        violations.append(f"{unchecked} suppressed counts could not be checked")
    return AuditResult(
        passed=not failures and not violations,
        narrowest=rows[:n_narrowest],
        failures=failures,
        violations=violations,
        n_checked=int(checked.size),
        n_exact=int(iv.exact[checked].sum()),
        n_components=iv.n_components,
        largest_component=iv.largest_component,
        n_lp=n_lp,
        seconds=time.perf_counter() - started,
        start_point=start_point,
        protect_points=protect_points,
    )
