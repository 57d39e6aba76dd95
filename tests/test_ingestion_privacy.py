"""Personal data stops at ingestion: scan every table and column of the warehouse file.

Every source gets files full of names, streets, phone numbers, e-mail addresses, customer
numbers, birth dates and BSNs, in loaded rows, quarantined rows and failed files; afterwards
no value anywhere in the DuckDB file may look like (or be) one of them.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration.ingestion.loader import ingest_source
from orchestration.ingestion.sources import MUNICIPAL_SOURCES

from .privacy_scan import column_values, personal_columns, personal_data

KEY = b"9c5c525aa07996ff95b8ac44e4a754d6c2c17bc35c551b2478c040ff09682e66"  # random, as keygen makes them
QUARTER = "2026Q3"

NAMES = ["Wilhelmina", "Oosterhuis", "Théo", "Verbeeck", "Ëlise", "Çelik", "W.J.", "Piet Bakker"]
STREETS = ["Prinsengracht", "Oudezijds Voorburgwal", "Bloemgracht"]
PLACES = ["Zaandam", "Purmerend"]
PHONES = ["06-98765432", "0698765432", "+31 20 555 0199", "020-5550199"]
EMAILS = ["w.oosterhuis@example.nl", "theo@example.org"]
CUSTOMER_NUMBERS = ["KL-99887766", "CUST4455"]
BIRTH_DATES = ["1961-04-17", "17-04-1961", "19610417"]
BSNS = ["111222333", "123456782", "012345672", "987654321"]
ADRES_IDS = ["0363200000000001", "0363200000000002"]
POSTCODES = ["1017AB", "1016 DE"]

FILES: dict[str, dict[str, str]] = {
    "eneco": {  # partner header names from the registry, personal columns included
        "signalen.csv": "Referentie;Meldingsdatum;Openstaand bedrag;Postcode;Huisnr;Toev;"
        "Naam klant;Klantnummer;Telefoon\n"
        "E1;2026-07-10;€ 120,50;1017AB;12;2;Wilhelmina Oosterhuis;KL-99887766;06-98765432\n"
        "E2;2026-07-11;0;1016 DE;3;;Théo Verbeeck;CUST4455;+31 20 555 0199\n"  # quarantined
        "E3;2026-07-12;15;1017AB;x;;Ëlise Çelik;KL-99887766;020-5550199\n",  # quarantined
        "no_header.csv": "E9;2026-07-10;10;1017AB;12;;Piet Bakker;CUST4455;0698765432\n" * 2,
    },
    "vattenfall": {
        "v.csv": "SignalID,SignalDate,AmountDue,ZipCode,HouseNumber,CustomerName,Email,Street,"
        "City\n"
        "V1,2026-07-10,99.95,1017AB,12,W.J. Oosterhuis,w.oosterhuis@example.nl,Prinsengracht,"
        "Zaandam\n"
        "V2,2026-13-10,99.95,1017AB,12,Theo,theo@example.org,Bloemgracht,Purmerend\n",
    },
    "zilveren_kruis": {
        "zk.csv": "Signaal ID;Peildatum;Premieachterstand;Postcode;Huisnummer;Verzekerde;"
        "Geboortedatum;Burgerservicenummer\n"
        "Z1;2026-08-01;300;1017AB;12;Wilhelmina Oosterhuis;1961-04-17;111222333\n"
        "Z2;2026-08-01;300;1017AB;12;Théo Verbeeck;17-04-1961;987654321\n"
        "Z3;2026-08-01;;1017AB;12;Ëlise;19610417;123456782\n",
    },
    "bag_adressen": {
        "bag.csv": "adres_id;postcode;huisnummer;straat;woonplaats;buurtcode;gebruiksdoel\n"
        "0363200000000001;1017AB;12;Prinsengracht;Zaandam;BU03630000;woonfunctie\n"
        "0363200000000002;1016 DE;3;Bloemgracht;Purmerend;BU03630000;woonfunctie\n"
        "0363200000000002;1016 DE;5;Bloemgracht;Purmerend;BU03630000;woonfunctie\n",
    },
    "brp_personen": {
        "brp.csv": "bsn;geboortedatum;adres_id;geslachtsnaam;voornamen;postcode;huisnummer;"
        "telefoonnummer;emailadres\n"
        "111222333;1961-04-17;0363200000000001;Oosterhuis;Wilhelmina;1017AB;12;06-98765432;"
        "w.oosterhuis@example.nl\n"
        "123456782;17-04-1961;0363200000000002;Verbeeck;Théo;1016 DE;3;;theo@example.org\n"
        "987654321;19610417;0363200000000002;Çelik;Ëlise;1016 DE;3;;\n",  # invalid BSN
        "missing_column.csv": "bsn;adres_id;naam\n012345672;0363200000000001;Piet Bakker\n",
    },
    "wijken_buurten": {
        "w.csv": "code;naam;parent_code\nGM0363;Gemeente;\nWK036300;Centrum;GM0363\n"
        "BU03630000;Kop Zeedijk;WK036300\n",
    },
    "uitkeringen": {
        "u.csv": "bsn;regeling;startdatum;einddatum;naam;woonplaats\n"
        "111222333;participatiewet;2025-01-01;;Wilhelmina Oosterhuis;Zaandam\n"
        "987654321;bbz;2025-01-01;;Théo Verbeeck;Purmerend\n",
    },
    "schuldhulp": {
        "s.csv": "bsn,soort,startdatum,einddatum,naam,telefoon\n"
        "123456782,budgetbeheer,2026-02-01,,Théo Verbeeck,0698765432\n"
        "012345672,onbekend,2026-02-01,,Ëlise Çelik,06-98765432\n",
    },
    "vroegsignaal_zaken": {
        "z.csv": "partner_code;signaal_id;matchingsdatum;resultaat;bereikt;naam;bsn\n"
        "eneco;E1;2026-07-20;quick_fix;ja;Wilhelmina Oosterhuis;111222333\n",
    },
}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("privacy")
    landing = root / "landing"
    for source, files in FILES.items():
        folder = landing / QUARTER / source
        folder.mkdir(parents=True)
        for name, text in files.items():
            (folder / name).write_bytes(text.encode("cp1252" if source == "eneco" else "utf-8"))
    path = root / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        reports = {s: ingest_source(con, QUARTER, s, landing, KEY) for s in FILES}
        # Redeliver a corrected file, so deleted rows exist in the file too.
        (landing / QUARTER / "eneco" / "signalen.csv").write_bytes(
            FILES["eneco"]["signalen.csv"].replace("0;1016 DE", "5;1016 DE").encode("cp1252")
        )
        reports["eneco"] = ingest_source(con, QUARTER, "eneco", landing, KEY)
    statuses = {s: sorted(f.status for f in r.files) for s, r in reports.items()}
    assert statuses["eneco"] == ["failed", "replaced"]
    assert statuses["brp_personen"] == ["failed", "loaded"]
    assert all(r.rows_quarantined > 0 for s, r in reports.items() if s not in (
        "wijken_buurten", "vroegsignaal_zaken"))  # fmt: skip
    return path


def test_the_warehouse_has_every_source(warehouse: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        sources = {
            s for (s,) in con.execute("SELECT DISTINCT source FROM audit.ingest_files").fetchall()
        }
    assert sources == set(FILES)
    assert set(MUNICIPAL_SOURCES) <= sources


def test_no_column_is_named_after_personal_data(warehouse: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert personal_columns(con) == set()


def test_no_value_looks_like_or_is_personal_data(warehouse: Path) -> None:
    literals = [*NAMES, *STREETS, *PLACES, *PHONES, *EMAILS, *CUSTOMER_NUMBERS, *BIRTH_DATES,
                *BSNS, *ADRES_IDS, *POSTCODES]  # fmt: skip
    with duckdb.connect(str(warehouse), read_only=True) as con:
        values = column_values(con)
    assert len({where for where, _ in values}) > 50
    dates = [(where, v) for where, v in values if isinstance(v, date)]
    problems = [(where, "a birth date") for where, v in dates if v == date(1961, 4, 17)]
    problems += personal_data([(w, v) for w, v in values if not isinstance(v, date)], literals)
    assert problems == []


def test_the_file_bytes_hold_no_names(warehouse: Path) -> None:
    """Belt and braces: not even deleted or uncompressed pages hold a delivered name."""
    data = warehouse.read_bytes()
    for word in [*NAMES, *STREETS, *PLACES, *EMAILS, *PHONES]:
        for encoding in ("utf-8", "cp1252"):
            assert word.encode(encoding) not in data, word


def test_quarantine_reasons_and_errors_are_generic(warehouse: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        reasons = {
            r for (r,) in con.execute("SELECT DISTINCT reason FROM audit.quarantine").fetchall()
        }
        errors = {e for (e,) in con.execute(
            "SELECT error FROM audit.ingest_files WHERE error IS NOT NULL").fetchall()}  # fmt: skip
    assert reasons == {
        "invalid huisnummer",
        "invalid date in signaaldatum",
        "missing required field achterstand_bedrag",
        "duplicate adres_id",
        "invalid bsn",
        "unknown soort",
    }
    assert errors == {
        "no_header.csv: none of its 9 columns is a known signalen column (expected e.g. "
        "signaal_id, signaaldatum, achterstand_bedrag, postcode, huisnummer); the first line "
        "looks like data: is the header line missing?",
        "missing_column.csv: missing required column geboortedatum",
    }
