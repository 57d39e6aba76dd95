"""The loose reading of an addition that the ``unique_toevoeging`` rule compares
(orchestration/ingestion/address_keys.py, int_signalen_matched_to_adressen): Roman floors I..X
are 1..10, ``hs`` / ``huis`` is ``H``, leading zeros are dropped. Each case runs a signal's and
a BAG address's delivered parts through ingestion's own code (the dbt fixture's
``address_keys``) and compares their keys, so the keys of every floor are checked, not only
the ones the dbt fixture happens to deliver."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

try:
    from tests.fixtures import raw_warehouse as fx
except ImportError:  # tests/ is not a package: pytest put tests/ itself on sys.path
    from fixtures import raw_warehouse as fx  # type: ignore[no-redef]

from orchestration.ingestion import pseudo
from orchestration.ingestion.address_keys import BAG_KEYS, SIGNAL_KEYS, _hashed
from orchestration.ingestion.pseudo import BatchPseudonymiser

POSTCODE = "1234AB"


def roman(n: int) -> str:
    """n (1..10) in Roman numerals, written out here rather than read from the code."""
    ones = ["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX"]
    return "X" * (n // 10) + ones[n % 10]


def signal_key(huisnummer: str, letter: str | None = None, addition: str | None = None) -> int:
    row = fx.address_keys("signal", [(POSTCODE, huisnummer, letter, addition)])[0]
    return dict(zip(("pc4_sleutel", "adres_sleutel", *SIGNAL_KEYS), row, strict=True))[
        "sleutel_genormaliseerd"
    ]


def bag_key(addition: str | None, letter: str | None = None) -> int:
    row = fx.address_keys("bag", [(POSTCODE, 12, letter, addition)])[0]
    return dict(zip(("adres_sleutel", "pc4_sleutel", *BAG_KEYS), row, strict=True))[
        "sleutel_genormaliseerd"
    ]


# (signal's house number as delivered, BAG toevoeging): the same address in the loose reading
SAME = [
    *((f"12-{roman(n)}", str(n)) for n in range(1, 11)),
    *((f"12 {roman(n).lower()}", str(n)) for n in range(1, 11)),
    ("12 hs", "H"),
    ("12 huis", "H"),
    ("12-HS", "H"),
    ("12-02", "2"),
    ("12-007", "7"),
    ("12-10", "10"),
    ("12 V", "5"),  # a lone letter V is the huisletter, read as the addition floor 5
    ("12 X", "10"),
]
# ... and different addresses
DIFFERENT = [
    ("12-IV", "6"),
    ("12-VI", "4"),
    ("12-IX", "11"),
    ("12-XI", "9"),
    ("12-II", "11"),
    ("12-III", "111"),
    ("12-20", "2"),
    ("12-01", "10"),
]


@pytest.mark.parametrize(("signal", "addition"), SAME)
def test_the_loose_addition_fits_the_bag_addition(signal: str, addition: str) -> None:
    assert signal_key(signal) == bag_key(addition), (signal, addition)


@pytest.mark.parametrize(("signal", "addition"), DIFFERENT)
def test_the_loose_addition_keeps_other_floors_apart(signal: str, addition: str) -> None:
    assert signal_key(signal) != bag_key(addition), (signal, addition)


@pytest.mark.parametrize("n", range(1, 11))
def test_a_roman_floor_in_bag_fits_the_signals_digits(n: int) -> None:
    """Both sides take the loose reading: BAG's 'III' is the signal's '3'."""
    assert bag_key(roman(n)) == signal_key(f"12-{n}")
    assert bag_key(roman(n)) == bag_key(str(n))


def keys(kind: str, letter: str | None, addition: str | None) -> dict[str, int | None]:
    """Every key of house number 12 with ``letter`` and ``addition`` (a signal's or a BAG
    address's)."""
    row = fx.address_keys(kind, [(POSTCODE, 12, letter, addition)])[0]
    first = ("adres_sleutel", "pc4_sleutel") if kind == "bag" else ("pc4_sleutel", "adres_sleutel")
    names = (*first, *(BAG_KEYS if kind == "bag" else SIGNAL_KEYS))
    return dict(zip(names, row, strict=True))


@pytest.mark.parametrize(
    ("signal", "bag", "fits"),
    [
        (("A", None), (None, "A"), True),  # letter A written where BAG has addition A
        ((None, "B"), ("B", None), True),  # addition B where BAG has letter B
        (("A", "2"), (None, "A"), False),  # a letter and an addition: not read the other way
        (("A", "2"), (None, "2"), False),
        ((None, "B"), (None, "B"), False),  # the same reading is the exact rule's, not this one
    ],
)
def test_the_letter_as_addition_reading(signal: tuple, bag: tuple, fits: bool) -> None:
    """letter_as_toevoeging compares the signal's sleutel_omgewisseld with BAG's sleutel_exact:
    only a signal with just a letter or just an addition has that reading."""
    swapped = keys("signal", *signal)["sleutel_omgewisseld"]
    assert (swapped == keys("bag", *bag)["sleutel_exact"]) is fits
    assert (swapped is None) is (signal[0] is not None and signal[1] is not None)


READING = st.one_of(st.none(), st.sampled_from(["1234AB:12", "1234AB:12:A", "1234AB:12::2", "x"]))


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.tuples(READING, READING, READING), max_size=30))
def test_a_reading_shared_with_the_first_column_gets_the_same_pseudonym(rows: list) -> None:
    """``_hashed`` hashes a reading equal to the first column's on its row only once: every
    column still equals its readings hashed one column at a time, NULL stays NULL."""
    names = ("a", "b", "c")
    frame = pl.DataFrame(
        {n: [r[i] for r in rows] for i, n in enumerate(names)},
        schema=dict.fromkeys(names, pl.String),
    )
    pseudonyms = BatchPseudonymiser(b"0f" * 32)
    got = _hashed(frame, names, pseudonyms)
    for name in names:
        expected = pseudonyms.series(pseudo.HUISNUMMER, frame.get_column(name))
        assert got.get_column(name).to_list() == expected.to_list(), name
