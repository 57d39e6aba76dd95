"""The normalisers' fast paths give what their general (slow) paths give, value by value.

``orchestration/ingestion/normalise.py`` takes the common notations (a plain postcode, house
number or amount, the usual date formats) through cheap whole-column expressions and sends
only the rest through the general regular-expression path. Property: for any values, in the
accepted notations, near them, or junk, the column result equals the general path applied to
every value, so the fast path changes speed, never a loaded value or a quarantine reason. The
identifiers (BSN, BAG id, area codes) take theirs when a value is already in its canonical
form; the BSN is compared with the elfproef written out in plain Python.
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


def _elfproef_reference(value: str | None) -> str | None:
    """The BSN rule value by value, in plain Python: separators out, a dropped leading zero
    back, nine digits, not all zero, d1*9 + ... + d8*2 - d9 divisible by 11."""
    if value is None:
        return None
    s = "".join(c for c in value if not (c.isspace() or c in ".-"))
    s = "0" + s if len(s) == 8 else s
    if len(s) != 9 or not all(c in DIGITS for c in s) or int(s) == 0:
        return None
    digits = [int(c) for c in s]
    total = sum(d * (9 - i) for i, d in enumerate(digits[:8])) - digits[8]
    return s if total % 11 == 0 else None


bsns = st.builds(
    lambda number, sep: sep.join([number[:4], number[4:6], number[6:]]) if sep else number,
    st.integers(0, 999_999_999).map(lambda n: f"{n:09d}")
    | st.integers(0, 99_999_999).map(lambda n: f"{n:08d}"),
    st.sampled_from(["", " ", ".", "-"]),
)


@settings(max_examples=300, deadline=None)
@given(_values(bsns))
@example(["111222333", "123456782", "11122233", "1112.22.333", "000000000", "1234567890"])
def test_bsn_fast_path_gives_the_elfproef_of_every_value(values: list[str | None]) -> None:
    column = _cleaned(values)
    assert nz.bsn(column).to_list() == [_elfproef_reference(v) for v in column.to_list()]


def _codes(prefix: str, digits: int) -> st.SearchStrategy[str]:
    """Area codes and identifiers as delivered: with or without the prefix, any case,
    padded with spaces (CBS), cut short or too long."""
    return st.builds(
        lambda pre, body, pad: pad + pre + body + pad,
        st.sampled_from([prefix, prefix.lower(), ""]),
        st.text(DIGITS + "AZaz", min_size=digits - 2, max_size=digits + 1),
        st.sampled_from(["", " "]),
    )


@settings(max_examples=300, deadline=None)
@given(_values(_codes("", 16) | _codes("", 14)))
@example(["0363200000123456", "363200000123456", "0363 2000 0012 3456", "03632000001234567"])
@example(["０３６３２０００００１２３４５６", "٠٣٦٣٢٠٠٠٠٠١٢٣٤٥٦", "036320000012345٦"])
def test_adres_id_fast_path_equals_the_general_path(values: list[str | None]) -> None:
    column = _cleaned(values)
    assert nz.adres_id(column).to_list() == _general_only(column, nz._adres_id_general).to_list()


def test_identifiers_take_ascii_digits_only() -> None:
    """A full-width or Arabic-Indic digit makes a BAG id or BSN invalid (quarantined), not a
    pseudonym of other text than the ASCII id of the same address or person."""
    full_width = "０３６３２０００００１２３４５６"
    arabic_indic = "٠٣٦٣٢٠٠٠٠٠١٢٣٤٥٦"
    ids = pl.Series("v", [full_width, arabic_indic, "0363200000123456", full_width[1:]])
    assert nz.adres_id(ids).to_list() == [None, None, "0363200000123456", None]
    bsns = pl.Series("v", ["１１１２２２３３３", "١١١٢٢٢٣٣٣", "111222333"])
    assert nz.bsn(bsns).to_list() == [None, None, "111222333"]


@settings(max_examples=300, deadline=None)
@given(_values(_codes("BU", 8) | _codes("GM", 4) | _codes("WK", 6)))
@example(["BU03630000", "bu03630000", "03630000", "GM0363", "363", "WK036300", "BU 0363 0000"])
@example(["BU036A0000", "GM03A3", "WK03630A", "wk036300"])
def test_area_code_fast_paths_equal_the_general_paths(values: list[str | None]) -> None:
    column = _cleaned(values)
    for fast, general in (
        (nz.buurtcode, nz._buurtcode_general),
        (nz.gemeentecode, nz._gemeentecode_general),
        (nz.area_code, nz._area_code_general),
    ):
        assert fast(column).to_list() == _general_only(column, general).to_list(), fast.__name__
