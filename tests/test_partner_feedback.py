"""Partner feedback end to end: a region of three real-shaped gemeenten (the hand-made
Drechtsteden area file) through the real stack for two quarters, then every partner file
opened as its partner would (issue 16).

Each file is checked against counts the test makes itself from the warehouse's household
facts (not from the partner model), against the other partners' files, and by the LP audit
run on the file as read back, both quarters together (what a partner that kept its files
holds); the partner page against the file; and a narrow cell in the partner candidate must
stop Dagster before any partner file changes. The outcomes of a quarter's households come
with the next quarter's file (period type kwartaal_afgerond, #15 item 7): the first quarter
has none and says they follow, the second has those of the first.
"""

from __future__ import annotations

import csv
import hashlib
import re
import shutil
from collections import Counter
from pathlib import Path

import duckdb
import polars as pl
import pytest

from orchestration.contract import PARTNER_CANDIDATE_TABLE, PARTNER_FILES_ASSET
from orchestration.dictionary import GEHEIM, NO_DENOMINATOR
from orchestration.parameters import indicators, partners
from orchestration.partners.protect import PARTNER_KEY, audit_partner

from .conftest import REGION_QUARTERS, run_monitor_in

pytestmark = pytest.mark.e2e

BEFORE, QUARTER = REGION_QUARTERS
GEMEENTEN = {"GM0505", "GM0590", "GM0642"}
OUTCOMES = {"hh_opgepakt", "hh_bereikt", "hh_hulp_geaccepteerd", "mediaan_dagen_tot_contact"}
"""The partner figures that come a quarter later (with their rates)."""


@pytest.fixture(scope="module")
def region(drechtsteden_run: Path) -> Path:
    """The Drechtsteden region run for 2026Q2, then 2026Q3 (conftest's ``drechtsteden_run``);
    its data directory. Read-only: copy it to change it."""
    return drechtsteden_run


def files_of(data_dir: Path) -> dict[str, Path]:
    return {p.stem: p for p in sorted((data_dir / "partners").glob("*.duckdb"))}


def read_file(path: Path) -> dict[str, pl.DataFrame]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {
            table: con.execute(f"select * from {table}").pl()
            for table in ("terugkoppeling", "levering", "quarantaine", "partner")
        }


def own_counts(data_dir: Path) -> dict[tuple[str, str, str, str, str], float]:
    """(kwartaal, periodesoort, partner, gemeente, indicator) -> the count, made here from the
    household facts: the partner's linked signals and its households of the quarter, in the
    household's gemeente; and of the quarter before, its households with their outcome as
    known a quarter later (fct_huishouden_uitkomsten)."""
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        rows = con.execute(
            """
            with linked as (
                select s.partner_code, s.publicatiegroep, s.huishouden_id, h.gemeentecode,
                       u.opgepakt, u.bereikt, u.hulp_geaccepteerd
                from main_marts.fct_signalen as s
                join main_marts.fct_huishouden_signalen as h
                  on h.quarter = s.quarter and h.huishouden_id = s.huishouden_id
                join main_marts.fct_huishouden_uitkomsten as u
                  on u.period = h.quarter and u.huishouden_id = h.huishouden_id
                where s.quarter = ? and u.quarter = ?
            ),
            own as (
                select s.partner_code, s.publicatiegroep, s.huishouden_id, h.gemeentecode
                from main_marts.fct_signalen as s
                join main_marts.fct_huishouden_signalen as h
                  on h.quarter = s.quarter and h.huishouden_id = s.huishouden_id
                where s.quarter = ?
            )
            select 'kwartaal', partner_code, gemeentecode,
                   'signalen_' || any_value(publicatiegroep), count(*) from own group by all
            union all
            select 'kwartaal', partner_code, gemeentecode, 'hh_met_signaal',
                   count(distinct huishouden_id) from own group by all
            union all
            select 'kwartaal_afgerond', partner_code, gemeentecode, 'hh_met_signaal',
                   count(distinct huishouden_id) from linked group by all
            union all
            select 'kwartaal_afgerond', partner_code, gemeentecode, 'hh_opgepakt',
                   count(distinct huishouden_id) filter (where opgepakt) from linked group by all
            union all
            select 'kwartaal_afgerond', partner_code, gemeentecode, 'hh_bereikt',
                   count(distinct huishouden_id) filter (where bereikt) from linked group by all
            union all
            select 'kwartaal_afgerond', partner_code, gemeentecode, 'hh_hulp_geaccepteerd',
                   count(distinct huishouden_id) filter (where hulp_geaccepteerd)
            from linked group by all
            """,
            [BEFORE, QUARTER, QUARTER],
        ).fetchall()
    return {(QUARTER, t, p, g, i): float(n) for t, p, g, i, n in rows}


