"""Disclosure control over time (docs/periods-plan.md, step 4): the model and the audit know
the relations between a four-quarter period and its quarters (``contract.OVER_QUARTERS``), so
an attacker who holds everything published at once, every quarter, both period lengths and
every earlier publication, is modelled. Hand-computed cases on one wijk with two buurten:

- a period minus three published quarters gives the fourth (signals add up);
- two consecutive four-quarter periods and the quarter that leaves them give the quarter that
  enters (``Y_t - Y_t-1 = Q_t - Q_t-4``), though no period is published with its quarters
  all but one;
- between two runs: a quarter that passes the audit alone fails once the next publication
  adds its four-quarter period;
- households counted once over the period bound each quarter from both sides
  (``Q_i <= Y <= sum``): exact intervals computed here by hand;
- protection with the earlier publications fixed: what a quarter protected alone would
  leak through its period, and what it would reveal of an earlier suppression, it hides.
"""

from __future__ import annotations

import duckdb
import numpy as np
import polars as pl
import pytest

from orchestration.contract import over_quarters
from orchestration.disclosure.audit import audit_publication
from orchestration.disclosure.model import (
    InconsistentTableError,
    build_relations,
    build_table,
    check_consistency,
    fill_remainders,
)
from orchestration.disclosure.protect import protect_quarter
from orchestration.parameters import Indicator, period_indicators, periods

G, W, A, B = "GM0001", "WK000101", "BU00010101", "BU00010102"
PARENT = {G: None, W: G, A: W, B: W}
LEVEL = {G: "gemeente", W: "wijk", A: "buurt", B: "buurt"}
HH = 500.0
"""huishoudens of every buurt in every quarter (published: it bounds nothing here)."""


def relations(count: str):
    """Two counts: huishoudens and ``count`` (signalen: a sum over quarters; hh_met_signaal:
    households counted once, Q_i <= Y <= sum)."""
    return build_relations(
        tuple(Indicator(name, "count", "", None, None, None, "") for name in ("huishoudens", count))
    )


def period_slice(
    quarter: str,
    period: str,
    count: str,
    a: float,
    b: float,
    hidden: tuple[str, ...] = (),
) -> list[tuple]:
    """Rows of one period: buurten A and B, wijk W = A + B, gemeente G = W; ``count`` of the
    areas in ``hidden`` suppressed."""
    period_type = "kwartaal" if period == quarter else "vier_kwartalen"
    values = {A: a, B: b, W: a + b, G: a + b}
    rows = []
    for code, value in values.items():
        hh = {A: HH, B: HH}.get(code, 2 * HH)
        shown = code not in hidden
        rows.append((quarter, period_type, period, LEVEL[code], code, code, PARENT[code],
                     "huishoudens", hh, "published"))  # fmt: skip
        rows.append((quarter, period_type, period, LEVEL[code], code, code, PARENT[code],
                     count, value if shown else None,
                     "published" if shown else "suppressed"))  # fmt: skip
    return rows


COLUMNS = ["quarter", "period_type", "period", "area_level", "area_code", "area_name",
           "parent_code", "indicator", "value", "status"]  # fmt: skip


