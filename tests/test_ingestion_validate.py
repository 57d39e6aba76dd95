"""Validation rules (orchestration/ingestion/validate.py) tested directly, at their limits.

The loader's tests (tests/test_ingestion_loader.py) drive every rule through a real load; these
pin what those leave open: which header cells may be reported, and each rule on both sides
of its limit. Written for the mutation run of issue 20 (docs/mutation-testing.md).
"""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from orchestration.ingestion import sources as S
from orchestration.ingestion import validate
from orchestration.ingestion.loader import ingest_source

KEY = b"3f6a0c9e8d7b4a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f"  # random, as keygen makes them
QUARTER = "2026Q3"
LONG_AGO = 1_790_000_000


@pytest.mark.parametrize(
    ("cell", "looks_like_data"),
    [
        ("signaal_id", False),
        ("Huisnummer toevoeging", False),
        ("adres 2", False),
        ("1234", True),  # a number of four or more digits
        ("jan@example.nl", True),
        ("12,50", True),
        ("1234AB", True),
        ("1234 ab", True),
        ("31-07-2026", True),
        ("1/7/26", True),
    ],
)
def test_a_header_cell_that_looks_like_a_value_is_never_reported(
    cell: str, looks_like_data: bool
) -> None:
    assert validate.header_looks_like_data(["id", cell]) is looks_like_data
    label = validate.safe_label(cell, 4)
    if looks_like_data:
        assert label == "column 5 (name not shown: the header looks like data)"
    else:
        assert label == cell
    # one cell that looks like data hides every cell of the header
    assert validate.safe_label("naam", 0, suspicious=True).startswith("column 1 ")


def test_a_long_header_cell_is_not_reported() -> None:
    assert validate.safe_label("x" * 60, 0) == "x" * 60
    assert validate.safe_label("x" * 61, 0).startswith("column 1 (name not shown")


# --- values reach the raw tables in their normalised form -----------------------------------


def _load(tmp_path: Path, source: str, lines: list[str]) -> duckdb.DuckDBPyConnection:
    folder = tmp_path / QUARTER / source
    folder.mkdir(parents=True)
    path = folder / "extract.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.utime(path, (LONG_AGO, LONG_AGO))  # delivered long ago: not still being written
    con = duckdb.connect()
    ingest_source(con, QUARTER, source, tmp_path, KEY)
    return con


def test_zaken_values_are_stored_normalised_not_as_delivered(tmp_path: Path) -> None:
    """Dates and numbers in any accepted notation (CONTRACTS.md) are stored as the value, so
    a day-month-year date or Excel's ``2,0`` is the same as its ISO or plain form."""
    con = _load(tmp_path, "vroegsignaal_zaken", [
        "partner;signaal_id;matchingsdatum;resultaat;aantal_contactpogingen;bereikt;"
        "datum_eerste_contact",
        "eneco;E1;20-07-2026;quick_fix;2,0;ja;22/07/2026",
        "eneco;E2;20260721;geen_contact;03;nee;31.07.2026",
    ])  # fmt: skip
    rows = con.execute(
        "SELECT matchingsdatum, aantal_contactpogingen, datum_eerste_contact "
        "FROM raw.vroegsignaal_zaken ORDER BY line_number"
    ).fetchall()
    assert rows == [
        (date(2026, 7, 20), 2, date(2026, 7, 22)),
        (date(2026, 7, 21), 3, date(2026, 7, 31)),
    ]


def test_bag_gemeente_delivered_else_from_the_buurt_else_from_the_nummeraanduiding(
    tmp_path: Path,
) -> None:
    """After a municipal merger a nummeraanduiding keeps the number of the gemeente that
    issued it: the buurt, when delivered, decides (docs/architecture.md, raw.bag_adressen)."""
    con = _load(tmp_path, "bag_adressen", [
        "adres_id;postcode;huisnummer;buurtcode;gemeentecode;gebruiksdoel",
        "0999200000000001;1011AB;1;BU12340101;;woonfunctie",
        "0999200000000002;1011AB;2;BU12340101;;kantoorfunctie",
        "0999200000000003;1011AB;3;;;woonfunctie",
        "0999200000000004;1011AB;4;BU12340101;GM0555;woonfunctie",
    ])  # fmt: skip
    rows = con.execute(
        "SELECT buurtcode, gemeentecode FROM raw.bag_adressen ORDER BY line_number"
    ).fetchall()
    assert rows == [
        ("BU12340101", "GM1234"),
        (None, "GM1234"),  # no buurt kept for an address that is not residential
        (None, "GM0999"),
        ("BU12340101", "GM0555"),
    ]


