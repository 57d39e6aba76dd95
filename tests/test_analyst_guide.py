"""Every SQL example of docs/analyst-guide.md runs on a published monitor.duckdb, opened
read-only as the guide says, and returns what it promises: each example's rows are
recomputed here in Python from the frames that were published (the gate's sample,
demo/sample_publication.py), not from the published file, and compared value by value.

The earlier quarter is published with fewer signalled households than the later one, so the
trend and change examples have a difference to find.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import duckdb
import pandas as pd
import pytest

from demo.sample_publication import sample_frames
from orchestration.parameters import read_seed

from .conftest import REPO
from .published_sample import publish_sample

GUIDE = REPO / "docs" / "analyst-guide.md"
EARLIER, LATER = "2026Q2", "2026Q3"
FEWER_EARLIER = {"GM0999": 12.0, "WK099901": 10.0, "WK09990A": 2.0, "BU09990101": 10.0}
"""hh_met_signaal in the earlier quarter: this many fewer than in the later one."""
YEAR = ("vier_kwartalen", "2025Q4-2026Q3")
OUTCOMES = "kwartaal_afgerond"
"""The outcomes of a quarter: published with the next quarter (seeds/periods.csv)."""
KINDS = {row["indicator"]: row["kind"] for row in read_seed("indicators")}
DECIMALS = {row["kind"]: int(row["decimalen"]) for row in read_seed("indicator_kinds")}


def sql_examples() -> list[str]:
    return re.findall(r"```sql\n(.*?)```", GUIDE.read_text(encoding="utf-8"), flags=re.S)


def frames(quarter: str) -> dict[str, pd.DataFrame]:
    """The gate's sample (buurten in the four-quarter period only); in the earlier quarter, the
    file's first, fewer signalled households (published cells) and no rows published later;
    the later quarter has them (the outcomes of the earlier quarter) and its four-quarter
    period has three times its households with a signal."""
    out = sample_frames(quarter, late=quarter == LATER)
    for name in ("protected", "candidate"):
        frame = out[name]
        published = frame["status"] == "published"
        hh = frame["indicator"] == "hh_met_signaal"
        if quarter == EARLIER:
            for code, fewer in FEWER_EARLIER.items():
                frame.loc[(frame["area_code"] == code) & hh & published, "value"] -= fewer
        else:
            frame.loc[(frame["period_type"] == YEAR[0]) & hh & published, "value"] *= 3
    return out


@dataclass(frozen=True)
class Area:
    quarter: str
    period: str
    level: str
    code: str
    name: str
    parent: str | None
    values: dict[str, float | None]
    """Indicator -> published value (None where suppressed)."""
    status: dict[str, str]


def rounded(value: float, indicator: str) -> float:
    """As the guide promises: to the decimals of the indicator's kind
    (seeds/indicator_kinds.csv), a half away from zero."""
    decimals = DECIMALS[KINDS[indicator]]
    return math.copysign(math.floor(abs(value) * 10**decimals + 0.5) / 10**decimals, value)


def published_areas(period_type: str = "kwartaal") -> list[Area]:
    """What was handed to publication, per quarter and area of a period type, in plain Python,
    rounded as published."""
    areas = []
    for quarter in (EARLIER, LATER):
        candidate = frames(quarter)["candidate"]
        candidate = candidate[candidate["period_type"] == period_type]
        for (period, level, code, name, parent), rows in candidate.groupby(
            ["period", "area_level", "area_code", "area_name", "parent_code"],
            dropna=False,
            sort=True,
        ):
            values = {
                r.indicator: (None if pd.isna(r.value) else rounded(r.value, r.indicator))
                for r in rows.itertuples()
            }
            status = {r.indicator: r.status for r in rows.itertuples()}
            parent = None if pd.isna(parent) else parent
            areas.append(Area(quarter, period, level, code, name, parent, values, status))
    return areas


# ---------------------------------------------------- what each example should return


def top_buurten(_: list[Area]) -> list[tuple]:
    areas = published_areas(YEAR[0])  # buurt figures: four quarters only (seeds/periods.csv)
    rows = [
        (a.code, a.name, a.values["signalen_per_1000_hh"], a.values["signalen"],
         a.values["huishoudens"])
        for a in areas
        if a.quarter == LATER and a.level == "buurt" and a.values["signalen_per_1000_hh"] is not None
    ]  # fmt: skip
    return sorted(rows, key=lambda r: -r[2])[:20]


def wijken_rarely_reached(_: list[Area]) -> list[tuple]:
    areas = published_areas(OUTCOMES)
    rows = [
        (a.name, a.values["hh_met_signaal"], a.values["pct_bereikt"], a.values["pct_hulp"])
        for a in areas
        if a.quarter == LATER and a.level == "wijk" and a.values["pct_bereikt"] is not None
    ]
    return sorted(rows, key=lambda r: r[2])[:10]


def partner_mix(areas: list[Area]) -> list[tuple]:
    groups = ("energie", "water", "huur", "zorg", "overig")
    return [
        (a.name, *(a.values[f"signalen_{g}"] for g in groups), a.values["signalen"])
        for a in areas
        if a.quarter == LATER and a.level == "gemeente"
    ]


def who_is_reached(_: list[Area]) -> list[tuple]:
    """Issue 15 item 8: two personas' households, share reached and share helped of the
    reached, per gemeente, from the outcomes of the earlier quarter (published with the later)."""
    names = [
        f"{kind}{persona}"
        for persona in ("senior", "jonge_starter")
        for kind in ("hh_persona_", "pct_bereikt_persona_", "pct_hulp_persona_")
    ]
    return sorted(
        (a.name, *(a.values[n] for n in names))
        for a in published_areas(OUTCOMES)
        if a.quarter == LATER and a.level == "gemeente"
    )


def gemeente_trend(areas: list[Area]) -> list[tuple]:
    """pct_bereikt of a quarter from its outcomes' row (same period), None until published."""
    reached = {(a.code, a.period): a.values["pct_bereikt"] for a in published_areas(OUTCOMES)}
    rows = [
        (a.code, a.name, a.quarter, a.values["hh_met_signaal"], a.values["signalen_per_1000_hh"],
         reached.get((a.code, a.period)))
        for a in areas
        if a.level == "gemeente" and a.values["signalen_per_1000_hh"] is not None
    ]  # fmt: skip
    return sorted(rows, key=lambda r: (r[0], r[2]))


