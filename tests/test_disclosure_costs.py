"""The suppression cost per cell comes from seeds/suppression_costs.csv (docs/periods-plan.md,
step 5): the weights of its area level and indicator, a prefix row for every indicator it
names, 1 where the seed names none; the last-resort indicators are complements only when
nothing else will do."""

from __future__ import annotations

import numpy as np

from demo.synthetic_quarter import frame_from_buurten
from orchestration.disclosure.model import build_table, fill_remainders
from orchestration.disclosure.secondary import _heavy, cell_costs
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
    # huishoudens is the seed's last resort; nothing else is
    heavy = _heavy(table)
    last = {r["value"] for r in read_seed("suppression_costs") if r["last_resort"] == "true"}
    assert {table.cell_indicator(int(c)) for c in np.flatnonzero(heavy)} == last


def test_a_prefix_row_names_every_indicator_it_starts() -> None:
    persona = SuppressionCost("indicator", "hh_persona_*", 0.5, last_resort=False)
    assert persona.matches("hh_persona_senior") and persona.matches("hh_persona_overig")
    assert not persona.matches("hh_met_signaal")
    exact = SuppressionCost("indicator", "signalen", 2.0, last_resort=False)
    assert exact.matches("signalen") and not exact.matches("signalen_water")


def test_a_period_weight_scales_the_cells_of_that_period(monkeypatch) -> None:
    """A ``period_type`` row makes a period's cells dearer (or cheaper) than the quarter's:
    the lever to keep four-quarter buurt figures and give up quarterly ones."""
    import polars as pl

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
