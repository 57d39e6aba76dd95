"""The quarterly HTML report, on a real monitor.duckdb made by the real publication code:
the four charts are there, every figure on the page is a published cell (suppressed ones say
"geheim") in Dutch notation, every wijk is on it, changes against the previous quarter and the
four-quarter period are shown, the gemeente stands beside the national reference, and the page
loads nothing online (its one kind of address is a link to a cited source)."""

from __future__ import annotations

import html
import re
from collections import Counter
from datetime import UTC
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest
from babel.numbers import parse_decimal

from orchestration import report
from orchestration.contract import QUARTERLY
from orchestration.parameters import indicator_by_name, indicators, periods, read_seed
from orchestration.report import write_report
from orchestration.settings import Paths
from orchestration.shares import KEY_INDICATORS

from .published_sample import YEAR, history, independent_shares, publish_sample

Q2, Q3 = "2026Q2", "2026Q3"
CHARTS = [
    "Buurten met de meeste signalen per 1.000 huishoudens",
    "Bereik en hulp per wijk",
    "Wie wordt bereikt",
    "Partnermix",
    "Verloop over de kwartalen",
]


class Marks(HTMLParser):
    """Every element of the page with its attributes and own text."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[dict[str, str]] = []
        self.tags: list[str] = []
        self._open: list[dict[str, str]] = []

    def handle_starttag(self, tag, attrs) -> None:
        element = {"tag": tag, "text": "", **{k: v or "" for k, v in attrs}}
        self.tags.append(tag)
        self.elements.append(element)
        self._open.append(element)

    def handle_endtag(self, tag) -> None:
        while self._open and self._open.pop()["tag"] != tag:
            pass

    def handle_data(self, data) -> None:
        if self._open:
            self._open[-1]["text"] += data


OUTCOMES = {
    i.name
    for i in indicators()
    if QUARTERLY not in i.period_types() and "kwartaal_afgerond" in i.period_types()
}
"""The outcome figures (seeds/indicators.csv): a quarter's come a quarter later."""
ONE_QUARTER = {p.period_type for p in periods() if p.quarters == 1}


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Paths:
    """Two quarters of the gate's sample candidate published: the first (Q2) without the rows
    published later, Q3 with them (the outcomes of Q2)."""
    return publish_sample(tmp_path_factory.mktemp("report"), [Q2, Q3], history)


def read_report(paths: Paths, quarter: str) -> tuple[str, Marks]:
    page = write_report(paths, quarter).read_text(encoding="utf-8")
    marks = Marks()
    marks.feed(page)
    return page, marks


Cells = dict[tuple[str, str, str, str], tuple[float | None, str]]


def published_cells(paths: Paths) -> Cells:
    """(quarter, period type, area, indicator) -> (value, status) of the published file."""
    with duckdb.connect(str(paths.monitor), read_only=True) as con:
        rows = con.execute(
            "select quarter, period_type, area_code, indicator, value, status "
            "from monitor.area_indicators"
        ).fetchall()
    return {(q, p, a, i): (v, s) for q, p, a, i, v, s in rows}


def key(e: dict[str, str], indicator: str | None = None) -> tuple[str, str, str, str]:
    return (e["data-quarter"], e["data-period-type"], e["data-area"],
            indicator or e["data-indicator"])  # fmt: skip


def test_the_report_is_one_self_contained_file(published: Paths) -> None:
    page, marks = read_report(published, Q3)
    assert Path(published.reports / f"buurtmonitor_{Q3}.html").exists()
    # the one kind of address allowed: a link (followed only on a click) to a cited source
    sources = {r["bron"] for r in read_seed("landelijke_referentie")}
    cited = [e["href"] for e in marks.elements if e["tag"] == "a" and "//" in e["href"]]
    assert cited and set(cited) <= sources
    for source in sources:
        page = page.replace(f'<a href="{html.escape(source)}" rel="noreferrer">', "<a>")
    assert not re.search(r"(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", page), "no remote reference"
    assert not {"script", "link", "img", "iframe", "object"} & set(marks.tags)
    assert "url(" not in page and "@import" not in page
    assert 'charset="utf-8"' in page


