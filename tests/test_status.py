"""`monitor status` and the publication summary of `monitor run`: the share of published cells
per period type (docs/periods-plan.md, 3.1 and 3.8), from a real published file."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from demo.sample_publication import sample_frames
from orchestration.settings import Paths
from orchestration.status import print_publication_summary, print_status

from .published_sample import publish_sample

Q = "2026Q3"
YEAR = ("vier_kwartalen", "2025Q4-2026Q3")


def two_periods(quarter: str) -> dict[str, pd.DataFrame]:
    """The gate's sample (buurten in the four-quarter period only) with every buurt cell
    published."""
    frames = sample_frames(quarter)
    for name in ("protected", "candidate"):
        frame = frames[name]
        buurt = (frame["period_type"] == YEAR[0]) & (frame["area_level"] == "buurt")
        frame.loc[buurt, "status"] = "published"
        frame.loc[buurt, "value"] = frame.loc[buurt, "value"].fillna(12.0)
    return frames


@pytest.fixture(scope="module")
def paths(tmp_path_factory: pytest.TempPathFactory) -> Paths:
    return publish_sample(tmp_path_factory.mktemp("status"), [Q], two_periods)


def shares(paths: Paths) -> dict[tuple[str, str], float]:
    with duckdb.connect(str(paths.monitor), read_only=True) as con:
        rows = con.execute(
            "select period_type, area_level, avg((status = 'published')::int) "
            "from monitor.area_indicators group by all"
        ).fetchall()
    return {(p, level): share for p, level, share in rows}


def test_the_summary_shows_each_period_apart(paths: Paths, capsys) -> None:
    print_publication_summary(paths, Q)
    out = capsys.readouterr().out
    lines = [line.split() for line in out.splitlines() if line.startswith(("kwartaal", "vier"))]
    expected = shares(paths)
    assert len(lines) == len(expected) == 5  # no quarterly buurt figures (seeds/periods.csv)
    assert [line[0] for line in lines] == ["kwartaal"] * 2 + ["vier_kwartalen"] * 3
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
                "from monitor.area_indicators group by all"
            ).fetchall()
        )
    shown = dict(re.findall(r"(kwartaal|vier_kwartalen) (\d+)%", row))
    assert shown == {p: f"{share:.0%}".rstrip("%") for p, share in per_period.items()}
    assert list(shown) == ["kwartaal", "vier_kwartalen"]


def test_an_unpublished_quarter_says_so(tmp_path: Path, capsys) -> None:
    print_publication_summary(Paths(tmp_path / "data"), Q)
    assert f"{Q} is not published" in capsys.readouterr().out
