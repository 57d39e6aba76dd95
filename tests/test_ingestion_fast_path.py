"""The normalisers' fast paths give what their general (slow) paths give, value by value.

``orchestration/ingestion/normalise.py`` takes the common notations (a plain postcode, house
number or amount, the usual date formats) through cheap whole-column expressions and sends
only the rest through the general regular-expression path. Property: for any values, in the
accepted notations, near them, or junk, the column result equals the general path applied to
every value, so the fast path changes speed, never a loaded value or a quarantine reason.
"""

from __future__ import annotations

import polars as pl
from hypothesis import example, given, settings
from hypothesis import strategies as st

from orchestration.ingestion import normalise as nz

DIGITS = "0123456789"
SEPARATORS = " -/.,_:"


def _digits(low: int, high: int) -> st.SearchStrategy[str]:
    return st.text(DIGITS, min_size=low, max_size=high)


def _values(shapes: st.SearchStrategy[str]) -> st.SearchStrategy[list[str | None]]:
    """Lists mixing values of ``shapes``, junk from a related alphabet and nulls, as
    :func:`normalise.clean` leaves them (stripped, empty markers NULL)."""
    junk = st.text(DIGITS + "abAB€+-., /:T\u00a0'eurEUR", max_size=14)
    return st.lists(st.one_of(shapes, junk, st.none()), max_size=40)


def _cleaned(values: list[str | None]) -> pl.Series:
    return nz.clean(pl.Series("v", values, dtype=pl.String))


def _general_only(values: pl.Series, general) -> pl.Series:
    """The general path of every non-null value (what the column would be without the fast
    path)."""
    ready = pl.repeat(False, len(values), dtype=pl.Boolean, eager=True)
    return nz._fast_path(values, ready, general)


postcodes = st.builds(
    lambda a, b, c: a + b + c,
    _digits(3, 5),
    st.sampled_from(["", " ", "-", "."]),
    st.text("ABCXYZabz", min_size=1, max_size=3),
)


@settings(max_examples=300, deadline=None)
@given(_values(postcodes))
@example(["1234AB", "1234 ab", "0123AB", "1234ABC", "12345A"])
def test_postcode_fast_path_equals_the_general_path(values: list[str | None]) -> None:
    column = _cleaned(values)
    assert nz.postcode(column).to_list() == _general_only(column, nz._postcode_general).to_list()


amounts = st.builds(
    lambda sign, whole, sep, decimals, prefix: prefix + sign + whole + sep + decimals,
    st.sampled_from(["", "-", "+"]),
    _digits(1, 11),
    st.sampled_from(["", ".", ","]),
    _digits(0, 4),
    st.sampled_from(["", "€ ", "€", "EUR "]),
) | st.builds(
    lambda a, sep1, b, sep2, c: a + sep1 + b + sep2 + c,
    _digits(1, 3),
    st.sampled_from([".", ","]),
    _digits(3, 3),
    st.sampled_from(["", ".", ","]),
    _digits(0, 3),
)


@settings(max_examples=300, deadline=None)
@given(_values(amounts))
@example(["1234", "1234.5", "1234,56", "0,125", "1.234", "1,234", "012", "1.234,56"])
def test_amount_fast_path_equals_the_general_path(values: list[str | None]) -> None:
    column = _cleaned(values)
    assert nz.amount(column).to_list() == _general_only(column, nz._amount_general).to_list()


dates = st.builds(
    lambda d, sep, m, y, order: sep.join([y, m, d] if order else [d, m, y]),
    _digits(1, 3),
    st.sampled_from(["-", "/", ".", ""]),
    _digits(1, 3),
    _digits(2, 5),
    st.booleans(),
) | st.builds(
    lambda day, time: day.isoformat() + time,
    st.dates(),
    st.sampled_from(["", " 00:00:00", "T10:00", " 12:30:00.5", "Z"]),
)


@settings(max_examples=400, deadline=None)
@given(_values(dates))
@example(["2026-07-31", "31-07-2026", "31/07/2026", "20260731", "31.07.2026", "1-7-2026"])
@example(["2026-7-1", "31-02-2026", "+2026-07-01", "2026-07-31 00:00:00", "0031-07-2026"])
def test_date_fast_path_equals_the_general_path(values: list[str | None]) -> None:
    column = _cleaned(values)
    general = nz._parse_date_general(column)
    in_range = nz.where(general.dt.year().is_between(1900, 2100), general)
    assert nz.parse_date(column).to_list() == in_range.to_list()


house_numbers = st.builds(
    lambda number, sep, rest: number + sep + rest,
    _digits(1, 7),
    st.sampled_from(["", " ", "-", "/", ".", ","]),
    st.text(DIGITS + "aAbBhHsSiIvV" + SEPARATORS, max_size=6),
)


@settings(max_examples=300, deadline=None)
@given(_values(house_numbers))
@example(["12", "012", "00012", "000123", "0", "99999", "100000", "12.0", "12a"])
def test_house_number_fast_path_equals_the_general_path(values: list[str | None]) -> None:
    column = _cleaned(values)
    fast = nz.split_huisnummer(column)
    general = nz._split_huisnummer_general(column).with_columns(
        pl.when(pl.col("huisnummer") > 0).then(pl.col("huisnummer")).alias("huisnummer")
    )
    general = general.with_columns(
        pl.when(pl.col("huisnummer").is_not_null()).then(pl.col(c)).alias(c)
        for c in ("huisletter", "huisnummertoevoeging")
    )
    assert fast.to_dicts() == general.to_dicts()