def test_the_report_has_its_charts(published: Paths) -> None:
    _, marks = read_report(published, Q3)
    charts = [e["aria-label"] for e in marks.elements if e["tag"] == "svg"]
    assert charts == CHARTS
    drawn = {e.get("data-indicator") for e in marks.elements if e["tag"] in {"rect", "circle"}}
    assert {"signalen_per_1000_hh", "pct_bereikt", "pct_hulp", "signalen_huur"} <= drawn
    assert {"pct_bereikt_persona_senior", "pct_hulp_persona_jonge_starter"} <= drawn  # persona
    # the file's first quarter has no outcomes yet: no reach charts, a note instead
    page, first = read_report(published, Q2)
    assert [e["aria-label"] for e in first.elements if e["tag"] == "svg"] == [
        c for c in CHARTS if c not in ("Bereik en hulp per wijk", "Wie wordt bereikt")
    ]
    text = visible_text(page[page.index("<h2>Bereik en hulp per wijk</h2>") :])
    reach, who = text.split("Zes maanden")[0].split("Wie wordt bereikt", 1)
    for section in (reach, who):  # each says its figures come a quarter later
        assert section.count(f"Die over {Q2} volgen met de publicatie") == 1


def test_every_figure_on_the_page_is_a_published_cell(published: Paths) -> None:
    cells = published_cells(published)
    denominator = {r["indicator"]: r["denominator"] for r in read_seed("indicators")
                   if r["kind"] in ("rate", "median")}  # fmt: skip
    suppressed_shown = no_denominator_shown = 0
    for quarter in (Q2, Q3):
        _, marks = read_report(published, quarter)
        figures = [e for e in marks.elements if "data-indicator" in e]
        assert len(figures) > 15
        for e in figures:
            cell = key(e)
            assert cell in cells, f"{cell} is not a published cell"
            value, status = cells[cell]
            if "data-value" in e:
                assert status == "published", f"{cell} is suppressed but shown"
                assert float(e["data-value"]) == pytest.approx(value), cell
                if e["tag"] == "td":  # Dutch notation, as many decimals as published
                    assert parse_decimal(e["text"], locale="nl_NL", strict=True) == Decimal(
                        e["data-value"]
                    ), e
            else:
                assert status == "suppressed", f"{cell} is published but shown as geheim"
                if e["tag"] not in {"rect", "circle"}:
                    # n.v.t. for a rate or median over a published 0: nothing to hide
                    over = denominator.get(cell[3])
                    nothing = over is not None and cells.get(key(e, over)) == (0, "published")
                    assert e["text"].strip() == ("n.v.t." if nothing else "geheim"), e
                    no_denominator_shown += nothing
                suppressed_shown += 1
        for e in marks.elements:
            for indicator in e.get("data-suppressed", "").split():
                cell = key({"data-period-type": QUARTERLY, **e}, indicator)
                assert cells[cell][1] == "suppressed", f"{cell} drawn as suppressed but published"
        assert {e["data-quarter"] for e in figures} <= {Q2, Q3}
    assert suppressed_shown > no_denominator_shown > 0, "the sample has both kinds of secret"


