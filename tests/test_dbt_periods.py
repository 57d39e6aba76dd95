"""The four-quarter period ("voortschrijdend jaar") of the dbt project, on four built quarters.

The hand-made warehouse (tests/fixtures/raw_warehouse.py) has two quarters, 2026Q2 and
2026Q3; here its raw rows are copied six months back as well (every date moved by six
months, the landing quarter relabelled), so 2025Q4 .. 2026Q3 are four quarters with the same
households signalled in several of them. The four-quarter figures of 2026Q3 are recomputed in
Python from the restricted per-quarter facts (``fct_huishouden_signalen``, ``fct_signalen``:
their own tests are in test_dbt_models.py) with the period definitions stated here
(docs/periods-plan.md, 1.2), not read from the model.
"""

from __future__ import annotations

import shutil
from collections import defaultdict
from pathlib import Path

import duckdb
import polars as pl
import pytest

from orchestration.disclosure.model import build_table, check_consistency, fill_remainders
from tests.stated_indicators import GROUPS, LATER_ONLY, UNLINKED_COUNTS

try:
    from tests.fixtures import raw_warehouse as fx
    from tests.test_dbt_models import COUNTS, MEDIANS, RATES, area_figures, build_ok, dbt, query
except ImportError:  # tests/ is not a package: pytest put tests/ itself on sys.path
    from fixtures import raw_warehouse as fx  # type: ignore[no-redef]
    from test_dbt_models import (  # type: ignore[no-redef]
        COUNTS,
        MEDIANS,
        RATES,
        area_figures,
        build_ok,
        dbt,
        query,
    )

SHIFTED = {"2026Q2": "2025Q4", "2026Q3": "2026Q1"}
"""Landing quarter of the fixture -> the quarter its copy, six months earlier, lands in."""
PERIOD = ("2025Q4", "2026Q1", "2026Q2", "2026Q3")
LABEL = "2025Q4-2026Q3"
DATE_COLUMNS = {
    "signalen": ("signaaldatum", "startdatum_achterstand"),
    "uitkeringen": ("startdatum", "einddatum"),
    "schuldhulp": ("startdatum", "einddatum"),
    "vroegsignaal_zaken": ("matchingsdatum", "datum_eerste_contact"),
}
QUARTERLY_SQL = (
    "select area_code, indicator, value from main_monitor.mon_area_indicators "
    "where quarter = ? and period_type = 'kwartaal' order by all"
)


def add_shifted_quarters(warehouse: Path) -> None:
    """Copy every raw row of the fixture's quarters six months back."""
    with duckdb.connect(str(warehouse)) as con:
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'raw'"
            ).fetchall()
        ]
        for table in tables:
            columns = [r[0] for r in con.execute(f"describe raw.{table}").fetchall()]
            for original, shifted in SHIFTED.items():
                exprs = [
                    f"'{shifted}'"
                    if c == "quarter"
                    else f"cast({c} - interval 6 month as date)"
                    if c in DATE_COLUMNS.get(table, ())
                    else c
                    for c in columns
                ]
                con.execute(
                    f"insert into raw.{table} select {', '.join(exprs)} "
                    f"from raw.{table} where quarter = ?",
                    [original],
                )


