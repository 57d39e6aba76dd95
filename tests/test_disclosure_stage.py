"""The protect stage on a small warehouse: what ``protect.protect_stored_quarter`` reads from
dbt's monitor table, what it stores, and the history it hands the protection.

Fast (a DuckDB in memory, two synthetic gemeenten), so mutation testing runs it
(``[tool.mutmut]`` of ``pyproject.toml``); the pipeline tests run the same stage through
Dagster on a real warehouse."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest

from demo.synthetic_quarter import synthetic_quarter
from orchestration.contract import (
    CANDIDATE_TABLE,
    FEASIBLE_POINTS_TABLE,
    LEVELS,
    MONITOR_MODEL_TABLE,
    PERIOD_KEY,
    PROTECTED_TABLE,
    PUBLISHED_COLUMNS,
    QUARTERLY,
    count_indicator_names,
    publication_scope,
    published_levels,
)
from orchestration.disclosure import protect
from orchestration.disclosure.audit import audit_publication
from orchestration.quarters import period_name

EARLIER, Q = "2026Q2", "2026Q3"
KEY = ["quarter", "period_type", "period", "area_code", "indicator"]
SHAPE = {"wijken_per_gemeente": [2, 1], "buurten_per_wijk": [3, 2, 2]}


def dbt_rows(quarter: str, seed: int) -> pl.DataFrame:
    """dbt's rows of one quarter, as ``mon_area_indicators`` holds them: the quarter at every
    level (its buurt rows are outside what is published) and the four quarters ending with it
    (here with the quarter's values: with one quarter in the warehouse a household counted
    once over four quarters is counted once in the quarter)."""
    quarterly = synthetic_quarter(seed=seed, quarter=quarter, **SHAPE)
    four = quarterly.with_columns(
        period_type=pl.lit("vier_kwartalen"), period=pl.lit(period_name(quarter, 4))
    )
    return pl.concat([quarterly, four])


def in_scope(frame: pl.DataFrame) -> pl.DataFrame:
    scope = pl.DataFrame(
        [(p, level) for p, levels in publication_scope().items() for level in levels],
        schema=["period_type", "area_level"],
        orient="row",
    )
    return frame.join(scope, on=["period_type", "area_level"], how="semi")


def left_out(frame: pl.DataFrame) -> pl.DataFrame:
    """The rows of counts ``seeds/publicatie_niveaus.csv`` keeps out of a level."""
    pairs = pl.DataFrame(
        [
            (name, level)
            for name, levels in published_levels().items()
            for level in LEVELS
            if level not in levels
        ],
        schema=["indicator", "area_level"],
        orient="row",
    )
    return frame.join(pairs, on=["indicator", "area_level"], how="semi")


def stored(con: duckdb.DuckDBPyConnection, table: str, quarter: str) -> pl.DataFrame:
    return con.execute(f"select * from {table} where quarter = ?", [quarter]).pl().sort(KEY)


def built_by_dbt(con: duckdb.DuckDBPyConnection, rows: pl.DataFrame) -> None:
    """``rows`` as dbt's monitor table."""
    con.execute("create schema main_monitor")
    con.register("rows", rows.to_arrow())
    con.execute(f"create table {MONITOR_MODEL_TABLE} as select * from rows")
    con.unregister("rows")


@pytest.fixture
def warehouse():
    """A warehouse dbt has built for two quarters; nothing protected yet."""
    rows = pl.concat([dbt_rows(EARLIER, seed=3), dbt_rows(Q, seed=4)])
    with duckdb.connect() as con:
        built_by_dbt(con, rows)
        yield con, rows


