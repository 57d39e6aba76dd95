"""The cells of one quarter's table and the linear relations an attacker knows between them.

Only the *count* indicators are variables of the model: every rate is published only when
its numerator and denominator are both published (so it adds nothing an attacker could not
compute), and a median cannot be derived from counts at all (a published median only tells
that its household count is at least ``min_median_n``: a lower bound, see ``lower_bounds``).

Cells: one per area x count indicator, plus one hidden *remainder* area per gemeente that has
wijken: the addresses without a buurt, which count at gemeente level only. Its cells are
never published, never protected, non-negative and obey the same within-area relations as a
real area (they are counts of a set of households like any other), so

    regio    = sum(gemeenten)               (exact: a regio holds what its gemeenten hold)
    gemeente = sum(wijken) + remainder      (remainder >= 0: gemeente >= sum of its wijken)
    wijk     = sum(buurten)                 (exact)

The hierarchy comes from each area's ``parent_code``; a gemeente in no regio is at the top.

Within every area (real or remainder), from the indicator definitions (seeds/indicators.csv;
the relations are ``SUM_RELATIONS``, ``SUBSET_BOUNDS`` and ``PERSONA_BOUNDS`` of
``orchestration/contract.py``, which the gate checks too):

    signalen       = sum(signalen_<groep>)          (the five publication groups)
    hh_met_signaal = sum(hh_persona_*)              (every signalled household has one persona)
    hh_bereikt     = sum(hh_bereikt_persona_*), hh_hulp_geaccepteerd = sum(hh_hulp_persona_*)
    hh_hulp_persona_<p> <= hh_bereikt_persona_<p> <= hh_persona_<p>     (who is reached)
    hh_meerdere_signalen, hh_onbekend, hh_bereikt <= hh_met_signaal
    hh_hulp_geaccepteerd <= hh_bereikt
    hh_met_signaal <= huishoudens, hh_met_signaal <= signalen
    hh_met_signaal + hh_meerdere_signalen <= signalen   (a household with signals of two or
                                                         more partner types has >= 2 signals)
    2 * hh_meerdere_signalen <= signalen               (implied by the two above; explicit
                                                         for the local rule of secondary.py)
    hh_met_signaal (+ hh_meerdere_signalen) <= sum(signalen_<groep>)
                                  (the signals linked to a household only: at a gemeente and
                                   its remainder signalen also counts signals at no household)
    every count >= 0

An indicator that exists at some levels only (``niveau`` of ``seeds/indicator_definities.csv``,
``contract.indicator_levels``: the signals at no household, gemeente only) is 0 by definition
at the others, and an attacker knows it: such a *structural* cell is a published 0 in the
model whether or not the table has a row for it (a missing part of a sum is a known 0, not a
free variable). It is never suppressed, never a complement and never an unknown of the
attacker's LP, and the unsuppressed input must hold 0 there.

A count that is not published at a level (``seeds/publicatie_niveaus.csv``,
``contract.published_levels``: the chain from signal to help is published per wijk and
gemeente, not per buurt) keeps its cells there as *unpublished* cells (``Table.unpublished``):
like a remainder, an unknown of the attacker's LP bound by every relation it has, never
published, never a complement and not itself a target; what the attacker can say about such
a cell is what the published cells imply, and those obey every rule. A row of the file (an
earlier publication under a wider scope) is what the file says, not an unpublished cell.
One exception, argued in ``_folded_cells``: the buurt cells of the outcome chain
(``folded_counts``: no buurt publishes them and they are bounded by nothing but each other
and the buurt's hh_met_signaal) are *folded* into their wijk's cells when no file holds any
of them: known 0s, without the wijk's hierarchy row for them, since any wijk figures that
obey the wijk's relations split over its buurten in proportion to their hh_met_signaal. The
LPs of a four-quarter period lose about seven unknowns per buurt.

A count that no period type of its slice carries (``Indicator.period_types``: the cohort's
hh_schuldhulp_binnen_6m in a four-quarter period, or in a quarter whose cohort figure is not
computed yet) is structural too: it is in no relation but the hierarchy and its bounds by
counts of its own slice (``hh_schuldhulp_binnen_6m <= hh_met_signaal``), which 0 in every area
of the slice satisfies whatever the other counts are, so the known 0 tells the attacker
nothing and keeps it out of the LPs.

A sum whose parts the slice does not have (``_not_carried_cells``), while it has its total
(who is reached per persona in a four-quarter period, whose hh_bereikt is published without
them), is left out in that slice: it is no relation of the file there; so is a bound whose
parts it lacks (``0 <= total`` is no news). Only the sums over the personas may be left out so
(``LEAVABLE_PARTS``, checked in ``_only_bounded_parts``), for this argument is theirs: the
attacker still knows that the parts exist, ``>= 0`` and under their bounds, but that tells
nothing more. For any figures of the slice that meet its relations, take in every finest area
of the unfolded model (a buurt, a remainder, an area without parts) ``hh_bereikt_persona_<p>
= hh_bereikt * hh_persona_<p> / hh_met_signaal`` and the help in proportion to them, and in
every other area the sum over its parts. Each finest area meets the sums and bounds
(``hh_hulp_geaccepteerd <= hh_bereikt <= hh_met_signaal = sum(hh_persona_*)``), sums of areas
that meet them do too, and the parts add up the hierarchy, so a table with them as unknowns
has the same intervals (tests/test_disclosure_model.py compares the two; with the buurt cells
folded, the fold's own argument below applies on top). Over quarters the attacker also knows
that a persona's reached households of the period's last quarter are among those of the
period (personas are the latest quarter's); the proportional split may break that, but a
split per wijk with each persona's total between its last quarter's figure and its
households in the period (``hh_bereikt`` and ``hh_persona_*`` of the quarter are at most the
period's) meets it too, so it tells nothing more either.

A table may hold several periods (``period_type``, ``period``: quarters, and the four quarters
ending with a quarter), of one or more quarters, as *slices*: with more than one period an
area is named ``<period>:<code>`` (``area_keys``). Every relation above holds within a slice;
between the slice of a multi-quarter period ``Y`` and the quarterly slices ``Q_1 .. Q_n`` of
its quarters, when all of them are in the table, the relations of ``contract.OVER_QUARTERS``
hold per area code (remainders included; not a regio: ``_temporal_rows``) and count indicator:

    same      Y = Q_n                     sum       Y = Q_1 + ... + Q_n
    union     Q_i <= Y <= Q_1 + ... + Q_n latest    Q_n <= Y <= sum
    earliest  Q_1 <= Y <= sum             at_least  Q_i <= Y

So differencing between a period and its quarters, and between overlapping periods (they
share quarter cells: ``Y_t - Y_t-1 = Q_t - Q_t-4`` for signals), is in the attacker's LP.

Equalities are rows of ``a_eq`` (``a_eq @ x == 0``: +1 for the total, -1 for each part),
inequalities rows of ``a_ub`` (``a_ub @ x <= 0``). Published cells become constants, the
suppressed cells and the remainders the variables of the attacker's linear programme.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cache

import numpy as np
import polars as pl
import scipy.sparse as sp

from orchestration.contract import (
    LEVELS,
    PERIOD_COLUMN,
    PERIOD_KEY,
    PERSONA_BOUNDS,
    QUARTERLY,
    indicator_levels,
    late_period_types,
    linked_bounds,
    over_quarters,
    published_levels,
    subset_bounds,
    sum_relations,
)
from orchestration.parameters import Indicator, indicators, periods
from orchestration.quarters import period_quarters

LEAVABLE_PARTS = tuple(part for part, _ in PERSONA_BOUNDS)
"""Prefixes of the parts of the sums a slice may lack while it has their total: who is reached
per persona (module docstring, the argument that leaving them out tells nothing)."""

REMAINDER_LEVEL = "rest"
"""``area_level`` of the hidden remainder areas (addresses without a buurt, per gemeente)."""


class InconsistentTableError(ValueError):
    """The unsuppressed input breaks a relation the disclosure model relies on."""


@dataclass(frozen=True)
class Relations:
    """Which indicators are counts, rates, medians, and how counts relate within an area."""

    counts: tuple[str, ...]
    rates: tuple[Indicator, ...]
    medians: tuple[Indicator, ...]
    sums: tuple[tuple[str, tuple[str, ...]], ...]
    bounds: tuple[tuple[tuple[str, ...], str], ...]
    linked: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = ()
    """(parts, totals): ``sum(parts) <= sum(totals)`` (``contract.LINKED_BOUNDS``)."""
    kinds: dict[str, Indicator] = field(default_factory=dict)
    levels: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Count -> the area levels it exists at (module docstring); all levels when absent."""
    published: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Count -> the area levels it is published at (``contract.published_levels``); all
    levels when absent. Elsewhere its cells are *unpublished* (``Table.unpublished``)."""
    known: tuple[str, ...] = ()
    """Counts the reader of the file knows already (a partner its own signals,
    ``orchestration/partners``): published whatever their value, never suppressed nor a
    complement, and no breach of the primary rule in the audit."""
    named_groups: tuple[tuple[str, str], ...] = ()
    """(part, total): the reader can name the members of the total's group (a partner its own
    households, ``orchestration/partners``), so a part within ``min_count`` of its total tells
    it something of nearly every one of them: primary (``primary.primary_nearly_all``) and a
    visible breach in the audit when published."""

    def count_index(self, name: str) -> int:
        return self.counts.index(name)

    def without(self, names: set[str]) -> Relations:
        """These relations without the counts ``names``, the rates and medians over them and
        every relation that names them."""
        if not names:
            return self

        def keep(*used: str | None) -> bool:
            return not names.intersection(u for u in used if u)

        rates = tuple(i for i in self.rates if keep(i.numerator, i.denominator))
        medians = tuple(i for i in self.medians if keep(i.denominator))
        gone = names | {i.name for i in (*self.rates, *self.medians)} - {
            i.name for i in (*rates, *medians)
        }
        return replace(
            self,
            counts=tuple(c for c in self.counts if c not in names),
            rates=rates,
            medians=medians,
            sums=tuple((t, p) for t, p in self.sums if keep(t, *p)),
            bounds=tuple((p, t) for p, t in self.bounds if keep(t, *p)),
            linked=tuple((p, t) for p, t in self.linked if keep(*p, *t)),
            kinds={n: i for n, i in self.kinds.items() if n not in gone},
            levels={n: v for n, v in self.levels.items() if n not in names},
            published={n: v for n, v in self.published.items() if n not in names},
            known=tuple(n for n in self.known if n not in names),
            named_groups=tuple((p, t) for p, t in self.named_groups if keep(p, t)),
        )


def build_relations(
    inds: tuple[Indicator, ...],
    groups: tuple[str, ...] | None = None,
    known: tuple[str, ...] = (),
    named_groups: tuple[tuple[str, str], ...] = (),
) -> Relations:
    """The relations among ``inds``; ``groups``: the publication groups with signals, when
    not all of them (``contract.linked_bounds``); ``known``, ``named_groups``: those of
    ``Relations``, among ``inds``."""
    counts = tuple(i.name for i in inds if i.kind == "count")
    rates = tuple(i for i in inds if i.kind == "rate")
    medians = tuple(i for i in inds if i.kind == "median")
    sums = [(total, parts) for total, _, parts in sum_relations(counts)]
    bounds = tuple(subset_bounds(counts))
    for ind in (*rates, *medians):
        for name in (ind.numerator, ind.denominator):
            if name is not None and name not in counts:
                raise ValueError(f"indicator {ind.name}: {name} is not a count indicator")
    defined = indicator_levels()
    shown = published_levels()
    return Relations(
        counts=counts,
        rates=rates,
        medians=medians,
        sums=tuple(sums),
        bounds=bounds,
        linked=tuple(linked_bounds(counts, groups)),
        kinds={i.name: i for i in inds},
        levels={name: defined.get(name, LEVELS) for name in counts},
        published={name: shown.get(name, LEVELS) for name in counts},
        known=tuple(name for name in known if name in counts),
        named_groups=tuple((p, t) for p, t in named_groups if p in counts and t in counts),
    )


@cache
def default_relations() -> Relations:
    return build_relations(indicators())


def relations_for(relations: Relations, *frames: pl.DataFrame | None) -> Relations:
    """``relations`` without the counts that no frame has a row of (a slice has a count when
    it has a row of it: ``_not_carried_cells``): the cohort's hh_schuldhulp_binnen_6m is not
    in the model of tables without a cohort, nor who is reached per persona in tables without
    it, which stay as they were before they existed. Only a count that is nothing but a part
    of bounds (``SUBSET_BOUNDS``), or all the parts of a sum, can be left out: the attacker's
    model loses nothing with it (module docstring)."""
    given = [f for f in frames if f is not None]
    rows = {str(n) for f in given for n in f["indicator"].unique().to_list()}
    absent = {name for name in relations.counts if name in relations.kinds and name not in rows}
    _only_bounded_parts(relations, absent)
    return relations.without(absent)


def _only_bounded_parts(relations: Relations, names: set[str]) -> None:
    """Refuse to leave out of the model, or take as a known 0, counts ``names`` whose relations
    with the other counts would then tell the attacker's model more, or less, than the
    attacker knows. Allowed: a relation among ``names`` only (all of them 0, or all absent:
    the outcome counts of a quarter whose outcomes come a quarter later), a count of
    ``names`` as the only part of a bound (``part <= total``: 0, or nothing, tells nothing of
    the total), and all the parts of a sum over the personas whose total is present
    (``LEAVABLE_PARTS``; the sum is left out: module docstring). Refused: a count of
    ``names`` as a total over other counts, as one of some of the parts of a sum, in a linked
    bound with other counts, or as one of several parts of a bound."""
    kept = tuple(  # a sum over the personas whose parts are all absent is left out (build_table)
        (total, parts)
        for total, parts in relations.sums
        if total in names
        or not set(parts) <= names
        or not all(p.startswith(LEAVABLE_PARTS) for p in parts)
    )
    bad = _in_sums_with_others(replace(relations, sums=kept), names)
    for parts, total in relations.bounds:
        members = {*parts, total}
        if total in names and not members <= names:
            bad.add(total)
        elif len(set(parts)) > 1 and set(parts) & names and not members <= names:
            bad |= set(parts) & names
    for parts, totals in relations.linked:
        members = {*parts, *totals}
        if members & names and not members <= names:
            bad |= members & names
    if bad:
        raise ValueError(
            f"counts {sorted(bad)} are absent from the table but in a relation the disclosure "
            "model needs with counts that are present"
        )


def _in_sums_with_others(relations: Relations, names: set[str]) -> set[str]:
    """The counts of ``names`` in a sum with a count that is not in ``names``."""
    out: set[str] = set()
    for total, parts in relations.sums:
        members = {total, *parts}
        if members & names and not members <= names:
            out |= members & names
    return out


@dataclass
class Table:
    """One quarter: areas, count cells and the relation matrices over all cells."""

    relations: Relations
    area_code: np.ndarray
    area_level: np.ndarray
    parent: np.ndarray
    """Index of the parent area, -1 for none (remainders point to their gemeente)."""
    n_real: int
    """Areas ``0 .. n_real-1`` are the areas of the frame, the rest are remainders."""
    values: np.ndarray
    """Count value per cell (area * k + indicator); NaN where unknown (suppressed, remainder)."""
    a_eq: sp.csr_matrix
    a_ub: sp.csr_matrix
    eq_total: np.ndarray
    """Per equality row: the cell of its total (the +1 entry)."""
    area_index: dict[str, int]
    area_base: np.ndarray | None = None
    """Area code without its period, per area (the same area in every slice); None for a
    table of one period (its area codes are those codes)."""
    area_period_type: np.ndarray | None = None
    """Period type of every area (``kwartaal``, ``vier_kwartalen``; a quarter's slice is named
    by its own period type, also where a cohort adds cells to it); None without periods."""
    structural: np.ndarray | None = None
    """Per cell: a count at a level its indicator does not exist at, a known 0 (module
    docstring); set by ``build_table``."""
    unpublished: np.ndarray | None = None
    """Per cell: a count at a level it is not published at (``Relations.published``) and not
    in the frame as a published or suppressed row (an earlier publication's row counts as it
    was published): an unknown of the attacker's model like a remainder, bound by every
    relation, never published, never a complement, not itself a target (module docstring);
    set by ``build_table``."""
    folded: np.ndarray | None = None
    """Per cell: a buurt's count that its wijk's cell takes over (``_folded_cells``): a known
    0 in the model, like a structural cell."""
    fold_top: str | None = None
    """The count the folded counts are bounded by (hh_met_signaal)."""

    def fold_lower_bounds(self, lower: np.ndarray) -> np.ndarray:
        """``lower`` with the bound of every folded cell moved where the attacker still has
        it (``_folded_cells``): to the top count of its buurt (``T_b >= L_b``) and, added up,
        to its wijk's cell of the count (``b_w >= sum L_b``)."""
        cells = np.flatnonzero(self.folded & (lower > 0)) if self.folded is not None else []
        if not len(cells):
            return lower
        out = lower.copy()
        tops, wijk_cells = self.fold_landing(cells)
        if tops is not None:
            np.maximum.at(out, tops, lower[cells])
        summed = np.zeros(self.n_cells)
        np.add.at(summed, wijk_cells, lower[cells])
        out = np.maximum(out, summed)
        out[cells] = 0.0
        return out

    def fold_landing(self, cells: np.ndarray) -> tuple[np.ndarray | None, np.ndarray]:
        """Where the bounds of folded ``cells`` land (``fold_lower_bounds``): the top count of
        each one's buurt (None without ``fold_top``) and its wijk's cell of the count."""
        areas, counts = cells // self.k, cells % self.k
        tops = (
            None
            if self.fold_top is None
            else areas * self.k + self.relations.count_index(self.fold_top)
        )
        return tops, self.parent[areas] * self.k + counts

    def known_cells(self) -> np.ndarray:
        """Per cell: a real area's count the reader knows (``Relations.known``)."""
        out = np.zeros(self.n_cells, dtype=bool)
        for name in self.relations.known:
            out[self.cell(np.arange(self.n_real), name)] = True
        return out

    def never_published(self) -> np.ndarray:
        """Per cell: a remainder or an unpublished cell (hidden whatever is suppressed)."""
        out = self.is_remainder(np.arange(self.n_cells))
        if self.unpublished is not None:
            out |= self.unpublished
        return out

    @property
    def k(self) -> int:
        return len(self.relations.counts)

    @property
    def n_areas(self) -> int:
        return self.area_code.size

    @property
    def n_cells(self) -> int:
        return self.n_areas * self.k

    def cell(self, area: int | np.ndarray, indicator: str) -> int | np.ndarray:
        return area * self.k + self.relations.count_index(indicator)

    def cell_indicator(self, cell: int) -> str:
        return self.relations.counts[cell % self.k]

    def is_remainder(self, cells: np.ndarray) -> np.ndarray:
        return cells >= self.n_real * self.k

    def describe(self, cell: int) -> tuple[str, str]:
        return str(self.area_code[cell // self.k]), self.cell_indicator(cell)

    def ancestors(self) -> np.ndarray:
        """(areas x depth) index of every area's ancestors: column 0 the area itself, column
        ``j`` the area ``j`` levels above it, -1 above the top."""
        columns = [np.arange(self.n_areas)]
        while (up := np.where(columns[-1] >= 0, self.parent[columns[-1]], -1)).max() >= 0:
            columns.append(up)
        return np.stack(columns, axis=1)


def _several_periods(frame: pl.DataFrame) -> bool:
    period = PERIOD_KEY[1]
    return period in frame.columns and frame[period].n_unique() > 1


def area_keys(frame: pl.DataFrame, several: bool | None = None) -> pl.DataFrame:
    """The frame with ``_area`` and ``_parent``: the model's name of the row's area and of its
    parent (the area code; ``<period>:<code>`` when the frame, or the table it is matched
    with: ``several``, holds several periods)."""
    if not (_several_periods(frame) if several is None else several):
        return frame.with_columns(_area=pl.col("area_code"), _parent=pl.col("parent_code"))
    prefix = pl.col(PERIOD_KEY[1]) + pl.lit(":")
    return frame.with_columns(
        _area=prefix + pl.col("area_code"), _parent=prefix + pl.col("parent_code")
    )


def row_areas(frame: pl.DataFrame, table: Table) -> np.ndarray:
    """Index in ``table`` of the area of every row of ``frame``."""
    keys = area_keys(frame, several=table.area_base is not None)["_area"].to_list()
    return np.array([table.area_index[c] for c in keys], dtype=np.int64)


def _area_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """One row per area of the frame's slices, by level and name; an area with rows of a
    period type published later too (the cohort's, in its quarter's slice) is named by its
    quarter's own row (quarter, period type)."""
    slice_columns = [c for c in (PERIOD_COLUMN, *PERIOD_KEY) if c in frame.columns]
    keyed = area_keys(frame)
    if PERIOD_KEY[0] in keyed.columns:
        late = pl.col(PERIOD_KEY[0]).is_in(late_period_types())
        keyed = keyed.sort(late, maintain_order=True)
    areas = (
        keyed.select("area_level", "_area", "area_code", "area_name", "_parent", *slice_columns)
        .unique(subset=["_area"], keep="first", maintain_order=True)
        .with_columns(
            pl.col("area_level")
            .replace_strict({lvl: i for i, lvl in enumerate(LEVELS)}, default=len(LEVELS))
            .alias("_level_order")
        )
        .sort("_level_order", "_area")
    )
    unknown = areas.filter(pl.col("_level_order") == len(LEVELS))
    if unknown.height:
        raise ValueError(f"unknown area_level values: {unknown['area_level'].unique().to_list()}")
    return areas


def _slices(areas: pl.DataFrame) -> list[tuple[str, str, str] | None]:
    """Per area of ``_area_frame``: (quarter, period_type, period), None without periods."""
    if not all(c in areas.columns for c in (PERIOD_COLUMN, *PERIOD_KEY)):
        return [None] * areas.height
    return list(
        zip(
            areas[PERIOD_COLUMN].to_list(),
            areas[PERIOD_KEY[0]].to_list(),
            areas[PERIOD_KEY[1]].to_list(),
            strict=True,
        )
    )


def _temporal_rows(
    rel: Relations,
    k: int,
    base: list[str],
    slice_of: list[tuple[str, str, str] | None],
    level: list[str],
    absent: np.ndarray,
) -> tuple[list[tuple[list[int], list[float]]], list[tuple[list[int], list[float]]]]:
    """Rows between every multi-quarter period and its quarters (module docstring), as
    (cells, coefficients): equalities with the period's cell first (+1), inequalities in the
    ``a_ub @ x <= 0`` form. Only where the period and all its quarterly slices are in the
    table, per area code present in all of them; none for a regio: its code does not fix its
    gemeenten (a gemeente may join or leave it between quarters), and while they stay the
    same its rows follow from its gemeenten's and ``regio = sum(gemeenten)`` in every slice.
    A period's quarters are those its label names (``2025Q3-2026Q2``), whichever publication
    computed it. None for a count ``absent`` from the period's slice (a known 0 that no period
    type of the slice carries: vier_kwartalen's outcome counts, which vier_kwartalen_afgerond
    has a quarter later): the attacker has no figure of it. A count the period has and one of
    its quarters has not is refused: a relation with a figure that is still to come."""
    length = {p.period_type: p.quarters for p in periods()}
    area: dict[tuple[str, str], int] = {}  # (period, area code) -> area index
    quarterly: set[str] = set()  # periods that are a quarter
    multi: dict[str, list[str]] = {}  # period -> its quarters
    for i, sl in enumerate(slice_of):
        if sl is None:
            continue
        _, period_type, period = sl
        if level[i] == "regio":
            continue
        area[(period, base[i])] = i
        n = length.get(period_type, 1)
        if n == 1:
            quarterly.add(period)
        elif period not in multi:
            first, last = period.split("-")
            multi[period] = period_quarters(last, n)
            if multi[period][0] != first:
                raise ValueError(f"period {period} is not {n} quarters ({period_type})")
    eq: list[tuple[list[int], list[float]]] = []
    ub: list[tuple[list[int], list[float]]] = []
    multi = {p: qs for p, qs in multi.items() if all(q in quarterly for q in qs)}
    if not multi:
        return eq, ub
    kinds = over_quarters(rel.counts)
    pos = {n: i for i, n in enumerate(rel.counts)}
    for period, qs in multi.items():
        codes = [c for (p, c) in area if p == period]
        for code in codes:
            q_areas = [area.get((q, code)) for q in qs]
            if any(a is None for a in q_areas):
                continue  # an area not in every quarter (a changed reference): no relation
            y_area = area[(period, code)]
            for name, kind in kinds.items():
                y = y_area * k + pos[name]
                q = [a * k + pos[name] for a in q_areas]
                if absent[y]:
                    continue
                if absent[q].any():
                    raise ValueError(
                        f"{period} {code}: {name} is in the period but not yet in quarter "
                        f"{qs[int(np.flatnonzero(absent[q])[0])]}; build and protect the "
                        "quarters in order"
                    )
                if kind == "same":
                    eq.append(([y, q[-1]], [1.0, -1.0]))
                elif kind == "sum":
                    eq.append(([y, *q], [1.0, *([-1.0] * len(q))]))
                if kind in ("union", "latest", "earliest"):
                    ub.append(([y, *q], [1.0, *([-1.0] * len(q))]))  # Y <= sum of quarters
                lower = {"union": q, "at_least": q, "latest": q[-1:], "earliest": q[:1]}
                for qi in lower.get(kind, []):
                    ub.append(([qi, y], [1.0, -1.0]))  # a quarter <= Y
    return eq, ub


def build_table(
    frame: pl.DataFrame, relations: Relations | None = None, *, fold: bool = True
) -> Table:
    """The model of one quarter's frame (``mon_area_indicators`` shape, one or more periods;
    NULL values unknown). ``fold``: fold the buurt cells of the counts no buurt publishes
    into their wijk (``_folded_cells``; off only to test that it changes no interval)."""
    rel = relations or default_relations()
    quarters = frame["quarter"].unique().to_list() if "quarter" in frame.columns else []
    if len(quarters) > 1 and PERIOD_KEY[1] not in frame.columns:
        raise ValueError(f"one quarter at a time, got {sorted(quarters)}")
    keyed = _merge_repeats(area_keys(frame))
    dup = keyed.select("_area", "indicator").is_duplicated()
    if dup.any():
        first = keyed.filter(dup).row(0, named=True)
        raise ValueError(
            f"{int(dup.sum())} duplicate area x indicator rows, e.g. "
            f"{first['_area']} {first['indicator']}"
        )
    areas = _area_frame(frame)
    codes = areas["_area"].to_list()
    levels = areas["area_level"].to_list()
    index = {c: i for i, c in enumerate(codes)}
    n_real = len(codes)
    parent = np.array(
        [index.get(p, -1) if p is not None else -1 for p in areas["_parent"].to_list()],
        dtype=np.int64,
    )
    # Remainder areas: one per gemeente that has child areas.
    level_arr = np.array(levels, dtype=object)
    has_children = np.zeros(n_real, dtype=bool)
    has_children[parent[parent >= 0]] = True
    gem_with_children = np.flatnonzero((level_arr == "gemeente") & has_children)
    rest_codes = [f"{codes[g]}:zonder_buurt" for g in gem_with_children]
    area_code = np.array(codes + rest_codes, dtype=object)
    area_level = np.concatenate(
        [level_arr, np.array([REMAINDER_LEVEL] * len(rest_codes), dtype=object)]
    )
    parent_all = np.concatenate([parent, gem_with_children]).astype(np.int64)
    n_areas = area_code.size
    k = len(rel.counts)
    base = [str(c) for c in areas["area_code"].to_list()]
    base += [f"{base[g]}:zonder_buurt" for g in gem_with_children]
    slice_of = _slices(areas)
    slice_of += [slice_of[g] for g in gem_with_children]

    # Values of the count cells.
    values = np.full(n_areas * k, np.nan)
    ind_pos = {n: i for i, n in enumerate(rel.counts)}
    counts = keyed.filter(pl.col("indicator").is_in(list(rel.counts)))
    structural = _structural_cells(rel, area_level, n_real)
    unpublished = _unpublished_cells(rel, area_level, n_real) & ~structural
    if counts.height:
        a_idx = np.array([index[c] for c in counts["_area"].to_list()], dtype=np.int64)
        i_idx = np.array([ind_pos[n] for n in counts["indicator"].to_list()], dtype=np.int64)
        vals = counts["value"].cast(pl.Float64).fill_null(np.nan).to_numpy()
        values[a_idx * k + i_idx] = vals
        if "status" in counts.columns:  # in the file as it was: not an unpublished cell
            in_file = counts["status"].is_in(["published", "suppressed"]).fill_null(False)
            in_file = in_file.to_numpy()
            unpublished[(a_idx * k + i_idx)[in_file]] = False
    has_row = np.zeros(n_areas * k, dtype=bool)
    if counts.height:
        has_row[a_idx * k + i_idx] = True
    not_carried = _not_carried_cells(rel, keyed, index, n_areas) & ~has_row
    per_area = not_carried.reshape(n_areas, k)
    per_area[n_real:] = per_area[parent_all[n_real:]]  # a remainder: as its gemeente
    for absent in {tuple(np.flatnonzero(row)) for row in per_area[per_area.any(axis=1)]}:
        _only_bounded_parts(rel, {rel.counts[i] for i in absent})  # per area: its slice's
    structural |= not_carried  # a known 0: such a count is in no relation but its bounds
    unpublished &= ~not_carried
    temporal_eq, temporal_ub = _temporal_rows(rel, k, base, slice_of, list(area_level), not_carried)
    over_quarters = np.zeros(n_areas, dtype=bool)  # an area with a relation over quarters
    for cells, _ in (*temporal_eq, *temporal_ub):
        over_quarters[np.asarray(cells) // k] = True
    folded, fold_parent, fold_top = (
        _folded_cells(rel, area_level, parent_all, unpublished, per_area, over_quarters)
        if fold
        else (np.zeros(n_areas * k, dtype=bool), np.zeros((n_areas, k), dtype=bool), None)
    )
    structural |= folded  # in their wijk's cell: in no relation that 0 does not satisfy
    unpublished &= ~folded
    values[folded] = 0.0
    values[structural & np.isnan(values)] = 0.0

    # Equality rows.
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    data: list[np.ndarray] = []
    n_rows = 0
    all_areas = np.arange(n_areas)

    def holding(parts: tuple[str, ...]) -> np.ndarray:
        """The areas whose slice has a part of ``parts``: a sum or bound whose parts a slice
        lacks is no row there (module docstring)."""
        return all_areas[~per_area[:, [ind_pos[p] for p in parts]].all(axis=1)]

    for total, parts in rel.sums:
        held = holding(parts)
        r = n_rows + np.arange(held.size)
        rows.append(r)
        cols.append(held * k + ind_pos[total])
        data.append(np.ones(held.size))
        for p in parts:
            rows.append(r)
            cols.append(held * k + ind_pos[p])
            data.append(-np.ones(held.size))
        n_rows += held.size
    # Hierarchy: one row per parent area and count indicator.
    children = np.flatnonzero(parent_all >= 0)
    parents_used = np.unique(parent_all[children])
    prow = np.full(n_areas, -1, dtype=np.int64)
    prow[parents_used] = np.arange(parents_used.size)
    for i in range(k):  # not for a wijk whose buurt cells are folded into it
        tops = parents_used[~fold_parent[parents_used, i]]
        kids = children[~fold_parent[parent_all[children], i]]
        rows.append(n_rows + prow[tops])
        cols.append(tops * k + i)
        data.append(np.ones(tops.size))
        rows.append(n_rows + prow[parent_all[kids]])
        cols.append(kids * k + i)
        data.append(-np.ones(kids.size))
        n_rows += parents_used.size
    for cells, coefs in temporal_eq:  # between a period and its quarters: the period's cell
        rows += [np.array([n_rows]), np.full(len(cells) - 1, n_rows)]  # is the total
        cols += [np.array(cells[:1], dtype=np.int64), np.array(cells[1:], dtype=np.int64)]
        data += [np.array(coefs[:1], dtype=float), np.array(coefs[1:], dtype=float)]
        n_rows += 1
    a_eq = sp.csr_matrix(
        (np.concatenate(data), (np.concatenate(rows), np.concatenate(cols))),
        shape=(n_rows, n_areas * k),
    )
    eq_total = np.full(n_rows, -1, dtype=np.int64)
    for r, c, d in zip(rows, cols, data, strict=True):
        if d.size and d[0] > 0:
            eq_total[r] = c

    # Inequality rows: sum(parts) - sum(totals) <= 0 (one total but for rel.linked).
    rows, cols, data = [], [], []
    n_ub = 0
    for parts, totals in (*((p, (t,)) for p, t in rel.bounds), *rel.linked):
        held = holding(parts)
        r = n_ub + np.arange(held.size)
        # a name listed twice gets coefficient 2 (duplicates are summed)
        for names, sign in ((totals, -1.0), (parts, 1.0)):
            for name in names:
                rows.append(r)
                cols.append(held * k + ind_pos[name])
                data.append(np.full(held.size, sign))
        n_ub += held.size
    for cells, coefs in temporal_ub:
        rows.append(np.full(len(cells), n_ub))
        cols.append(np.array(cells, dtype=np.int64))
        data.append(np.array(coefs, dtype=float))
        n_ub += 1
    if n_ub:
        a_ub = sp.csr_matrix(
            (np.concatenate(data), (np.concatenate(rows), np.concatenate(cols))),
            shape=(n_ub, n_areas * k),
        )
    else:
        a_ub = sp.csr_matrix((0, n_areas * k))
    return Table(
        relations=rel,
        area_code=area_code,
        area_level=area_level,
        parent=parent_all,
        n_real=n_real,
        values=values,
        a_eq=a_eq,
        a_ub=a_ub,
        eq_total=eq_total,
        area_index=index,
        area_base=np.array(base, dtype=object) if _several_periods(frame) else None,
        area_period_type=None
        if slice_of[:1] == [None]
        else np.array([sl[1] if sl else None for sl in slice_of], dtype=object),
        structural=structural,
        unpublished=unpublished,
        folded=folded,
        fold_top=fold_top,
    )


def folded_counts(rel: Relations) -> tuple[set[str], str | None]:
    """(the counts whose buurt cells a wijk may take over, their one top): the counts no buurt
    publishes (``Relations.published``) that, with ``rel`` the relations of a slice, are in
    no sum or linked bound with another count and in no bound but with each other or, as
    the only part, under one and the same count of the slice (the top: hh_met_signaal).
    Medians give lower bounds (``Table.fold_lower_bounds``). The outcome chain of a
    four-quarter period: ``hh_hulpsoort_* = hh_hulp_geaccepteerd <= hh_bereikt <=
    hh_opgepakt <= hh_met_signaal``, and contactpogingen, hh_onbekend, hh_herhaald."""
    group = {c for c in rel.counts if "buurt" not in rel.published.get(c, LEVELS)}
    top: str | None = None
    changed = True
    while changed:
        changed = False
        outside = _in_sums_with_others(rel, group)
        for parts, totals in rel.linked:
            outside |= {*parts, *totals} & group
        tops = set()
        for parts, total in rel.bounds:
            if not set(parts) & group and total not in group:
                continue
            if set(parts) <= group and total in group:
                continue
            if len(parts) == 1 and parts[0] in group and total not in group:
                tops.add(total)
                continue
            outside |= ({*parts, total}) & group
        if len(tops) > 1:  # keep the counts under the most common top
            counts = {t: sum(1 for p, t2 in rel.bounds if t2 == t and p[0] in group) for t in tops}
            keep = max(sorted(tops), key=counts.__getitem__)
            outside |= {p[0] for p, t in rel.bounds if t in tops - {keep} and p[0] in group}
            tops = {keep}
        top = next(iter(tops), None)
        if outside:
            group -= outside
            changed = True
    medians = {m.denominator for m in rel.medians} & group
    if len(medians) > 1:  # Table.fold_lower_bounds moves the bounds of one count per buurt
        raise ValueError(f"folded counts with more than one median's lower bound: {medians}")
    return group, top


def _folded_cells(
    rel: Relations,
    area_level: np.ndarray,
    parent: np.ndarray,
    unpublished: np.ndarray,
    absent: np.ndarray,
    over_quarters: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, str | None]:
    """(folded cells, per area x count: a wijk that takes over its buurten's cells, the top
    count). The buurt cells of the counts of ``folded_counts`` (over the relations of the
    buurt's slice, without the counts it lacks) are folded into their wijk when no file holds
    any of them (``unpublished``: all or none, the argument below needs the whole chain): the
    wijk's hierarchy rows for them go, the buurt cells become known 0s.

    Sound: per buurt these cells are bounded by nothing but each other and the buurt's top
    ``T`` (``0 <= h <= b <= o <= T``, parts adding up, a count without bounds), all
    homogeneous, so for any wijk figures ``y`` that satisfy them under the wijk's top ``T_w =
    sum T_b`` the buurt figures ``y * T_b / T_w`` satisfy each buurt's, and they add up to
    ``y``: the attacker's buurt cells tell nothing the wijk's cells and relations do not.
    A lower bound ``L_b`` from a published median (``b >= 10``) needs ``T_b >= L_b`` and
    ``b_w >= sum L_b`` besides (``Table.fold_lower_bounds``): then choose ``b_b`` between
    ``L_b`` and ``T_b`` adding up to ``b_w``, and the rest in proportion to ``b_b`` or
    ``T_b``. tests/test_disclosure_model.py compares the intervals with and without.

    Only a buurt under a wijk (not one directly under a gemeente, whose remainder would
    change, nor one without a parent) and in no relation over quarters (``over_quarters``:
    quarter slices have no buurten here, but a frame that gives them ties each buurt's
    cells across quarters, which the argument does not cover)."""
    n_areas = area_level.size
    k = len(rel.counts)
    candidate = np.zeros(n_areas * k, dtype=bool)
    under_wijk = np.zeros(n_areas, dtype=bool)
    under_wijk[parent >= 0] = area_level[parent[parent >= 0]] == "wijk"
    buurt = np.flatnonzero((area_level == "buurt") & under_wijk)
    top = None
    lacking = absent.reshape(n_areas, k)[buurt]
    for pattern in {tuple(np.flatnonzero(row)) for row in lacking}:
        names = {rel.counts[i] for i in pattern}
        group, top_here = folded_counts(rel.without(names))
        if not group:
            continue
        if top_here is not None and top not in (None, top_here):
            raise ValueError(f"folded counts with two tops: {top} and {top_here}")
        top = top or top_here
        areas = buurt[(lacking == np.isin(np.arange(k), pattern)).all(axis=1)]
        for name in group:
            candidate[areas * k + rel.count_index(name)] = True
    per_area = candidate.reshape(n_areas, k)
    held = (per_area & ~unpublished.reshape(n_areas, k)).any(axis=1)  # a file holds one
    held |= over_quarters
    has_buurt = np.zeros(n_areas, dtype=bool)
    has_buurt[parent[buurt]] = True
    whole = has_buurt.copy()  # a wijk none of whose buurten has a group cell in a file
    np.logical_and.at(whole, parent[buurt], ~held[buurt])
    fold_parent = np.zeros((n_areas, k), dtype=bool)
    np.logical_or.at(fold_parent, parent[buurt], per_area[buurt])  # the group's counts
    fold_parent &= whole[:, None]
    folded = np.zeros(n_areas * k, dtype=bool)
    folded[(buurt[:, None] * k + np.arange(k)).ravel()] = fold_parent[parent[buurt]].ravel()
    return folded, fold_parent, top


def _unpublished_cells(rel: Relations, area_level: np.ndarray, n_real: int) -> np.ndarray:
    """Per cell: a real area's count not published at the area's level."""
    k = len(rel.counts)
    out = np.zeros(area_level.size * k, dtype=bool)
    real = np.arange(area_level.size) < n_real
    for i, name in enumerate(rel.counts):
        out[i::k] = real & ~np.isin(area_level, list(rel.published.get(name, LEVELS)))
    return out


def _merge_repeats(keyed: pl.DataFrame) -> pl.DataFrame:
    """``keyed`` with a cell that another period type repeats (the cohort's hh_met_signaal, the
    figure of its quarter: same slice, same value and status) kept once; any other duplicate
    stays, for ``build_table`` to refuse."""
    if PERIOD_KEY[0] not in keyed.columns:
        return keyed
    cell = ["_area", "indicator"]
    across = (
        keyed.select(cell).is_duplicated() & ~keyed.select(*cell, PERIOD_KEY[0]).is_duplicated()
    )
    same = [*cell, "value", *(["status"] if "status" in keyed.columns else [])]
    return pl.concat(
        [keyed.filter(~across), keyed.filter(across).unique(subset=same, keep="first")]
    )


def _not_carried_cells(
    rel: Relations, keyed: pl.DataFrame, index: dict[str, int], n_areas: int
) -> np.ndarray:
    """Per cell: a count that the area's slice does not have (hh_schuldhulp_binnen_6m in a
    quarter's slice before its cohort figure is computed, or in a four-quarter period; the
    outcome counts in the slice of the quarter being published, which kwartaal_afgerond has
    a quarter later; who is reached per persona in a four-quarter period). A slice has a
    count when it has a row of it, at any level (a buurt has no rows of a count published per
    wijk, and is no less in a slice that has it; a publication of before the outcomes moved
    has them in its own period type's rows). dbt gives every count its period types carry a
    row (``mon_area_indicators``), so in the pipeline that is the slice's period types; a
    count without a row is in no publication, so the attacker knows no cell of it."""
    k = len(rel.counts)
    out = np.zeros(n_areas * k, dtype=bool)
    real = np.arange(n_areas) < len(index)
    if PERIOD_KEY[0] not in keyed.columns:  # a frame of before the periods: quarterly
        for i, name in enumerate(rel.counts):
            if name in rel.kinds and QUARTERLY not in rel.kinds[name].period_types():
                out[i::k] = real
        return out
    period = PERIOD_KEY[1] if PERIOD_KEY[1] in keyed.columns else PERIOD_KEY[0]
    slices = keyed.group_by(period).agg(pl.col("indicator").unique().alias("has"))
    position = {key: s for s, key in enumerate(slices[period].to_list())}
    areas = keyed.select("_area", period).unique()
    slice_of = np.full(n_areas, -1, dtype=np.int64)
    slice_of[[index[a] for a in areas["_area"].to_list()]] = [
        position[key] for key in areas[period].to_list()
    ]
    has = [set(h) for h in slices["has"].to_list()]
    for i, name in enumerate(rel.counts):
        if name in rel.kinds:
            lacks = np.array([name not in h for h in has])
            out[i::k] = real & lacks[slice_of]
    return out


def _structural_cells(rel: Relations, area_level: np.ndarray, n_real: int) -> np.ndarray:
    """Per cell: a real area's count whose indicator does not exist at the area's level."""
    k = len(rel.counts)
    out = np.zeros(area_level.size * k, dtype=bool)
    real = np.arange(area_level.size) < n_real
    for i, name in enumerate(rel.counts):
        levels = rel.levels.get(name, LEVELS)
        out[i::k] = real & ~np.isin(area_level, list(levels))
    return out


def fill_remainders(table: Table) -> np.ndarray:
    """True values with the remainder cells computed (gemeente minus its wijken).

    Requires every real count known (the unsuppressed input).
    """
    x = table.values.copy()
    k = table.k
    rest = np.arange(table.n_real, table.n_areas)
    if rest.size == 0:
        return x
    rest_cells = (rest[:, None] * k + np.arange(k)[None, :]).ravel()
    x[rest_cells] = 0.0
    gem = table.parent[rest]
    # gemeente total minus the sum of its real children.
    child = np.flatnonzero((table.parent >= 0) & (np.arange(table.n_areas) < table.n_real))
    child_sum = np.zeros(table.n_areas * k)
    par = table.parent[child]
    np.add.at(
        child_sum,
        (par[:, None] * k + np.arange(k)[None, :]).ravel(),
        x[(child[:, None] * k + np.arange(k)[None, :]).ravel()],
    )
    diff = (
        x[(gem[:, None] * k + np.arange(k)[None, :]).ravel()]
        - child_sum[(gem[:, None] * k + np.arange(k)[None, :]).ravel()]
    )
    x[rest_cells] = diff
    return x


def check_consistency(table: Table, x: np.ndarray, tol: float = 1e-6) -> list[str]:
    """Relations broken by the full vector ``x`` (true values incl. remainders), described."""
    problems: list[str] = []
    k = table.k
    if np.isnan(x).any():
        missing = np.flatnonzero(np.isnan(x[: table.n_real * k]))
        problems += [f"{table.describe(int(c))}: count is NULL" for c in missing[:20]]
        x = np.nan_to_num(x)
    if table.structural is not None:
        for c in np.flatnonzero(table.structural & (np.abs(x) > tol))[:20]:
            area, ind = table.describe(int(c))
            problems.append(f"{area} {ind}: {x[c]:g} at a level the indicator does not exist at")
    neg = np.flatnonzero(x < -tol)
    for c in neg[:20]:
        area, ind = table.describe(int(c))
        what = (
            "gemeente count below the sum of its wijken"
            if table.is_remainder(np.array([c]))[0]
            else "negative count"
        )
        problems.append(f"{area} {ind}: {what} ({x[c]:g})")
    resid = table.a_eq @ x
    for r in np.flatnonzero(np.abs(resid) > tol)[:20]:
        area, ind = table.describe(int(table.eq_total[r]))
        problems.append(f"{area} {ind}: total differs from the sum of its parts by {resid[r]:g}")
    resid_ub = table.a_ub @ x
    for r in np.flatnonzero(resid_ub > tol)[:20]:
        row = table.a_ub.getrow(r)
        total = [
            table.describe(int(c)) for c, v in zip(row.indices, row.data, strict=True) if v < 0
        ]
        parts = [
            table.describe(int(c))[1] for c, v in zip(row.indices, row.data, strict=True) if v > 0
        ]
        area, name = total[0]
        if all(a == area for a, _ in total):  # a bound by a sum within one area
            name = " + ".join(n for _, n in total)
        problems.append(f"{area}: {' + '.join(parts)} <= {name} broken by {resid_ub[r]:g}")
    return problems


def _across_slices(table: Table, area_block: np.ndarray) -> np.ndarray:
    """Block ids by the area code of the block's area, so one area's slices share a block."""
    if table.area_base is None:
        return area_block.astype(np.int64)
    keys = np.where(area_block >= 0, table.area_base[np.maximum(area_block, 0)], "")
    _, ids = np.unique(keys.astype(str), return_inverse=True)
    return np.where(area_block >= 0, ids, -1).astype(np.int64)


def families(table: Table) -> np.ndarray:
    """Family id per cell: a wijk and its buurten share one (in every period of the table);
    a gemeente and its remainder have their own. Cells of different families rarely share a
    relation."""
    area_family = np.where(table.area_level == "buurt", table.parent, np.arange(table.n_areas))
    area_family = np.where(table.area_level == REMAINDER_LEVEL, table.parent, area_family)
    return np.repeat(_across_slices(table, area_family), table.k)


def inner_blocks(table: Table) -> np.ndarray:
    """Block id per cell for the restricted local LPs: the buurten of one wijk (in every
    period); -1 elsewhere (a wijk or gemeente cell cannot move with its neighbours fixed)."""
    area_block = np.where(table.area_level == "buurt", table.parent, -1)
    return np.repeat(_across_slices(table, area_block), table.k)