def in_quarter(frame: pl.DataFrame, quarter: str = QUARTER) -> pl.DataFrame:
    return frame.filter(pl.col("kwartaal") == quarter)


def test_every_partner_delivering_gets_a_file_with_its_own_figures_only(region) -> None:
    files = files_of(region)
    with duckdb.connect(str(region / "warehouse.duckdb"), read_only=True) as con:
        delivered = dict(
            con.execute(
                "select source, list(distinct file_name) from audit.ingest_files "
                "where quarter = ? group by source",
                [QUARTER],
            ).fetchall()
        )
    assert set(files) == {p for p in delivered if p in partners()}
    expected = own_counts(region)
    compared = quarantined = later = 0
    for partner, path in files.items():
        tables = read_file(path)
        assert tables["partner"][PARTNER_KEY].to_list() == [partner]
        assert set(in_quarter(tables["levering"])["bestand"]) == set(delivered[partner])
        assert set(in_quarter(tables["quarantaine"])["bestand"]) <= set(delivered[partner])
        quarantine = tables["quarantaine"]  # every reason recorded is said in Dutch
        assert (quarantine["reden"] != quarantine["reden_bij_inlezen"]).all(), quarantine
        quarantined += quarantine.height
        feedback = tables["terugkoppeling"]
        assert set(feedback["gemeentecode"]) <= GEMEENTEN
        published = feedback.filter(pl.col("status") == "gepubliceerd")
        for quarter, period_type, gemeente, indicator, value in published.select(
            "kwartaal", "periodesoort", "gemeentecode", "indicator", "waarde"
        ).iter_rows():
            key = (quarter, period_type, partner, gemeente, indicator)
            if key in expected:
                assert value == expected[key], key
                compared += 1
                later += period_type == "kwartaal_afgerond"
        # no other partner's code or name anywhere in the file's text
        text = " ".join(
            str(v) for df in tables.values() for col in df.columns for v in df[col].to_list()
        ).lower()
        others = {p for p in partners() if p != partner and p not in partner}
        assert not [p for p in others if re.search(rf"\b{p}\b", text)]
    assert compared >= 20, compared  # enough published cells to mean something
    assert later >= 10, later
    assert quarantined > 0, "the generator quarantines some lines of every quarter"
    # they leave the warehouse, like monitor.duckdb: readable, in a readable folder
    made = [*files.values(), *(p.with_suffix(".csv") for p in files.values())]
    assert {p.name: oct(p.stat().st_mode & 0o777) for p in made} == {p.name: "0o644" for p in made}
    assert (region / "partners").stat().st_mode & 0o777 == 0o755


def test_the_partner_csv_says_geheim_or_nvt_where_the_file_has_no_value(region) -> None:
    """The CSV beside each partner file has the file's rows; a suppressed figure reads geheim,
    or n.v.t. for a rate or median whose denominator the same period and gemeente publish as
    0."""
    over = {i.name: i.denominator for i in indicators() if i.kind in ("rate", "median")}
    texts = Counter()
    for path in files_of(region).values():
        feedback = read_file(path)["terugkoppeling"]
        values = {
            (q, p, g, i): v
            for q, p, g, i, v in feedback.select(
                "kwartaal", "periode", "gemeentecode", "indicator", "waarde"
            ).iter_rows()
        }
        with path.with_suffix(".csv").open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.DictReader(f, delimiter=";"))
        assert len(rows) == feedback.height
        for row in rows:
            key = (row["Kwartaal"], row["Periode"], row["Gemeentecode"], row["Indicator"])
            if values[key] is not None:
                continue
            nothing = key[3] in over and values.get((*key[:3], over[key[3]])) == 0
            expected = NO_DENOMINATOR if nothing else GEHEIM
            assert (row["Waarde"], row["Status"]) == (expected, GEHEIM), (path.name, row)
            texts[expected] += 1
    assert texts[GEHEIM] > 0, texts


