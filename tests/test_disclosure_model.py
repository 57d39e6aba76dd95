"""The input check of the disclosure model: an unsuppressed table that breaks a relation is
refused with the area, the relation and by how much (before anything is suppressed)."""

from __future__ import annotations

import math
import re
from dataclasses import replace

import numpy as np
import polars as pl
import pytest
from scipy.optimize import linprog

from demo.synthetic_quarter import frame_from_buurten, synthetic_quarter
from orchestration.disclosure import model
from orchestration.disclosure.model import (
    build_relations,
    build_table,
    check_consistency,
    default_relations,
    fill_remainders,
    relations_for,
)
from orchestration.disclosure.protect import _medians_withdrawn, median_lower_bounds
from orchestration.parameters import Indicator, indicators
from tests.disclosure_oracle import Areas, aggregate, hierarchy, published_frame
from tests.fixtures.disclosure_buurten import LARGE
from tests.stated_indicators import GROUP_COUNTS

BASE = {
    "huishoudens": 1000,
    "signalen_energie": 40,
    "signalen_water": 20,
    "hh_persona_senior": 20,
    "hh_persona_overig": 30,
    "hh_meerdere_signalen": 10,
    "hh_onbekend": 30,
    "hh_bereikt": 30,
    "hh_hulp_geaccepteerd": 10,
}
"""50 signalled households, 60 signals."""


def problems(areas: Areas, counts: dict[str, dict[str, int | None]]) -> list[str]:
    table = build_table(published_frame(areas, counts, set()))
    return check_consistency(table, fill_remainders(table))


def one_area(**changes: int | None) -> tuple[Areas, dict[str, dict[str, int | None]]]:
    areas = Areas()
    areas.add("GM0999", "gemeente", None)
    counts = aggregate(areas, {"GM0999": BASE})
    counts["GM0999"] |= changes
    return areas, counts


def test_consistent_table_has_no_problems() -> None:
    areas = hierarchy([2, 1])
    leaves = {"BU09990101": BASE, "BU09990102": BASE, "BU09990201": BASE, "GM0999": BASE}
    assert problems(areas, aggregate(areas, leaves)) == []


def test_negative_count() -> None:
    areas, counts = one_area(hh_persona_student=-1, hh_met_signaal=49, hh_opgepakt=49)
    assert problems(areas, counts) == ["GM0999 hh_persona_student: negative count (-1)"]


def test_total_differs_from_its_parts() -> None:
    areas, counts = one_area(signalen=63)
    assert problems(areas, counts) == [
        "GM0999 signalen: total differs from the sum of its parts by 3"
    ]


LINKED = " + ".join(GROUP_COUNTS)
"""The signals linked to a household: the publication groups' (not those at no household)."""


@pytest.mark.parametrize(
    ("changes", "broken"),
    [
        (
            {"hh_hulp_geaccepteerd": 34, "hh_hulpsoort_vervolghulp_financieel": 34},
            ["hh_hulp_geaccepteerd <= hh_bereikt broken by 4"],
        ),
        ({"hh_onbekend": 52}, ["hh_onbekend <= hh_met_signaal broken by 2"]),
        ({"huishoudens": 45}, ["hh_met_signaal <= huishoudens broken by 5"]),
        (
            {"hh_meerdere_signalen": 15},
            [
                "hh_met_signaal + hh_meerdere_signalen <= signalen broken by 5",
                f"hh_met_signaal + hh_meerdere_signalen <= {LINKED} broken by 5",
            ],
        ),
        (  # room in signalen, but only for signals at no household: no household's
            {"hh_meerdere_signalen": 15, "signalen_geen_match": 5, "signalen": 65},
            [f"hh_met_signaal + hh_meerdere_signalen <= {LINKED} broken by 5"],
        ),
    ],
)
def test_bound_between_counts_broken(changes: dict[str, int], broken: list[str]) -> None:
    areas, counts = one_area(**changes)
    assert problems(areas, counts) == [f"GM0999: {b}" for b in broken]


def test_gemeente_below_its_wijken() -> None:
    areas = hierarchy([1])
    counts = aggregate(areas, {"BU09990101": BASE})
    counts["GM0999"]["huishoudens"] -= 5
    assert problems(areas, counts) == [
        "GM0999:zonder_buurt huishoudens: gemeente count below the sum of its wijken (-5)",
        # its households without a buurt (none signalled) are then fewer than the signalled
        "GM0999:zonder_buurt: hh_met_signaal <= huishoudens broken by 5",
    ]


