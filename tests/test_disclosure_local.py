"""Secondary suppression cell by cell (``secondary.py``: the local rule, the linked bounds, the
LP repair's choice of a complement and its fallbacks; the few facts of ``lp.py`` the repair
reads), on one gemeente small enough to follow by hand.

The LP repair and the audit make any choice of complements safe, so a wrong choice here shows
only as a different or larger set of suppressed cells: these tests name the exact set the
rules of the module docstring give (cheapest covering part, else the largest; the width
reached exactly is enough; a suppressed count's lower bound counts against its headroom)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from demo.synthetic_quarter import frame_from_buurten, synthetic_quarter
from orchestration.contract import persona_names
from orchestration.disclosure.lp import TOL, attacker_intervals
from orchestration.disclosure.model import build_relations, build_table, fill_remainders
from orchestration.disclosure.secondary import (
    _greedy,
    _last_resort_areas,
    _LinkedBounds,
    _pick,
    _Rows,
    _settle,
    cell_costs,
    local_fixpoint,
    protect_counts,
)
from orchestration.parameters import indicators
from tests.fixtures.disclosure_buurten import LARGE
from tests.test_disclosure_protect import SMALL

BOUNDED = ("huishoudens", "signalen", "hh_met_signaal", "hh_meerdere_signalen")
PERSONAS = tuple(f"hh_persona_{name}" for name in persona_names())

COLUMNS = ["quarter", "area_level", "area_code", "area_name", "parent_code", "indicator", "value"]


def relations(names: tuple[str, ...]):
    return build_relations(tuple(i for i in indicators() if i.name in names))


def gemeente(values: dict[str, float], names: tuple[str, ...]):
    """A gemeente on its own (no wijken: no remainder, no hierarchy): its table, values and
    the cell of each count."""
    rows = [
        ("2026Q3", "gemeente", "GM0001", "Gemeente", None, name, float(value))
        for name, value in values.items()
    ]
    frame = pl.DataFrame(rows, schema=COLUMNS, orient="row")
    table = build_table(frame, relations(names))
    cell = {name: table.cell(0, name) for name in table.relations.counts}
    return table, fill_remainders(table), cell


def suppress(table, cell: dict[str, int], names: list[str]) -> np.ndarray:
    mask = np.zeros(table.n_cells, dtype=bool)
    mask[[cell[n] for n in names]] = True
    return mask


def added(table, x, cell, hidden: list[str], width: float = 10, lower=None) -> tuple[set, int]:
    """The cells ``local_fixpoint`` adds to ``hidden``, by name, and the number it reports."""
    mask = suppress(table, cell, hidden)
    kwargs = {} if lower is None else {"lower": lower}
    n = local_fixpoint(table, x, mask, width, cell_costs(table, x), **kwargs)
    names = {name for name, c in cell.items() if mask[c]} - set(hidden)
    return names, n


def bounded(signalen: float, met: float, meerdere: float):
    return gemeente(dict(zip(BOUNDED, (1000, signalen, met, meerdere), strict=True)), BOUNDED)


# Inequalities: hh_met_signaal + hh_meerdere_signalen <= signalen with signalen published


def test_a_suppressed_part_with_too_little_headroom_gets_the_cheapest_other_part() -> None:
    # hh_met_signaal suppressed: at most 24 - 15 = 9 (< 10); hh_meerdere_signalen (cost 16)
    # is cheaper than signalen (25 x its seed weight 3), and once it goes the headroom is 24
    table, x, cell = bounded(signalen=24, met=20, meerdere=15)
    assert added(table, x, cell, ["hh_met_signaal"]) == ({"hh_meerdere_signalen"}, 1)


def test_a_headroom_of_exactly_the_width_is_enough() -> None:
    table, x, cell = bounded(signalen=25, met=20, meerdere=15)  # 25 - 15 = 10
    assert added(table, x, cell, ["hh_met_signaal"]) == (set(), 0)


def test_the_lower_bound_of_a_suppressed_count_takes_from_its_headroom() -> None:
    # headroom 30 - 15 = 15, but a published median puts hh_met_signaal at 10 or more: it can
    # move over [10, 15] only
    table, x, cell = bounded(signalen=30, met=20, meerdere=15)
    assert added(table, x, cell, ["hh_met_signaal"]) == (set(), 0)
    lower = np.zeros(table.n_cells)
    lower[cell["hh_met_signaal"]] = 10
    assert added(table, x, cell, ["hh_met_signaal"], lower=lower) == ({"hh_meerdere_signalen"}, 1)


def test_a_part_counted_twice_has_half_the_headroom() -> None:
    # 2 x hh_meerdere_signalen <= signalen: a suppressed hh_meerdere_signalen is at most 18 / 2
    # = 9 as far as that row tells (hh_met_signaal <= 22 - it is no tighter)
    table, x, cell = bounded(signalen=18, met=12, meerdere=2)
    names, n = added(table, x, cell, ["hh_meerdere_signalen"])
    assert "signalen" in names and n == len(names)


def test_when_the_cheapest_part_does_not_cover_the_deficit_the_total_goes() -> None:
    # hh_meerdere_signalen suppressed: at most 24 - 20 = 4; the other part, hh_met_signaal
    # (21 x 4), costs more than signalen (25 x 3), which covers the deficit: the total goes
    table, x, cell = bounded(signalen=24, met=20, meerdere=3)
    names, _ = added(table, x, cell, ["hh_meerdere_signalen"])
    assert "signalen" in names and "hh_met_signaal" not in names


# Equalities: hh_met_signaal = the six personas, the total published


def personas(**values: float):
    counts = dict.fromkeys(PERSONAS, 0.0) | {f"hh_persona_{k}": v for k, v in values.items()}
    table, x, cell = gemeente(
        {"huishoudens": 1000, "hh_met_signaal": sum(counts.values()), **counts},
        ("huishoudens", "hh_met_signaal", *PERSONAS),
    )
    return table, x, cell


def test_the_cheapest_part_that_covers_the_shortfall() -> None:
    # starter 3 suppressed: 7 short; senior 8 (cost 9) covers it, overig 12 (cost 13) too
    table, x, cell = personas(jonge_starter=3, senior=8, overig=12)
    assert added(table, x, cell, ["hh_persona_jonge_starter"]) == ({"hh_persona_senior"}, 1)


def test_when_no_part_covers_the_shortfall_the_largest_then_the_rest() -> None:
    # 3 suppressed, 7 short: no part covers it, so the largest (6), then 1 short: the cheapest
    # part of at least 1 (groot gezin 2, cost 3; zeros cost less but cover nothing)
    table, x, cell = personas(jonge_starter=3, groot_gezin_minimum=2, senior=6, overig=5)
    names, n = added(table, x, cell, ["hh_persona_jonge_starter"])
    assert names == {"hh_persona_senior", "hh_persona_groot_gezin_minimum"} and n == 2


def test_a_sum_of_exactly_the_width_is_enough() -> None:
    table, x, cell = personas(jonge_starter=3, senior=7, overig=30)
    assert added(table, x, cell, ["hh_persona_jonge_starter"]) == ({"hh_persona_senior"}, 1)


def test_two_suppressed_parts_of_enough_mass_need_nothing() -> None:
    table, x, cell = personas(jonge_starter=3, senior=7, overig=30)
    hidden = ["hh_persona_jonge_starter", "hh_persona_senior"]
    assert added(table, x, cell, hidden) == (set(), 0)
    # 1 short at width 11: the zeros cost least but cover nothing; overig covers it
    assert added(table, x, cell, hidden, width=11) == ({"hh_persona_overig"}, 1)


def test_a_suppressed_total_needs_one_suppressed_part() -> None:
    table, x, cell = personas(jonge_starter=12, senior=15, overig=30)
    # the cheapest part: the zeros cost 1 each, the first of them in the seed's order
    assert added(table, x, cell, ["hh_met_signaal"]) == ({"hh_persona_groot_gezin_minimum"}, 1)


def test_a_new_complement_is_checked_in_its_own_rows() -> None:
    # personas: starter 3 suppressed takes senior (8); senior is also a part of nothing else,
    # but hh_met_signaal's own bound (<= huishoudens) is untouched: only the persona row
    # gains cells, and the number reported is the number added
    table, x, cell = personas(jonge_starter=3, senior=8, overig=12)
    mask = suppress(table, cell, ["hh_persona_jonge_starter"])
    n = local_fixpoint(table, x, mask, 10, cell_costs(table, x), lower=np.zeros(table.n_cells))
    assert n == int(mask.sum()) - 1 == 1


# The choice of a complement


def test_pick_takes_the_cheapest_that_covers_the_deficit_exactly() -> None:
    x = np.array([5.0, 7.0, 20.0])
    cost = np.array([1.0, 2.0, 3.0])
    light = np.zeros(3, dtype=bool)
    assert _pick(np.array([0, 1, 2]), x, cost, light, deficit=5) == 0  # 5 covers 5
    assert _pick(np.array([0, 1, 2]), x, cost, light, deficit=5 + 10 * TOL) == 1
    assert _pick(np.array([0, 1]), x, cost, light, deficit=30) == 1  # none covers: largest
    assert _pick(np.array([2, 1, 0]), x, np.array([3.0, 3.0, 3.0]), light, deficit=1) == 0
    heavy = np.array([True, False, False])
    assert _pick(np.array([0, 1]), x, cost, heavy, deficit=1) == 1
    assert _pick(np.array([0]), x, cost, heavy, deficit=1) == 0  # nothing else left
    assert _pick(np.zeros(0, dtype=np.int64), x, cost, light, deficit=1) is None


def test_pick_takes_a_heavy_cell_with_a_value_before_published_zeros() -> None:
    """A published 0 gives a failing cell no room: when every light candidate is 0, the heavy
    one with a value helps (picking the zeros one at a time, a full LP each, ran a five-quarter
    gemeente out of rounds into the last resort); a light one with a value still comes first,
    and a 0 is picked only when no candidate has a value."""
    x = np.array([0.0, 0.0, 50.0, 163.0, 3.0])
    cost = np.array([1.0, 1.0, 51.0, 164.0, 4.0])
    heavy = np.array([False, False, True, True, False])
    assert _pick(np.array([0, 1, 2, 3]), x, cost, heavy, deficit=2) == 2  # cheapest covering
    assert _pick(np.array([0, 1, 2, 3]), x, cost, heavy, deficit=100) == 3  # else the largest
    assert _pick(np.array([0, 1, 2, 3, 4]), x, cost, heavy, deficit=5) == 4  # light with a value
    assert _pick(np.array([1, 0]), np.zeros(5), cost, heavy, deficit=2) == 0  # all 0: cheapest
    assert _pick(np.array([2, 3]), np.zeros(5), cost, heavy, deficit=2) == 2


def test_greedy_takes_the_first_that_covers_in_cost_order() -> None:
    x = np.array([5.0, 7.0, 20.0, 50.0])
    heavy = np.array([False, False, False, True])
    assert _greedy([0, 1, 2], x, heavy, deficit=5) == 0
    assert _greedy([0, 1, 2], x, heavy, deficit=6) == 1
    assert _greedy([1, 0, 2], x, heavy, deficit=30) == 2  # none covers: the largest
    assert _greedy([3, 0, 1], x, heavy, deficit=30) == 2  # the heavy one only when alone
    assert _greedy([3], x, heavy, deficit=30) == 0


# Stage 2: the LP's width against the width asked for


@pytest.mark.parametrize("width", [10.0, 13.0])
def test_a_cell_exactly_as_wide_as_asked_passes_without_a_repair(width: float) -> None:
    # starter (3) and senior (width - 3) suppressed, every other persona published: each lies
    # in [0, width] exactly; nothing more is needed
    table, x, cell = personas(jonge_starter=3, senior=width - 3, overig=30)
    primary = suppress(table, cell, ["hh_persona_jonge_starter", "hh_persona_senior"])
    mask, stats = protect_counts(table, x, primary, np.zeros(table.n_cells), width)
    assert (mask == primary).all()
    assert stats.n_local == 0 and stats.n_lp_repairs == 0 and stats.n_lp_rounds == 1
    assert stats.rounds[0]["fails"] == 0
    # one household narrower: the repair adds the cheapest cell of a binding relation
    table, x, cell = personas(jonge_starter=3, senior=width - 4, overig=30)
    primary = suppress(table, cell, ["hh_persona_jonge_starter", "hh_persona_senior"])
    mask, stats = protect_counts(table, x, primary, np.zeros(table.n_cells), width)
    assert mask.sum() > primary.sum() and stats.n_local + stats.n_lp_repairs == (
        mask.sum() - primary.sum()
    )


def test_rows_know_their_single_total() -> None:
    table, _, cell = bounded(signalen=24, met=20, meerdere=15)
    rows = _Rows(table)
    totals = {
        tuple(sorted(table.cell_indicator(int(c)) for c in rows.members(r))): table.cell_indicator(
            int(rows.total[r])
        )
        for r in range(rows.n_eq, rows.n_rows)
    }
    assert totals[("hh_meerdere_signalen", "hh_met_signaal")] == "hh_met_signaal"
    assert totals[("hh_meerdere_signalen", "hh_met_signaal", "signalen")] == "signalen"
    assert totals[("hh_met_signaal", "huishoudens")] == "huishoudens"
    assert set(rows.rows_of(cell["hh_met_signaal"])) == {
        r for r in range(rows.n_rows) if cell["hh_met_signaal"] in rows.members(r)
    }


def test_only_a_gemeente_bound_is_linked() -> None:
    """``_LinkedBounds``: a bound is linked when the gemeente's room is narrow; a wijk's
    narrow room is the LP's to handle (the gemeente's room bounds every area's, not a
    wijk's: module docstring of secondary.py)."""
    frame = frame_from_buurten(
        {
            "BU09990301": ("WK099903", SMALL),
            "BU09990102": ("WK099901", LARGE | {"hh_opgepakt": 178}),
            "BU09990103": ("WK099901", LARGE | {"hh_opgepakt": 176}),
            "BU09990201": ("WK099902", LARGE | {"hh_opgepakt": 177}),
            "BU09990202": ("WK099902", LARGE),
        },
        {"WK099901": "GM0999", "WK099902": "GM0999", "WK099903": "GM0999"},
    )
    table = build_table(frame)
    x = fill_remainders(table)
    room = {
        code: x[table.cell(table.area_index[code], "hh_met_signaal")]
        - x[table.cell(table.area_index[code], "hh_opgepakt")]
        for code in ("GM0999", "WK099901")
    }
    assert room["GM0999"] < 10 and room["WK099901"] < 10  # both narrow
    rows = _Rows(table)
    free = ~table.never_published()
    linked = _LinkedBounds(table, rows, x, 10, free)
    tops = {table.describe(int(c)) for top, _ in linked.narrow for c in top}
    assert tops == {("GM0999", "hh_met_signaal"), ("GM0999", "hh_opgepakt")}
    [(_, bounds)] = linked.narrow
    areas = {table.describe(int(cells[0]))[0] for cells in bounds}
    assert areas == {str(code) for code in table.area_code}  # every area of the gemeente
    # the small wijk's hh_met_signaal suppressed: its hh_opgepakt goes with it, and what
    # _settle reports is what it added
    small = table.area_index["WK099903"]
    suppressed = np.zeros(table.n_cells, dtype=bool)
    suppressed[table.cell(small, "hh_met_signaal")] = True
    n = _settle(table, x, suppressed, 10, cell_costs(table, x), linked, rows=rows,
                lower=np.zeros(table.n_cells), fixed=~free)  # fmt: skip
    assert suppressed[table.cell(small, "hh_opgepakt")]
    assert n == suppressed.sum() - 1 > 1


