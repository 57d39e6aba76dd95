"""Value normalisation rules (orchestration/ingestion/normalise.py), table-driven."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from orchestration.ingestion import normalise as nz

# (as delivered, number, huisletter, huisnummertoevoeging); None number = invalid.
HUISNUMMERS = [
    ("12", 12, None, None),
    (" 12 ", 12, None, None),
    ("012", 12, None, None),
    ("12.0", 12, None, None),  # Excel made it a float
    ("99999", 99999, None, None),
    ("12a", 12, "A", None),
    ("12A", 12, "A", None),
    ("12-A", 12, "A", None),  # single letter after a dash: huisletter (documented rule)
    ("12 A", 12, "A", None),
    ("12 a", 12, "A", None),
    ("12-h", 12, "H", None),
    ("12 I", 12, "I", None),  # a single letter is always the letter, even a roman one
    ("12-b", 12, "B", None),
    ("12/a", 12, "A", None),
    ("12 bis", 12, None, "BIS"),
    ("12bis", 12, None, "BIS"),
    ("12 Bis", 12, None, "BIS"),
    ("12 ter", 12, None, "TER"),
    ("12-2", 12, None, "2"),
    ("12 2", 12, None, "2"),
    ("12/2", 12, None, "2"),
    ("12, 2", 12, None, "2"),
    ("12 - 3", 12, None, "3"),
    ("1-3", 1, None, "3"),
    ("12 hs", 12, None, "HS"),
    ("12-hs", 12, None, "HS"),
    ("12hs", 12, None, "HS"),
    ("12-III", 12, None, "III"),
    ("12 III", 12, None, "III"),
    ("12-II", 12, None, "II"),
    ("12-iv", 12, None, "IV"),
    ("12 zw", 12, None, "ZW"),
    ("12 rd", 12, None, "RD"),
    ("12 bv", 12, None, "BV"),
    ("12 bg", 12, None, "BG"),
    ("12 hg", 12, None, "HG"),
    ("12-sous", 12, None, "SOUS"),
    ("12 ab", 12, None, "AB"),
    ("12-1hg", 12, None, "1HG"),
    ("12 1 hg", 12, None, "1HG"),
    ("12-1 hoog", 12, None, "1HOOG"),
    ("12 2hg", 12, None, "2HG"),
    ("12-4a", 12, None, "4A"),
    ("12-10", 12, None, "10"),
    ("12A-1", 12, "A", "1"),
    ("12 A 1", 12, "A", "1"),
    ("12 A-1", 12, "A", "1"),
    ("12a2", 12, "A", "2"),
    ("12a-bis", 12, "A", "BIS"),
    ("12 A/B", 12, "A", "B"),
    ("12A 3hg", 12, "A", "3HG"),
    ("12-", 12, None, None),  # a separator alone is no addition
    ("12 /", 12, None, None),
    ("0", None, None, None),
    ("00", None, None, None),
    ("100000", None, None, None),
    ("abc", None, None, None),
    ("A12", None, None, None),
    ("-12", None, None, None),
    ("twaalf", None, None, None),
]


def _split(values: list[str | None], letters=None, additions=None) -> list[tuple]:
    def series(items):
        return None if items is None else nz.clean(pl.Series("v", items, dtype=pl.String))

    frame = nz.split_huisnummer(series(values), series(letters), series(additions))
    return list(frame.iter_rows())


def test_house_number_table_is_big_enough() -> None:
    assert len(HUISNUMMERS) >= 40
    assert len({row[0] for row in HUISNUMMERS}) == len(HUISNUMMERS)


@pytest.mark.parametrize(("given", "number", "letter", "addition"), HUISNUMMERS)
def test_house_number_notations(given: str, number, letter, addition) -> None:
    assert _split([given]) == [(number, letter, addition)]


def test_house_number_table_at_once_matches_one_by_one() -> None:
    """The fast path (plain numbers) and the regex path mix correctly in one column."""
    got = _split([row[0] for row in HUISNUMMERS])
    assert got == [row[1:] for row in HUISNUMMERS]


@pytest.mark.parametrize(
    ("huisnummer", "huisletter", "toevoeging", "expected"),
    [
        ("12", "a", None, (12, "A", None)),
        ("12", "", "2", (12, None, "2")),
        ("12", None, "-1", (12, None, "1")),
        ("12a", None, "bis", (12, "A", "BIS")),
        ("12", "bis", None, (12, None, "BIS")),  # a word in the letter column is a toevoeging
        ("12-2", "B", None, (12, "B", "2")),
        ("12", "A", "hs", (12, "A", "HS")),
        ("12", "NULL", "-", (12, None, None)),
        ("12", None, "/", (12, None, None)),  # only separators: no addition
        ("x", "A", "1", (None, None, None)),
    ],
)
def test_separate_letter_and_addition_columns(huisnummer, huisletter, toevoeging, expected) -> None:
    assert _split([huisnummer], [huisletter], [toevoeging]) == [expected]


POSTCODES = [
    ("1234AB", "1234AB"),
    ("1234 ab", "1234AB"),
    (" 1234ab ", "1234AB"),
    ("1234  AB", "1234AB"),
    ("1234-ab", "1234AB"),
    ("1234\u00a0AB", "1234AB"),
    ("9999zz", "9999ZZ"),
    ("0123AB", None),
    ("1234A", None),
    ("12345AB", None),
    ("ABCD12", None),
    ("1234", None),
    ("1234 A B C", None),
]


@pytest.mark.parametrize(("given", "expected"), POSTCODES)
def test_postcodes(given: str, expected: str | None) -> None:
    assert nz.postcode(nz.clean(pl.Series([given]))).to_list() == [expected]


AMOUNTS = [
    ("1234.56", "1234.56"),
    ("1234,56", "1234.56"),
    ("1.234,56", "1234.56"),
    ("€ 1.234,56", "1234.56"),
    ("€1.234,56", "1234.56"),
    ("EUR 1234,56", "1234.56"),
    ("1234,56 EUR", "1234.56"),
    ("1,234.56", "1234.56"),
    ("1.234.567,89", "1234567.89"),
    ("1 234,56", "1234.56"),
    ("12", "12"),
    ("0,5", "0.5"),
    ("0,125", "0.125"),
    ("1.234", "1234"),  # a single separator + three digits is a thousands separator
    ("1,234", "1234"),
    ("1234.5", "1234.5"),
    ("-12,50", "-12.50"),
    ("+5", "5"),
    ("abc", None),
    ("12,3,4a", None),
    ("€", None),
]


@pytest.mark.parametrize(("given", "expected"), AMOUNTS)
def test_amounts(given: str, expected: str | None) -> None:
    assert nz.amount(nz.clean(pl.Series([given]))).to_list() == [expected]


DATES = [
    ("2026-07-31", date(2026, 7, 31)),
    ("31-07-2026", date(2026, 7, 31)),
    ("31/07/2026", date(2026, 7, 31)),
    ("20260731", date(2026, 7, 31)),
    ("31.07.2026", date(2026, 7, 31)),
    ("2026/07/31", date(2026, 7, 31)),
    ("31-7-2026", date(2026, 7, 31)),
    ("1-8-2026", date(2026, 8, 1)),
    ("2026-7-1", date(2026, 7, 1)),
    ("2026-07-31 00:00:00", date(2026, 7, 31)),
    ("2026-07-31T10:15:00", date(2026, 7, 31)),
    ("31-07-2026 10:15", date(2026, 7, 31)),
    ("05/06/2026", date(2026, 6, 5)),  # day-month-year, never month-day-year
    ("31-02-2026", None),
    ("2026-13-01", None),
    ("07/31/2026", None),
    ("1800-01-01", None),
    ("26-07-31", None),
    ("gisteren", None),
]


@pytest.mark.parametrize(("given", "expected"), DATES)
def test_dates(given: str, expected: date | None) -> None:
    assert nz.parse_date(nz.clean(pl.Series([given]))).to_list() == [expected]


def test_dates_all_at_once_match_one_by_one() -> None:
    got = nz.parse_date(pl.Series([d for d, _ in DATES])).to_list()
    assert got == [e for _, e in DATES]


def test_date_format_hint_wins() -> None:
    assert nz.parse_date(pl.Series(["07/31/2026", "05/06/2026"]), "%m/%d/%Y").to_list() == [
        date(2026, 7, 31),
        date(2026, 5, 6),
    ]


BOOLEANS = [
    ("ja", True), ("Ja", True), ("j", True), ("J", True), ("true", True), ("TRUE", True),
    ("1", True), ("yes", True), ("Y", True), ("nee", False), ("NEE", False), ("n", False),
    ("false", False), ("False", False), ("0", False), ("no", False), ("misschien", None),
    ("2", None),
]  # fmt: skip


@pytest.mark.parametrize(("given", "expected"), BOOLEANS)
def test_booleans(given: str, expected: bool | None) -> None:
    assert nz.boolean(nz.clean(pl.Series([given]))).to_list() == [expected]


@pytest.mark.parametrize("given", ["", " ", "NULL", "null", "Null", "-", " - ", "\t", None])
def test_empty_markers(given: str | None) -> None:
    assert nz.clean(pl.Series([given], dtype=pl.String)).to_list() == [None]


def test_empty_markers_keep_real_values() -> None:
    assert nz.clean(pl.Series([" a ", "--", "nullable", "0"])).to_list() == [
        "a", "--", "nullable", "0",
    ]  # fmt: skip


BSNS = [
    ("111222333", "111222333"),
    ("123456782", "123456782"),
    ("111.222.333", "111222333"),
    ("111 222 333", "111222333"),
    ("12345672", "012345672"),  # Excel dropped the leading zero
    ("123456789", None),  # fails the elfproef
    ("000000000", None),
    ("12345", None),
    ("1234567890", None),
    ("abcdefghi", None),
]


@pytest.mark.parametrize(("given", "expected"), BSNS)
def test_bsn_elfproef(given: str, expected: str | None) -> None:
    assert nz.bsn(nz.clean(pl.Series([given]))).to_list() == [expected]


def test_elfproef_matches_a_reference_implementation() -> None:
    def reference(bsn: str) -> bool:
        digits = [int(c) for c in bsn]
        total = sum(d * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True)) - digits[8]
        return total % 11 == 0 and int(bsn) > 0

    candidates = [f"{n:09d}" for n in range(100_000_000, 100_002_000)]
    got = nz.bsn(pl.Series(candidates)).to_list()
    assert [g is not None for g in got] == [reference(c) for c in candidates]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("0363200000123456", "0363200000123456"),
        ("363200000123456", "0363200000123456"),
        (" 0363200000123456 ", "0363200000123456"),
        ("3.632E+15", None),
        ("12345", None),
        ("03632000001234567", None),
    ],
)
def test_adres_id(given: str, expected: str | None) -> None:
    assert nz.adres_id(nz.clean(pl.Series([given]))).to_list() == [expected]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("GM0363", "GM0363"),
        ("GM0363    ", "GM0363"),
        ("WK036300", "WK036300"),
        ("WK0363A1", "WK0363A1"),
        ("BU03630000", "BU03630000"),
        ("bu0363ab01", "BU0363AB01"),
        ("BU0363000", None),
        ("XX036300", None),
        ("GM363", None),
    ],
)
def test_area_codes(given: str, expected: str | None) -> None:
    assert nz.area_code(nz.clean(pl.Series([given]))).to_list() == [expected]


def test_area_parents() -> None:
    codes = pl.Series(["BU03630001", "WK036300", "GM0363"])
    assert nz.parent_of(codes).to_list() == ["WK036300", "GM0363", None]


def test_age_at_quarter_end() -> None:
    births = pl.Series([date(2000, 9, 30), date(2000, 10, 1), date(2008, 2, 29), date(1950, 1, 1)])
    assert nz.age_at(births, date(2026, 9, 30)).to_list() == [26, 25, 18, 76]


def test_codes_are_normalised() -> None:
    assert nz.code(pl.Series(["Quick fix", "VERVOLGHULP-financieel", " wsnp "])).to_list() == [
        "quick_fix", "vervolghulp_financieel", "wsnp",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("birth", "day", "age"),
    [
        (date(2000, 1, 5), date(2026, 1, 5), 26),  # the birthday itself counts
        (date(2000, 1, 6), date(2026, 1, 5), 25),  # one day before the birthday
        (date(2000, 10, 5), date(2026, 10, 1), 25),
        (date(2000, 9, 30), date(2026, 10, 1), 26),
        (date(2027, 1, 1), date(2026, 10, 1), -1),  # born after the day
    ],
)
def test_age_on_any_day(birth: date, day: date, age: int) -> None:
    assert nz.age_at(pl.Series([birth]), day).to_list() == [age]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("BU03630000", "BU03630000"),
        ("bu0363ab01", "BU0363AB01"),
        ("BU 0363 0000", "BU03630000"),  # whitespace removed anywhere
        ("03630000", "BU03630000"),  # eight characters without the prefix get it
        ("0363ab01", "BU0363AB01"),
        ("0363000", None),
        ("WK036300", None),
        ("BU0363000X1", None),
    ],
)
def test_buurtcodes(given: str, expected: str | None) -> None:
    assert nz.buurtcode(nz.clean(pl.Series([given]))).to_list() == [expected]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("GM0363", "GM0363"),
        ("gm0363", "GM0363"),
        ("GM 0363", "GM0363"),
        ("363", "GM0363"),  # Excel dropped the leading zero
        ("0363", "GM0363"),
        ("3", "GM0003"),
        ("GM363", None),
        ("12345", None),
        ("BU03630000", None),
    ],
)
def test_gemeentecodes(given: str, expected: str | None) -> None:
    assert nz.gemeentecode(nz.clean(pl.Series([given]))).to_list() == [expected]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("1.234.567", "1234567"),  # a separator occurring more than once: thousands
        ("1,234,567", "1234567"),
        ("1.234.567.890", "1234567890"),
    ],
)
def test_repeated_separators_are_thousands(given: str, expected: str) -> None:
    assert nz.amount(nz.clean(pl.Series([given]))).to_list() == [expected]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("12", 12),
        ("0", 0),
        ("007", 7),
        ("12.0", 12),  # Excel made it a float
        ("12,00", 12),
        ("999999999", 999_999_999),  # at most 9 digits
        ("1000000000", None),
        ("12.5", None),
        ("-3", None),
        ("tien", None),
    ],
)
def test_integers(given: str, expected: int | None) -> None:
    assert nz.integer(nz.clean(pl.Series([given]))).to_list() == [expected]