def test_null_count() -> None:
    areas, counts = one_area()
    frame = published_frame(areas, counts, set())
    null = (pl.col("area_code") == "GM0999") & (pl.col("indicator") == "huishoudens")
    table = build_table(frame.with_columns(value=pl.when(null).then(None).otherwise("value")))
    found = check_consistency(table, fill_remainders(table))
    assert len(found) == 2
    assert "GM0999" in found[0] and "huishoudens" in found[0]
    assert found[0].endswith(": count is NULL")
    # read as 0: the 50 signalled households then exceed it
    assert found[1] == "GM0999: hh_met_signaal <= huishoudens broken by 50"


def test_at_most_twenty_problems_of_each_kind() -> None:
    # 21 buurten, each with a NULL, a negative count, a total off its parts and a bound broken
    areas = hierarchy([21])
    buurten = [code for code, lvl in areas.level.items() if lvl == "buurt"]
    broken = BASE | {"hh_persona_student": -1, "hh_hulp_geaccepteerd": 34}
    counts = aggregate(areas, {code: broken for code in buurten})
    for code in buurten:
        counts[code]["signalen"] += 3
    frame = published_frame(areas, counts, set())
    null = pl.col("area_code").is_in(buurten) & (pl.col("indicator") == "hh_onbekend")
    table = build_table(frame.with_columns(value=pl.when(null).then(None).otherwise("value")))
    found = check_consistency(table, fill_remainders(table))
    kinds = ("count is NULL", "negative count", "differs from the sum", "<= hh_bereikt broken")
    assert [sum(kind in p for p in found) for kind in kinds] == [20, 20, 20, 20]


def test_rate_over_a_count_that_is_not_one() -> None:
    count = Indicator("huishoudens", "count", "huishoudens", None, None, None, "")
    rate = Indicator("pct_x", "rate", "procent", "hh_x", "huishoudens", 100.0, "")
    with pytest.raises(ValueError, match=r"^indicator pct_x: hh_x is not a count indicator$"):
        build_relations((count, rate))


def test_one_quarter_at_a_time() -> None:
    areas, counts = one_area()
    frame = published_frame(areas, counts, set())
    two = pl.concat([frame, frame.with_columns(quarter=pl.lit("2026Q2"))])
    with pytest.raises(ValueError, match=r"^one quarter at a time, got \['2026Q2', '2026Q3'\]$"):
        build_table(two)
    assert build_table(frame.drop("quarter")).n_real == 1


def test_duplicate_rows_are_refused() -> None:
    areas, counts = one_area()
    frame = published_frame(areas, counts, set())
    twice = pl.concat([frame, frame.filter(pl.col("indicator") == "signalen_water")])
    with pytest.raises(
        ValueError, match=r"^2 duplicate area x indicator rows, e\.g\. GM0999 signalen_water$"
    ):
        build_table(twice)


def test_unknown_area_level_is_refused() -> None:
    areas, counts = one_area()
    frame = published_frame(areas, counts, set()).with_columns(area_level=pl.lit("stadsdeel"))
    with pytest.raises(ValueError, match=r"^unknown area_level values: \['stadsdeel'\]$"):
        build_table(frame)


def test_never_published_is_every_remainder_and_every_unpublished_cell() -> None:
    """A gemeente with addresses without a buurt (a remainder area) and the counts
    seeds/publicatie_niveaus.csv keeps out of the buurt level (unpublished cells)."""
    frame = frame_from_buurten(
        {"BU09990101": ("WK099901", LARGE), "BU09990102": ("WK099901", LARGE)},
        {"WK099901": "GM0999"},
        no_buurt={"GM0999": {"huishoudens": 40, "signalen_water": 3}},
    )
    table = build_table(frame)
    cells = np.arange(table.n_cells)
    remainder = table.is_remainder(cells)
    assert remainder.any() and table.unpublished is not None and table.unpublished.any()
    assert (table.never_published() == (remainder | table.unpublished)).all()


