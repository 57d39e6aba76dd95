"""Free-text fields cannot carry personal data into the warehouse.

A partner (or a municipal extract) may put anything in any field: a BSN in the signal id,
a name and phone number in the house-number addition, a name in the gebruiksdoel. Every
field of every source gets a BSN, names and a phone number, alone and (for the house number)
behind a valid number; afterwards no value anywhere in the warehouse may hold one of them.

Not planted: ``wijken_buurten.area_name`` (area names are public reference data (CBS) that
the monitor publishes as they are; a name there is an area name) and the number fields
(amounts, day and attempt counts: a number is stored as a number, the scan would find any
9-digit one).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration.ingestion.loader import ingest_source
from orchestration.ingestion.sources import ALL_SPECS, AMOUNT, HUISNUMMER, INT, SourceSpec
from orchestration.ingestion.validate import INVALID_TOEVOEGING

from .privacy_scan import column_values, elfproef, personal_data

KEY = b"c8268b625812592a68cc8733d0ea5f5bc2419d5f84dce38d344ea736ea3b51fd"  # random, as keygen makes them
QUARTER = "2026Q3"
PARTNER = "eneco"

BSN = "111222333"
NAME = "Wilhelmina Oosterhuis"
SHORT_NAMES = ("Jan", "Anna")
"""Short enough to pass as a BAG addition (at most 4 letters): kept only as a keyed match key."""
PHONE = "06-98765432"
PLANTED = (BSN, NAME, *SHORT_NAMES, PHONE, f"{NAME} {PHONE}", f"{SHORT_NAMES[0]} {BSN}")
LITERALS = (BSN, "Wilhelmina", "Oosterhuis", *SHORT_NAMES, "98765432")
NOT_LOOKED_AT = {("wijken_buurten", "area_name")}


def _bsns() -> list[str]:
    """Distinct valid BSNs (elfproef) for the rows of the BSN-keyed sources."""
    return [f"{n:09d}" for n in range(100_000_000, 100_100_000) if elfproef(f"{n:09d}")]


def _base_row(spec: SourceSpec, n: int, bsn: str) -> dict[str, str]:
    """A valid row of ``spec``; ``n`` makes its key unique."""
    if spec.kind == "signalen":
        return {"signaal_id": f"S{n}", "partner_type": "energie", "signaaldatum": "2026-07-10",
                "startdatum_achterstand": "2026-06-01", "achterstand_bedrag": "100,00",
                "dagen_achterstand": "30", "crisissignaal": "ja", "warme_overdracht": "nee",
                "eindelevering": "nee", "postcode": "1017AB", "huisnummer": "12",
                "huisletter": "", "huisnummertoevoeging": "", "bsn": ""}  # fmt: skip
    if spec.kind == "bag_adressen":
        return {"adres_id": f"{363200000000000 + n:016d}", "postcode": "1017AB",
                "huisnummer": str(n % 99_999 + 1), "huisletter": "", "huisnummertoevoeging": "",
                "buurtcode": "BU03630000", "gemeentecode": "GM0363",
                "gebruiksdoel": "woonfunctie"}  # fmt: skip
    if spec.kind == "brp_personen":
        return {"bsn": bsn, "geboortedatum": "1980-01-01", "adres_id": "0363200000000001"}
    if spec.kind == "wijken_buurten":
        return {"area_code": f"BU0363{n:04d}", "area_name": "Buurt", "parent_code": "WK036300"}
    if spec.kind == "uitkeringen":
        return {"bsn": bsn, "regeling": "bbz", "startdatum": "2025-01-01", "einddatum": ""}
    if spec.kind == "schuldhulp":
        return {"bsn": bsn, "soort": "advies", "startdatum": "2025-01-01", "einddatum": ""}
    assert spec.kind == "vroegsignaal_zaken"
    return {"partner_code": PARTNER, "signaal_id": f"S{n}", "matchingsdatum": "2026-07-20",
            "resultaat": "quick_fix", "aantal_contactpogingen": "1", "bereikt": "ja",
            "datum_eerste_contact": "2026-07-21"}  # fmt: skip


def _planted_values(spec: SourceSpec, field: str) -> list[str]:
    values = list(PLANTED)
    if spec.field_map[field].kind == HUISNUMMER:
        values += [f"12 {v}" for v in PLANTED] + [f"12-{v}" for v in PLANTED]
    return values


def _file(spec: SourceSpec, bsns: list[str]) -> str:
    """Every field of ``spec`` once with every planted value, the other fields valid."""
    names = [f.name for f in spec.fields]
    rows = []
    for field in names:
        if (spec.kind, field) in NOT_LOOKED_AT or spec.field_map[field].kind in (AMOUNT, INT):
            continue
        for value in _planted_values(spec, field):
            n = len(rows) + 1
            row = _base_row(spec, n, bsns[n])
            row[field] = value
            rows.append(";".join(row[name] for name in names))
    return ";".join(names) + "\n" + "\n".join(rows) + "\n"


SOURCES = {spec.kind: (PARTNER if spec.kind == "signalen" else spec.kind) for spec in ALL_SPECS}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("free_text")
    bsns = _bsns()
    for spec in ALL_SPECS:
        folder = root / "landing" / QUARTER / SOURCES[spec.kind]
        folder.mkdir(parents=True)
        (folder / "planted.csv").write_text(_file(spec, bsns), encoding="utf-8")
    path = root / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        for source in SOURCES.values():
            report = ingest_source(con, QUARTER, source, root / "landing", KEY)
            assert not report.failed_files, source
    return path


def test_the_planted_rows_were_read_and_some_loaded(warehouse: Path) -> None:
    """Every planted row is accounted for, and rows with personal data in a free-text field
    that may hold anything (the signal id) are loaded, so the scan below looks at them."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        read = dict(con.execute(
            "select source, sum(rows_read) from audit.ingest_files group by 1").fetchall())  # fmt: skip
        signalen = con.execute("select count(*) from raw.signalen").fetchone()[0]
        zaken = con.execute("select count(*) from raw.vroegsignaal_zaken").fetchone()[0]
        reasons = {
            r for (r,) in con.execute("select distinct reason from audit.quarantine").fetchall()
        }
    assert set(read) == set(SOURCES.values())
    assert read[PARTNER] > 50
    assert signalen >= len(PLANTED)  # at least the signal ids: loaded, pseudonymised
    assert zaken >= len(PLANTED)
    assert INVALID_TOEVOEGING in reasons