def test_the_outcomes_of_a_quarter_come_with_the_next_file(region) -> None:
    """No quarter's own rows carry an outcome; the first quarter has none at all, the second
    has those of the first (period 2026Q2), with its households repeated as the first
    quarter's rows have them (value and status)."""
    with_outcomes = 0
    for partner, path in files_of(region).items():
        feedback = read_file(path)["terugkoppeling"]
        own = feedback.filter(pl.col("periodesoort") == "kwartaal")
        assert (own["periode"] == own["kwartaal"]).all()
        assert not set(own["indicator"]) & OUTCOMES, partner
        assert set(in_quarter(feedback, BEFORE)["periodesoort"]) <= {"kwartaal"}
        later = feedback.filter(pl.col("periodesoort") == "kwartaal_afgerond")
        assert set(later["kwartaal"]) <= {QUARTER} and set(later["periode"]) <= {BEFORE}
        households = "hh_met_signaal"
        repeated = later.filter(pl.col("indicator") == households).select(
            "gemeentecode", "waarde", "status"
        )
        first = in_quarter(own, BEFORE).filter(pl.col("indicator") == households)
        assert repeated.join(first, on="gemeentecode", how="anti").height == 0, partner
        assert repeated.sort("gemeentecode").equals(
            first.select(repeated.columns)
            .join(repeated.select("gemeentecode"), on="gemeentecode")
            .sort("gemeentecode")
        ), partner
        with_outcomes += bool(set(later["indicator"]) & OUTCOMES)
    assert with_outcomes >= 5, with_outcomes


def test_every_partner_file_passes_the_audit_as_its_partner_reads_it(region) -> None:
    """Both quarters of each file together: a partner that kept both files holds the first
    quarter's signals and households beside their outcomes in the second."""
    narrow = 0
    checked = 0
    for partner, path in files_of(region).items():
        feedback = read_file(path)["terugkoppeling"]
        assert set(feedback["kwartaal"]) == {BEFORE, QUARTER}
        geheim = feedback.filter(pl.col("status") == GEHEIM)
        assert geheim["waarde"].null_count() == geheim.height
        assert set(feedback["status"]) <= {"gepubliceerd", GEHEIM}
        published = feedback.select(
            pl.lit(partner).alias(PARTNER_KEY),
            pl.col("kwartaal").alias("quarter"),
            pl.col("periodesoort").alias("period_type"),
            pl.col("periode").alias("period"),
            pl.lit("gemeente").alias("area_level"),
            pl.col("gemeentecode").alias("area_code"),
            pl.col("gemeente").alias("area_name"),
            pl.lit(None, pl.String).alias("parent_code"),
            "indicator",
            pl.col("waarde").alias("value"),
            pl.when(pl.col("status") == GEHEIM)
            .then(pl.lit("suppressed"))
            .otherwise(pl.lit("published"))
            .alias("status"),
        )
        audit = audit_partner(published)
        assert not audit.violations, (partner, audit.violations)
        narrow += len(audit.failures)
        checked += audit.n_checked
    assert narrow == 0
    assert checked > 0


def test_the_partner_page_shows_the_files_figures_and_no_other_partner(region, tmp_path) -> None:
    """The page of the second quarter: its own figures beside the first quarter's, and the
    outcomes of the first under their period; every cell is the file's. The page of the
    first quarter says its outcomes follow with the next file."""
    partner = "eneco"
    data_dir = tmp_path / "data"  # the pages are written beside the files: not in the shared run
    shutil.copytree(region, data_dir, ignore=shutil.ignore_patterns("dagster_home", "dbt_target"))
    for quarter in (BEFORE, QUARTER):
        run_monitor_in(data_dir, "partner-report", "--partner", partner, "--quarter", quarter)
    page = (data_dir / "partners" / f"{partner}_{QUARTER}.html").read_text(encoding="utf-8")
    assert "Eneco" in page and "<script" not in page and "http" not in page
    for code, info in partners().items():
        if code != partner:
            assert info.naam not in page, info.naam
    assert (
        f"Uitkomsten over {BEFORE}: zaken worden vaak weken na het signaal afgesloten, daarom "
        "komen ze een kwartaal later"
    ) in page
    feedback = read_file(data_dir / "partners" / f"{partner}.duckdb")["terugkoppeling"]
    values = {
        (q, p, g, i): v
        for q, p, g, i, v in feedback.select(
            "kwartaal", "periode", "gemeentecode", "indicator", "waarde"
        ).iter_rows()
    }
    cells = re.findall(
        r'data-gemeente="([^"]+)" data-indicator="([^"]+)" data-quarter="([^"]+)" '
        r'data-period="([^"]+)"(?: data-value="([^"]+)")?>([^<]*)<',
        page,
    )
    assert len(cells) >= 2 * len(GEMEENTEN)
    shown = {(quarter, period) for _, _, quarter, period, _, _ in cells}
    assert shown == {(QUARTER, QUARTER), (BEFORE, BEFORE), (QUARTER, BEFORE)}, shown
    assert {i for _, i, q, p, _, _ in cells if p != q} >= OUTCOMES - {"mediaan_dagen_tot_contact"}
    over = {i.name: i.denominator for i in indicators() if i.kind in ("rate", "median")}
    for gemeente, indicator, quarter, period, value, text in cells:
        key = (quarter, period, gemeente, indicator)
        if text in (GEHEIM, NO_DENOMINATOR):  # n.v.t.: over a published 0
            assert value == "" and values[key] is None
            nothing = indicator in over and values.get((*key[:3], over[indicator])) == 0
            assert text == (NO_DENOMINATOR if nothing else GEHEIM), key
        else:
            assert float(value) == values[key], key
    first = (data_dir / "partners" / f"{partner}_{BEFORE}.html").read_text(encoding="utf-8")
    assert "Uitkomsten over" not in first
    assert f"volgt in het bestand van {QUARTER}" in first