def wijk_change(areas: list[Area]) -> list[tuple]:
    rows = []
    for a in sorted((a for a in areas if a.level == "wijk"), key=lambda a: (a.code, a.quarter)):
        before = [b for b in areas if b.code == a.code and b.quarter < a.quarter]
        now = a.values["hh_met_signaal"]
        then = before[-1].values["hh_met_signaal"] if before else None
        change = None if now is None or then is None else now - then
        rows.append((a.code, a.name, a.quarter, now, change))
    return rows


def buurten_beside_wijk(_: list[Area]) -> list[tuple]:
    areas = published_areas(YEAR[0])
    wijken = {a.code: a for a in areas if a.quarter == LATER and a.level == "wijk"}
    rows = [
        (wijken[b.parent].name, b.name, b.values["hh_met_signaal"],
         wijken[b.parent].values["hh_met_signaal"])
        for b in areas
        if b.quarter == LATER and b.level == "buurt"
    ]  # fmt: skip
    return sorted(rows, key=lambda r: (r[0], r[1]))


def pct_hulp_long(_: list[Area]) -> list[tuple]:
    areas = published_areas(OUTCOMES)
    rows = [
        (a.level, a.code, a.name, a.values["pct_hulp"], a.status["pct_hulp"])
        for a in areas
        if a.quarter == LATER
    ]
    return sorted(rows, key=lambda r: (r[0], r[1]))


def publication_log(areas: list[Area]) -> list[tuple]:
    """publish_sample logs one publication per quarter, in order: synthetic, 1 + 1 suppressed."""
    return [(q, True, 1, 1) for q in (EARLIER, LATER)]


def share_suppressed(areas: list[Area]) -> list[tuple]:
    levels = sorted({a.level for a in areas})
    rows = []
    for level in levels:
        states = [s for a in areas if a.quarter == LATER and a.level == level
                  for s in a.status.values()]  # fmt: skip
        rows.append((level, states.count("suppressed") / len(states)))
    return rows


def wijk_export(areas: list[Area]) -> list[tuple]:
    return sorted(
        (
            a.code,
            a.name,
            a.values["hh_met_signaal"],
            a.values["signalen"],
            a.values["signalen_per_1000_hh"],
        )
        for a in areas
        if a.quarter == LATER and a.level == "wijk"
    )


def dictionary(_: list[Area]) -> list[tuple]:
    texts = {row["indicator"]: row for row in read_seed("indicator_definities")}
    return [
        (r["indicator"], texts[r["indicator"]]["label"], texts[r["indicator"]]["definitie"],
         r["unit"], r["numerator"] or None, r["denominator"] or None,
         texts[r["indicator"]]["landelijk"])
        for r in read_seed("indicators")
    ]  # fmt: skip


def readable_wijken(_: list[Area]) -> list[tuple]:
    def text(value: float | None, indicator: str) -> str:
        if value is None:
            return "geheim"
        return f"{value:.{DECIMALS[KINDS[indicator]]}f}".replace(".", ",")

    return sorted(
        (a.code, a.name, text(a.values["hh_met_signaal"], "hh_met_signaal"),
         text(a.values["pct_hulp_van_bereikt"], "pct_hulp_van_bereikt"))
        for a in published_areas(OUTCOMES)
        if a.quarter == LATER and a.level == "wijk"
    )  # fmt: skip