def test_the_stage_stores_its_quarter_protected_and_as_candidate(warehouse) -> None:
    con, rows = warehouse
    result = protect.protect_stored_quarter(con, Q)
    cells, candidate = stored(con, PROTECTED_TABLE, Q), stored(con, CANDIDATE_TABLE, Q)
    scope = in_scope(rows.filter(pl.col("quarter") == Q))
    expected = scope.join(left_out(scope), on=KEY, how="anti").sort(KEY)
    # exactly the published scope of the quarter without the counts kept out of a level,
    # every value as dbt built it
    assert cells.select(KEY).equals(expected.select(KEY))
    assert cells["value"].equals(expected["value"])
    assert not cells.filter(
        (pl.col("period_type") == "kwartaal") & (pl.col("area_level") == "buurt")
    ).height
    assert cells.equals(result.cells.sort(KEY))
    # the candidate: the published columns, NULL exactly where suppressed
    assert tuple(candidate.columns) == tuple(PUBLISHED_COLUMNS)
    assert candidate.equals(result.published.select(PUBLISHED_COLUMNS).sort(KEY))
    hidden = cells["status"] == "suppressed"
    assert 0 < hidden.sum() < cells.height
    assert candidate["value"].is_null().equals(hidden)
    assert (cells["suppression"] == "none").equals(~hidden)
    assert result.n_primary + result.n_secondary == hidden.sum()
    # the information loss it reports is that of the rows it stored
    assert result.n_cells == cells.height
    assert result.share_suppressed == pytest.approx(hidden.mean())
    counts = cells["indicator"].is_in(count_indicator_names())
    assert result.share_suppressed_counts == pytest.approx(hidden.filter(counts).mean())
    assert result.share_suppressed_counts != pytest.approx(result.share_suppressed)
    assert result.per_level == {
        level: {
            "cells": (at := cells.filter(pl.col("area_level") == level)).height,
            "primary": (at["suppression"] == "primary").sum(),
            "secondary": (at["suppression"] == "secondary").sum(),
        }
        for level in ("gemeente", "wijk", "buurt")
    }
    assert not con.execute(
        f"select count(*) from {PROTECTED_TABLE} where quarter = ?", [EARLIER]
    ).fetchone()[0]


def test_a_rerun_replaces_the_quarter_and_leaves_the_others(warehouse) -> None:
    con, _ = warehouse
    protect.protect_stored_quarter(con, EARLIER)
    earlier = stored(con, PROTECTED_TABLE, EARLIER)
    first = protect.protect_stored_quarter(con, Q)
    again = protect.protect_stored_quarter(con, Q)
    assert stored(con, PROTECTED_TABLE, Q).equals(first.cells.sort(KEY))
    assert again.cells.sort(KEY).equals(first.cells.sort(KEY))
    assert stored(con, PROTECTED_TABLE, EARLIER).equals(earlier)
    assert stored(con, CANDIDATE_TABLE, Q).height == first.published.height
    total = con.execute(f"select count(*) from {CANDIDATE_TABLE}").fetchone()[0]
    assert total == earlier.height + first.published.height


def test_tables_of_before_the_periods_get_them_and_keep_their_rows_quarterly(warehouse) -> None:
    """docs/migrations.md 3: a warehouse protected before there were periods."""
    con, _ = warehouse
    protect.protect_stored_quarter(con, EARLIER)
    old = {}
    for table in (PROTECTED_TABLE, CANDIDATE_TABLE):
        old[table] = stored(con, table, EARLIER).filter(pl.col("period_type") == QUARTERLY)
        con.register("old", old[table].drop(*PERIOD_KEY).to_arrow())
        con.execute(f"create or replace table {table} as select * from old")
        con.unregister("old")
    # dbt of before the periods built no four-quarter rows; its new columns are NULL in old rows
    con.execute(
        f"delete from {MONITOR_MODEL_TABLE} where quarter = ? and period_type <> ?",
        [EARLIER, QUARTERLY],
    )
    con.execute(
        f"update {MONITOR_MODEL_TABLE} set period_type = null, period = null where quarter = ?",
        [EARLIER],
    )
    result = protect.protect_stored_quarter(con, Q)
    for table, new in ((PROTECTED_TABLE, result.cells), (CANDIDATE_TABLE, result.published)):
        assert [r[0] for r in con.execute(f"describe {table}").fetchall()] == new.columns
        assert stored(con, table, EARLIER).equals(old[table].select(new.columns).sort(KEY))
        assert stored(con, table, Q).equals(new.sort(KEY))