def _intervals(table, hidden: np.ndarray, lower: np.ndarray, targets: np.ndarray) -> list:
    """[min, max] of every target over the table's relations, the hidden cells unknown (at
    least ``lower``), the others at their value."""
    x = fill_remainders(table)
    bounds = [
        (lower[i], None) if hidden[i] else (np.nan_to_num(x[i]),) * 2 for i in range(table.n_cells)
    ]
    out = []
    for t in np.flatnonzero(targets):
        ends = []
        for sign in (1, -1):
            obj = np.zeros(table.n_cells)
            obj[t] = sign
            res = linprog(obj, A_ub=table.a_ub, b_ub=np.zeros(table.a_ub.shape[0]),
                          A_eq=table.a_eq, b_eq=np.zeros(table.a_eq.shape[0]), bounds=bounds)  # fmt: skip
            assert res.status in (0, 3)  # 3: unbounded (contact attempts have no top)
            ends.append(sign * res.fun if res.status == 0 else sign * math.inf)
        out.append(ends)
    return out


PER_PERSONA = "^(hh|pct)_(bereikt|hulp)_persona_"
"""Who is reached per persona: counts and rates that no four-quarter period carries."""


def _as_four_quarters(quarter: pl.DataFrame, keep_per_persona: bool = False) -> pl.DataFrame:
    """A synthetic quarter's slice (``kwartaal`` and ``kwartaal_afgerond``) as the slice of a
    four-quarter period, the one that publishes buurten: ``vier_kwartalen`` and
    ``vier_kwartalen_afgerond``, without who is reached per persona, which that period does
    not carry (unless ``keep_per_persona``)."""
    four = {"kwartaal": "vier_kwartalen", "kwartaal_afgerond": "vier_kwartalen_afgerond"}
    frame = quarter.with_columns(
        pl.col("period_type").replace(four), period=pl.lit("2025Q4-2026Q3")
    )
    return (
        frame if keep_per_persona else frame.filter(~pl.col("indicator").str.contains(PER_PERSONA))
    )


@pytest.mark.parametrize("seed", range(4))
def test_buurt_cells_folded_into_their_wijk_change_no_interval(seed: int) -> None:
    """``model._folded_cells``: the buurt cells of the outcome chain, published per wijk only,
    taken over by their wijk (known 0s, the wijk's hierarchy row gone, a published contact
    median's lower bound moved to the buurt's hh_met_signaal and added up in the wijk's
    hh_bereikt) leave the attacker's interval of every suppressed cell as it is with those
    buurt cells as unknowns: random quarters, random suppressed cells, random published
    medians."""
    rng = np.random.default_rng(seed)
    quarter = synthetic_quarter(1, wijken_per_gemeente=[3], buurten_per_wijk=[3, 2, 4], seed=seed,
                                households_mean=900, signal_rate=0.03)  # fmt: skip
    frame = _as_four_quarters(quarter)
    rel = relations_for(default_relations(), frame)
    tables = [build_table(frame, rel), build_table(frame, rel, fold=False)]
    folded, plain = tables
    assert folded.folded.sum() == 9 * len(model.folded_counts(rel)[0])  # every buurt's chain
    assert plain.folded.sum() == 0
    x = fill_remainders(plain)
    shown = ~plain.never_published() & ~plain.structural
    targets = shown & (rng.random(plain.n_cells) < 0.3)
    hidden = targets | plain.never_published()
    medians = {m.name: rng.random(plain.n_real) < 0.5 for m in rel.medians}
    for name, on in medians.items():  # published only over enough households, as the rule says
        den = next(m.denominator for m in rel.medians if m.name == name)
        on &= x[plain.cell(np.arange(plain.n_real), den)] >= 10
    result = []
    for table in tables:
        lower = median_lower_bounds(table, medians, 10)
        known_zero = table.structural & ~plain.structural
        result.append(_intervals(table, hidden & ~known_zero, lower, targets))
    assert np.array(result[0]) == pytest.approx(np.array(result[1]), abs=1e-6)
    assert len(result[0]) > 20