def test_outcomes_come_from_the_period_types_that_carry_them(published: Paths) -> None:
    """Issue 15 item 7: every outcome figure on the page is a cell of a period type that
    carries it (seeds/indicators.csv), published with Q3 for the quarter or four quarters
    before; the text says so; the first quarter of the file shows none and says they follow."""
    cells = published_cells(published)
    page, marks = read_report(published, Q3)
    outcomes = [e for e in marks.elements if e.get("data-indicator") in OUTCOMES]
    assert {e["data-indicator"] for e in outcomes} >= {"pct_bereikt", "pct_hulp"}
    with duckdb.connect(str(published.monitor), read_only=True) as con:
        period = dict(
            con.execute(
                "select period_type, any_value(period) from monitor.area_indicators "
                "where quarter = ? group by all",
                [Q3],
            ).fetchall()
        )
    for e in outcomes:
        assert e["data-period-type"] in indicator_by_name()[e["data-indicator"]].period_types()
        assert e["data-period-type"] != QUARTERLY and key(e) in cells, e
        assert period[e["data-period-type"]].split("-")[-1] < Q3, e  # an earlier period
    text = visible_text(page)
    assert f"Hierboven de uitkomsten over {Q2} en over 2025Q3-2026Q2" in text
    assert f"Die over {Q3} en 2025Q4-2026Q3 volgen met de publicatie een kwartaal later" in text
    page, first = read_report(published, Q2)
    assert not [e for e in first.elements if e.get("data-indicator") in OUTCOMES]
    text = visible_text(page)
    assert "Deze publicatie heeft nog geen uitkomsten van een eerdere periode" in text
    assert f"Die over {Q2} en 2025Q3-2026Q2 volgen met de publicatie een kwartaal later" in text


def test_charts_rank_and_follow_the_published_values(published: Paths) -> None:
    cells = published_cells(published)
    _, marks = read_report(published, Q3)
    ranked = [
        float(e["data-value"])
        for e in marks.elements
        if e["tag"] == "rect" and e.get("data-indicator") == "signalen_per_1000_hh"
    ]
    expected = sorted(
        (
            v
            for (q, p, a, i), (v, _) in cells.items()
            if q == Q3
            and p == YEAR  # buurt figures: four quarters only (seeds/periods.csv)
            and a.startswith("BU")
            and i == "signalen_per_1000_hh"
            and v is not None
        ),
        reverse=True,
    )
    assert ranked == pytest.approx(expected[: len(ranked)]) and ranked
    trend = [
        e["data-quarter"]
        for e in marks.elements
        if e["tag"] == "circle" and e.get("data-indicator") == "signalen_per_1000_hh"
    ]
    assert trend == [Q2, Q3]
    _, earlier = read_report(published, Q2)
    assert [e["data-quarter"] for e in earlier.elements if e["tag"] == "circle"] == [Q2], (
        "a report shows no quarter after its own"
    )


def test_the_gemeente_beside_the_national_reference(published: Paths) -> None:
    """Issue #15: per indicator with a national figure, the gemeente's quarterly cell (as
    published: a value or geheim; an outcome from the quarter before, a quarter later) beside
    the national value, unit, year and source."""
    cells = published_cells(published)
    references = {r["indicator"]: r for r in read_seed("landelijke_referentie")}
    assert OUTCOMES & set(references) and set(references) - OUTCOMES
    page, _ = read_report(published, Q3)
    table = page[page.index("Vergelijking met het landelijke beeld") :]
    table = table[: table.index("</table>")]
    rows = re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], flags=re.S)
    assert len(rows) == len(references)
    with duckdb.connect(str(published.monitor), read_only=True) as con:
        labels = dict(con.execute("select indicator, label from monitor.indicatoren").fetchall())
        (gemeente,) = con.execute(
            "select distinct area_code from monitor.gemeente where quarter = ?", [Q3]
        ).fetchone()
    shown = set()
    for row in rows:
        row_marks = Marks()
        row_marks.feed(row)
        figure = next(e for e in row_marks.elements if "data-indicator" in e)
        name = figure["data-indicator"]
        ref = references[name]
        carrier = figure["data-period-type"]  # one quarter, carrying it; the outcomes later
        assert carrier in ONE_QUARTER & set(indicator_by_name()[name].period_types())
        assert (carrier == QUARTERLY) == (name not in OUTCOMES)
        assert key(figure) == (Q3, carrier, gemeente, name)
        assert (Q2 if name in OUTCOMES else Q3) in visible_text(row)  # the period named
        value, status = cells[key(figure)]
        if status == "published":
            assert float(figure["data-value"]) == pytest.approx(value)
        else:
            assert "data-value" not in figure and figure["text"] == "geheim"
        national = next(e for e in row_marks.elements if e.get("data-reference") == name)
        assert float(national["data-value"]) == float(ref["waarde"])
        assert parse_decimal(national["text"], locale="nl_NL") == Decimal(ref["waarde"])
        text = visible_text(row)
        assert labels[name] in text and ref["eenheid"] in text and ref["jaar"] in text
        assert [e["href"] for e in row_marks.elements if e["tag"] == "a"] == [ref["bron"]]
        shown.add(name)
    assert shown == set(references)
    page, _ = read_report(published, Q2)  # the file's first quarter: the outcomes follow
    table = page[page.index("Vergelijking met het landelijke beeld") :]
    table = visible_text(table[: table.index("</table>")])
    for name in OUTCOMES & set(references):
        assert f"{labels[name]} volgt met de publicatie een kwartaal later volgt" in table


