"""After a real run, scan every table and column of both DuckDB files.

The run is conftest's session-scoped ``pipeline_baseline`` (``monitor generate --geography
synthetic --households 3000`` and ``monitor run``, once per test session). The checks use the
same scan as the ingestion privacy test (tests/privacy_scan.py):

* ``warehouse.duckdb``: no clear BSN (9 digits passing the elfproef), phone number, e-mail
  address, full postcode or BAG id in any value, no column named after personal data, and
  no name, street, place, phone, e-mail or customer number taken from the landing files;
* ``monitor.duckdb``: only area-level rows (or the publication log), no count from 1 to 9,
  and nothing of the above either.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb
import pytest

from orchestration.contract import publication_scope
from orchestration.ingestion.reading import decode, normalise_header
from orchestration.ingestion.sources import PERSONAL_FIELDS
from orchestration.parameters import indicators, partners

from .privacy_scan import column_values, columns, elfproef, personal_columns, personal_data

pytestmark = pytest.mark.e2e

LITERAL_FIELDS = ("naam", "straat", "woonplaats", "telefoon", "email", "klantnummer")
"""Personal fields whose delivered values must not be found anywhere (BSNs are found by the
elfproef, birth dates are not distinctive enough to look for)."""
MIN_LITERAL = 5
LEVEL_PREFIX = {"buurt": "BU", "wijk": "WK", "gemeente": "GM", "regio": "RG"}


def _personal_headers() -> dict[str, str]:
    """Normalised header name -> personal field, canonical names, aliases and registry names."""
    names = {normalise_header(n): field for field, aliases in PERSONAL_FIELDS.items()
             for n in (field, *aliases)}  # fmt: skip
    for partner in partners().values():
        for header, field in partner.header_mapping.items():
            if field in PERSONAL_FIELDS:
                names[normalise_header(header)] = field
    return names


def delivered_personal_values(landing: Path) -> dict[str, set[str]]:
    """Personal field -> the distinct values delivered in the landing files (not the area
    reference: its ``naam`` is an area name)."""
    headers = _personal_headers()
    found: dict[str, set[str]] = {field: set() for field in PERSONAL_FIELDS}
    for path in sorted(landing.rglob("*.csv")):
        if path.parent.name == "wijken_buurten":
            continue
        text = decode(path.read_bytes())[0].decode("utf-8")
        first = text.splitlines()[0]
        delimiter = max(";,\t", key=first.count)
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        for position, cell in enumerate(rows[0]):
            field = headers.get(normalise_header(cell))
            if field:
                found[field].update(
                    v.strip() for row in rows[1:] if len(row) > position and (v := row[position])
                )
    return found


def area_names(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {
        n.lower() for (n,) in con.execute("select area_name from raw.wijken_buurten").fetchall()
    }


@pytest.fixture(scope="module")
def run_dir(pipeline_baseline) -> Path:
    data_dir, _ = pipeline_baseline
    return Path(data_dir)


def test_the_input_really_holds_personal_data(run_dir: Path) -> None:
    """The scan below is only meaningful if the landing files carry what it looks for."""
    values = delivered_personal_values(run_dir / "landing")
    for field in ("naam", "straat", "telefoon", "email", "klantnummer", "bsn"):
        assert len(values[field]) >= 5, field
    assert values["woonplaats"]
    assert sum(elfproef(v) for v in values["bsn"]) >= 5


def test_warehouse_holds_no_personal_data(run_dir: Path) -> None:
    delivered = delivered_personal_values(run_dir / "landing")
    with duckdb.connect(str(run_dir / "warehouse.duckdb"), read_only=True) as con:
        # Area names are public reference data: the town is also the woonplaats, and a buurt
        # may be named after a person ("Citroënbuurt"). Those words are not looked for.
        public = area_names(con)
        literals = sorted(
            v for field in LITERAL_FIELDS for v in delivered[field]
            if len(v) >= MIN_LITERAL and not any(v.lower() in name for name in public)
        )  # fmt: skip
        assert len(literals) > 100
        assert personal_columns(con) == set()
        values = column_values(con)
        assert len({where for where, _ in values}) > 100  # every stage's tables were scanned
        findings = personal_data(values, literals, any_nine_digits=False)
        bsns = {v for v in delivered["bsn"] if elfproef(v)}
        findings += [(w, "a delivered BSN") for w, v in values if str(v) in bsns]
    assert sorted(set(findings)) == []


def test_monitor_holds_only_area_rows_without_small_counts(run_dir: Path) -> None:
    counts = [i.name for i in indicators() if i.kind == "count"]
    with duckdb.connect(str(run_dir / "monitor.duckdb"), read_only=True) as con:
        tables = {t for _, t, _ in columns(con)}
        assert tables == {"area_indicators", "buurt", "wijk", "gemeente", "regio",
                          "publication_log", "indicatoren", "buurt_leesbaar", "wijk_leesbaar",
                          "gemeente_leesbaar", "regio_leesbaar", "landelijke_referentie"}  # fmt: skip
        levels = con.execute(
            "select area_level, count(*) from area_indicators group by 1 order by 1"
        ).fetchall()
        # the levels the publication scope publishes for the periods in the file (a single
        # quarter has no four-quarter period, so no buurt rows; the synthetic gemeente is in
        # no region of seeds/regio_indeling.csv, so no regio rows)
        periods = con.execute("select distinct period_type from area_indicators").fetchall()
        scope = publication_scope()
        published = {level for (period,) in periods for level in scope[period]} - {"regio"}
        assert {level for level, _ in levels} == published
        small = con.execute(
            "select area_code, indicator from area_indicators where indicator in "
            "(select unnest(?)) and value >= 1 and value <= 9",
            [counts],
        ).fetchall()
        assert small == []
        for level in set(LEVEL_PREFIX) - published:
            assert con.execute(f"select count(*) from {level}").fetchone()[0] == 0, level
        for level, prefix in LEVEL_PREFIX.items():
            if level not in published:
                continue
            wrong = con.execute(
                "select count(*) from area_indicators where area_level = ? "
                "and not starts_with(area_code, ?)",
                [level, prefix],
            ).fetchone()[0]
            assert wrong == 0, level
            codes = con.execute(f"select area_code from {level}").fetchall()
            assert codes and all(code.startswith(prefix) for (code,) in codes), level
            small_wide = " or ".join(f'("{c}" >= 1 and "{c}" <= 9)' for c in counts)
            rows = con.execute(f"select area_code from {level} where {small_wide}").fetchall()
            assert rows == [], level
            labels = [label for (label,) in con.execute(
                "select label from indicatoren where soort = 'aantal'").fetchall()]  # fmt: skip
            assert len(labels) == len(counts)
            small_text = " or ".join(f'"{c}" in (' + ", ".join(f"'{n}'" for n in range(1, 10)) + ")"
                                     for c in labels)  # fmt: skip
            rows = con.execute(f"select 1 from {level}_leesbaar where {small_text}").fetchall()
            assert rows == [], f"{level}_leesbaar"
        assert personal_columns(con) == set()
        assert personal_data(column_values(con), any_nine_digits=False) == []