def test_no_planted_value_is_in_any_table(warehouse: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        values = column_values(con)
    assert len({where for where, _ in values}) > 50
    assert personal_data(values, LITERALS) == []


def test_the_file_bytes_hold_no_planted_name(warehouse: Path) -> None:
    data = warehouse.read_bytes()
    for word in ("Wilhelmina", "Oosterhuis", "WILHELMINA", "OOSTERHUIS", PHONE, "0698765432"):
        assert word.encode() not in data, word


NOTATIONS = [
    # (huisnummer, huisletter, huisnummertoevoeging, quarantined)
    *[(n, "", "", False) for n in ("12", "12a", "12-A", "12 A", "12 bis", "12-2", "12 hs",
                                   "12-III", "12A-1", "12 1 hg", "12-sous")],  # CONTRACTS.md
    ("12", "b", "", False),
    ("12", "", "1HG", False),
    ("12", "", "ABCD", False),
    ("12", "Piet", "", False),  # four letters: a valid BAG addition (stored only keyed)
    ("12", "", "ABCDE", True),
    ("12", "", "06-12345678", True),
    ("12", "", "111222333", True),
    ("12 Piet Bakker", "", "", True),
    ("12-1 hoog", "", "", True),  # not a BAG addition; no BAG address could match it
    ("12", "é", "", True),
    ("12", "", "1 OR 1=1", True),
]  # fmt: skip


def test_letters_and_additions_are_checked_against_the_bag(tmp_path: Path) -> None:
    header = "signaal_id;signaaldatum;achterstand_bedrag;postcode;huisnummer;huisletter;toev"
    rows = [f"N{i};2026-07-10;10;1017AB;{n};{letter};{addition}"
            for i, (n, letter, addition, _) in enumerate(NOTATIONS)]  # fmt: skip
    folder = tmp_path / QUARTER / PARTNER
    folder.mkdir(parents=True)
    (folder / "n.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    con = duckdb.connect()
    ingest_source(con, QUARTER, PARTNER, tmp_path, KEY)
    reasons = dict(con.execute("select line_number, reason from audit.quarantine").fetchall())
    expected = {i + 2: INVALID_TOEVOEGING for i, row in enumerate(NOTATIONS) if row[3]}
    assert reasons == expected