def vary_the_earliest_quarter(warehouse: Path) -> None:
    """Make the period's earliest quarter (2025Q4's landing) differ from the later ones for a
    few households, so that the latest / earliest choices of the period definitions matter:
    a01 is senior then (jonge_starter later), known to the gemeente then (not later), a02A's
    financial follow-up case was a quick fix then (financial help later), and c03 a repeat
    then (an earlier signal, W7x, in the six months before; not in its latest quarter)."""
    earliest = PERIOD[0]
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "update raw.brp_personen set leeftijd = 70 where quarter = ? and adres_pseudo = ?",
            [earliest, fx.pseudonym("a01")],
        )
        con.execute(
            "insert into raw.schuldhulp values (?, 'schuldhulp', 'shv.csv', 999, ?, 'advies', "
            "date '2025-01-01', null)",
            [earliest, fx.pseudonym(fx.person_id("a01", 0))],
        )
        con.execute(
            "insert into raw.signalen select * replace (? as signaal_id, "
            "date '2025-09-01' as signaaldatum, 999 as line_number) from raw.signalen "
            "where quarter = ? and partner_code = 'waternet' and signaal_id = ?",
            [fx.pseudonym("W7x"), earliest, fx.pseudonym("W7")],
        )
        # the copies of Y1 (both dated in 2025Q4) and their case get an id of their own: a
        # case is keyed by signal, whatever landing delivered it
        con.execute(
            "update raw.signalen set signaal_id = ? "
            "where partner_code = 'ymere' and signaal_id = ? and signaaldatum < date '2026-01-01'",
            [fx.pseudonym("Y1x"), fx.pseudonym("Y1")],
        )
        con.execute(
            "update raw.vroegsignaal_zaken set resultaat = 'quick_fix', signaal_id = ? "
            "where quarter = ? and partner_code = 'ymere' and signaal_id = ?",
            [fx.pseudonym("Y1x"), earliest, fx.pseudonym("Y1")],
        )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """2026Q3 built alone first (no four-quarter rows yet), then 2025Q4 .. 2026Q3 in order."""
    work = tmp_path_factory.mktemp("dbt_periods")
    warehouse = fx.build_raw_warehouse(work / "warehouse.duckdb")
    add_shifted_quarters(warehouse)
    vary_the_earliest_quarter(warehouse)
    build_ok(warehouse, "2026Q3", work, command="build")
    alone = query(
        warehouse,
        "select period_type, count(*) from main_monitor.mon_area_indicators group by 1",
    )
    quarterly_alone = query(warehouse, QUARTERLY_SQL, [PERIOD[-1]])
    for quarter in PERIOD[:-1]:
        build_ok(warehouse, quarter, work, command="run")
    three = query(warehouse, "select count(*) from main_monitor.mon_area_counts_vier_kwartalen")
    # the last build runs every data test, the four-quarter model's among them
    build_ok(warehouse, PERIOD[-1], work, command="build")
    return {
        "warehouse": warehouse,
        "alone": dict(alone),
        "quarterly_alone": quarterly_alone,
        "three": three[0][0],
    }


def period_reference(warehouse: Path) -> dict[tuple[str, str], float | None]:
    """The definitions of the period, applied to the facts of its four quarters."""
    rows = query(
        warehouse,
        "select quarter, huishouden_id, buurtcode, gemeentecode, persona, bekend, bereikt, "
        "hulp_geaccepteerd, opgepakt, hulpsoort, n_crisissignalen, n_eindeleveringssignalen, "
        "contactpogingen, max_dagen_achterstand, dagen_tot_contact, herhaald, "
        + ", ".join(f"n_signalen_{g}" for g in GROUPS)
        + ", cast(totaal_bedrag as double) from main_marts.fct_huishouden_signalen "
        "where quarter in (select unnest(?)) order by quarter",
        [list(PERIOD)],
    )
    types: dict[str, set[str]] = defaultdict(set)
    for hh, partner_type in query(
        warehouse,
        "select huishouden_id, partner_type from main_marts.fct_signalen "
        "where huishouden_id is not null and quarter in (select unnest(?))",
        [list(PERIOD)],
    ):
        types[hh].add(partner_type)
    households: dict[str, dict] = {}
    for _quarter, hh, buurt, gemeente, persona, bekend, bereikt, hulp, *rest in rows:
        opgepakt, hulpsoort, crisis, eindelevering, pogingen, dagen, tot_contact, *rest = rest
        herhaald, *rest = rest
        per_group, totaal = rest[:-1], rest[-1]
        h = households.setdefault(
            hh,
            {"bekend": bekend, "bereikt": False, "hulp": False, "opgepakt": False,
             "hulpsoort": None, "crisis": 0, "eindelevering": 0, "contactpogingen": 0,
             "max_dagen": None, "dagen_tot_contact": None, "totaal": 0.0, "herhaald": False},
        )  # fmt: skip
        # rows in quarter order: the first row gives bekend, the last buurt and persona, the
        # last with help its help type
        h |= {"buurt": buurt, "gemeente": gemeente, "persona": persona}
        h["bereikt"] |= bereikt
        h["hulp"] |= hulp
        h["opgepakt"] |= opgepakt
        h["herhaald"] |= herhaald  # a repeat in any of its quarters
        h["hulpsoort"] = hulpsoort if hulp else h["hulpsoort"]
        h["crisis"] += crisis
        h["eindelevering"] += eindelevering
        h["contactpogingen"] += pogingen
        if dagen is not None:
            h["max_dagen"] = max(dagen, h["max_dagen"] or dagen)
        if bereikt and tot_contact is not None and h["dagen_tot_contact"] is None:
            h["dagen_tot_contact"] = tot_contact  # its earliest quarter reached with a contact
        for g, m in zip(GROUPS, per_group, strict=True):
            h[g] = h.get(g, 0) + m
        h["totaal"] += totaal
    areas = {code: (level, parent) for code, level, _, parent in fx.AREAS}
    huishoudens, inwoners = {}, {}
    for code, n_huishoudens, n_inwoners in query(
        warehouse,
        "select area_code, huishoudens, inwoners from main_monitor.mon_area_counts "
        "where quarter = ?",
        [PERIOD[-1]],
    ):
        huishoudens[code], inwoners[code] = n_huishoudens, n_inwoners
    unlinked: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for code, *values in query(
        warehouse,
        f"select area_code, {', '.join(UNLINKED_COUNTS)} from main_monitor.mon_area_counts "
        "where area_level = 'gemeente' and quarter in (select unnest(?))",
        [list(PERIOD)],
    ):
        for name, value in zip(UNLINKED_COUNTS, values, strict=True):
            unlinked[code][name] += value
    placed = []
    for hh, h in households.items():
        buurt = h["buurt"]
        if areas.get(buurt, ("",))[0] == "buurt":
            codes = [buurt, areas[buurt][1], h["gemeente"]]
        else:
            codes = [h["gemeente"]]
        groups = [g for g in GROUPS for _ in range(h[g])]
        placed.append((codes, h | {"n_types": len(types[hh]), "groups": groups}))
    return area_figures(list(areas), huishoudens, placed, inwoners, unlinked, len(PERIOD))