def test_signal_values_are_stored_normalised(tmp_path: Path) -> None:
    """Every value column of raw.signalen holds the delivered value, normalised (CONTRACTS.md:
    any accepted notation), and the days in arrears are derived when not delivered."""
    con = _load(tmp_path, "eneco", [
        "signaal_id;signaaldatum;startdatum_achterstand;achterstand_bedrag;dagen_achterstand;"
        "crisissignaal;warme_overdracht;eindelevering;postcode;huisnummer",
        "S1;15-07-2026;01/05/2026;€ 1.234,50;;Ja;nee;j;1234 ab;12-a",
        "S2;20260716;;12;40;n;J;NEE;1234AB;14",
        "S3;2026-07-17;2026-07-17;12;;;;;1234AB;16",
    ])  # fmt: skip
    rows = con.execute(
        "SELECT signaaldatum, startdatum_achterstand, achterstand_bedrag, dagen_achterstand, "
        "crisissignaal, warme_overdracht, eindelevering FROM raw.signalen ORDER BY line_number"
    ).fetchall()
    assert rows == [
        (date(2026, 7, 15), date(2026, 5, 1), Decimal("1234.50"), 75, True, False, True),
        (date(2026, 7, 16), None, Decimal("12.00"), 40, False, True, False),
        (date(2026, 7, 17), date(2026, 7, 17), Decimal("12.00"), 0, None, None, None),
    ]


def test_header_mapping_sorts_every_cell() -> None:
    """Canonical names and aliases in any case are read, a field delivered twice is read again
    and reported as a duplicate, personal-data columns under any of their names are skipped
    without a word, and only what is left is reported as unknown."""
    header = [" Signaal ID ", "SignaalDatum", "Achternaam", "Voornamen", "naam", "E-mail",
              "signaal_id", "kleur", "postcode"]  # fmt: skip
    got = validate.map_header(header, S.SIGNALEN, None)
    assert got.positions == {"signaal_id": 0, "signaaldatum": 1, "postcode": 8}
    assert got.personal == [2, 3, 4, 5]
    assert got.repeated == {"signaal_id#6": 6}
    assert got.unknown == ["signaal_id (duplicate of signaal_id)", "kleur"]
    assert got.looks_like_data is False
    # a header that looks like data: not even a duplicate's name is reported
    data_like = validate.map_header(["signaal_id", "1234AB", "signaal_id"], S.SIGNALEN, None)
    assert data_like.unknown == [
        "column 2 (name not shown: the header looks like data)",
        "column 3 (name not shown: the header looks like data) (duplicate of signaal_id)",
    ]


def _reasons(con: duckdb.DuckDBPyConnection) -> list[tuple[int, str]]:
    return con.execute("SELECT line_number, reason FROM audit.quarantine ORDER BY 1").fetchall()


def test_a_field_delivered_twice_must_agree(tmp_path: Path) -> None:
    con = _load(tmp_path, "eneco", [
        "signaal_id;signaaldatum;achterstand_bedrag;postcode;huisnummer;postcode",
        "S1;2026-07-15;100;1234AB;12;1234AB",
        "S2;2026-07-15;100;1234AB;14;",
        "S3;2026-07-15;100;1234AB;16;1234AC",
    ])  # fmt: skip
    assert _reasons(con) == [
        (3, "column postcode delivered twice with different values"),
        (4, "column postcode delivered twice with different values"),
    ]
    assert con.execute("SELECT count(*) FROM raw.signalen").fetchone() == (1,)


def test_the_largest_amount_is_the_largest_decimal_12_2(tmp_path: Path) -> None:
    """DECIMAL(12,2) (CONTRACTS.md) holds 9,999,999,999.99; more, also after rounding, is
    quarantined rather than failing the file."""
    con = _load(tmp_path, "eneco", [
        "signaal_id;signaaldatum;achterstand_bedrag;postcode;huisnummer",
        "S1;2026-07-15;9999999999.99;1234AB;12",
        "S2;2026-07-15;9999999999.995;1234AB;12",
        "S3;2026-07-15;10000000000;1234AB;12",
        "S4;2026-07-15;0,005;1234AB;12",
        "S5;2026-07-15;0,004;1234AB;12",
    ])  # fmt: skip
    assert _reasons(con) == [
        (3, "invalid amount in achterstand_bedrag"),
        (4, "invalid amount in achterstand_bedrag"),
        (6, "amount must be > 0"),
    ]
    amounts = con.execute("SELECT achterstand_bedrag FROM raw.signalen ORDER BY line_number")
    assert amounts.fetchall() == [(Decimal("9999999999.99"),), (Decimal("0.01"),)]


def test_value_length_limit_and_empty_lines(tmp_path: Path) -> None:
    limit = validate.MAX_VALUE_CHARS
    con = _load(tmp_path, "eneco", [
        "signaal_id;signaaldatum;achterstand_bedrag;postcode;huisnummer",
        f"{'S' * limit};2026-07-15;100;1234AB;12",
        f"{'T' * (limit + 1)};2026-07-15;100;1234AB;12",
        "",
        "S3;2026-07-15;100;1234AB;12",
    ])  # fmt: skip
    assert _reasons(con) == [
        (3, f"value too long in signaal_id (over {limit} characters)"),
        (4, "empty line"),
    ]


@pytest.mark.parametrize("source", ["uitkeringen", "schuldhulp"])
def test_a_spell_may_end_the_day_it_starts_not_before(tmp_path: Path, source: str) -> None:
    column, code = ("regeling", "bbz") if source == "uitkeringen" else ("soort", "wsnp")
    con = _load(tmp_path, source, [
        f"bsn;{column};startdatum;einddatum",
        f"111222333;{code};2026-02-01;2026-02-01",
        f"111222333;{code};2026-02-01;2026-01-31",
    ])  # fmt: skip
    assert _reasons(con) == [(3, "einddatum before startdatum")]