def test_a_narrow_partner_cell_stops_dagster_before_any_partner_file_changes(
    region, tmp_path, monkeypatch
) -> None:
    from dagster import AssetKey

    from orchestration.assets.partners import partner_audit, partner_files
    from orchestration.contract import PARTNER_CANDIDATE_ASSET

    from .pipeline_support import checks_then_asset

    data_dir = tmp_path / "data"
    shutil.copytree(region, data_dir, ignore=shutil.ignore_patterns("dagster_home"))
    monkeypatch.setenv("MONITOR_DEMO", "1")
    with duckdb.connect(str(data_dir / "warehouse.duckdb")) as con:
        partner, gemeente = con.execute(
            f"update {PARTNER_CANDIDATE_TABLE} set value = 3, status = 'published' "
            f"where quarter = '{QUARTER}' and ({PARTNER_KEY}, area_code, indicator) = "
            f"(select ({PARTNER_KEY}, area_code, indicator) from {PARTNER_CANDIDATE_TABLE} "
            f"where quarter = '{QUARTER}' and status = 'suppressed' and "
            "indicator = 'hh_bereikt' order by all limit 1) returning partner_code, area_code"
        ).fetchone()
    before = {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files_of(data_dir).values()
    }

    result = checks_then_asset(
        data_dir,
        partner_files,
        PARTNER_FILES_ASSET,
        partner_audit,
        PARTNER_CANDIDATE_ASSET,
        QUARTER,
    )

    (evaluation,) = result.get_asset_check_evaluations()
    assert not evaluation.passed
    assert partner in evaluation.description, evaluation.description
    # the outcomes of the quarter before: a cell of that period (both are in the audit)
    assert f"{partner}: {BEFORE}:{gemeente} hh_bereikt: published count below min_count" in str(
        evaluation.metadata["violations"].value
    )
    assert AssetKey(PARTNER_FILES_ASSET) not in {
        m.asset_key for m in result.get_asset_materialization_events()
    }
    after = {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files_of(data_dir).values()
    }
    assert after == before


def test_a_withdrawn_delivery_empties_its_quarter_and_leaves_the_others(region, tmp_path) -> None:
    """The quarter written again after one partner's delivery was withdrawn (its rows gone from
    the warehouse): its file loses the quarter and keeps the one before, every other
    partner's file holds the same."""
    from orchestration.partners.files import write_partner_files
    from orchestration.settings import Paths

    data_dir = tmp_path / "data"
    shutil.copytree(region, data_dir, ignore=shutil.ignore_patterns("dagster_home"))
    before = {p: read_file(path) for p, path in files_of(data_dir).items()}
    gone = "eneco"
    with duckdb.connect(str(data_dir / "warehouse.duckdb")) as con:
        con.execute(f"delete from {PARTNER_CANDIDATE_TABLE} where {PARTNER_KEY} = ?", [gone])
        con.execute("delete from audit.ingest_files where source = ?", [gone])
        con.execute("delete from audit.quarantine where source = ?", [gone])
        written = write_partner_files(con, QUARTER, Paths(data_dir))
    assert gone in {f.partner for f in written}
    after = {p: read_file(path) for p, path in files_of(data_dir).items()}
    assert set(after) == set(before)
    for table in ("terugkoppeling", "levering", "quarantaine"):
        assert in_quarter(after[gone][table]).height == 0, table
        assert in_quarter(before[gone][table]).height > 0 or table == "quarantaine", table
        assert after[gone][table].equals(in_quarter(before[gone][table], BEFORE)), table
    for partner in set(before) - {gone}:
        for table in ("terugkoppeling", "levering", "quarantaine"):
            assert after[partner][table].equals(before[partner][table]), (partner, table)
    csv = (data_dir / "partners" / f"{gone}.csv").read_text(encoding="utf-8-sig")
    lines = csv.strip().split("\n")[1:]  # the header, then the quarter before only
    assert lines and all(line.startswith(f"{BEFORE};") for line in lines)


