"""The signalled households followed for six months (period type ``cohort_zes_maanden``,
issue 15 item 6), and who is reached per persona (``kwartaal_afgerond``, item 8), through the
whole pipeline: three demo quarters of a small city, the third publishing the cohort of the
first. The figures are recomputed from what the generator wrote (ground truth: who was
signalled and when, the cases; the BRP, benefits and schuldhulp extracts), never from the
warehouse."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest

from orchestration.export import export_quarter
from orchestration.quarters import next_quarter, quarter_end
from orchestration.settings import Paths
from tests.conftest import DEMO_RUN_QUARTERS
from tests.stated_indicators import HELP_TYPES, NOT_PICKED_UP
from tests.test_demo_history import debt_help_after
from tests.test_demo_reach import personas
from tests.test_report import folded_wijken

QUARTERS = DEMO_RUN_QUARTERS
COHORT, LATER = QUARTERS[0], QUARTERS[2]
COHORT_TYPE = "cohort_zes_maanden"
MONTHS = 6
"""A start counts from the first signal day up to six calendar months after it."""


@pytest.fixture(scope="module")
def published(demo_run: tuple[Path, str]) -> Paths:
    """`monitor demo` of the three quarters (conftest's ``demo_run``)."""
    return Paths(demo_run[0])


def rows(paths: Paths, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(paths.monitor), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def six_months_after(day: date) -> date:
    month = day.month + MONTHS
    year, month = day.year + (month - 1) // 12, (month - 1) % 12 + 1
    for dom in (day.day, 30, 29, 28):
        try:
            return date(year, month, dom)
        except ValueError:
            continue
    raise AssertionError(day)


LINKED = ("exact", "letter_as_toevoeging", "unique_toevoeging", "missing_toevoeging")
"""The match statuses that put a signal at an address (the ground truth's ``match_status``)."""


def truth_signals(paths: Paths, quarter: str) -> pl.DataFrame:
    """The signals the ground truth of a landing quarter puts at an address."""
    return (
        pl.read_csv(paths.ground_truth / quarter / "signals.csv", infer_schema=False)
        .filter(pl.col("match_status").is_in(LINKED))
        .select(
            "partner_code",
            "signaal_id",
            "adres_id",
            "household_id",
            pl.col("signaaldatum").str.to_date(),
        )
    )


def helped_households(paths: Paths) -> dict[str, date]:
    """household_id -> the day after which a new signal counts, for the cohort's households
    that accepted help as known at the end of the quarter after the cohort's (the outcomes are
    published then: a case of one of their signals of the quarter, closed by that day, ended
    in quick fix or follow-up help): their first contact by that day (a case that reached them
    and was picked up) or their last signal of the quarter, whichever is later. From the
    ground truth's cases (final outcome, contact and closing day), not the extracts."""
    known_by = quarter_end(next_quarter(COHORT))
    signals = truth_signals(paths, COHORT)
    cases = pl.read_parquet(paths.ground_truth / COHORT / "cases.parquet").drop("household_id")
    closed = pl.col("datum_afgesloten") <= known_by
    joined = signals.join(cases, on=["partner_code", "signaal_id"], how="left")
    out = {}
    for (household,), rows in joined.group_by("household_id"):
        if not rows.filter(closed & pl.col("resultaat").is_in(HELP_TYPES)).height:
            continue
        contact = rows.filter(
            pl.col("bereikt")
            & (pl.col("datum_eerste_contact") <= known_by)
            & ~(closed & pl.col("resultaat").is_in(NOT_PICKED_UP))
        )["datum_eerste_contact"]
        last = rows["signaaldatum"].max()
        out[household] = max(contact.min(), last) if contact.len() else last
    return out


def expected(paths: Paths) -> dict[tuple[str, str], float | None]:
    """(area_code, indicator) -> value at gemeente and wijk level, from the generator's files."""
    joined = debt_help_after(paths, COHORT, LATER)
    started = {
        household
        for household, first, start in joined.select(
            "household_id", "eerste_signaaldatum", "startdatum"
        ).iter_rows()
        if start is not None and first <= start <= six_months_after(first)
    }
    truth = pl.read_parquet(paths.ground_truth / COHORT / "households.parquet").filter(
        pl.col("eerste_signaaldatum").is_not_null()
    )
    helped = helped_households(paths)
    later_signals = pl.concat([truth_signals(paths, q) for q in QUARTERS])
    at_address: dict[str, list[date]] = {}
    for adres, day in later_signals.select("adres_id", "signaaldatum").iter_rows():
        at_address.setdefault(adres, []).append(day)
    areas = pl.read_csv(
        paths.landing / COHORT / "wijken_buurten" / f"wijken_buurten_{COHORT}.csv",
        separator=";",
        infer_schema=False,
        encoding="utf8-lossy",
    )
    areas.columns = [c.lstrip("\ufeff") for c in areas.columns]  # the export's byte-order mark
    wijk_of = dict(zip(areas["code"], areas["parent_code"], strict=True))
    out: dict[tuple[str, str], float] = {}
    for household, adres, first, buurt, gemeente in truth.select(
        pl.col("household_id").cast(pl.String), "adres_id", "eerste_signaaldatum", "buurtcode",
        "gemeentecode",
    ).iter_rows():  # fmt: skip
        after = helped.get(household)
        again = after is not None and any(
            after < day <= six_months_after(first) for day in at_address.get(adres, [])
        )
        for code in (gemeente, wijk_of.get(buurt or "")):
            if code is None:
                continue
            for name, counts in (
                ("hh_met_signaal", True),
                ("hh_schuldhulp_binnen_6m", int(household) in started),
                ("hh_hulp_geaccepteerd", after is not None),
                ("hh_nieuw_signaal_na_hulp", again),
            ):
                out[(code, name)] = out.get((code, name), 0) + counts
    for (code, name), value in list(out.items()):
        if name == "hh_met_signaal":
            out[(code, "pct_schuldhulp_binnen_6m")] = (
                100 * out[(code, "hh_schuldhulp_binnen_6m")] / value
            )
        if name == "hh_hulp_geaccepteerd" and value:
            out[(code, "pct_nieuw_signaal_na_hulp")] = (
                100 * out[(code, "hh_nieuw_signaal_na_hulp")] / value
            )
    return out


def test_the_cohort_is_published_two_quarters_later_and_only_then(published: Paths) -> None:
    """The cohort of the first quarter is a row of the third quarter's publication; the
    first two publications have none (their cohorts, two quarters earlier, were not built),
    and none of their rows changed when the third was published."""
    periods = rows(
        published,
        "select quarter, period, count(distinct indicator) from monitor.area_indicators "
        "where period_type = ? group by all",
        [COHORT_TYPE],
    )
    assert periods == [(LATER, COHORT, 6)]
    logged = rows(published, "select quarter from monitor.publication_log order by published_at")
    assert [q for (q,) in logged] == list(QUARTERS)  # each published once, never again


def test_the_cohort_equals_a_recomputation_from_the_generated_files(published: Paths) -> None:
    """Every published cell of the cohort (gemeente and wijk) equals the count from the
    ground truth and the extracts; the denominator is the count published with the cohort's
    own quarter, with the same status; a share of the households started debt help."""
    cells = rows(
        published,
        "select area_code, indicator, value, status from monitor.area_indicators "
        "where quarter = ? and period_type = ? and area_level in ('gemeente', 'wijk')",
        [LATER, COHORT_TYPE],
    )
    truth = expected(published)
    shown = [(c, n, v) for c, n, v, s in cells if s == "published"]
    assert len(shown) > len(cells) / 3
    for code, name, value in shown:
        assert value == pytest.approx(truth.get((code, name), 0), abs=0.05), (code, name)
    gemeente = {n: v for c, n, v, s in cells if c.startswith("GM")}
    assert 0.03 < gemeente["pct_schuldhulp_binnen_6m"] / 100 < 0.4
    gm = next(c for c, *_ in cells if c.startswith("GM"))
    assert 0 < truth[(gm, "hh_nieuw_signaal_na_hulp")] < truth[(gm, "hh_hulp_geaccepteerd")]
    assert gemeente["hh_nieuw_signaal_na_hulp"] in (None, truth[(gm, "hh_nieuw_signaal_na_hulp")])
    published_before = {  # with the quarter itself, and its outcomes with the quarter after
        tuple(row)
        for row in rows(
            published,
            "select area_code, indicator, value, status from monitor.area_indicators "
            "where (quarter, period_type, indicator) in (values "
            "(?, 'kwartaal', 'hh_met_signaal'), (?, 'kwartaal_afgerond', 'hh_hulp_geaccepteerd')) "
            "and area_level in ('gemeente', 'wijk')",
            [COHORT, next_quarter(COHORT)],
        )
    }
    repeated = ("hh_met_signaal", "hh_hulp_geaccepteerd")
    assert published_before == {(c, n, v, s) for c, n, v, s in cells if n in repeated}


def outcomes_known_a_quarter_later(paths: Paths, quarter: str) -> tuple[set[str], set[str]]:
    """(reached, helped): the household ids of the quarter's signalled households reached and
    those that accepted help, as known at the end of the quarter after (when its outcomes are
    published): a case of one of their signals of the quarter that reached them by that day
    and was not closed as not picked up, or one closed by then with help accepted. From the
    ground truth's cases, not the extracts."""
    known_by = quarter_end(next_quarter(quarter))
    cases = pl.read_parquet(paths.ground_truth / quarter / "cases.parquet").drop("household_id")
    joined = truth_signals(paths, quarter).join(cases, on=["partner_code", "signaal_id"])
    closed = pl.col("datum_afgesloten") <= known_by
    helped = set(joined.filter(closed & pl.col("resultaat").is_in(HELP_TYPES))["household_id"])
    contact = joined.filter(
        pl.col("bereikt")
        & (pl.col("datum_eerste_contact") <= known_by)
        & ~(closed & pl.col("resultaat").is_in(NOT_PICKED_UP))
    )
    return set(contact["household_id"]) | helped, helped


def test_who_is_reached_equals_a_recomputation_from_the_generated_files(published: Paths) -> None:
    """Issue 15 item 8: per persona the signalled, reached and helped households of the first
    quarter and their shares, published a quarter later (``kwartaal_afgerond``) per gemeente
    and wijk: every published cell equals the count from the ground truth (the households, the
    cases as known then) with each household's persona worked out from the extracts by the
    rule of MONITOR.md (tests/test_demo_reach.py; the differences between the personas are
    tested there, on a city large enough to show them)."""
    publication = next_quarter(COHORT)
    cells = rows(
        published,
        "select area_code, indicator, value, status from monitor.area_indicators "
        "where quarter = ? and period_type = 'kwartaal_afgerond' "
        "and area_level in ('gemeente', 'wijk') and indicator like '%persona%'",
        [publication],
    )
    reached, helped = outcomes_known_a_quarter_later(published, COHORT)
    areas = pl.read_csv(
        published.landing / COHORT / "wijken_buurten" / f"wijken_buurten_{COHORT}.csv",
        separator=";",
        infer_schema=False,
        encoding="utf8-lossy",
    )
    wijk_of = dict(zip(areas[areas.columns[0]], areas["parent_code"], strict=True))
    truth = pl.read_parquet(published.ground_truth / COHORT / "households.parquet")
    signalled = personas(published, COHORT).filter(pl.col("eerste_signaaldatum").is_not_null())
    signalled = signalled.join(
        truth.select("household_id", "buurtcode", "gemeentecode"), on="household_id"
    )
    counts: dict[tuple[str, str], int] = {}
    for household, persona, buurt, gemeente in signalled.select(
        pl.col("household_id").cast(pl.String), "persona", "buurtcode", "gemeentecode"
    ).iter_rows():
        for code in (gemeente, wijk_of.get(buurt or "")):
            for name, counted in (
                (f"hh_persona_{persona}", True),
                (f"hh_bereikt_persona_{persona}", household in reached),
                (f"hh_hulp_persona_{persona}", household in helped),
            ):
                if code is not None:
                    counts[(code, name)] = counts.get((code, name), 0) + counted

    def expected(code: str, name: str) -> float | None:
        for rate, numerator, denominator in (
            ("pct_bereikt_persona_", "hh_bereikt_persona_", "hh_persona_"),
            ("pct_hulp_persona_", "hh_hulp_persona_", "hh_bereikt_persona_"),
        ):
            if name.startswith(rate):
                persona = name.removeprefix(rate)
                below = counts.get((code, denominator + persona), 0)
                return 100 * counts.get((code, numerator + persona), 0) / below if below else None
        return counts.get((code, name), 0)

    shown = [(c, n, v) for c, n, v, s in cells if s == "published"]
    assert len(cells) == 30 * len({c for c, *_ in cells})  # 6 personas x 5 figures, every area
    assert any(n.startswith("pct_bereikt_persona_") for _, n, _ in shown)
    assert any(n.startswith("hh_bereikt_persona_") and v for _, n, v in shown)
    for code, name, value in shown:
        assert value == pytest.approx(expected(code, name), abs=0.05), (code, name)


def test_the_readable_tables_say_what_a_cohort_row_does_not_carry(
    published: Paths, tmp_path: Path
) -> None:
    """In gemeente_leesbaar and the export a cohort row has its three figures and 'niet
    gepubliceerd' where its period type has no figure, never 'geheim'; a quarter's other rows
    say the cohort's figures follow ('volgt'), a four-quarter row that it has none."""
    (row,) = rows(
        published,
        'select * from monitor.gemeente_leesbaar where "Soort periode" = ?',
        [COHORT_TYPE],
    )
    columns = [
        c
        for (c,) in rows(
            published,
            "select column_name from information_schema.columns "
            "where table_name = 'gemeente_leesbaar' order by ordinal_position",
        )
    ]
    cells = dict(zip(columns, row, strict=True))
    assert cells["Huishoudens"] == "niet gepubliceerd"
    assert cells["% in schuldhulp binnen 6 maanden"] not in ("geheim", "niet gepubliceerd")
    (path,) = export_quarter(published.monitor, LATER, "gemeente", tmp_path)
    header, *lines = [line.split(";") for line in path.read_text("utf-8-sig").splitlines()]
    exported = [dict(zip(header, line, strict=True)) for line in lines]
    assert [r["Soort periode"] for r in exported][-1] == COHORT_TYPE  # after the others
    assert exported[-1]["Huishoudens"] == "niet gepubliceerd"
    quarters = {"kwartaal": 1, "kwartaal_afgerond": 1, "vier_kwartalen": 4}
    assert {r["Soort periode"] for r in exported[:-1]} <= set(quarters)
    assert all(  # a quarter's row: the cohort of that quarter follows; four quarters: none
        r["Huishoudens in schuldhulp binnen 6 maanden"]
        == ("volgt" if quarters[r["Soort periode"]] == 1 else "niet gepubliceerd")
        for r in exported[:-1]
    )


def test_the_report_shows_the_cohort(published: Paths) -> None:
    """The cohort's section, with per wijk (folded) the wijken that have a published figure of
    the cohort; the others are counted in a note, not listed."""
    report = (published.reports / f"buurtmonitor_{LATER}.html").read_text(encoding="utf-8")
    assert "Zes maanden na het signaal: schuldhulp en nieuwe signalen" in report
    assert f"huishoudens met een signaal in {COHORT}, zes maanden gevolgd" in report
    section = report[report.index("<h2>Zes maanden") :]
    folded, shown, wijken = folded_wijken(section, published.monitor, LATER, COHORT_TYPE, ".")
    with_a_figure = {code for code, published_one in wijken.items() if published_one}
    assert with_a_figure and shown == with_a_figure
    left_out = len(wijken) - len(with_a_figure)
    assert (f"{left_out} van de {len(wijken)} wijken " in folded) == (left_out > 0)
    earlier = (published.reports / f"buurtmonitor_{COHORT}.html").read_text(encoding="utf-8")
    assert "nog geen cohort" in earlier  # its cohort quarter was not built