@pytest.mark.parametrize("seed", range(3))
def test_a_sum_whose_parts_a_slice_lacks_tells_the_attacker_nothing_more(seed: int) -> None:
    """A four-quarter slice carries hh_bereikt and hh_hulp_geaccepteerd but not who is reached
    per persona, so the model leaves their sums over the personas out there. The attacker
    knows those parts exist, with their bounds: with them as unknowns (rows without a value)
    the interval of every suppressed cell is the same."""
    rng = np.random.default_rng(seed)
    quarter = synthetic_quarter(1, wijken_per_gemeente=[3], buurten_per_wijk=[3, 2, 4], seed=seed,
                                households_mean=900, signal_rate=0.03, who_is_reached=True)  # fmt: skip
    frame = _as_four_quarters(quarter, keep_per_persona=True)
    per_persona = pl.col("indicator").str.contains(PER_PERSONA)
    rel = relations_for(default_relations(), frame)
    lacking = build_table(frame.filter(~per_persona), rel, fold=False)
    unknown = build_table(
        frame.with_columns(value=pl.when(per_persona).then(None).otherwise(pl.col("value"))),
        rel,
        fold=False,
    )
    assert lacking.a_eq.shape[0] == unknown.a_eq.shape[0] - 2 * lacking.area_code.size
    parts = np.isnan(unknown.values) & ~unknown.is_remainder(np.arange(unknown.n_cells))
    assert parts.sum() == 12 * unknown.n_real
    shown = ~unknown.never_published() & ~unknown.structural & ~parts
    targets = shown & (rng.random(unknown.n_cells) < 0.3)
    hidden = targets | unknown.never_published()
    lower = np.zeros(unknown.n_cells)
    result = [
        _intervals(lacking, hidden & ~lacking.structural, lower, targets),
        _intervals(unknown, hidden | parts, lower, targets),
    ]
    assert np.array(result[0]) == pytest.approx(np.array(result[1]), abs=1e-6)
    assert len(result[0]) > 20


def test_a_folded_buurt_keeps_what_its_published_median_tells() -> None:
    """A published contact median of a buurt says it reached at least 10 households
    (``min_median_n``). With its hh_bereikt folded into the wijk, the attacker still knows
    that the wijk reached at least 10 per such buurt, and that each such buurt has at least 10
    signalled households (``Table.fold_lower_bounds``): without them the intervals widen."""
    small = LARGE | {"hh_bereikt": 12, "hh_hulp_geaccepteerd": 2}
    quarter = frame_from_buurten(
        {
            "BU09990101": ("WK099901", small),
            "BU09990102": ("WK099901", small),
            "BU09990103": ("WK099901", small),
            "BU09990201": ("WK099902", LARGE),
        },
        {"WK099901": "GM0999", "WK099902": "GM0999"},
    )
    frame = _as_four_quarters(quarter)
    rel = relations_for(default_relations(), frame)
    folded, plain = build_table(frame, rel), build_table(frame, rel, fold=False)
    assert folded.folded[folded.cell(folded.area_index["BU09990101"], "hh_bereikt")]
    hidden = plain.never_published().copy()
    cells = {
        (code, name): plain.cell(plain.area_index[code], name)
        for code in ("WK099901", "WK099902", "GM0999", "BU09990101", "BU09990102")
        for name in ("hh_bereikt", "hh_met_signaal", "hh_opgepakt", "hh_hulp_geaccepteerd")
    }
    for key in [
        ("WK099901", "hh_bereikt"), ("WK099902", "hh_bereikt"), ("GM0999", "hh_bereikt"),
        ("WK099901", "hh_opgepakt"), ("WK099902", "hh_opgepakt"), ("GM0999", "hh_opgepakt"),
        ("BU09990101", "hh_met_signaal"), ("BU09990102", "hh_met_signaal"),
    ]:  # fmt: skip
        hidden[cells[key]] = True
    for name in default_relations().counts:  # the two buurten's personas go with their total
        if name.startswith("hh_persona_"):
            for code in ("BU09990101", "BU09990102"):
                hidden[plain.cell(plain.area_index[code], name)] = True
    targets = np.zeros(plain.n_cells, dtype=bool)
    targets[[cells[("WK099901", "hh_bereikt")], cells[("BU09990101", "hh_met_signaal")]]] = True
    buurten = np.array([plain.area_index[f"BU0999010{i}"] for i in (1, 2, 3)])
    medians = {m.name: np.zeros(plain.n_real, dtype=bool) for m in rel.medians}
    medians["mediaan_dagen_tot_contact"][buurten] = True  # over 12 reached: published
    result = []
    for table in (folded, plain):
        lower = median_lower_bounds(table, medians, 10)
        known_zero = table.structural & ~plain.structural
        result.append(_intervals(table, hidden & ~known_zero, lower, targets))
    assert np.array(result[0]) == pytest.approx(np.array(result[1]))
    (wijk_low, _), _ = result[0]
    assert wijk_low == pytest.approx(30)  # three buurten of at least 10 reached