def test_no_four_quarter_rows_until_all_four_quarters_are_built(built) -> None:
    own = [n for n in (*COUNTS, *RATES, *MEDIANS) if n not in LATER_ONLY]  # outcomes: later
    assert built["alone"] == {"kwartaal": len(fx.AREAS) * len(own)}
    assert built["three"] == 0  # 2025Q4 .. 2026Q2 built, 2026Q2's period needs 2025Q3


def test_the_period_is_named_by_its_quarters(built) -> None:
    rows = query(
        built["warehouse"],
        "select period_type, period, count(distinct area_code) "
        "from main_monitor.mon_area_indicators where quarter = ? group by all order by 1",
        [PERIOD[-1]],
    )
    assert rows == [
        ("cohort_zes_maanden", PERIOD[-3], len(fx.AREAS)),  # two quarters earlier
        ("kwartaal", PERIOD[-1], len(fx.AREAS)),
        ("kwartaal_afgerond", PERIOD[-2], len(fx.AREAS)),  # the outcomes of the quarter before
        ("vier_kwartalen", LABEL, len(fx.AREAS)),
    ]  # no vier_kwartalen_afgerond: the four quarters before 2026Q3 need 2025Q3


def test_four_quarter_figures_follow_the_period_definitions(built) -> None:
    actual = {
        (code, indicator): value
        for code, indicator, value in query(
            built["warehouse"],
            "select area_code, indicator, value from main_monitor.mon_area_indicators "
            "where quarter = ? and period_type = 'vier_kwartalen'",
            [PERIOD[-1]],
        )
    }
    expected = {  # the outcomes of the period come a quarter later (vier_kwartalen_afgerond)
        key: value for key, value in period_reference(built["warehouse"]).items()
        if key[1] not in LATER_ONLY
    }  # fmt: skip
    assert actual.keys() == expected.keys()
    wrong = {
        key: (actual[key], value)
        for key, value in expected.items()
        if (value is None) != (actual[key] is None)
        or (value is not None and abs(actual[key] - value) > 1e-9)
    }
    assert not wrong
    # the data exercise the definitions: households signalled in several quarters count once
    quarterly = dict(
        query(
            built["warehouse"],
            "select quarter, value from main_monitor.mon_area_indicators "
            "where area_code = 'GM0001' and indicator = 'hh_met_signaal' "
            "and period_type = 'kwartaal'",
        )
    )
    assert expected[("GM0001", "hh_met_signaal")] < sum(quarterly[q] for q in PERIOD)
    assert expected[("GM0001", "hh_met_signaal")] >= max(quarterly[q] for q in PERIOD)
    # and repeats: the copies six months back are earlier signals at the same addresses
    assert 0 < expected[("GM0001", "hh_herhaald")] < expected[("GM0001", "hh_met_signaal")]


