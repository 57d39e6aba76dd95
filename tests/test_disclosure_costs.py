"""The suppression cost per cell comes from seeds/suppression_costs.csv (docs/periods-plan.md,
step 5): the weights of its area level and indicator, a prefix row for every indicator it
names, 1 where the seed names none; the last-resort indicators and levels are complements only
when nothing else will do."""

from __future__ import annotations

import numpy as np
import polars as pl

from demo.synthetic_quarter import frame_from_buurten
from orchestration.disclosure.audit import audit_publication
from orchestration.disclosure.model import build_table, fill_remainders
from orchestration.disclosure.protect import protect_quarter
from orchestration.disclosure.secondary import _heavy, _pick, _trapped_zeros, cell_costs
from orchestration.parameters import SuppressionCost, read_seed


def seed_weight(dimension: str, name: str) -> float:
    """The weight as the seed file states it, read here without parameters.py."""
    for row in read_seed("suppression_costs"):
        value = row["value"]
        hit = name.startswith(value[:-1]) if value.endswith("*") else name == value
        if row["dimension"] == dimension and hit:
            return float(row["weight"])
    return 1.0


def test_cell_cost_is_value_plus_one_times_the_seed_weights() -> None:
    frame = frame_from_buurten(
        {
            "BU00010001": ("WK000101", {"huishoudens": 300, "signalen_energie": 12}),
            "BU00010002": ("WK000101", {"huishoudens": 200, "hh_persona_senior": 4}),
        },
        {"WK000101": "GM0001"},
    )
    table = build_table(frame)
    x = fill_remainders(table)
    cost = cell_costs(table, x)
    checked = 0
    for area in range(table.n_real):
        level = str(table.area_level[area])
        for name in table.relations.counts:
            cell = table.cell(area, name)
            expected = (x[cell] + 1) * seed_weight("area_level", level)
            expected *= seed_weight("indicator", name)
            assert cost[cell] == expected, (table.area_code[area], name)
            checked += 1
    assert checked == 4 * len(table.relations.counts)
    # a remainder cell (addresses without a buurt) is never a complement
    assert np.isinf(cost[table.n_real * table.k :]).all()
    # the seed's last resorts: its indicators (huishoudens) and levels (the gemeente)
    heavy = _heavy(table)
    last = {
        (r["dimension"], r["value"])
        for r in read_seed("suppression_costs")
        if r["last_resort"] == "true"
    }
    expected = {
        int(c)
        for c in range(table.n_cells)
        if ("indicator", table.cell_indicator(c)) in last
        or ("area_level", str(table.area_level[c // table.k])) in last
    }
    assert set(np.flatnonzero(heavy).tolist()) == expected
    assert ("area_level", "gemeente") in last and ("indicator", "huishoudens") in last


def test_a_gemeente_cell_is_a_complement_only_when_nothing_else_will_do() -> None:
    """Issue 14: no gemeente count that is 0 or at least 10 is suppressed to protect a wijk
    cell; the gemeente's cells are the seed's last resort, however cheap."""
    frame = frame_from_buurten(
        {
            "BU00010001": (
                "WK000101",
                {"huishoudens": 300, "hh_persona_student": 50, "hh_persona_senior": 12},
            ),
            "BU00020001": ("WK000102", {"huishoudens": 300}),
        },
        {"WK000101": "GM0001", "WK000102": "GM0001"},
    )
    table = build_table(frame)
    x = fill_remainders(table)
    cost, heavy = cell_costs(table, x), _heavy(table)
    gemeente = table.cell(table.area_index["GM0001"], "hh_persona_senior")  # value 12
    wijk = table.cell(table.area_index["WK000101"], "hh_persona_student")  # value 50
    assert cost[gemeente] < cost[wijk] and x[gemeente] >= 10  # cheaper, and it would cover
    candidates = np.array([gemeente, wijk])
    assert _pick(candidates, x, cost, heavy, deficit=10.0) == wijk
    assert _pick(np.array([gemeente]), x, cost, heavy, deficit=10.0) == gemeente


def test_a_prefix_row_names_every_indicator_it_starts() -> None:
    persona = SuppressionCost("indicator", "hh_persona_*", 0.5, last_resort=False)
    assert persona.matches("hh_persona_senior") and persona.matches("hh_persona_overig")
    assert not persona.matches("hh_met_signaal")
    exact = SuppressionCost("indicator", "signalen", 2.0, last_resort=False)
    assert exact.matches("signalen") and not exact.matches("signalen_water")


def test_a_period_weight_scales_the_cells_of_that_period(monkeypatch) -> None:
    """A ``period_type`` row makes a period's cells dearer (or cheaper) than the quarter's:
    the lever to keep four-quarter buurt figures and give up quarterly ones."""
    from orchestration.disclosure import secondary

    quarter = frame_from_buurten(
        {"BU00010001": ("WK000101", {"huishoudens": 300, "signalen_energie": 12})},
        {"WK000101": "GM0001"},
    )
    year = quarter.with_columns(
        period_type=pl.lit("vier_kwartalen"), period=pl.lit("2025Q4-2026Q3")
    )
    table = build_table(pl.concat([quarter, year]))
    x = fill_remainders(table)
    before = cell_costs(table, x)
    rows = (
        *secondary.suppression_costs(),
        SuppressionCost("period_type", "vier_kwartalen", 3.0, False),
    )
    monkeypatch.setattr(secondary, "suppression_costs", lambda: rows)
    after = cell_costs(table, x)
    in_year = np.repeat(table.area_period_type == "vier_kwartalen", table.k)
    real = np.arange(table.n_cells) < table.n_real * table.k
    assert (after[in_year & real] == 3 * before[in_year & real]).all()
    assert (after[~in_year & real] == before[~in_year & real]).all()
    assert (in_year & real).sum() == (~in_year & real).sum() > 0


def zero_student_quarter():
    """Two wijken of two buurten; no student anywhere (the wijk and gemeente zeros), two
    primary zelfstandige counts (3 and 9: the gemeente's 12 is not) and enough other
    personas to protect them."""

    def buurt(wijk: str, personas: dict[str, float]) -> tuple[str, dict[str, float]]:
        n = sum(personas.values())
        counts = {f"hh_persona_{p}": v for p, v in personas.items()}
        return wijk, {"huishoudens": 400, "signalen_energie": 2 * n, **counts}

    return frame_from_buurten(
        {
            "BU00010001": buurt("WK000101", {"zelfstandige": 3, "overig": 40}),
            "BU00010002": buurt("WK000101", {"overig": 50, "senior": 20}),
            "BU00010101": buurt("WK000102", {"zelfstandige": 9, "overig": 60, "senior": 25}),
            "BU00010102": buurt("WK000102", {"overig": 70, "senior": 30}),
        },
        {"WK000101": "GM0001", "WK000102": "GM0001"},
    )


def test_a_zero_under_a_zero_total_is_a_complement_of_last_resort() -> None:
    """A suppressed 0 whose total is 0 is pinned at 0 until the total goes too (a buurt's
    student count under its wijk's, the wijk's under the gemeente's): choosing it as the
    cheapest complement cascaded up to the gemeente. Such zeros are taken only when nothing
    else will do, and the protected quarter passes the audit with every gemeente count
    published."""
    frame = zero_student_quarter()
    table = build_table(frame)
    x = fill_remainders(table)
    trapped = _trapped_zeros(table, x)
    student = table.cell(table.area_index["BU00010002"], "hh_persona_student")
    senior = table.cell(table.area_index["BU00010002"], "hh_persona_senior")
    gem_student = table.cell(table.area_index["GM0001"], "hh_persona_student")
    assert trapped[student] and not trapped[senior] and not trapped[gem_student]
    assert not trapped[x != 0].any()
    result = protect_quarter(frame, workers=1)
    assert audit_publication(result.published, exact=True, workers=1).passed
    gemeente = result.cells.filter(pl.col("area_level") == "gemeente")
    assert (gemeente["status"] == "published").all(), gemeente.filter(
        pl.col("status") != "published"
    ).select("indicator", "value")
    assert result.n_primary > 0 and result.n_secondary > 0