def test_the_folded_counts_are_the_outcome_chain_under_hh_met_signaal() -> None:
    """``model.folded_counts`` of the seeds: the counts no buurt publishes whose relations let
    a wijk take over their buurt cells, and their one top; a second median over a count of
    the group would need its bound carried up the chain, so it is refused."""
    rel = default_relations()  # of a four-quarter period: no persona reached (PER_PERSONA)
    rel = rel.without({c for c in rel.counts if re.match(PER_PERSONA, c)})
    group, top = model.folded_counts(rel)
    assert top == "hh_met_signaal"
    assert {"hh_opgepakt", "hh_bereikt", "hh_hulp_geaccepteerd", "contactpogingen"} <= group
    assert {"hh_met_signaal", "hh_meerdere_signalen", "signalen", "huishoudens"}.isdisjoint(group)
    assert "hh_bereikt" not in model.folded_counts(default_relations())[0]  # in a persona sum
    extra = Indicator("mediaan_x", "median", "dagen", None, "hh_hulp_geaccepteerd", None, "")
    with pytest.raises(ValueError, match="more than one median"):
        model.folded_counts(replace(rel, medians=(*rel.medians, extra)))


def test_folded_counts_under_several_tops_keep_those_under_the_most_common_one() -> None:
    """The folding argument needs one top per buurt. Counts no buurt publishes, each bounded
    by one of two tops, fold under the top most of them share (ties: the first by name); the
    others keep their buurt cells. No seed reaches this today (one top, hh_met_signaal)."""
    wijk_up = ("regio", "gemeente", "wijk")

    def group(bounds: tuple[tuple[tuple[str, ...], str], ...]) -> tuple[set[str], str | None]:
        counts = ("t1", "t2", "a", "b", "c")
        rel = model.Relations(
            counts=counts,
            rates=(),
            medians=(),
            sums=(),
            bounds=bounds,
            published={"a": wijk_up, "b": wijk_up, "c": wijk_up},
        )
        return model.folded_counts(rel)

    assert group(((("a",), "t1"), (("c",), "t1"), (("b",), "t2"))) == ({"a", "c"}, "t1")
    assert group(((("a",), "t2"), (("c",), "t2"), (("b",), "t1"))) == ({"a", "c"}, "t2")
    assert group(((("a",), "t2"), (("b",), "t1"))) == ({"b", "c"}, "t1")  # tie: t1; c unbounded
    assert group(((("a",), "t1"), (("b",), "a"), (("c",), "t2"))) == ({"a", "b"}, "t1")


def _period_rows(period_type: str, period: str, areas: dict, skip_buurt: set[str]) -> list:
    return [
        ("2026Q3", period_type, period, level, code, code, parent, name, float(v), "published")
        for code, (level, parent, values) in areas.items()
        for name, v in values.items()
        if not (level == "buurt" and name in skip_buurt)
    ]


COLUMNS = ["quarter", "period_type", "period", "area_level", "area_code", "area_name",
           "parent_code", "indicator", "value", "status"]  # fmt: skip