def test_the_data_exercise_the_latest_and_earliest_choices(built) -> None:
    """The households of vary_the_earliest_quarter differ between their quarters, so a period
    figure taking the earliest quarter where the definition says latest (persona, help type)
    or the reverse (known), or the latest where it says any (repeat), differs from the
    reference."""
    rows = query(
        built["warehouse"],
        "select readable(huishouden_id), quarter, persona, bekend, hulpsoort, herhaald "
        "from main_marts.fct_huishouden_signalen "
        "where quarter in (select unnest(?)) "
        "and readable(huishouden_id) in ('a01', 'a02A', 'c03') "
        "order by all",
        [list(PERIOD)],
    )
    facts = {(hh, quarter): rest for hh, quarter, *rest in rows}
    assert facts[("a01", PERIOD[0])][:2] == ["senior", True]
    assert facts[("a01", "2026Q2")][:2] == ["jonge_starter", False]
    assert facts[("a02A", PERIOD[0])][2] == "quick_fix"
    assert facts[("a02A", "2026Q2")][2] == "vervolghulp_financieel"
    assert (facts[("c03", PERIOD[0])][3], facts[("c03", "2026Q2")][3]) == (True, False)
    assert ("c03", PERIOD[-1]) not in facts  # its latest quarter is 2026Q2


def test_a_household_counts_in_the_buurt_of_its_latest_quarter(built, tmp_path: Path) -> None:
    """A household counts over the period in the area of its latest quarter, so where its
    address was in an earlier quarter changes no figure of the period: on a copy where 2025Q4's
    BAG extract placed a01 in BU00010102 (BU00010101 in every later quarter), 2025Q4 and then
    the four-quarter model of 2026Q3 rebuilt give the same four-quarter rows. (On a copy: an
    address that moves buurt breaks the per-buurt relations between the quarters and their
    period that the tests below check.)"""
    warehouse = tmp_path / "moved.duckdb"
    shutil.copy(built["warehouse"], warehouse)
    figures_sql = (
        "select * from main_monitor.mon_area_counts_vier_kwartalen where quarter = ? order by all"
    )
    before = query(warehouse, figures_sql, [PERIOD[-1]])
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "update raw.bag_adressen set buurtcode = 'BU00010102' "
            "where quarter = ? and adres_pseudo = ?",
            [PERIOD[0], fx.pseudonym("a01")],
        )
    build_ok(warehouse, PERIOD[0], tmp_path, command="run")
    result = dbt(
        ["run", "--select", "mon_area_counts_vier_kwartalen"], warehouse, PERIOD[-1], tmp_path
    )
    assert result.returncode == 0, result.stdout
    moved = query(
        warehouse,
        "select quarter, buurtcode from main_marts.fct_huishouden_signalen "
        "where readable(huishouden_id) = 'a01' and quarter in (?, ?) order by quarter",
        [PERIOD[0], PERIOD[-1]],
    )
    assert moved == [(PERIOD[0], "BU00010102"), (PERIOD[-1], "BU00010101")]
    assert before and query(warehouse, figures_sql, [PERIOD[-1]]) == before


def test_signals_of_the_period_are_the_sum_of_its_quarters(built) -> None:
    rows = query(
        built["warehouse"],
        "select area_code, indicator, sum(value) filter (where period_type = 'kwartaal'), "
        "any_value(value) filter (where period_type = 'vier_kwartalen') "
        "from main_monitor.mon_area_indicators "
        "where indicator like 'signalen%' and indicator not like 'signalen_per_%' "
        "and (period_type = 'kwartaal' or quarter = ?) group by all",
        [PERIOD[-1]],
    )
    assert rows and all(quarters == period for _, _, quarters, period in rows)


def test_the_quarterly_figures_do_not_depend_on_the_period(built) -> None:
    """2026Q3's quarterly rows are the same built alone and after the other quarters."""
    assert built["quarterly_alone"]
    assert query(built["warehouse"], QUARTERLY_SQL, [PERIOD[-1]]) == built["quarterly_alone"]


def test_the_disclosure_model_relations_over_quarters_hold_on_the_dbt_figures(built) -> None:
    """contract.OVER_QUARTERS states what the dbt definitions imply (Y = sum for signals,
    Q_i <= Y <= sum for households, ...): the unsuppressed figures of the four quarters and
    their period satisfy every relation of the model, remainders (no buurt) included."""
    with duckdb.connect(str(built["warehouse"]), read_only=True) as con:
        frame = con.execute(
            "select * from main_monitor.mon_area_indicators where quarter in (select unnest(?))",
            [list(PERIOD)],
        ).pl()
    table = build_table(frame)
    n_temporal = table.a_eq.shape[0] - sum(
        build_table(frame.filter(pl.col("period") == p)).a_eq.shape[0]
        for p in frame["period"].unique()
    )
    assert n_temporal > 0  # the relations between the period and its quarters are there
    assert check_consistency(table, fill_remainders(table)) == []
