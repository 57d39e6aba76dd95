"""The quarterly HTML report, on a real monitor.duckdb made by the real publication code:
the four charts are there, every figure on the page is a published cell (suppressed ones say
"geheim"), and the page refers to nothing online."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

from orchestration.report import write_report
from orchestration.settings import Paths

from .published_sample import publish_sample

Q2, Q3 = "2026Q2", "2026Q3"
CHARTS = [
    "Buurten with the most signals per 1,000 households",
    "Reach and help acceptance per wijk",
    "Partner mix",
    "Trend over quarters",
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


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Paths:
    """Two quarters of the gate's sample candidate, published into monitor.duckdb."""
    return publish_sample(tmp_path_factory.mktemp("report"), [Q2, Q3])


def read_report(paths: Paths, quarter: str) -> tuple[str, Marks]:
    page = write_report(paths, quarter).read_text(encoding="utf-8")
    marks = Marks()
    marks.feed(page)
    return page, marks


def published_cells(paths: Paths) -> dict[tuple[str, str, str], tuple[float | None, str]]:
    with duckdb.connect(str(paths.monitor), read_only=True) as con:
        rows = con.execute(
            "select quarter, area_code, indicator, value, status from monitor.area_indicators"
        ).fetchall()
    return {(q, a, i): (v, s) for q, a, i, v, s in rows}


def test_the_report_is_one_self_contained_file(published: Paths) -> None:
    page, marks = read_report(published, Q3)
    assert Path(published.reports / f"buurtmonitor_{Q3}.html").exists()
    assert not re.search(r"(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", page), "no remote reference"
    assert not {"script", "link", "img", "iframe", "object"} & set(marks.tags)
    assert "url(" not in page and "@import" not in page
    assert 'charset="utf-8"' in page


def test_the_report_has_the_four_charts(published: Paths) -> None:
    _, marks = read_report(published, Q3)
    charts = [e["aria-label"] for e in marks.elements if e["tag"] == "svg"]
    assert charts == CHARTS
    drawn = {e.get("data-indicator") for e in marks.elements if e["tag"] in {"rect", "circle"}}
    assert {"signalen_per_1000_hh", "pct_bereikt", "pct_hulp", "signalen_huur"} <= drawn


def test_every_figure_on_the_page_is_a_published_cell(published: Paths) -> None:
    cells = published_cells(published)
    for quarter in (Q2, Q3):
        _, marks = read_report(published, quarter)
        figures = [e for e in marks.elements if "data-indicator" in e]
        assert len(figures) > 15
        suppressed_shown = 0
        for e in figures:
            key = (e["data-quarter"], e["data-area"], e["data-indicator"])
            assert key in cells, f"{key} is not a published cell"
            value, status = cells[key]
            if "data-value" in e:
                assert status == "published", f"{key} is suppressed but shown"
                assert float(e["data-value"]) == pytest.approx(value), key
            else:
                assert status == "suppressed", f"{key} is published but shown as geheim"
                if e["tag"] not in {"rect", "circle"}:
                    assert e["text"].strip() == "geheim", e
                suppressed_shown += 1
        assert suppressed_shown > 0, "the sample has suppressed cells the report must show"
        for e in marks.elements:
            for indicator in e.get("data-suppressed", "").split():
                key = (e["data-quarter"], e["data-area"], indicator)
                assert cells[key][1] == "suppressed", f"{key} drawn as suppressed but published"
        assert {e["data-quarter"] for e in figures} <= {Q2, Q3}


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
            for (q, a, i), (v, _) in cells.items()
            if q == Q3 and a.startswith("BU") and i == "signalen_per_1000_hh" and v is not None
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
