"""No row of the warehouse points back to an address without the key.

After a real run (conftest's ``pipeline_baseline``: a generated synthetic quarter through
``monitor run``), every base table of the restricted warehouse (raw, staging, intermediate,
marts, monitor, disclosure; not the audit tables and seeds) is compared with the public
register: for each distinct combination of a row's clear address columns (postcode parts,
house number, letter, addition, gebruiksdoel, buurt, wijk, gemeente; see
``privacy_scan.PUBLIC_ADDRESS_COLUMNS``), how many BAG addresses share it. No combination may
narrow to fewer than 10 addresses, except through the buurt code of a buurt with fewer than
10 residential addresses: a household's buurt is what the monitor counts by.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

from .pipeline_support import QUARTER
from .privacy_scan import MIN_ADDRESSES, narrowing, public_bag, small_buurten

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def bag(pipeline_baseline) -> pl.DataFrame:
    data_dir, _ = pipeline_baseline
    (path,) = (Path(data_dir) / "landing" / QUARTER / "bag_adressen").glob("*.csv")
    return public_bag(path)


@pytest.fixture(scope="module")
def measured(pipeline_baseline, bag: pl.DataFrame) -> list[tuple[str, dict[str, str], int]]:
    data_dir, _ = pipeline_baseline
    with duckdb.connect(str(Path(data_dir) / "warehouse.duckdb"), read_only=True) as con:
        return narrowing(con, bag)


def test_the_measure_finds_clear_address_parts(bag: pl.DataFrame) -> None:
    """The measure is not blind: a table with the clear parts the warehouse used to keep
    (pc4, house number, letter, addition) next to a buurt narrows to single addresses."""
    con = duckdb.connect()
    clear = bag.select("pc4", "huisnummer", "huisletter", "huisnummertoevoeging", "buurtcode")
    con.register("clear_parts", clear)
    con.execute("create table raw_old as select * from clear_parts")
    found = narrowing(con, bag)
    assert {table for table, _, _ in found} == {"main.raw_old"}
    assert sum(n < MIN_ADDRESSES for _, _, n in found) > 0.9 * len(found)


def test_no_row_narrows_to_fewer_than_10_addresses(measured, bag: pl.DataFrame) -> None:
    tables = {table for table, _, _ in measured}
    # the tables that do hold area or address attributes were looked at
    assert {"raw.bag_adressen", "raw.wijken_buurten", "main_intermediate.int_huishoudens",
            "main_marts.fct_huishouden_signalen"} <= tables  # fmt: skip
    small = small_buurten(bag)
    narrow = [(t, values, n) for t, values, n in measured if n < MIN_ADDRESSES]
    not_through_a_small_buurt = [
        (t, sorted(values), n) for t, values, n in narrow if values.get("buurtcode") not in small
    ]
    assert not_through_a_small_buurt == []
    print(
        f"{len(small)} buurten with fewer than {MIN_ADDRESSES} residential addresses; "
        f"{len(narrow)} value combinations narrow below {MIN_ADDRESSES}, all through one of them"
    )


def test_raw_tables_hold_no_clear_address_part(pipeline_baseline) -> None:
    data_dir, _ = pipeline_baseline
    with duckdb.connect(str(Path(data_dir) / "warehouse.duckdb"), read_only=True) as con:
        names = {c for (c,) in con.execute(
            "select distinct column_name from information_schema.columns "
            "where table_schema <> 'audit'").fetchall()}  # fmt: skip
    assert names & {"pc4", "postcode", "huisnummer", "huisletter", "huisnummertoevoeging",
                    "gebruiksdoel"} == set()  # fmt: skip
