"""`monitor status` and the publication summary of `monitor run`: the share of published cells
per period type (docs/periods-plan.md, 3.1 and 3.8), from a real published file."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from demo.sample_publication import sample_frames
from orchestration.parameters import indicator_by_name, periods
from orchestration.settings import Paths
from orchestration.status import print_publication_summary, print_status, print_what_is_published

from .published_sample import independent_shares, publish_sample

Q2, Q = "2026Q2", "2026Q3"
YEAR = ("vier_kwartalen", "2025Q4-2026Q3")


def two_periods(quarter: str) -> dict[str, pd.DataFrame]:
    """The gate's sample (buurten in the four-quarter period only) with every buurt cell
    published; Q2 is the file's first quarter, Q has the rows published later (the outcomes
    of Q2)."""
    frames = sample_frames(quarter, late=quarter == Q)
    for name in ("protected", "candidate"):
        frame = frames[name]
        buurt = (frame["period_type"] == YEAR[0]) & (frame["area_level"] == "buurt")
        frame.loc[buurt, "status"] = "published"
        frame.loc[buurt, "value"] = frame.loc[buurt, "value"].fillna(12.0)
    return frames


@pytest.fixture(scope="module")
def paths(tmp_path_factory: pytest.TempPathFactory) -> Paths:
    return publish_sample(tmp_path_factory.mktemp("status"), [Q2, Q], two_periods)


def shares(paths: Paths) -> dict[tuple[str, str], float]:
    with duckdb.connect(str(paths.monitor), read_only=True) as con:
        rows = con.execute(
            "select period_type, area_level, avg((status = 'published')::int) "
            "from monitor.area_indicators where quarter = ? group by all",
            [Q],
        ).fetchall()
    return {(p, level): share for p, level, share in rows}


def test_the_summary_shows_each_period_apart(paths: Paths, capsys) -> None:
    print_publication_summary(paths, Q)
    out = capsys.readouterr().out
    kinds = [p.period_type for p in periods()]
    lines = [line.split() for line in out.splitlines() if line.startswith(tuple(kinds))]
    expected = shares(paths)
    assert len(lines) == len(expected)
    assert [line[0] for line in lines] == sorted((line[0] for line in lines), key=kinds.index)
    # no quarterly buurt figures (seeds/periods.csv)
    assert [line[0] for line in lines][:7] == ["kwartaal"] * 3 + ["vier_kwartalen"] * 4
    for period, level, _areas, cells, suppressed, share in lines:
        assert share == f"{expected[(period, level)]:.0%}"
        assert int(suppressed) == round(int(cells) * (1 - expected[(period, level)]))
    assert expected[("vier_kwartalen", "buurt")] == 1 and ("kwartaal", "buurt") not in expected


def test_status_shows_the_published_share_per_period(paths: Paths, capsys) -> None:
    print_status(paths)
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith(Q))
    with duckdb.connect(str(paths.monitor), read_only=True) as con:
        per_period = dict(
            con.execute(
                "select period_type, avg((status = 'published')::int) "
                "from monitor.area_indicators where quarter = ? group by all",
                [Q],
            ).fetchall()
        )
    shown = dict(re.findall(r"(\w+) (\d+)%", row))
    assert shown == {p: f"{share:.0%}".rstrip("%") for p, share in per_period.items()}
    assert list(shown) == [p.period_type for p in periods() if p.period_type in per_period]
    assert {"kwartaal", "vier_kwartalen", "kwartaal_afgerond"} <= set(shown)


def test_an_unpublished_quarter_says_so(tmp_path: Path, capsys) -> None:
    print_publication_summary(Paths(tmp_path / "data"), Q)
    assert f"{Q} is not published" in capsys.readouterr().out


def what_is_published(out: str) -> list[list[str]]:
    """The rows of the table under "Wat is gepubliceerd" (cells split on two spaces)."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Wat is gepubliceerd"))
    rule = next(i for i in range(start, len(lines)) if lines[i].startswith("--------"))
    rows = []
    for line in lines[rule + 1 :]:
        if not line.strip():
            break
        rows.append(re.split(r"\s{2,}", line.strip()))
    return rows


def same_percent(shown: str, share: float | None) -> bool:
    """``shown`` (``39%``, or empty for no share) is ``share`` in whole percents."""
    if share is None:
        return shown == ""
    return shown.endswith("%") and abs(int(shown[:-1]) - 100 * share) <= 0.5