def quarter_beside_year(areas: list[Area]) -> list[tuple]:
    year = {a.code: a for a in published_areas(YEAR[0]) if a.quarter == LATER}
    return sorted(
        (a.name, a.values["hh_met_signaal"], year[a.code].values["hh_met_signaal"],
         year[a.code].values["signalen_per_1000_hh"])
        for a in areas
        if a.quarter == LATER and a.level == "wijk"
    )  # fmt: skip


EXPECTED: dict[str, tuple[Callable[[list[Area]], list[tuple]], bool]] = {
    "j.period_type = 'vier_kwartalen'": (quarter_beside_year, True),
    "from monitor.indicatoren": (dictionary, True),
    "from monitor.wijk_leesbaar": (readable_wijken, True),
    # a phrase that picks out one example: (its expected rows, whether its order is promised)
    "order by signalen_per_1000_hh desc": (top_buurten, True),
    "order by pct_bereikt": (wijken_rarely_reached, True),
    "signalen_energie, signalen_water": (partner_mix, True),
    "pct_bereikt_persona_senior, pct_hulp_persona_senior": (who_is_reached, True),
    "coalesce(a.pct_bereikt, k.pct_bereikt)": (gemeente_trend, True),
    "lag(hh_met_signaal)": (wijk_change, True),
    "as wijk_totaal": (buurten_beside_wijk, True),
    "indicator = 'pct_hulp'": (pct_hulp_long, True),
    "from monitor.publication_log": (publication_log, True),
    "as share_suppressed": (share_suppressed, False),
    "to 'wijk_2026Q3.csv'": (wijk_export, False),
}


def expectation(sql: str) -> tuple[Callable[[list[Area]], list[tuple]], bool]:
    [key] = [key for key in EXPECTED if key in sql]
    return EXPECTED[key]


def same(actual: object, expected: object) -> bool:
    if isinstance(expected, float) and isinstance(actual, int | float):
        return math.isclose(actual, expected, rel_tol=1e-9)
    return actual == expected


def assert_rows(actual: list[tuple], expected: list[tuple], ordered: bool) -> None:
    if not ordered:
        actual, expected = sorted(actual), sorted(expected)
    assert len(actual) == len(expected), (actual, expected)
    for got, want in zip(actual, expected, strict=True):
        assert len(got) == len(want) and all(map(same, got, want)), (got, want)


def test_the_guide_has_examples() -> None:
    assert len(sql_examples()) >= 10


def test_every_example_has_its_expected_result() -> None:
    """One expectation per example and one example per expectation."""
    examples = sql_examples()
    for sql in examples:
        assert sum(key in sql for key in EXPECTED) == 1, sql
    for key in EXPECTED:
        assert sum(key in sql for sql in examples) == 1, key


@pytest.fixture(scope="module")
def monitor_file(tmp_path_factory: pytest.TempPathFactory):
    return publish_sample(tmp_path_factory.mktemp("guide"), [EARLIER, LATER], frames).monitor


def test_the_sample_has_something_to_find() -> None:
    """The expectations are not vacuous: suppressed cells, a trend, several rows."""
    areas = published_areas()
    assert any(row[-1] is None for row in wijk_change(areas))  # first quarter: no change
    assert any(row[-1] for row in wijk_change(areas))  # a later quarter: a change
    assert any(row[3] is None for row in pct_hulp_long(areas))
    assert len(top_buurten(areas)) >= 2 and len(wijken_rarely_reached(areas)) >= 1
    assert "geheim" in {cell for row in readable_wijken(areas) for cell in row}
    assert any(row[1] != row[2] for row in quarter_beside_year(areas))
    trend = gemeente_trend(areas)  # the outcomes of the earlier quarter only, a quarter later
    assert [r[5] is None for r in trend] == [r[2] == LATER for r in trend]


@pytest.mark.parametrize("sql", sql_examples(), ids=lambda sql: " ".join(sql.split())[:60])
def test_example_returns_what_it_promises(sql: str, monitor_file, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # an export example writes into the working directory
    compute, ordered = expectation(sql)
    expected = compute(published_areas())
    assert expected, "every example has rows to return on a published quarter"
    with duckdb.connect(str(monitor_file), read_only=True) as con:
        result = con.execute(sql)
        if sql.lstrip().lower().startswith("copy"):
            [target] = re.findall(r"to '([^']+)'", sql)
            with (tmp_path / target).open(encoding="utf-8", newline="") as handle:
                rows = list(csv.DictReader(handle, delimiter=";"))
            actual = [
                (r["area_code"], r["area_name"], *(
                    float(r[c]) if r[c] else None
                    for c in ("hh_met_signaal", "signalen", "signalen_per_1000_hh")
                ))
                for r in rows
            ]  # fmt: skip
        else:
            actual = result.fetchall()
            if compute is publication_log:  # published_at is the time of publication
                actual = [(r[0], r[2], r[3], r[4]) for r in actual]
    assert_rows(actual, expected, ordered)