def test_a_quarter_goes_to_a_partner_once_until_the_operator_withdraws_it(region, tmp_path) -> None:
    """A rerun that makes other figures for one partner (here: one of its published counts
    changed in the candidate) keeps the figures its file holds, and says so; the others are
    written as before. `monitor partner-withdraw` removes the quarter; the next write then
    holds the new figures."""
    from orchestration.partners.files import write_partner_files
    from orchestration.settings import Paths

    data_dir = tmp_path / "data"
    shutil.copytree(region, data_dir, ignore=shutil.ignore_patterns("dagster_home"))
    partner = "eneco"
    before = {p: read_file(path) for p, path in files_of(data_dir).items()}
    with duckdb.connect(str(data_dir / "warehouse.duckdb")) as con:
        con.execute(
            f"update {PARTNER_CANDIDATE_TABLE} set value = value + 1 where {PARTNER_KEY} = ? "
            f"and quarter = '{QUARTER}' and indicator = 'signalen' and area_code = 'GM0505'",
            [partner],
        )
        written = {f.partner: f for f in write_partner_files(con, QUARTER, Paths(data_dir))}
    assert [p for p, f in written.items() if f.kept] == [partner]
    for p, path in files_of(data_dir).items():
        assert read_file(path)["terugkoppeling"].equals(before[p]["terugkoppeling"]), p

    result = run_monitor_in(
        data_dir, "partner-withdraw", "--partner", partner, "--quarter", QUARTER
    )
    assert f"{QUARTER} removed from the file of {partner}" in result.stdout + result.stderr
    assert in_quarter(read_file(files_of(data_dir)[partner])["terugkoppeling"]).height == 0
    with duckdb.connect(str(data_dir / "warehouse.duckdb")) as con:
        written = {f.partner: f for f in write_partner_files(con, QUARTER, Paths(data_dir))}
    assert not any(f.kept for f in written.values())
    after = in_quarter(read_file(files_of(data_dir)[partner])["terugkoppeling"])
    signalen = after.filter(
        (pl.col("indicator") == "signalen") & (pl.col("gemeentecode") == "GM0505")
    )["waarde"].to_list()
    old = (
        in_quarter(before[partner]["terugkoppeling"])
        .filter((pl.col("indicator") == "signalen") & (pl.col("gemeentecode") == "GM0505"))[
            "waarde"
        ]
        .to_list()
    )
    assert signalen == [old[0] + 1]
    refused = run_monitor_in(
        data_dir, "partner-withdraw", "--partner", "../monitor", "--quarter", QUARTER, check=False
    )
    assert refused.returncode != 0 and "no partner file for '../monitor'" in refused.stderr


def test_every_column_type_of_a_partner_file_has_a_frame_type() -> None:
    """The rows go into a partner file as one frame (``_insert_rows``): a column type without
    a Polars type would fail the first quarter that has such a row."""
    from orchestration.partners.files import POLARS_TYPES, QUARTER_TABLES

    types = {sql_type for columns in QUARTER_TABLES.values() for sql_type in columns.values()}
    assert types <= set(POLARS_TYPES), types - set(POLARS_TYPES)