def test_a_buurt_outside_a_wijk_or_tied_across_quarters_is_not_folded() -> None:
    """Found by review: a buurt directly under its gemeente would take the gemeente's whole
    hierarchy row with it (its hh_bereikt interval widened from [30, 80] to [0, 90]); a buurt
    in the quarters' slices too has relations over quarters the argument does not cover. Such
    buurten keep their cells; the intervals are those of the unfolded model."""
    rel = build_relations(
        tuple(i for i in indicators() if i.name in ("huishoudens", "hh_met_signaal", "hh_opgepakt", "hh_bereikt"))
    )  # fmt: skip
    areas = {
        "GM01": ("gemeente", None, {"huishoudens": 3000, "hh_met_signaal": 90, "hh_opgepakt": 80, "hh_bereikt": 60}),
        "WK01": ("wijk", "GM01", {"huishoudens": 1000, "hh_met_signaal": 40, "hh_opgepakt": 40, "hh_bereikt": 30}),
        "BU01": ("buurt", "WK01", {"huishoudens": 500, "hh_met_signaal": 20, "hh_opgepakt": 20, "hh_bereikt": 15}),
        "BU02": ("buurt", "WK01", {"huishoudens": 500, "hh_met_signaal": 20, "hh_opgepakt": 20, "hh_bereikt": 15}),
        "BU03": ("buurt", "GM01", {"huishoudens": 500, "hh_met_signaal": 30, "hh_opgepakt": 25, "hh_bereikt": 20}),
    }  # fmt: skip
    rows = _period_rows(
        "vier_kwartalen_afgerond", "2025Q3-2026Q2", areas, {"hh_opgepakt", "hh_bereikt"}
    )
    frame = pl.DataFrame(rows, orient="row", schema=COLUMNS)
    folded, plain = build_table(frame, rel), build_table(frame, rel, fold=False)
    assert {folded.describe(int(c))[0] for c in np.flatnonzero(folded.folded)} == {"BU01", "BU02"}
    targets = np.zeros(plain.n_cells, dtype=bool)
    for name in ("hh_opgepakt", "hh_bereikt"):
        targets[plain.cell(plain.area_index["GM01"], name)] = True
    hidden = targets | plain.never_published()
    result = [
        _intervals(t, hidden & ~(t.structural & ~plain.structural), np.zeros(t.n_cells), targets)
        for t in (folded, plain)
    ]
    assert np.array(result[0]) == pytest.approx(np.array(result[1]))
    assert result[0][0] == pytest.approx([30, 80])  # hh_bereikt (seed order before hh_opgepakt)
    # the same buurten in every quarter's slice beside a four-quarter period: not folded
    quarters = ("2025Q4", "2026Q1", "2026Q2", "2026Q3")
    rows = [r for q in quarters for r in _period_rows("kwartaal", q, areas, set())]
    rows += _period_rows("vier_kwartalen", "2025Q4-2026Q3", areas, {"hh_opgepakt", "hh_bereikt"})
    frame = pl.DataFrame(rows, orient="row", schema=COLUMNS)
    assert not build_table(frame, rel).folded.any()


def test_a_withdrawn_bound_suppresses_the_medians_that_gave_it() -> None:
    """``protect._medians_withdrawn``: a lower bound the repair withdrew (a released cell)
    suppresses every median published now whose bound lands on that cell: its own count's
    cell, or folded, its buurt's hh_met_signaal and its wijk's count (the bounds summed); never
    a median an earlier publication holds (``kept``), and none whose bound lands elsewhere."""
    quarter = synthetic_quarter(1, wijken_per_gemeente=[2], buurten_per_wijk=[3, 2], seed=3,
                                households_mean=900, signal_rate=0.03)  # fmt: skip
    frame = _as_four_quarters(quarter)
    rel = relations_for(default_relations(), frame)
    table = build_table(frame, rel)
    median = next(m for m in rel.medians if m.denominator in model.folded_counts(rel)[0])
    levels = table.area_level[: table.n_real]
    buurten = np.flatnonzero(levels == "buurt")
    folded = buurten[table.folded[table.cell(buurten, median.denominator)]]
    assert folded.size == 5  # every buurt's chain is folded into its wijk
    published = {m.name: np.ones(table.n_real, dtype=bool) for m in rel.medians}
    kept = {m.name: np.zeros(table.n_real, dtype=bool) for m in rel.medians}
    wijk = table.parent[folded[0]]
    under = folded[table.parent[folded] == wijk]
    kept[median.name][under[0]] = True  # held by an earlier publication
    cases = {
        "the wijk's cell": (table.cell(wijk, median.denominator), {wijk, *under[1:]}),
        "a buurt's top": (table.cell(under[1], table.fold_top), {under[1]}),
        "nothing": (None, set()),
    }
    for name, (cell, expected) in cases.items():
        released = np.array([] if cell is None else [cell], dtype=np.int64)
        out = _medians_withdrawn(table, published, kept, released)
        assert set(np.flatnonzero(out[median.name])) == expected, name


def test_only_the_sums_over_the_personas_may_lose_all_their_parts() -> None:
    """``model._only_bounded_parts``: who is reached per persona may be absent while its totals
    are present (the module docstring argues it tells nothing); the personas of hh_met_signaal
    may not (nothing argues that their bounds say no more of the total than the model keeps)."""
    rel = default_relations()
    reached = {c for c in rel.counts if re.match(PER_PERSONA, c)}
    model._only_bounded_parts(rel, reached)  # allowed: no error
    personas = {c for c in rel.counts if c.startswith("hh_persona_")}
    bare = rel.without(reached)  # the personas then are nothing but the parts of one sum
    with pytest.raises(ValueError, match="hh_persona_"):
        model._only_bounded_parts(bare, personas)