def test_the_history_is_every_other_quarter_with_the_counts_kept_out_of_a_level(warehouse) -> None:
    con, rows = warehouse
    assert protect.earlier_publications(con, Q) is None  # nothing protected yet
    protect.protect_stored_quarter(con, EARLIER)
    history = protect.earlier_publications(con, Q).sort(KEY)
    assert set(history["quarter"]) == {EARLIER}
    published = history.filter(pl.col("status") != "unpublished")
    assert published.equals(stored(con, PROTECTED_TABLE, EARLIER))
    kept_out = history.filter(pl.col("status") == "unpublished")
    expected = left_out(in_scope(rows.filter(pl.col("quarter") == EARLIER))).sort(KEY)
    assert kept_out.height > 0
    assert kept_out.select(KEY).equals(expected.select(KEY))
    assert kept_out["value"].equals(expected["value"])  # true values: the attacker's unknowns
    assert (kept_out["suppression"] == "none").all()
    # the quarter's own rows are never its history
    own = protect.earlier_publications(con, EARLIER)
    assert own is None or not (own["quarter"] == EARLIER).any()


def test_counts_kept_out_of_a_level_are_read_from_dbt_unless_protected(warehouse) -> None:
    con, rows = warehouse
    expected = left_out(in_scope(rows.filter(pl.col("quarter") == Q))).sort(KEY)
    protect.protect_stored_quarter(con, EARLIER)
    assert protect.left_out_rows(con, [Q]).height == 0  # the gate reads them beside Q's rows
    protect.protect_stored_quarter(con, Q)
    before = protect.left_out_rows(con, [Q]).sort(KEY)
    assert before.select(KEY).equals(expected.select(KEY))
    assert set(before["status"]) == {"unpublished"}
    assert protect.left_out_rows(con, [EARLIER]).height == expected.height  # same shape
    assert protect.left_out_rows(con, []).height == 0
    # a cell the protected table already has (published under an earlier scope) is left to it
    [first] = expected.head(1).iter_rows(named=True)
    con.execute(
        f"insert into {PROTECTED_TABLE} by name select * from (select ?::varchar as quarter, "
        "?::varchar as period_type, ?::varchar as period, ?::varchar as area_code, "
        "?::varchar as indicator)",
        [first[k] for k in KEY],
    )
    after = protect.left_out_rows(con, [Q])
    assert after.height == expected.height - 1
    assert not after.filter(
        (pl.col("area_code") == first["area_code"])
        & (pl.col("indicator") == first["indicator"])
        & (pl.col("period") == first["period"])
    ).height
    # a period the protected table does not have (left out whole, protect.without_mixed_periods)
    # keeps none: its cells are in no file
    period = (first["period_type"], first["period"])
    con.execute(
        f"delete from {PROTECTED_TABLE} where quarter = ? and period_type = ? and period = ?",
        [Q, *period],
    )
    rest = protect.left_out_rows(con, [Q])
    assert (
        rest.height
        == expected.filter(
            (pl.col("period_type") != period[0]) | (pl.col("period") != period[1])
        ).height
    )
    assert not rest.filter(
        (pl.col("period_type") == period[0]) & (pl.col("period") == period[1])
    ).height