def test_a_partner_file_of_before_the_period_columns_takes_the_next_quarter(
    region, tmp_path
) -> None:
    """A partner file written before feedback had periods (its ``terugkoppeling`` without
    ``periodesoort`` and ``periode``, docs/migrations.md 14) holding the quarter before: the
    next quarter is written into it, its old figures read as the quarter's own, and the new
    quarter's figures are those of a file of this version."""
    from orchestration.partners.files import write_partner_files
    from orchestration.settings import Paths

    data_dir = tmp_path / "data"
    shutil.copytree(region, data_dir, ignore=shutil.ignore_patterns("dagster_home"))
    partner = "eneco"
    path = files_of(data_dir)[partner]
    current = read_file(path)["terugkoppeling"]
    with duckdb.connect(str(path)) as con:
        con.execute(
            "create table old as select * exclude (periodesoort, periode) from terugkoppeling "
            f"where kwartaal = '{BEFORE}' and periodesoort = 'kwartaal'"
        )
        con.execute("drop table terugkoppeling")
        con.execute("alter table old rename to terugkoppeling")
    with duckdb.connect(str(data_dir / "warehouse.duckdb")) as con:
        written = {f.partner: f for f in write_partner_files(con, QUARTER, Paths(data_dir))}
    assert not written[partner].kept
    after = read_file(path)["terugkoppeling"]
    old = in_quarter(after, BEFORE)
    expected_old = in_quarter(current, BEFORE).filter(pl.col("periodesoort") == "kwartaal")
    assert old.height == expected_old.height > 0
    assert set(old["periodesoort"]) == {"kwartaal"} and set(old["periode"]) == {BEFORE}
    new = in_quarter(after).select(current.columns)  # the added columns come last in the file
    assert new.sort(current.columns).equals(in_quarter(current).sort(current.columns))
    csv = (data_dir / "partners" / f"{partner}.csv").read_text(encoding="utf-8-sig")
    assert sum(line.startswith(f"{BEFORE};") for line in csv.split("\n")) == old.height


def test_a_rate_over_a_published_zero_reads_nvt_in_the_csv_and_on_the_page(tmp_path) -> None:
    """Suppressed rates and a median of two gemeenten (and two quarters on the page): those
    whose denominator the same gemeente and period publish as 0 read n.v.t., the others
    geheim, in the CSV and on the partner's page (the region's partners have no such cell:
    their gemeenten are large)."""
    from orchestration.partners.files import FEEDBACK_COLUMNS, _stage_csv
    from orchestration.partners.report import _funnel

    rates = [i for i in indicators() if i.kind == "rate"]
    median = next(i for i in indicators() if i.kind == "median")
    zero = next(r for r in rates if r.denominator == median.denominator)
    other = next(r for r in rates if r.denominator != zero.denominator)

    def figures(first: float, second: float) -> dict[str, tuple]:
        """indicator -> (value, status, soort, omschrijving), as the file holds them"""
        return {
            zero.denominator: (first, "gepubliceerd", "aantal", "noemer"),
            other.denominator: (second, "gepubliceerd", "aantal", "noemer"),
            zero.name: (None, GEHEIM, "verhouding", "over de eerste"),
            median.name: (None, GEHEIM, "mediaan", "over de eerste"),
            other.name: (None, GEHEIM, "verhouding", "over de tweede"),
        }

    gemeenten = {"GM0505": figures(0.0, 5.0), "GM0590": figures(5.0, 0.0)}  # swapped zeros
    rows = [
        ("2026Q3", "kwartaal", "2026Q3", code, code, name, label, soort, "", value, status)
        for code, held in gemeenten.items()
        for name, (value, status, soort, label) in held.items()
    ]
    assert all(len(r) == len(FEEDBACK_COLUMNS) for r in rows)
    staged = _stage_csv(tmp_path / "partner.csv", rows)
    with staged.open(encoding="utf-8-sig", newline="") as f:
        shown = {
            (r["Gemeentecode"], r["Indicator"]): (r["Waarde"], r["Status"])
            for r in csv.DictReader(f, delimiter=";")
        }
    nvt, geheim = (NO_DENOMINATOR, GEHEIM), (GEHEIM, GEHEIM)
    assert [shown[("GM0505", i.name)] for i in (zero, median, other)] == [nvt, nvt, geheim]
    assert [shown[("GM0590", i.name)] for i in (zero, median, other)] == [geheim, geheim, nvt]
    now, before = ("2026Q3", "2026Q3"), ("2026Q2", "2026Q2")
    previous = {k: v[:3] for k, v in gemeenten["GM0590"].items()}  # as _beside passes it
    page = _funnel(gemeenten["GM0505"], previous, "GM0505", now, before)
    cells = {
        (indicator, period): text
        for indicator, period, text in re.findall(
            r'data-indicator="([^"]+)"[^>]*data-period="([^"]+)"[^>]*>([^<]*)<', page
        )
    }
    assert (cells[(zero.name, "2026Q3")], cells[(other.name, "2026Q3")]) == (NO_DENOMINATOR, GEHEIM)
    assert (cells[(zero.name, "2026Q2")], cells[(other.name, "2026Q2")]) == (GEHEIM, NO_DENOMINATOR)