def visible_text(page: str) -> str:
    page = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def test_every_wijk_is_on_the_page_under_its_code(published: Paths, monkeypatch) -> None:
    """Every wijk, not only the ones the charts rank (here the chart shows one)."""
    monkeypatch.setattr(report, "TOP_WIJKEN", 1)
    with duckdb.connect(str(published.monitor), read_only=True) as con:
        wijken = con.execute(
            "select period_type, area_code, area_name from monitor.wijk where quarter = ?", [Q3]
        ).fetchall()
    _, marks = read_report(published, Q3)
    rows = [e for e in marks.elements if e["tag"] == "tr" and e.get("id", "").startswith("WK")]
    for period_type, code, _ in wijken:
        shown = [r for r in rows if r["id"] == code]
        assert shown, f"wijk {code} is not findable"
        cells = [e for e in marks.elements if e.get("data-area") == code
                 and e.get("data-period-type") == period_type and e["tag"] == "td"]  # fmt: skip
        assert cells, (code, period_type)
    names = {e["text"].strip() for e in marks.elements if e["tag"] == "td"}
    assert {name for _, _, name in wijken} <= names
    assert {QUARTERLY, YEAR, "kwartaal_afgerond"} <= {p for p, _, _ in wijken}


def test_an_area_code_after_the_address_goes_to_the_areas_row_in_its_own_section(
    published: Paths,
) -> None:
    """Every id on the page once; a wijk's id (``#WK...``, as the page and the analyst guide
    say) is its row in the first table under *Alle wijken*, a gemeente's under *Gemeenten*, not
    a row of the tables per persona or of the outcomes further on."""
    page, marks = read_report(published, Q3)
    ids = Counter(e["id"] for e in marks.elements if "id" in e)
    assert ids and max(ids.values()) == 1, [i for i, n in ids.items() if n > 1][:10]
    sections = {
        "wijk": page[page.index('<h2 id="wijken">') : page.index('<h2 id="definities">')],
        "gemeente": page[page.index("<h2>Gemeenten</h2>") :],
    }
    with duckdb.connect(str(published.monitor), read_only=True) as con:
        areas = con.execute(
            "select distinct area_level, area_code from monitor.area_indicators where "
            "quarter = ? and area_level in ('wijk', 'gemeente')",
            [Q3],
        ).fetchall()
    for level, code in areas:
        assert ids[code] == 1, code
        first_table = sections[level][: sections[level].index("</table>")]
        assert f'<tr id="{code}">' in first_table, (level, code)


def test_a_quarter_not_published_is_refused_naming_those_that_are(published: Paths) -> None:
    with pytest.raises(ValueError, match=rf"^2027Q1 is not published \(published: {Q2}, {Q3}\)$"):
        write_report(published, "2027Q1")


def folded_wijken(
    section: str, monitor: Path, quarter: str, period_type: str, indicators: str
) -> tuple[str, set[str], dict[str, bool]]:
    """A report section's folded table per wijk (its HTML, the wijken it lists) and, from the
    published file, per wijk of ``period_type`` whether any of its ``indicators`` (a regular
    expression) has a published value."""
    folded = section[section.index("<summary>Per wijk</summary>") : section.index("</details>")]
    with duckdb.connect(str(monitor), read_only=True) as con:
        published = dict(
            con.execute(
                "select area_code, bool_or(value is not null) from monitor.area_indicators "
                "where quarter = ? and area_level = 'wijk' and period_type = ? "
                "and regexp_matches(indicator, ?) group by all",
                [quarter, period_type, indicators],
            ).fetchall()
        )
    return folded, set(re.findall(r'data-area="(WK[^"]+)"', folded)), published