def test_a_warehouse_without_dbt_tables_has_nothing_to_protect() -> None:
    with duckdb.connect() as con:
        built_by_dbt(con, dbt_rows(EARLIER, seed=3))
        with pytest.raises(protect.NothingToProtectError) as error:
            protect.protect_stored_quarter(con, Q)
        assert str(error.value) == f"{MONITOR_MODEL_TABLE} has no rows for {Q}: run dbt first"
        assert not con.execute(
            "select count(*) from information_schema.tables where table_schema = 'disclosure'"
        ).fetchone()[0]
        protect.protect_stored_quarter(con, EARLIER)
        con.execute(f"drop table {MONITOR_MODEL_TABLE}")
        empty = protect.left_out_rows(con, [EARLIER])
        assert empty.height == 0
        assert empty.columns == stored(con, PROTECTED_TABLE, EARLIER).columns


def test_the_stored_file_of_two_quarters_passes_the_audit(warehouse) -> None:
    con, _ = warehouse
    protect.protect_stored_quarter(con, EARLIER)
    protect.protect_stored_quarter(con, Q)
    candidate = con.execute(f"select * from {CANDIDATE_TABLE}").pl()
    audit = audit_publication(candidate, workers=1)
    assert audit.passed, audit.failures
    assert audit.n_checked > 0


def test_the_gate_audits_every_quarter_of_the_file(warehouse, monkeypatch) -> None:
    """With a period over several quarters the file is audited whole: a count of 1 to 9 of
    the earlier quarter published by mistake fails the gate's audit of the later quarter
    (the later quarter's rows alone pass). The expectation suites are left out: the audit is
    what this is about."""
    from orchestration.gate import check

    monkeypatch.setattr(check, "run_gate", lambda con, quarter: None)
    con, _ = warehouse
    protect.protect_stored_quarter(con, EARLIER)
    protect.protect_stored_quarter(con, Q)
    area, indicator, period_type, period, value = con.execute(
        f"select area_code, indicator, period_type, period, value from {PROTECTED_TABLE} "
        "where quarter = ? and suppression = 'primary' and value between 1 and 9 "
        "order by area_code, indicator, period_type limit 1",
        [EARLIER],
    ).fetchone()
    assert indicator in count_indicator_names()
    con.execute(
        f"update {CANDIDATE_TABLE} set value = ?, status = 'published' where quarter = ? "
        "and area_code = ? and indicator = ? and period_type = ?",
        [value, EARLIER, area, indicator, period_type],
    )
    audit = check.check_quarter(con, Q).audit
    assert not audit.passed
    small = f"{period}:{area} {indicator}: published count below min_count"
    assert small in audit.violations, audit.violations
    assert audit.start_point == "used"  # the true value: protect's rows are a point


def test_the_points_protect_stores_are_points_of_the_gates_audit(warehouse, monkeypatch) -> None:
    """Protect stores the tables it found the attacker could take for the true one, by the
    model's names and for its hidden cells only; the gate's audit of the file (both quarters)
    reads the quarter's back and finds every one a point of its own polyhedron, built from the
    candidate alone. A rerun replaces them; only the quarter protected last keeps its points.
    The suites are left out, as above."""
    from orchestration.gate import check

    monkeypatch.setattr(check, "run_gate", lambda con, quarter: None)
    con, _ = warehouse
    protect.protect_stored_quarter(con, EARLIER)
    protect.protect_stored_quarter(con, Q)
    result = protect.protect_stored_quarter(con, Q)  # a rerun
    points = con.execute(f"select * from {FEASIBLE_POINTS_TABLE}").pl()
    assert points["quarter"].unique().to_list() == [Q]
    assert points.height == result.points.height > 0
    m = int(points["point_values"].list.len().max())
    assert points["point_values"].list.len().min() == m > 1
    cells = con.execute(
        f"select period || ':' || area_code as area, indicator, status from {CANDIDATE_TABLE}"
    ).pl()
    named = points.join(cells, on=["area", "indicator"])["status"].unique().to_list()
    assert named == ["suppressed"]  # the model's names, of hidden cells only
    audit = check.check_quarter(con, Q).audit
    assert audit.passed, audit.failures
    assert (audit.start_point, audit.protect_points) == ("used", f"{m} of {m} used")