def test_a_gemeente_bound_is_linked_under_a_regio_whose_own_room_is_wide() -> None:
    """A gemeente in a regio: its room (121 - 113 = 8) is narrow though the regio's, the sum
    of its gemeenten's rooms (8 + 50), is not; the gemeente's bound is linked over its own
    areas, not the other gemeente's."""
    areas = [("RG0001", "regio", None, 221, 163), ("GM0001", "gemeente", "RG0001", 121, 113),
             ("WK000101", "wijk", "GM0001", 121, 113), ("BU00010101", "buurt", "WK000101", 61, 57),
             ("BU00010102", "buurt", "WK000101", 60, 56), ("GM0002", "gemeente", "RG0001", 100, 50)]  # fmt: skip
    rows = [
        ("2026Q3", level, code, code, parent, name, float(value))
        for code, level, parent, met, opgepakt in areas
        for name, value in (
            ("huishoudens", 1000),
            ("hh_met_signaal", met),
            ("hh_opgepakt", opgepakt),
        )
    ]
    table = build_table(
        pl.DataFrame(rows, schema=COLUMNS, orient="row"),
        relations(("huishoudens", "hh_met_signaal", "hh_opgepakt")),
    )
    x = fill_remainders(table)
    linked = _LinkedBounds(table, _Rows(table), x, 10, ~table.never_published())
    [(top, bounds)] = linked.narrow
    assert {table.describe(int(c)) for c in top} == {
        ("GM0001", "hh_met_signaal"), ("GM0001", "hh_opgepakt")}  # fmt: skip
    # its areas: itself, its wijk and buurten, and its addresses without a buurt
    assert {table.describe(int(cells[0]))[0] for cells in bounds} == {
        "GM0001", "WK000101", "BU00010101", "BU00010102", "GM0001:zonder_buurt"}  # fmt: skip