def frame(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(rows, orient="row", schema=COLUMNS)


def intervals(published: pl.DataFrame, count: str) -> dict[str, tuple[float, float]]:
    """Area (with its period) -> exact attacker interval of every suppressed ``count``."""
    audit = audit_publication(
        published, relations=relations(count), exact=True, n_narrowest=100, workers=1
    )
    assert not audit.violations
    return {area: (lo, hi) for area, ind, lo, hi, _ in audit.narrowest if ind == count}


QUARTERS = ("2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3")
SIGNALS_A = (18, 20, 30, 25, 15)
SIGNALS_B = (11, 12, 14, 16, 18)


def test_a_period_minus_three_published_quarters_gives_the_fourth() -> None:
    quarters = QUARTERS[1:]
    rows = [
        r
        for i, q in enumerate(quarters)
        for r in period_slice(
            q, q, "signalen", SIGNALS_A[i + 1], SIGNALS_B[i + 1], (A, B) if i == 3 else ()
        )
    ]
    alone = intervals(frame(rows), "signalen")
    # the last quarter alone: A + B = W = 33 published, each of them anywhere in [0, 33]
    assert alone == {"2026Q3:" + A: (0.0, 33.0), "2026Q3:" + B: (0.0, 33.0)}
    year = "2025Q4-2026Q3"
    rows += period_slice("2026Q3", year, "signalen", sum(SIGNALS_A[1:]), sum(SIGNALS_B[1:]))
    audit = audit_publication(frame(rows), relations=relations("signalen"), exact=True, workers=1)
    # 90 - (20 + 30 + 25) = 15 and 60 - (12 + 14 + 16) = 18: both exact
    assert not audit.passed
    assert {(f[0], f[2], f[3]) for f in audit.failures} == {
        ("2026Q3:" + A, 15.0, 15.0),
        ("2026Q3:" + B, 18.0, 18.0),
    }


def test_consecutive_periods_and_the_quarter_that_leaves_give_the_one_that_enters() -> None:
    rows = []
    for i, q in enumerate(QUARTERS):  # only the first quarter's buurten are published
        rows += period_slice(q, q, "signalen", SIGNALS_A[i], SIGNALS_B[i], () if i == 0 else (A, B))
    for first, last in ((0, 3), (1, 4)):
        rows += period_slice(
            QUARTERS[last],
            f"{QUARTERS[first]}-{QUARTERS[last]}",
            "signalen",
            sum(SIGNALS_A[first : last + 1]),
            sum(SIGNALS_B[first : last + 1]),
        )
    audit = audit_publication(frame(rows), relations=relations("signalen"), exact=True, workers=1)
    # per buurt, Y(2025Q4-2026Q3) - Y(2025Q3-2026Q2) + Q(2025Q3):
    # A: (20+30+25+15) - (18+20+30+25) + 18 = 15; B: (12+14+16+18) - (11+12+14+16) + 11 = 18
    assert {(f[0], f[2], f[3]) for f in audit.failures} == {
        ("2026Q3:" + A, 15.0, 15.0),
        ("2026Q3:" + B, 18.0, 18.0),
    }
    # the quarters in between are only known as a sum: each stays wide
    wide = {r[0]: r[4] for r in audit.narrowest}
    assert all(wide[f"{q}:{a}"] >= 10 for q in QUARTERS[1:4] for a in (A, B))


def test_between_two_runs_a_passed_quarter_fails_when_its_period_follows() -> None:
    """Run 1 publishes 2026Q2 (and the quarters before); run 2 adds 2026Q3 and the period
    2025Q4-2026Q3. The file after run 2 holds both: 2026Q2's suppressed cells are recomputable
    from the period, the three other quarters published in full."""
    run_1 = []
    for i, q in enumerate(QUARTERS[1:4]):
        hidden = (A, B) if q == "2026Q2" else ()
        run_1 += period_slice(q, q, "signalen", SIGNALS_A[i + 1], SIGNALS_B[i + 1], hidden)
    assert audit_publication(frame(run_1), relations=relations("signalen"), workers=1).passed
    run_2 = run_1 + period_slice("2026Q3", "2026Q3", "signalen", SIGNALS_A[4], SIGNALS_B[4])
    run_2 += period_slice(
        "2026Q3", "2025Q4-2026Q3", "signalen", sum(SIGNALS_A[1:]), sum(SIGNALS_B[1:])
    )
    audit = audit_publication(frame(run_2), relations=relations("signalen"), exact=True, workers=1)
    assert {(f[0], f[2], f[3]) for f in audit.failures} == {
        ("2026Q2:" + A, 25.0, 25.0),
        ("2026Q2:" + B, 16.0, 16.0),
    }


def test_households_over_the_period_bound_each_quarter_from_both_sides() -> None:
    """hh_met_signaal: Q_i <= Y <= Q_1 + .. + Q_4. Quarters 1-3 and the period published, the
    last quarter's buurten suppressed with their wijk published (A + B = 30):

    A: Y - (10 + 12 + 11) = 40 - 33 = 7 <= A <= min(Y = 40, 30 - B's lower bound 4) = 26
    B: Y - (10 + 11 + 10) = 35 - 31 = 4 <= B <= min(35, 30 - 7) = 23
    """
    a, b = (10, 12, 11, 15), (10, 11, 10, 15)
    quarters = QUARTERS[1:]
    rows = [
        r
        for i, q in enumerate(quarters)
        for r in period_slice(q, q, "hh_met_signaal", a[i], b[i], (A, B) if i == 3 else ())
    ]
    rows += period_slice("2026Q3", "2025Q4-2026Q3", "hh_met_signaal", 40, 35)
    assert intervals(frame(rows), "hh_met_signaal") == {
        "2026Q3:" + A: (7.0, 26.0),
        "2026Q3:" + B: (4.0, 23.0),
    }


@pytest.mark.parametrize(
    ("count", "periods", "a_interval", "b_interval"),
    [
        # periods A 40, B 35: Y <= Q_1 + .. + Q_4 with the first three published bounds Q_4
        # from below (A >= 40 - 33 = 7, B >= 35 - 31 = 4), the wijk's 30 from above
        pytest.param("hh_met_signaal", (40, 35), (7, 26), (4, 23), id="union-sum"),
        pytest.param("hh_persona_senior", (40, 35), (7, 26), (4, 23), id="latest-sum"),
        pytest.param("hh_onbekend", (40, 35), (7, 26), (4, 23), id="earliest-sum"),
        pytest.param("hh_meerdere_signalen", (40, 35), (0, 30), (0, 30), id="at_least-sum"),
        # A's period 20: earliest bounds only the first quarter by the period, not the last
        # (B >= 4 leaves A <= 26); each quarter at most the period of the other kinds:
        # test_a_quarter_is_at_most_its_period below
        pytest.param("hh_onbekend", (20, 35), (0, 26), (4, 30), id="earliest-first"),
    ],
)
def test_each_kind_of_household_count_bounds_its_last_quarter_as_defined(
    count: str,
    periods: tuple[float, float],
    a_interval: tuple[float, float],
    b_interval: tuple[float, float],
) -> None:
    """contract.OVER_QUARTERS for each kind whose period is not a sum or the last quarter: the
    quarters of the test above (A 10 + 12 + 11, B 10 + 11 + 10 published; the last quarter's
    buurten suppressed, their wijk's 30 published) with two sets of periods."""
    a, b = (10, 12, 11, 15), (10, 11, 10, 15)
    rows = [
        r
        for i, q in enumerate(QUARTERS[1:])
        for r in period_slice(q, q, count, a[i], b[i], (A, B) if i == 3 else ())
    ]
    rows += period_slice("2026Q3", "2025Q4-2026Q3", count, *periods)
    expected = {"2026Q3:" + A: a_interval, "2026Q3:" + B: b_interval}
    assert intervals(frame(rows), count) == expected


def test_a_period_without_all_its_quarters_adds_no_relation() -> None:
    """Published before its quarters are (or after they were withdrawn from the model), a
    period is a table of its own: nothing ties it to the quarters that are there."""
    rows = period_slice("2026Q3", "2026Q3", "signalen", 15, 18, (A, B))
    rows += period_slice("2026Q3", "2025Q4-2026Q3", "signalen", 90, 60)
    table = build_table(frame(rows), relations("signalen"))
    within = build_table(frame(rows[: len(rows) // 2]), relations("signalen"))
    assert table.a_eq.shape[0] == 2 * within.a_eq.shape[0]
    assert table.a_ub.shape[0] == 2 * within.a_ub.shape[0]


def test_every_count_indicator_has_a_relation_over_quarters() -> None:
    from orchestration.contract import count_indicator_names

    kinds = over_quarters(count_indicator_names())
    assert kinds["signalen"] == "sum" and kinds["signalen_water"] == "sum"
    assert kinds["hh_persona_senior"] == "latest" and kinds["huishoudens"] == "same"
    assert np.all([k in {"same", "sum", "union", "latest", "earliest", "at_least", "none"}
                   for k in kinds.values()])  # fmt: skip
    in_periods = {  # none: in no period of several quarters
        i.name for p in periods() if p.quarters > 1 for i in period_indicators(p.period_type)
    }
    assert {n for n, k in kinds.items() if k == "none"} == set(kinds) - in_periods


# --- protection with the earlier publications fixed -----------------------------------------


def true_rows(quarter: str, period: str, a: float, b: float) -> pl.DataFrame:
    """Unsuppressed rows of one period (``mon_area_indicators`` shape)."""
    return frame(period_slice(quarter, period, "signalen", a, b)).drop("status")


def earlier(quarters_values: list[tuple[str, float, float, tuple[str, ...]]]) -> pl.DataFrame:
    """Protected rows of an earlier publication: true values, the status it was published with."""
    rows = []
    for q, a, b, hidden in quarters_values:
        shown = frame(period_slice(q, q, "signalen", a, b, hidden))
        rows.append(
            shown.with_columns(value=true_rows(q, q, a, b)["value"], suppression=pl.lit("none"))
        )
    return pl.concat(rows)


def published(history: pl.DataFrame, new: pl.DataFrame) -> pl.DataFrame:
    old = history.with_columns(
        value=pl.when(pl.col("status") == "published").then(pl.col("value"))
    ).select(COLUMNS)
    return pl.concat([old, new.select(COLUMNS)])


def test_protection_with_earlier_quarters_fixed_defeats_the_period_difference() -> None:
    """Three quarters published in full; the new quarter's buurten are small (5 and 6, primary)
    and its four-quarter period would give them back (80 - 75 = 5). Protected alone the
    period is published whole; protected with the earlier quarters fixed, it is not, and the
    whole file passes the audit."""
    rel = relations("signalen")
    history = earlier([("2025Q4", 20, 12, ()), ("2026Q1", 30, 14, ()), ("2026Q2", 25, 16, ())])
    new = pl.concat(
        [true_rows("2026Q3", "2026Q3", 5, 6), true_rows("2026Q3", "2025Q4-2026Q3", 80, 48)]
    )
    alone = protect_quarter(new, relations=rel, workers=1)
    attack = audit_publication(published(history, alone.published), relations=rel, workers=1)
    assert {f[0] for f in attack.failures} >= {"2026Q3:" + A, "2026Q3:" + B}
    result = protect_quarter(new, relations=rel, workers=1, history=history)
    assert result.cells.height == new.height  # the new rows only: the earlier ones stay
    audit = audit_publication(published(history, result.published), relations=rel, workers=1)
    assert audit.passed, audit.failures
    year = result.published.filter(pl.col("period") == "2025Q4-2026Q3")
    assert year.filter(pl.col("area_code").is_in([A, B]) & (pl.col("indicator") == "signalen"))[
        "status"
    ].to_list() == ["suppressed", "suppressed"]


def test_an_earlier_suppression_stays_protected_by_what_is_published_now() -> None:
    """2026Q2 was published with its buurten suppressed (8 and 9). The new quarter (15 and
    18, not small) and the period would give them back: 73 - 20 - 30 - 15 = 8. The earlier
    cells cannot change, so protection hides new cells, and the file passes the audit."""
    rel = relations("signalen")
    history = earlier([("2025Q4", 20, 12, ()), ("2026Q1", 30, 14, ()), ("2026Q2", 8, 9, (A, B))])
    new = pl.concat(
        [true_rows("2026Q3", "2026Q3", 15, 18), true_rows("2026Q3", "2025Q4-2026Q3", 73, 53)]
    )
    alone = protect_quarter(new, relations=rel, workers=1)
    attack = audit_publication(published(history, alone.published), relations=rel, workers=1)
    assert {f[0] for f in attack.failures} == {"2026Q2:" + A, "2026Q2:" + B}
    result = protect_quarter(new, relations=rel, workers=1, history=history)
    audit = audit_publication(published(history, result.published), relations=rel, workers=1)
    assert audit.passed, audit.failures
    assert result.n_primary == 0 and result.n_secondary > 0


def test_a_cell_the_earlier_quarters_pin_is_published_not_suppressed() -> None:
    """Households over four quarters whose quarters all closed before (the national run's
    ``vier_kwartalen_afgerond``): buurt A had 12 households in 2025Q3 and none after, all
    published, so its 12 over the year lies in [12, 12] (``Q_i <= Y <= sum``) whatever is
    suppressed now. B's 5 is primary; the cheapest complement for it would be A, which no
    suppression can protect: the repair ran out of rounds and the file failed the audit.
    Found pinned, A is published and B is protected by its wijk and gemeente."""
    rel = relations("hh_met_signaal")
    quarters = {"2025Q3": (12, 0), "2025Q4": (0, 5), "2026Q1": (0, 0), "2026Q2": (0, 0)}
    history = pl.concat(
        [frame(period_slice(q, q, "hh_met_signaal", a, b)) for q, (a, b) in quarters.items()]
    )
    small = (pl.col("indicator") == "hh_met_signaal") & pl.col("value").is_between(1, 9)
    history = history.with_columns(
        status=pl.when(small).then(pl.lit("suppressed")).otherwise("status"),
        suppression=pl.when(small).then(pl.lit("primary")).otherwise(pl.lit("none")),
    )
    new = frame(period_slice("2026Q3", "2025Q3-2026Q2", "hh_met_signaal", 12, 5)).drop("status")
    result = protect_quarter(new, relations=rel, workers=1, history=history)
    status = {
        r["area_code"]: (r["status"], r["suppression"])
        for r in result.cells.filter(pl.col("indicator") == "hh_met_signaal").iter_rows(named=True)
    }
    assert status == {
        A: ("published", "none"),
        B: ("suppressed", "primary"),
        W: ("suppressed", "secondary"),
        G: ("suppressed", "secondary"),
    }
    assert result.stats.n_whole_components == 0 and result.stats.pinned.sum() >= 1
    audit = audit_publication(published(history, result.published), relations=rel, workers=1)
    assert audit.passed, audit.failures


def test_a_figure_of_an_earlier_quarter_computed_later_is_protected_beside_its_fixed_slice() -> (
    None
):
    """A late figure (docs/late-figures-plan.md): hh_bereikt of 2026Q2 is computed in the run
    of 2026Q3, when the cases of 2026Q2's signals have closed, and is a row of that run with
    period 2026Q2 (published per wijk and gemeente). Its slice was published with 2026Q2
    (huishoudens and hh_met_signaal, whole) and stays fixed; the new cells are decided now:
    wijk V's 3 is primary and, as G = V + W, W's 12 is its complement. Fixing the slice per
    area, as before, fixed the new cells too and published V's 3."""
    rel = build_relations(
        tuple(
            Indicator(name, "count", "", None, None, None, "")
            for name in ("huishoudens", "hh_met_signaal", "hh_bereikt")
        )
    )
    v, w = "WK000101", "WK000102"

    def rows(quarter: str, period: str, values: dict[str, tuple[float, ...]]) -> pl.DataFrame:
        """One row per area of G, V and W and per (indicator, values of G, V, W)."""
        return frame(
            [
                (quarter, "kwartaal", period, level, code, code, parent, name, value, "published")
                for name, by_area in values.items()
                for (code, level, parent), value in zip(
                    ((G, "gemeente", None), (v, "wijk", G), (w, "wijk", G)), by_area, strict=True
                )
            ]
        )

    history = rows(
        "2026Q2", "2026Q2", {"huishoudens": (1000, 500, 500), "hh_met_signaal": (41, 25, 16)}
    ).with_columns(suppression=pl.lit("none"))
    new = pl.concat(
        [
            rows(
                "2026Q3",
                "2026Q3",
                {
                    "huishoudens": (1000, 500, 500),
                    "hh_met_signaal": (50, 30, 20),
                    "hh_bereikt": (21, 11, 10),
                },
            ),
            rows("2026Q3", "2026Q2", {"hh_bereikt": (15, 3, 12)}),
        ]
    ).drop("status")
    result = protect_quarter(new, relations=rel, workers=1, history=history)
    assert result.cells.height == new.height  # the new rows only: the slice's others stay
    status = {
        (r["period"], r["area_code"]): (r["status"], r["suppression"])
        for r in result.cells.filter(pl.col("indicator") == "hh_bereikt").iter_rows(named=True)
    }
    assert status[("2026Q2", v)] == ("suppressed", "primary")
    assert status[("2026Q2", w)] == ("suppressed", "secondary")
    assert status[("2026Q2", G)] == ("published", "none")
    assert {status[("2026Q3", c)] for c in (G, v, w)} == {("published", "none")}
    audit = audit_publication(published(history, result.published), relations=rel, workers=1)
    assert audit.passed, audit.failures


def test_a_later_period_repeats_an_earlier_figure_with_its_status_and_refuses_another() -> None:
    """The cohort of 2026Q1 (cohort_zes_maanden, in the run of 2026Q3) repeats hh_met_signaal
    of 2026Q1 as its denominator. Wijk V's 8 was published suppressed with 2026Q1: the repeat
    keeps that status (and its reason), whatever the new cells would allow, and the file
    passes the audit. A repeat with another value is refused, naming the cell, and so is a
    cohort whose quarter was never protected."""
    counts = ("huishoudens", "hh_met_signaal", "hh_schuldhulp_binnen_6m")
    rel = build_relations(
        tuple(
            Indicator(name, "count", "", None, None, None, "", periods)
            for name, periods in zip(counts, ((), (), ("cohort_zes_maanden",)), strict=True)
        )
    )
    v, w = "WK000101", "WK000102"
    places = ((G, "gemeente", None), (v, "wijk", G), (w, "wijk", G))

    def rows(quarter, period_type, values, status=("published",) * 3) -> pl.DataFrame:
        return frame(
            [
                (quarter, period_type, "2026Q1", level, code, code, parent, name, value, shown)
                for name, by_area in values.items()
                for (code, level, parent), value, shown in zip(places, by_area, status, strict=True)
            ]
        )

    history = pl.concat(
        [
            rows("2026Q1", "kwartaal", {"huishoudens": (1000, 500, 500)}),
            rows(
                "2026Q1",
                "kwartaal",
                {"hh_met_signaal": (60, 8, 52)},
                ("published", "suppressed", "suppressed"),
            ),
        ]
    ).with_columns(
        suppression=pl.when(pl.col("area_code") == v)
        .then(pl.lit("primary"))
        .when(pl.col("area_code") == w)
        .then(pl.lit("secondary"))
        .otherwise(pl.lit("none"))
    )
    cohort = rows(
        "2026Q3",
        "cohort_zes_maanden",
        {"hh_met_signaal": (60, 8, 52), "hh_schuldhulp_binnen_6m": (20, 0, 20)},
    ).drop("status")
    result = protect_quarter(cohort, relations=rel, workers=1, history=history)
    status = {
        (r["area_code"], r["indicator"]): (r["status"], r["suppression"])
        for r in result.cells.iter_rows(named=True)
    }
    assert status[(v, "hh_met_signaal")] == ("suppressed", "primary")
    assert status[(w, "hh_met_signaal")] == ("suppressed", "secondary")
    assert status[(G, "hh_met_signaal")] == ("published", "none")
    assert result.cells.height == cohort.height
    audit = audit_publication(published(history, result.published), relations=rel, workers=1)
    assert audit.passed, audit.failures
    changed = cohort.with_columns(
        value=pl.when((pl.col("area_code") == w) & (pl.col("indicator") == "hh_met_signaal"))
        .then(53.0)
        .otherwise(pl.col("value"))
    )
    with pytest.raises(InconsistentTableError, match=f"hh_met_signaal of {w}: 53 now, 52 then"):
        protect_quarter(changed, relations=rel, workers=1, history=history)
    with pytest.raises(InconsistentTableError, match="run 2026Q1 first, then this quarter"):
        protect_quarter(cohort, relations=rel, workers=1)  # 2026Q1 itself not protected


MOVED = {
    "huishoudens": (),
    "hh_met_signaal": (),
    "hh_bereikt": ("kwartaal_afgerond", "vier_kwartalen_afgerond", "cohort_zes_maanden"),
    "hh_schuldhulp_binnen_6m": ("cohort_zes_maanden",),
}
"""The carrying period types of after docs/migrations.md 14: hh_bereikt (standing in for the
outcomes) a quarter later, and repeated by the cohort as its denominator."""


def moved_rows(
    quarter: str, period_type: str, period: str, values: dict[str, tuple[float, float, float]]
) -> pl.DataFrame:
    """One row per area of G, V and W and per (indicator, values of G, V, W), published."""
    places = ((G, "gemeente", None), ("WK000101", "wijk", G), ("WK000102", "wijk", G))
    return frame(
        [
            (quarter, period_type, period, level, code, code, parent, name, value, "published")
            for name, by_area in values.items()
            for (code, level, parent), value in zip(places, by_area, strict=True)
        ]
    ).with_columns(pl.col("value").cast(pl.Float64))


def moved_history(old: list[str], new: list[str]) -> pl.DataFrame:
    """Protected rows of the quarters ``old``, protected before the outcomes moved (their
    hh_bereikt in their own kwartaal row, as known at their end: 30 in V), and ``new``,
    protected after (their hh_bereikt a quarter later, in kwartaal_afgerond: 10 in V); with four
    quarters, the vier_kwartalen period over them too."""
    sizes = {"huishoudens": (1000, 500, 500), "hh_met_signaal": (60, 40, 20)}
    rows = [moved_rows(q, "kwartaal", q, {**sizes, "hh_bereikt": (40, 30, 10)}) for q in old]
    rows += [moved_rows(q, "kwartaal", q, sizes) for q in new]
    rows += [
        moved_rows(
            q, "kwartaal_afgerond", q, {"hh_met_signaal": (60, 40, 20), "hh_bereikt": (20, 10, 10)}
        )
        for q in new
    ]
    if len(old + new) == 4:  # and the year's figures published with its last quarter
        rows.append(
            moved_rows(
                max(old + new), "vier_kwartalen", f"{min(old + new)}-{max(old + new)}", sizes
            )
        )
    return pl.concat(rows).with_columns(suppression=pl.lit("none"))


def test_outcomes_published_with_their_quarter_before_they_moved_are_not_published_again() -> None:
    """A warehouse protected before the outcomes moved to kwartaal_afgerond
    (docs/migrations.md 14) has 2026Q2's hh_bereikt in its kwartaal rows, as known then. The
    run of 2026Q3 computes them again as known a quarter later (other values): published
    once, so 2026Q2's kwartaal_afgerond period is left out whole (the gate expects every
    indicator of a period it gets), while the new quarter's own cells are protected as
    always."""
    rel = build_relations(
        tuple(Indicator(n, "count", "", None, None, None, "", t) for n, t in MOVED.items())
    )
    history = moved_history(["2026Q2"], [])
    own = moved_rows(
        "2026Q3",
        "kwartaal",
        "2026Q3",
        {"huishoudens": (1000, 500, 500), "hh_met_signaal": (70, 35, 35)},
    )
    later = moved_rows(
        "2026Q3",
        "kwartaal_afgerond",
        "2026Q2",
        {"hh_met_signaal": (60, 40, 20), "hh_bereikt": (20, 10, 10)},
    )
    result = protect_quarter(
        pl.concat([own, later]).drop("status"), relations=rel, workers=1, history=history
    )
    assert result.left_out_periods == ["kwartaal_afgerond 2026Q2"]
    assert set(result.cells["period_type"]) == {"kwartaal"}
    assert result.cells.height == own.height
    assert set(result.cells["status"]) == {"published"}


def test_a_later_period_over_a_quarter_protected_before_the_move_is_left_out() -> None:
    """Quarter 2025Q4 was protected before the move (hh_bereikt 30 in V, as known at its end),
    2026Q1-2026Q3 after (10 each, a quarter later). The run of 2026Q4 computes
    vier_kwartalen_afgerond 2025Q4-2026Q3 with 2025Q4's outcomes as known a quarter later
    (V: 20, below the 30 published then, which breaks ``Q_i <= Y``), and the cohort of
    2026Q2 (repeating its hh_bereikt, 10: fine); the run of 2026Q2 the cohort of 2025Q4,
    whose repeated hh_bereikt (10 now, 30 then) differs. Both mixed periods are left out, the
    others are protected; with the old quarter protected after the move as well, the same
    four-quarter period is kept, so what decides is the quarter's history."""
    rel = build_relations(
        tuple(Indicator(n, "count", "", None, None, None, "", t) for n, t in MOVED.items())
    )
    sizes = {"huishoudens": (1000, 500, 500), "hh_met_signaal": (60, 40, 20)}
    new = ["2026Q1", "2026Q2", "2026Q3"]
    own = moved_rows("2026Q4", "kwartaal", "2026Q4", sizes)
    year = moved_rows(
        "2026Q4",
        "vier_kwartalen_afgerond",
        "2025Q4-2026Q3",
        {"hh_met_signaal": (60, 40, 20), "hh_bereikt": (30, 20, 10)},
    )
    cohort = moved_rows(
        "2026Q4",
        "cohort_zes_maanden",
        "2026Q2",
        {"hh_bereikt": (20, 10, 10), "hh_schuldhulp_binnen_6m": (0, 0, 0)},
    )
    frame_2026q4 = pl.concat([own, year, cohort]).drop("status")
    result = protect_quarter(
        frame_2026q4, relations=rel, workers=1, history=moved_history(["2025Q4"], new)
    )
    assert result.left_out_periods == ["vier_kwartalen_afgerond 2025Q4-2026Q3"]
    assert set(result.cells["period_type"]) == {"kwartaal", "cohort_zes_maanden"}
    with pytest.raises(InconsistentTableError):  # what the left-out period would have done
        protect_quarter(
            frame_2026q4,
            relations=rel,
            workers=1,
            history=moved_history([], ["2025Q4", *new]).with_columns(
                value=pl.when(
                    (pl.col("period") == "2025Q4")
                    & (pl.col("indicator") == "hh_bereikt")
                    & (pl.col("area_code") == "WK000101")
                )
                .then(30.0)
                .otherwise(pl.col("value"))
            ),
        )
    kept = protect_quarter(
        frame_2026q4, relations=rel, workers=1, history=moved_history([], ["2025Q4", *new])
    )
    assert kept.left_out_periods == []
    assert "vier_kwartalen_afgerond" in set(kept.cells["period_type"])
    cohort_2025q4 = moved_rows(
        "2026Q2",
        "cohort_zes_maanden",
        "2025Q4",
        {"hh_bereikt": (20, 10, 10), "hh_schuldhulp_binnen_6m": (0, 0, 0)},
    )
    own_2026q2 = moved_rows("2026Q2", "kwartaal", "2026Q2", sizes)
    first = protect_quarter(
        pl.concat([own_2026q2, cohort_2025q4]).drop("status"),
        relations=rel,
        workers=1,
        history=moved_history(["2025Q4"], ["2026Q1"]),
    )
    assert first.left_out_periods == ["cohort_zes_maanden 2025Q4"]
    assert set(first.cells["period_type"]) == {"kwartaal"}


def test_the_stage_reads_the_other_quarters_only_when_a_period_spans_several(
    monkeypatch,
) -> None:
    from orchestration.contract import PROTECTED_TABLE
    from orchestration.disclosure import protect

    rows = earlier([("2026Q2", 25, 16, ()), ("2026Q3", 15, 18, ())])
    with duckdb.connect() as con:
        con.execute("create schema disclosure")
        con.register("rows", rows.to_arrow())
        con.execute(f"create table {PROTECTED_TABLE} as select * from rows")
        history = protect.earlier_publications(con, "2026Q3")  # the seed: four quarters too
        monkeypatch.setattr(protect, "publishes_across_quarters", lambda: False)
        assert protect.earlier_publications(con, "2026Q3") is None  # quarters only
    assert history is not None and set(history["quarter"]) == {"2026Q2"}
    assert history.height == rows.height // 2


def test_a_regio_whose_gemeenten_change_within_the_period_is_no_sum_of_its_quarters() -> None:
    """A regio code does not fix its gemeenten: gemeente H is in regio R in the first three
    quarters of the period and has left it (and the reference) in the last, where dbt counts
    the four-quarter regio over the gemeenten of the built quarter: R's period is G's, not the
    sum of R's quarters (which hold H's 40 signals thrice). The model must not relate them (it
    would call the true table inconsistent and stop protection); G's own relations over the
    quarters and ``regio = sum(gemeenten)`` in every slice still bind."""
    quarters, year, r, h = QUARTERS[1:], "2025Q4-2026Q3", "RG0001", "GM0002"
    rows = []
    for i, q in enumerate(quarters):
        rows += period_slice(q, q, "signalen", SIGNALS_A[i + 1], SIGNALS_B[i + 1])
    rows += period_slice(quarters[-1], year, "signalen", sum(SIGNALS_A[1:]), sum(SIGNALS_B[1:]))
    rows = [(*row[:6], r if row[4] == G else row[6], *row[7:]) for row in rows]  # G is in R
    areas = {(q, q): (40.0 if q != quarters[-1] else None) for q in quarters}  # H's signals
    areas[(quarters[-1], year)] = None
    for (q, period), in_h in areas.items():
        period_type = "kwartaal" if q == period else "vier_kwartalen"
        in_g = (
            SIGNALS_A[QUARTERS.index(q)] + SIGNALS_B[QUARTERS.index(q)]
            if q == period
            else sum(SIGNALS_A[1:]) + sum(SIGNALS_B[1:])
        )
        regio_rows = [(r, "regio", None, 2 * HH + (HH if in_h else 0), in_g + (in_h or 0))]
        if in_h:
            regio_rows.append((h, "gemeente", r, HH, in_h))
        for code, level, parent, households, signals in regio_rows:
            for name, value in (("huishoudens", households), ("signalen", signals)):
                rows.append((q, period_type, period, level, code, code, parent, name,
                             float(value), "published"))  # fmt: skip
    published = frame(rows)
    table = build_table(published, relations("signalen"))
    assert check_consistency(table, fill_remainders(table)) == []
    audit = audit_publication(published, relations=relations("signalen"), workers=1)
    assert audit.passed and not audit.violations
    # G's own relations over the quarters still bind: its buurten hidden in the last quarter
    # are the period minus the three quarters before (15 and 18), as without the regio
    hit = (pl.col("period") == quarters[-1]) & pl.col("area_code").is_in([A, B])
    hit &= pl.col("indicator") == "signalen"
    hidden = published.with_columns(
        value=pl.when(hit).then(None).otherwise(pl.col("value")),
        status=pl.when(hit).then(pl.lit("suppressed")).otherwise(pl.col("status")),
    )
    attack = audit_publication(hidden, relations=relations("signalen"), exact=True, workers=1)
    assert {(f[0], f[2], f[3]) for f in attack.failures} == {
        (f"{quarters[-1]}:{A}", 15.0, 15.0),
        (f"{quarters[-1]}:{B}", 18.0, 18.0),
    }


# --- each relation over quarters at its limit --------------------------------------------------


def quarter_rows(
    quarter: str,
    period: str,
    count: str,
    values: dict[str, dict[str, float]],
    hidden: set[tuple[str, str]] = frozenset(),
) -> list[tuple]:
    """Rows of one period for ``values`` (area -> indicator -> value, any of G, W, A, B);
    the cells in ``hidden`` suppressed."""
    period_type = "kwartaal" if period == quarter else "vier_kwartalen"
    rows = []
    for code, by_name in values.items():
        for name, value in by_name.items():
            shown = (code, name) not in hidden
            rows.append((quarter, period_type, period, LEVEL[code], code, code, PARENT[code],
                         name, float(value) if shown else None,
                         "published" if shown else "suppressed"))  # fmt: skip
    return rows


YEAR = "2025Q4-2026Q3"


@pytest.mark.parametrize(
    ("count", "hidden_quarter"),
    [
        ("hh_met_signaal", 3),  # union: Q_i <= Y for every quarter
        ("hh_met_signaal", 0),
        ("hh_persona_senior", 3),  # latest: Q_n <= Y
        ("hh_onbekend", 0),  # earliest: Q_1 <= Y
        ("hh_meerdere_signalen", 1),  # at_least: Q_i <= Y
    ],
)
@pytest.mark.parametrize("width", [10, 9])
def test_a_quarter_is_at_most_its_period(count: str, hidden_quarter: int, width: int) -> None:
    """A count of households over the period bounds the quarter its relation names from above.
    Buurt A and B have ``count`` 10 in three quarters; in the hidden quarter A (15) and B (45)
    are suppressed with their wijk published (60); the period has A 10 + width, B 50:

    A in [60 - B <= 50 = 10, A <= Y_A = 10 + width], B in [60 - (10 + width), 50]

    (Y <= sum of the quarters, where the relation has it, leaves A >= 10 + width - 30 and B >=
    50 - 30: not binding). Without ``Q <= Y``, A would be anywhere in [10, 60 - 20]."""
    quarters = QUARTERS[1:]
    rows = []
    for i, q in enumerate(quarters):
        a, b = (15, 45) if i == hidden_quarter else (10, 10)
        hidden = {(A, count), (B, count)} if i == hidden_quarter else set()
        values = {code: {"huishoudens": 2 * HH, count: a + b} for code in (G, W)}
        values |= {A: {"huishoudens": HH, count: a}, B: {"huishoudens": HH, count: b}}
        rows += quarter_rows(q, q, count, values, hidden)
    y_a, y_b = 10 + width, 50
    values = {code: {"huishoudens": 2 * HH, count: y_a + y_b} for code in (G, W)}
    values |= {A: {"huishoudens": HH, count: y_a}, B: {"huishoudens": HH, count: y_b}}
    rows += quarter_rows(quarters[-1], YEAR, count, values)
    q = quarters[hidden_quarter]
    audit = audit_publication(
        frame(rows), relations=relations(count), exact=True, n_narrowest=100, workers=1
    )
    assert not audit.violations
    found = {area: (round(lo, 6), round(hi, 6)) for area, ind, lo, hi, _ in audit.narrowest}
    assert found == {f"{q}:{A}": (10, 10 + width), f"{q}:{B}": (50 - width, 50)}
    assert audit.passed == (width >= 10)


def test_households_at_the_end_of_the_period_are_those_of_its_last_quarter() -> None:
    """huishoudens (``same``): Y = Q_n, not Q_1. The buurten's households grow every quarter;
    those of the last quarter are suppressed with their wijk published (A + B = 830): the
    published period gives each exactly (500 and 330). A model that took the first quarter
    would find the published period and first quarter contradicting each other."""
    households = {A: (470, 480, 490, 500), B: (300, 310, 320, 330)}
    quarters = QUARTERS[1:]
    rows = []
    for i, q in enumerate(quarters):
        a, b = households[A][i], households[B][i]
        hidden = {(A, "huishoudens"), (B, "huishoudens")} if i == 3 else set()
        values = {code: {"huishoudens": a + b, "signalen": 40} for code in (G, W)}
        values |= {A: {"huishoudens": a, "signalen": 20}, B: {"huishoudens": b, "signalen": 20}}
        rows += quarter_rows(q, q, "signalen", values, hidden)
    values = {code: {"huishoudens": 830, "signalen": 160} for code in (G, W)}
    values |= {A: {"huishoudens": 500, "signalen": 80}, B: {"huishoudens": 330, "signalen": 80}}
    rows += quarter_rows(quarters[-1], YEAR, "signalen", values)
    audit = audit_publication(
        frame(rows), relations=relations("signalen"), exact=True, n_narrowest=100, workers=1
    )
    assert not audit.violations
    assert {(f[0], f[1], f[2], f[3]) for f in audit.failures} == {
        ("2026Q3:" + A, "huishoudens", 500.0, 500.0),
        ("2026Q3:" + B, "huishoudens", 330.0, 330.0),
    }


@pytest.mark.parametrize("width", [10, 9])
def test_the_addresses_without_a_buurt_are_households_counted_once_over_the_period(
    width: int,
) -> None:
    """Gemeente G with one wijk W (40 signalled households every quarter, 100 over the period)
    and addresses without a buurt (4, 4, 4 and 5; ``width`` over the period). G's last quarter
    is suppressed: G = W + its addresses without a buurt, which are at most their period
    count: G in [40, 40 + width]. (G's own Q <= Y gives only G <= 100 + width; Y <= sum of
    the quarters, 12 + R, leaves R >= width - 12: not binding.)"""
    count = "hh_met_signaal"
    quarters = QUARTERS[1:]
    rows = []
    for i, q in enumerate(quarters):
        rest = 5 if i == 3 else 4
        values = {G: {"huishoudens": 3 * HH, count: 40 + rest}, W: {"huishoudens": HH, count: 40}}
        rows += quarter_rows(q, q, count, values, {(G, count)} if i == 3 else set())
    values = {G: {"huishoudens": 3 * HH, count: 100 + width}, W: {"huishoudens": HH, count: 100}}
    rows += quarter_rows(quarters[-1], YEAR, count, values)
    audit = audit_publication(frame(rows), relations=relations(count), exact=True, workers=1)
    assert not audit.violations
    [(area, _, lo, hi, _)] = audit.narrowest
    assert (area, lo, hi) == ("2026Q3:" + G, pytest.approx(40), pytest.approx(40 + width))
    assert audit.passed == (width >= 10)


def test_the_stage_keeps_an_earlier_suppression_protected(monkeypatch) -> None:
    """The scenario above through the protect stage, at the level quarters are published at:
    2026Q2 was protected with the signalen of its two wijken suppressed (8 and 9); dbt's rows
    of 2026Q3 and its period would give them back (73 - 20 - 30 - 15 = 8) if the stage did
    not hand protect the earlier quarters. The stored candidates of the four quarters pass the
    audit."""
    from orchestration.contract import CANDIDATE_TABLE, MONITOR_MODEL_TABLE, PROTECTED_TABLE
    from orchestration.disclosure import protect

    w1, w2 = "WK000101", "WK000102"

    def wijk_rows(quarter: str, period: str, a: float, b: float, hidden=()) -> pl.DataFrame:
        period_type = "kwartaal" if period == quarter else "vier_kwartalen"
        values = {G: (None, "gemeente", a + b), w1: (G, "wijk", a), w2: (G, "wijk", b)}
        rows = [
            (quarter, period_type, period, level, code, code, parent, name, value,
             "suppressed" if name == "signalen" and code in hidden else "published")
            for code, (parent, level, count) in values.items()
            for name, value in (("huishoudens", HH * (2 if code == G else 1)), ("signalen", count))
        ]  # fmt: skip
        return frame(rows).with_columns(pl.col("value").cast(pl.Float64))

    rel = relations("signalen")
    monkeypatch.setattr(protect, "default_relations", lambda: rel)
    earlier_rows = pl.concat(
        [
            wijk_rows("2025Q4", "2025Q4", 20, 12),
            wijk_rows("2026Q1", "2026Q1", 30, 14),
            wijk_rows("2026Q2", "2026Q2", 8, 9, hidden=(w1, w2)),
        ]
    ).with_columns(
        suppression=pl.when(pl.col("status") == "suppressed")
        .then(pl.lit("primary"))
        .otherwise(pl.lit("none"))
    )
    dbt = pl.concat(
        [wijk_rows("2026Q3", "2026Q3", 15, 18), wijk_rows("2026Q3", "2025Q4-2026Q3", 73, 53)]
    ).drop("status")
    with duckdb.connect() as con:
        con.execute("create schema main_monitor")
        con.execute("create schema disclosure")
        con.register("dbt", dbt.to_arrow())
        con.execute(f"create table {MONITOR_MODEL_TABLE} as select * from dbt")
        con.register("earlier", earlier_rows.to_arrow())
        con.execute(f"create table {PROTECTED_TABLE} as select * from earlier")
        candidates = earlier_rows.with_columns(
            value=pl.when(pl.col("status") == "published").then(pl.col("value"))
        ).select(COLUMNS)
        con.register("candidates", candidates.to_arrow())
        con.execute(f"create table {CANDIDATE_TABLE} as select * from candidates")
        result = protect.protect_stored_quarter(con, "2026Q3")
        file = con.execute(f"select {', '.join(COLUMNS)} from {CANDIDATE_TABLE}").pl()
    assert result.n_primary == 0 and result.n_secondary > 0
    assert sorted(set(file["quarter"])) == ["2025Q4", "2026Q1", "2026Q2", "2026Q3"]
    audit = audit_publication(file, relations=rel, workers=1)
    assert audit.passed, audit.failures