@pytest.mark.parametrize("all_indicators", [False, True])
def test_status_shows_what_is_published_of_the_latest_quarter(
    paths: Paths, capsys, all_indicators: bool
) -> None:
    from orchestration.shares import KEY_INDICATORS

    print_status(paths, all_indicators=all_indicators)
    out = capsys.readouterr().out
    assert f"Wat is gepubliceerd van {Q}" in out
    expected = independent_shares(paths, Q)
    wanted = {k for k in expected if all_indicators or k[2] in KEY_INDICATORS}
    rows = what_is_published(out)
    shown = {}
    names = {}
    for row in rows:
        level, period_type, period, indicator, areas, share = row[:6]
        shown[(level, period_type, indicator)] = (
            int(areas), share, row[6] if len(row) > 6 else ""
        )  # fmt: skip
        names[period_type] = period
    assert set(shown) == wanted
    assert {k[2] for k in shown} == (set(KEY_INDICATORS) if not all_indicators else
                                     {k[2] for k in expected})  # fmt: skip
    for key, (areas, share, households) in shown.items():
        n, share_areas, share_hh = expected[key]
        assert areas == n, key
        assert same_percent(share, share_areas), (key, share, share_areas)
        assert same_percent(households, share_hh), (key, households, share_hh)
    # no quarterly buurt figure (seeds/periods.csv niveaus); the sample hides some wijk cells of
    # the quarter, and shows every buurt of the year
    assert ("buurt", "kwartaal", "hh_met_signaal") not in shown
    assert shown[("wijk", "kwartaal_afgerond", "pct_hulp")][1] != "100%"
    assert shown[("buurt", "vier_kwartalen", "hh_met_signaal")][1] == "100%"
    # issue 15 item 7: the outcomes from the period types that carry them, periods named
    for _, period_type, indicator in shown:
        assert period_type in indicator_by_name()[indicator].period_types()
    assert ("gemeente", "kwartaal", "pct_bereikt") not in shown
    assert ("gemeente", "kwartaal_afgerond", "pct_bereikt") in shown
    assert names["kwartaal_afgerond"] == Q2 and names["kwartaal"] == Q
    assert names["vier_kwartalen_afgerond"] == "2025Q3-2026Q2"
    assert f"Hierboven de uitkomsten over {Q2}" in out
    assert f"Die over {Q} en {YEAR[1]} volgen met de publicatie een kwartaal later" in out


def test_the_first_quarter_says_its_outcomes_follow(paths: Paths, capsys) -> None:
    """The file's first quarter has no rows published later: no outcome figures, and a note
    that they come with the next publication."""
    print_what_is_published(paths, Q2)
    out = capsys.readouterr().out
    rows = what_is_published(out)
    assert rows and not [r for r in rows if r[3] in ("pct_bereikt", "pct_hulp")]
    assert "Deze publicatie heeft nog geen uitkomsten van een eerdere periode" in out
    assert f"Die over {Q2} en 2025Q3-2026Q2 volgen met de publicatie een kwartaal later" in out


def test_the_demo_summary_shows_the_outcomes_a_quarter_later(paths: Paths, capsys) -> None:
    """`monitor demo`'s summary: the outcomes of Q2 as published with Q (kwartaal_afgerond
    and vier_kwartalen_afgerond rows), the cohort apart; no outcome among the quarter's own."""
    from orchestration.cli import _print_history

    _print_history(paths, [Q2, Q])
    out = capsys.readouterr().out
    outcomes = out[out.index("Outcomes of the signals") :].split("\n\n")[0]
    rows = [line.split() for line in outcomes.splitlines()[3:]]
    assert {(r[0], r[1], r[2]) for r in rows} == {
        (Q2, "kwartaal_afgerond", Q),
        ("2025Q3-2026Q2", "vier_kwartalen_afgerond", Q),
    }
    header = outcomes.splitlines()[1]
    assert "% bereikt v. opgepakt" in header and "% hulp v. bereikt" in header
    # the national monitor's rates: reached over picked up, help over reached
    checked = 0
    for r in rows:
        try:
            opgepakt, bereikt, hulp, pct_b, pct_h = (float(v.replace(",", "")) for v in r[-5:])
        except ValueError:  # a suppressed figure
            continue
        assert pct_b == pytest.approx(100 * bereikt / opgepakt, abs=0.05)
        assert pct_h == pytest.approx(100 * hulp / bereikt, abs=0.05)
        checked += 1
    assert checked
    cohort = out[out.index("Signalled households followed for six months") :].split("\n\n")[0]
    assert {line.split()[1] for line in cohort.splitlines()[3:]} == {"cohort_zes_maanden"}
    regular = out[out.index("Published periods (gemeente)") :].split("\n\n")[0]
    assert "bereikt" not in regular and "afgerond" not in regular