def test_the_folded_wijk_tables_leave_out_wijken_without_a_published_figure(
    published: Paths,
) -> None:
    """*Wie wordt bereikt* per wijk (folded) lists the wijken with at least one published share
    and says how many it left out, every figure of theirs secret (in a national file the table
    of every wijk was 7.1 of the report's 22.7 MB); *Alle wijken* lists them all
    (``test_every_wijk_is_on_the_page_under_its_code``), the cohort's table
    ``tests/test_cohort_publication.py``."""
    page, _ = read_report(published, Q3)
    who = page[page.index("<h2>Wie wordt bereikt</h2>") : page.index("<h2>Zes maanden")]
    folded, shown, wijken = folded_wijken(
        who, published.monitor, Q3, "kwartaal_afgerond", "^pct_(bereikt|hulp)_persona_"
    )
    with_a_figure = {code for code, published_one in wijken.items() if published_one}
    assert shown == with_a_figure
    left_out = len(wijken) - len(with_a_figure)
    assert left_out > 0, "the sample must have a wijk whose persona shares are all secret"
    verb, their = ("staat", "haar") if left_out == 1 else ("staan", "hun")  # Dutch agreement
    assert (
        f"{left_out} van de {len(wijken)} wijken {verb} niet in deze tabel: "
        f"al {their} cijfers hier zijn geheim of n.v.t." in visible_text(folded)
    )


def test_changes_against_the_previous_quarter(published: Paths) -> None:
    cells = published_cells(published)
    _, marks = read_report(published, Q3)
    changes = [e for e in marks.elements if "data-change" in e]
    assert {QUARTERLY, YEAR, "kwartaal_afgerond"} <= {e["data-period-type"] for e in changes}
    assert {e["data-change"] for e in changes} == {"hh_met_signaal", "signalen_per_1000_hh"}
    differences = 0
    for e in changes:
        now = cells[key(e, e["data-change"])]
        before = cells.get((Q2, *key(e, e["data-change"])[1:]))
        if before is None:  # a period type first published with Q3
            assert e["text"] == "–" and "data-value" not in e
            continue
        if now[1] == "published" and before[1] == "published":
            assert float(e["data-value"]) == pytest.approx(now[0] - before[0], abs=0.05), e
            assert parse_decimal(e["text"], locale="nl_NL") == Decimal(e["data-value"])
            assert e["text"].startswith("+") == (float(e["data-value"]) > 0)
            differences += float(e["data-value"]) != 0
        else:
            assert e["text"] == "geheim" and "data-value" not in e
    assert differences > 0
    _, first = read_report(published, Q2)
    assert {e["text"] for e in first.elements if "data-change" in e} == {"–"}


def test_the_four_quarter_period_has_its_own_tables(published: Paths) -> None:
    _, marks = read_report(published, Q3)
    titles = [e["text"] for e in marks.elements if e["tag"] == "h3"]
    later = " (gepubliceerd een kwartaal later)"
    periods = [f"kwartaal {Q3}", "vier kwartalen 2025Q4-2026Q3", f"kwartaal afgerond {Q2}{later}",
               f"vier kwartalen afgerond 2025Q3-2026Q2{later}"]  # fmt: skip
    cohort = ["huishoudens met een signaal in 2026Q1, zes maanden gevolgd"] * 2  # gemeente, wijk
    who = [periods[2]] * 3  # who is reached: the shares reached and helped per gemeente, per wijk
    assert titles == periods * 2 + who + cohort + periods  # regio, gemeente, ..., wijk
    year = [
        e for e in marks.elements if e.get("data-period-type") == YEAR and "data-indicator" in e
    ]
    assert {e["data-area"][:2] for e in year} == {"RG", "GM", "WK", "BU"}  # BU: the top buurten