def _linked_by_definition(table, rows: _Rows, x: np.ndarray, width: float) -> list:
    """``_LinkedBounds.narrow`` as its docstring defines it, one inequality at a time: each
    gemeente or regio bound (all its cells in that area) whose room is below ``width``, with
    every bound of the same indicators in an area at or below it, in row order."""
    k, parent = table.k, table.parent
    area, pattern = {}, {}
    for r in range(rows.n_eq, rows.n_rows):
        members = rows.members(r)
        if members.size and len(set((members // k).tolist())) == 1:
            area[r], pattern[r] = int(members[0] // k), frozenset((members % k).tolist())

    def at_or_below(a: int, top: int) -> bool:
        while a >= 0 and a != top:
            a = int(parent[a])
        return a == top

    out = []
    for r, a in area.items():
        if a >= table.n_real or not (parent[a] < 0 or table.area_level[a] in ("regio", "gemeente")):
            continue
        coef = rows.coef[rows.indptr[r] : rows.indptr[r + 1]]
        if -float(coef @ np.nan_to_num(x)[rows.members(r)]) >= width - TOL:
            continue
        same = [s for s in area if pattern[s] == pattern[r] and at_or_below(area[s], a)]
        out.append((rows.members(r).tolist(), [rows.members(s).tolist() for s in same]))
    return out


def test_linked_bounds_are_those_of_their_definition() -> None:
    """The linked bounds found by sorting (``_LinkedBounds``: national 2026Q3 in 3 s instead
    of 93 s) are exactly those of the definition, in the same order, on three gemeenten with
    random wijken and buurten: of 48 gemeente bounds 1 is narrow at width 22 (a room of 22 is
    not narrow there), 2 at 23, 37 at 300, all at 1e9 (the bounds of the cohort's counts, which
    the quarter lacks, are no rows of the model: 0 <= total says nothing). And what
    ``to_suppress`` gives for random suppressions is the definition's cell list."""
    table = build_table(synthetic_quarter(3, seed=7))
    x = fill_remainders(table)
    rows = _Rows(table)
    free = ~table.never_published()
    for width in (22.0, 23.0, 300.0, 1e9):
        linked = _LinkedBounds(table, rows, x, width, free)
        expected = _linked_by_definition(table, rows, x, width)
        assert len(expected) == {22.0: 1, 23.0: 2, 300.0: 37, 1e9: 48}[width]
        found = [(top.tolist(), [b.tolist() for b in bounds]) for top, bounds in linked.narrow]
        assert found == expected
        rng = np.random.default_rng(0)
        for share in (0.0, 0.05, 0.3, 0.7):
            suppressed = rng.random(table.n_cells) < share
            wanted = [
                c
                for top, bounds in expected
                if not suppressed[top].any()
                for cells in bounds
                if suppressed[cells].any()
                for c in cells
                if not suppressed[c] and free[c]
            ]
            assert linked.to_suppress(suppressed) == wanted


def test_a_period_bounded_by_the_sum_of_its_quarters_has_no_single_total() -> None:
    """Y <= Q1 + Q2 + Q3 + Q4 (households over four quarters): several cells on the right,
    so no total the local rule could use (``_Rows.total`` -1: left to the LP)."""
    from tests.test_disclosure_periods import QUARTERS, frame, period_slice, relations

    rows = [r for q in QUARTERS[1:] for r in period_slice(q, q, "hh_met_signaal", 20, 30)]
    rows += period_slice("2026Q3", "2025Q4-2026Q3", "hh_met_signaal", 60, 70)
    table = build_table(frame(rows), relations("hh_met_signaal"))
    rows_ = _Rows(table)
    ub = table.a_ub.tocoo()
    negatives = np.bincount(ub.row[ub.data < 0], minlength=table.a_ub.shape[0])
    assert (negatives > 1).any() and (negatives == 1).any()
    totals = rows_.total[rows_.n_eq :]
    assert (totals[negatives > 1] == -1).all()
    single = np.flatnonzero(negatives == 1)
    assert all(
        table.a_ub[r, totals[r]] < 0 for r in single
    )  # the one cell with a negative coefficient


# Stage 2's fallbacks: no published cell of a binding relation left, and the last resort


def narrowed_pair():
    """starter (3) and senior (7) suppressed: 10 apart, enough for the local rule; but a
    published median puts senior at 5 or more, so the LP leaves starter [0, 5]."""
    table, x, cell = personas(jonge_starter=3, senior=7, groot_gezin_minimum=12, overig=30)
    primary = suppress(table, cell, ["hh_persona_jonge_starter", "hh_persona_senior"])
    lower = np.zeros(table.n_cells)
    lower[cell["hh_persona_senior"]] = 5
    return table, x, cell, primary, lower


def test_the_repair_takes_the_cheapest_cell_of_the_binding_relation() -> None:
    table, x, cell, primary, lower = narrowed_pair()
    mask, stats = protect_counts(table, x, primary, lower, 10)
    # 5 short: the zeros cover nothing; groot gezin (12, cost 13) does before overig (30)
    assert {n for n, c in cell.items() if mask[c]} == {
        "hh_persona_jonge_starter", "hh_persona_senior", "hh_persona_groot_gezin_minimum"}  # fmt: skip
    assert stats.n_lp_repairs == 1 and stats.n_whole_components == 0
    assert [r["round"] for r in stats.rounds] == [0, 1]
    assert [r["fails"] for r in stats.rounds] == [2, 0]  # starter [0, 5], senior [5, 10]
    assert all(
        set(r) == {"round", "components", "lp", "fails", "largest", "lp_local", "seconds"}
        and r["largest"] >= 1
        for r in stats.rounds
    )


def test_with_the_binding_relation_fixed_the_repair_looks_two_relations_away() -> None:
    # every other cell of the persona row an earlier publication's: the starter's neighbours
    # offer nothing, their neighbours (hh_met_signaal <= huishoudens) offer huishoudens
    table, x, cell, primary, lower = narrowed_pair()
    fixed = ~suppress(table, cell, ["hh_persona_jonge_starter", "hh_persona_senior", "huishoudens"])
    mask, stats = protect_counts(table, x, primary, lower, 10, fixed=fixed, max_rounds=1)
    assert mask[cell["huishoudens"]] and stats.n_lp_repairs == 1
    assert (mask == (primary | suppress(table, cell, ["huishoudens"]))).all()
    # the last round: both still fail ([0, 5] and [5, 10]), and nothing is left to suppress
    assert stats.n_lp_rounds == 2 and stats.rounds[-1]["fails"] == 2
    assert stats.n_whole_components == 0


def test_after_the_last_round_the_failing_gemeente_goes_whole() -> None:
    table, x, cell, primary, lower = narrowed_pair()
    mask, stats = protect_counts(table, x, primary, lower, 10, max_rounds=0)
    assert mask.all() and stats.n_whole_components == 1 and stats.n_lp_repairs == 0
    # cells fixed by an earlier publication stay as they were
    fixed = suppress(table, cell, ["huishoudens"])
    mask, stats = protect_counts(table, x, primary, lower, 10, max_rounds=0, fixed=fixed)
    assert (mask == ~fixed).all() and stats.n_whole_components == 1


def test_a_bound_no_complement_can_widen_is_withdrawn_unless_an_earlier_file_holds_it() -> None:
    """The pair above with every other cell fixed (published in an earlier file): no
    complement is left, and senior stays held at the published median's 5. The repair
    withdraws that bound (the caller suppresses the median: ``released_bounds``), and every
    cell passes. A bound an earlier publication holds (``lower_kept``) cannot be withdrawn:
    then, as before, the last resort finds nothing left to suppress and the cells still fail
    (the audit refuses the file)."""
    table, x, cell, primary, lower = narrowed_pair()
    fixed = ~primary
    mask, stats = protect_counts(table, x, primary, lower, 10, fixed=fixed)
    assert (mask == primary).all() and stats.n_whole_components == 0
    assert stats.released_bounds.tolist() == [cell["hh_persona_senior"]]
    assert stats.rounds[-1]["fails"] == 0
    mask, stats = protect_counts(table, x, primary, lower, 10, fixed=fixed, lower_kept=lower)
    assert stats.released_bounds.size == 0 and stats.rounds[-1]["fails"] > 0


def test_the_last_resort_takes_the_failing_gemeente_and_the_regio_above_it() -> None:
    """In a regio the last resort suppresses the failing gemeente with its wijk and buurt,
    and the regio above it (whose total minus the other gemeente would give it back), not the
    other gemeente; a failing regio cell, or a second try (``whole_top``) takes the region."""
    areas = [("RG0001", "regio", None), ("GM0001", "gemeente", "RG0001"),
             ("WK000101", "wijk", "GM0001"), ("BU00010101", "buurt", "WK000101"),
             ("GM0002", "gemeente", "RG0001")]  # fmt: skip
    households = {"RG0001": 300.0, "GM0001": 100.0, "WK000101": 80.0, "BU00010101": 80.0}
    rows = [("2026Q3", level, code, code, parent, "huishoudens", households.get(code, 200.0))
            for code, level, parent in areas]  # fmt: skip
    table = build_table(
        pl.DataFrame(rows, schema=COLUMNS, orient="row"), relations(("huishoudens",))
    )
    index = table.area_index
    failing = np.array([index["BU00010101"]])
    chosen, groups = _last_resort_areas(table, failing, whole_top=False)
    assert {table.area_code[a] for a in chosen} == {"RG0001", "GM0001", "WK000101", "BU00010101"}
    assert groups == 1
    everything = {code for code, _, _ in areas}
    chosen, groups = _last_resort_areas(table, failing, whole_top=True)
    assert {table.area_code[a] for a in chosen} == everything and groups == 1
    chosen, _ = _last_resort_areas(table, np.array([index["RG0001"]]), whole_top=False)
    assert {table.area_code[a] for a in chosen} == everything


def test_a_hidden_count_in_no_relation_lies_between_its_lower_bound_and_infinity() -> None:
    """``lp.attacker_intervals`` without an LP: a component with no row (here ``signalen`` of a
    gemeente on its own, beside ``huishoudens`` only) is [lower, inf), exactly."""
    table, x, cell = gemeente({"huishoudens": 1000, "signalen": 5}, ("huishoudens", "signalen"))
    hidden = suppress(table, cell, ["signalen"])
    lower = np.zeros(table.n_cells)
    lower[cell["signalen"]] = 10
    iv = attacker_intervals(table.a_eq, table.a_ub, hidden, x, hidden, lower, width=10)
    c = cell["signalen"]
    assert (iv.lo[c], iv.hi[c], bool(iv.exact[c])) == (10, np.inf, True)
    assert iv.n_lp == 0 and iv.n_components == 1


def test_the_lp_names_the_binding_relation_of_a_failing_cell_only() -> None:
    """The repair reads which relation holds a failing cell at its min or max from the exact
    LP's duals (``Intervals.binding``): for the narrowed pair, the persona row; for cells that
    pass, nothing."""
    table, x, cell, primary, lower = narrowed_pair()
    persona_row = {cell[n] for n in ("hh_met_signaal", *PERSONAS)}
    iv = attacker_intervals(
        table.a_eq, table.a_ub, primary, x, primary, lower, width=10, points=[x],
        want_binding=True, exact=True,
    )  # fmt: skip
    assert {k: set(map(int, v)) for k, v in iv.binding.items()} == {
        cell["hh_persona_jonge_starter"]: persona_row,
        cell["hh_persona_senior"]: persona_row,
    }
    wide = attacker_intervals(
        table.a_eq, table.a_ub, primary, x, primary, np.zeros(table.n_cells), width=10,
        points=[x], want_binding=True, exact=True,
    )  # fmt: skip
    assert (wide.hi - wide.lo)[primary].min() == 10 and wide.binding == {}
