"""The period dimension from protect through the gate to the published file (docs/periods-plan.md,
step 3): a quarter's rows carry ``period_type`` and ``period``; protect treats every period as
a slice of its own; the gate refuses a period type that ``seeds/periods.csv`` does not
publish, and a level a period does not publish (``niveaus``: no quarterly buurt rows);
publish writes every period to the long and the wide tables; and a warehouse or a
published file of before the periods is migrated on the next run (docs/migrations.md, 3)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pytest

from demo.sample_publication import sample_frames, write_tables
from demo.synthetic_quarter import synthetic_quarter
from orchestration.contract import (
    CANDIDATE_TABLE,
    LEVELS,
    PROTECTED_TABLE,
    PUBLISHED_COLUMNS,
    QUARTERLY,
    period_type_of_level,
    publication_scope,
    published_period_types,
    wide_columns,
)
from orchestration.disclosure.protect import protect_quarter, replace_quarter
from orchestration.gate import run_gate
from orchestration.gate.frames import indicators_at
from orchestration.parameters import disclosure_parameters, period_indicators
from tests.published_sample import publish_test_quarter

Q = "2026Q3"
YEAR = ("vier_kwartalen", "2025Q4-2026Q3")
COHORT = "cohort_zes_maanden"
LATER = ("kwartaal_afgerond", "vier_kwartalen_afgerond")
"""The quarter and the four quarters again, with their outcomes, a quarter later."""


def as_period(frame: pd.DataFrame, period_type: str, period: str) -> pd.DataFrame:
    return frame.assign(period_type=period_type, period=period)


def with_extra_period(period_type: str, period: str) -> dict[str, pd.DataFrame]:
    """The gate's sample of 2026Q3 and, with the four quarters' rows, a further period."""
    frames = sample_frames(Q)
    for name in ("protected", "candidate"):
        year = frames[name][frames[name]["period_type"] == YEAR[0]]
        frames[name] = pd.concat(
            [frames[name], as_period(year, period_type, period)], ignore_index=True
        )
    return frames


def publish(warehouse_con: duckdb.DuckDBPyConnection, monitor: Path, quarter: str = Q) -> None:
    publish_test_quarter(warehouse_con, quarter, monitor, run_id="run")


def rows(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_the_quarter_is_published_without_buurten_the_four_quarters_at_every_level() -> None:
    """seeds/periods.csv (docs/periods-plan.md 3.6): the scope the stages read."""
    assert published_period_types() == (QUARTERLY, YEAR[0], *LATER, COHORT)
    assert publication_scope() == {
        QUARTERLY: ("regio", "gemeente", "wijk"),
        YEAR[0]: LEVELS,
        LATER[0]: ("regio", "gemeente", "wijk"),
        LATER[1]: LEVELS,
        COHORT: ("regio", "gemeente", "wijk"),
    }
    assert period_type_of_level("buurt") == YEAR[0]
    assert period_type_of_level("wijk") == QUARTERLY


def test_protect_treats_each_period_as_its_own_slice() -> None:
    quarter = synthetic_quarter(2, seed=11)
    year = synthetic_quarter(2, seed=12).with_columns(
        period_type=pl.lit(YEAR[0]), period=pl.lit(YEAR[1])
    )
    # without the pruning pass, whose budget of LP checks is the whole table's
    # (test_disclosure_release.py), what one slice gets does not depend on the other
    params = {**disclosure_parameters(), "max_release_checks": 0}
    together = protect_quarter(pl.concat([quarter, year]), params, workers=1)
    apart = [protect_quarter(frame, params, workers=1) for frame in (quarter, year)]
    assert tuple(together.published.columns) == PUBLISHED_COLUMNS
    key = ["period_type", "area_code", "indicator"]
    assert (
        together.cells.select(*key, "status", "suppression")
        .sort(key)
        .equals(pl.concat([r.cells for r in apart]).select(*key, "status", "suppression").sort(key))
    )
    assert together.n_primary == sum(r.n_primary for r in apart) > 0


def test_the_gate_refuses_a_period_type_that_is_not_published() -> None:
    with duckdb.connect() as con:
        write_tables(con, **with_extra_period("twee_kwartalen", "2026Q2-2026Q3"))
        result = run_gate(con, Q, only=["area_indicators"])
    assert {e.name for e in result.failures} == {"published_periods_only"}


def test_the_gate_checks_every_period_of_a_clean_candidate() -> None:
    """Every suite holds over the two periods at their levels (relations per period)."""
    with duckdb.connect() as con:
        write_tables(con, **sample_frames(Q))
        result = run_gate(con, Q)
    assert not result.failures


def test_the_gate_refuses_quarterly_buurt_rows() -> None:
    """A level the period does not publish (seeds/periods.csv niveaus) blocks: the buurten
    of the four quarters copied into the quarter are named as areas outside the scope."""
    frames = sample_frames(Q)
    for name in ("protected", "candidate"):
        frame = frames[name]
        buurten = frame[(frame["period_type"] == YEAR[0]) & (frame["area_level"] == "buurt")]
        frames[name] = pd.concat([frame, as_period(buurten, QUARTERLY, Q)], ignore_index=True)
    with duckdb.connect() as con:
        write_tables(con, **frames)
        result = run_gate(con, Q)
    coverage = next(
        e for e in result.failures if (e.suite, e.name) == ("area_coverage", "area_in_reference")
    )
    assert coverage.blocking
    assert {r["area_code"] for r in coverage.failing_rows} == set(buurten["area_code"])


def test_publish_writes_every_period_long_and_wide(tmp_path: Path) -> None:
    monitor = tmp_path / "monitor.duckdb"
    with duckdb.connect() as con:
        write_tables(con, **sample_frames(Q))
        publish(con, monitor)
    n_indicators = len(period_indicators(QUARTERLY))  # the same in the four quarters
    assert rows(
        monitor,
        "select period_type, period, count(*) from monitor.area_indicators group by all order by 1",
    ) == [
        (QUARTERLY, Q, 4 * n_indicators),  # regio, gemeente, two wijken
        (*YEAR, 4 * n_indicators + 4 * indicators_at("buurt")),  # the buurt's fewer indicators
    ]
    assert rows(
        monitor, "select period_type, period, count(*) from monitor.buurt group by all"
    ) == [(*YEAR, 4)]
    for level, n in (("regio", 1), ("gemeente", 1), ("wijk", 2)):
        cols = rows(
            monitor,
            f"select column_name from duckdb_columns() where table_name = '{level}' "
            "order by column_index",
        )
        assert [c for (c,) in cols] == wide_columns()
        assert rows(
            monitor, f"select period_type, period, count(*) from monitor.{level} group by all"
        ) == [(QUARTERLY, Q, n), (*YEAR, n)]
    # the same value in the wide table as in the long one, per period
    assert rows(
        monitor,
        "select count(*) from monitor.buurt b join monitor.area_indicators a "
        "on a.area_code = b.area_code and a.period_type = b.period_type "
        "and a.indicator = 'hh_met_signaal' "
        "where a.value is distinct from b.hh_met_signaal",
    ) == [(0,)]


def old_layout(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=["period_type", "period"])


def test_a_published_file_of_before_the_periods_keeps_its_quarters(tmp_path: Path) -> None:
    """An old monitor.duckdb (no period columns) gets them on the next publication: its
    quarters are quarterly figures."""
    monitor = tmp_path / "monitor.duckdb"
    old = sample_frames("2026Q2")["candidate"]
    old = old[old["period_type"] == YEAR[0]]  # one period at every level, as it was
    with duckdb.connect(str(monitor)) as con:
        columns = [c for c in PUBLISHED_COLUMNS if c not in ("period_type", "period")]
        con.register("old_frame", old_layout(old))
        con.execute(f"create table area_indicators as select {', '.join(columns)} from old_frame")
        con.execute(
            "create table publication_log (quarter VARCHAR, published_at TIMESTAMP, "
            "run_id VARCHAR, data_version VARCHAR, checks_passed VARCHAR[], "
            "n_primary_suppressed INTEGER, n_secondary_suppressed INTEGER, synthetic BOOLEAN)"
        )
    with duckdb.connect() as con:
        write_tables(con, **sample_frames(Q))
        publish(con, monitor)
    assert rows(
        monitor,
        "select quarter, period_type, period, count(*) from monitor.area_indicators "
        "group by all order by all",
    ) == [
        ("2026Q2", QUARTERLY, "2026Q2", len(old)),
        (Q, QUARTERLY, Q, 4 * len(period_indicators(QUARTERLY))),  # regio, gemeente, 2 wijken
        (Q, *YEAR, len(old)),
    ]
    assert rows(monitor, "select count(*) from monitor.buurt where quarter = '2026Q2'") == [(4,)]


@pytest.mark.parametrize("table", [PROTECTED_TABLE, CANDIDATE_TABLE])
def test_a_disclosure_table_of_before_the_periods_is_migrated(table: str) -> None:
    """protect's tables of an existing warehouse get the period columns on the next run; the
    rows of earlier quarters are quarterly."""
    frames = sample_frames(Q)
    new = frames["protected" if table == PROTECTED_TABLE else "candidate"]
    old = new[new["period_type"] == YEAR[0]].assign(quarter="2026Q2")  # one period, every level
    with duckdb.connect() as con:
        con.execute("create schema disclosure")
        con.register("old_frame", old_layout(old))
        con.execute(f"create table {table} as select * from old_frame")
        replace_quarter(con, table, Q, pl.from_pandas(new))
        columns = [r[0] for r in con.execute(f"describe {table}").fetchall()]
        got = con.execute(
            f"select quarter, period_type, period, count(*) from {table} group by all order by all"
        ).fetchall()
    assert columns == list(new.columns)
    per_period = new.groupby("period_type").size()
    assert got == [
        ("2026Q2", QUARTERLY, "2026Q2", len(old)),
        (Q, QUARTERLY, Q, per_period[QUARTERLY]),
        (Q, *YEAR, per_period[YEAR[0]]),
    ]


def test_published_shares_per_level_period_and_indicator() -> None:
    """Information loss: the sample's buurt hh_met_signaal is published in 3 of 4 buurten (the
    one with 2 households signalled is suppressed), holding 2150 of 2156 households; its
    huishoudens of BU09990A01 is suppressed and still weighs (the protected table's value)."""
    from orchestration.shares import published_shares, shares_markdown

    with duckdb.connect() as con:
        write_tables(con, **sample_frames(Q))
        shares = published_shares(con, Q)
    by_key = {(s.area_level, s.period_type, s.indicator): s for s in shares}
    met = by_key[("buurt", YEAR[0], "hh_met_signaal")]
    assert (met.areas, met.share_areas) == (4, 0.75)
    assert met.share_households == pytest.approx(2150 / 2156)
    hh = by_key[("buurt", YEAR[0], "huishoudens")]
    assert hh.share_areas == 0.5  # BU09990A01 (secondary) and BU09990A0B (6: primary)
    assert hh.share_households == pytest.approx(2000 / 2156)
    assert ("buurt", QUARTERLY, "hh_met_signaal") not in by_key  # not in the scope
    n = len(period_indicators(QUARTERLY))  # levels per period x indicators (fewer at buurt)
    assert len(shares) == (3 + 3) * n + indicators_at("buurt")
    assert "| buurt | vier_kwartalen | hh_met_signaal | 4 | 75% | 100% |" in shares_markdown(shares)


def test_a_quarter_before_its_first_four_quarter_period_passes_the_gate_without_buurten() -> None:
    """The first three quarters of a warehouse: the quarter alone, so no buurt row at all
    (seeds/periods.csv niveaus); the buurt wide table is empty, and that is complete."""
    frames = sample_frames(Q)
    for name in ("protected", "candidate"):
        frame = frames[name]
        frames[name] = frame[frame["period_type"] == QUARTERLY].reset_index(drop=True)
    assert "buurt" not in set(frames["candidate"]["area_level"])
    with duckdb.connect() as con:
        write_tables(con, **frames)
        result = run_gate(con, Q)
    assert not result.failures
    assert "area_wide__buurt" in {s.key for s in result.suites}