def test_what_is_published_per_level_period_and_indicator(published: Paths) -> None:
    """The section *Wat is gepubliceerd*: the key indicators first, then every indicator; each
    cell's share of areas and of households equals a count of the published file."""
    page, marks = read_report(published, Q3)
    expected = independent_shares(published, Q3)
    loss = [e for e in marks.elements if "data-loss" in e]
    shown = {(e["data-level"], e["data-period-type"], e["data-loss"]): e for e in loss}
    assert set(shown) == set(expected)
    for cell, (areas, share_areas, share_households) in expected.items():
        e = shown[cell]
        assert float(e["data-value"]) == pytest.approx(share_areas), cell
        assert e["title"] == f"gebieden: {areas}"
        if share_households is None:
            assert "data-households" not in e, cell
        else:
            assert float(e["data-households"]) == pytest.approx(share_households), cell
        assert e["text"].endswith("%")
    # so that the test tells the share of households from the share of areas
    assert any(s[2] is not None and s[2] != pytest.approx(s[1]) for s in expected.values()), (
        "the sample has cells whose household share differs from their area share"
    )
    section = page[page.index('<h2 id="gepubliceerd">Wat is gepubliceerd</h2>') :]
    key_table = section[: section.index("<details>")]
    assert set(re.findall(r'data-loss="(\w+)"', key_table)) == set(KEY_INDICATORS)
    outcomes = {(e["data-loss"], e["data-period-type"]) for e in loss if e["data-loss"] in OUTCOMES}
    assert outcomes and all(p in indicator_by_name()[i].period_types() for i, p in outcomes)
    assert f"kwartaal afgerond {Q2}" in visible_text(key_table)  # the period of the column
    assert "<summary>Alle " in section
    page, _ = read_report(published, Q2)  # the first quarter: its outcomes follow
    section = page[page.index('<h2 id="gepubliceerd">Wat is gepubliceerd</h2>') :]
    key_table = section[: section.index("<details>")]
    assert set(re.findall(r'data-loss="(\w+)"', key_table)) == set(KEY_INDICATORS) - OUTCOMES
    assert f"Die over {Q2} en 2025Q3-2026Q2 volgen" in visible_text(key_table)


def test_dutch_definitions_and_a_time_with_its_zone(published: Paths) -> None:
    page, _ = read_report(published, Q3)
    text = visible_text(page)
    with duckdb.connect(str(published.monitor), read_only=True) as con:
        dictionary = con.execute("select label, definitie from monitor.indicatoren").fetchall()
        (published_at,) = con.execute(
            "select max(published_at) from monitor.publication_log where quarter = ?", [Q3]
        ).fetchone()
    for label, definitie in dictionary:
        assert label in text and definitie in text
    local = published_at.replace(tzinfo=UTC).astimezone(ZoneInfo("Europe/Amsterdam"))
    assert f"om {local:%H:%M} Midden-Europese" in text
    for english in ("Published", "Reach", "Trend", "suppressed", "households", "signals"):
        assert english not in text, english


def test_a_chart_shows_the_secret_of_its_figure() -> None:
    """A suppressed point of every chart reads as its figure says: geheim, or n.v.t. for a
    rate over a published 0 (Figure.secret, set from the row in report._areas)."""
    hidden = report.Figure("GM0001", "pct_hulp_van_bereikt", "2026Q3", None)
    nothing = report.Figure("GM0002", "pct_hulp_van_bereikt", "2026Q3", None, secret="n.v.t.")
    charts = [
        report._hbar_chart("t", [("a", hidden), ("b", nothing)], "%"),
        report._paired_percent_chart("t", [("a", hidden, nothing)], ("x", "y")),
        report._line_chart(
            "t",
            ["2026Q2", "2026Q3"],
            [("a", [report.Figure("GM0001", "pct_hulp_van_bereikt", "2026Q2", 10.0), nothing])],
        ),
    ]
    for chart in charts:
        assert '"GM0002"' in chart and ">n.v.t.</text>" in chart, chart
    assert all(">geheim</text>" in chart for chart in charts[:2])
