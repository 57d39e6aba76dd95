"""A real monitor.duckdb for tests that read published figures: the gate's sample candidate
(demo/sample_publication.py) for a few quarters, published by the real publication code."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd

from demo.sample_publication import sample_frames, write_tables
from orchestration.contract import count_indicator_names
from orchestration.publish import PublishResult, publish_quarter
from orchestration.quarters import previous_quarter
from orchestration.settings import Paths

YEAR = "vier_kwartalen"


def history(quarter: str) -> dict[str, pd.DataFrame]:
    """The gate's sample; the quarter before 2026Q3 is the file's first (no rows of the period
    types published later: the outcomes of a quarter come with the next one) and has its
    counts 3 lower, so every change against the previous quarter is a real difference."""
    first = quarter == previous_quarter("2026Q3")
    frames = sample_frames(quarter, late=not first)
    if first:
        for name in ("protected", "candidate"):
            frame = frames[name]
            counts = frame["indicator"].isin(count_indicator_names())
            frame.loc[counts, "value"] = frame.loc[counts, "value"] - 3
    return frames


def publish_test_quarter(
    con: duckdb.DuckDBPyConnection, quarter: str, monitor: Path, **run: object
) -> PublishResult:
    """Publish ``quarter`` of the candidate in ``con`` with placeholder run metadata (a test's
    publication has no Dagster run, checks or suppression counts); ``run`` overrides them."""
    metadata: dict[str, object] = dict(
        run_id="r", data_version="v", checks_passed=[], n_primary=0, n_secondary=0, synthetic=True
    )
    metadata.update(run)
    return publish_quarter(con, quarter, monitor, **metadata)


def publish_sample(
    root: Path,
    quarters: list[str],
    frames: Callable[[str], dict[str, pd.DataFrame]] = sample_frames,
) -> Paths:
    """Publish the sample of each quarter (``frames(quarter)``, by default the gate's sample)
    into ``root/data/monitor.duckdb``."""
    paths = Paths(root / "data")
    with duckdb.connect(str(root / "warehouse.duckdb")) as con:
        for quarter in quarters:
            write_tables(con, **frames(quarter))
            publish_test_quarter(
                con,
                quarter,
                paths.monitor,
                run_id=f"run-{quarter}",
                data_version="v1",
                checks_passed=["area_indicators"],
                n_primary=1,
                n_secondary=1,
            )
    return paths


def independent_shares(paths: Paths, quarter: str) -> dict[tuple[str, str, str], tuple]:
    """(level, period type, indicator) -> (areas, share of areas published, share of the
    published households living in areas whose cell is published), counted in Python from
    the published file's long table."""
    with duckdb.connect(str(paths.monitor), read_only=True) as con:
        cells = con.execute(
            "select area_level, period_type, area_code, indicator, value, status "
            "from monitor.area_indicators where quarter = ?",
            [quarter],
        ).fetchall()
    households = {
        (period, area): value
        for _, period, area, indicator, value, status in cells
        if indicator == "huishoudens" and status == "published"
    }
    groups: dict[tuple[str, str, str], list[tuple[bool, float]]] = {}
    for level, period, area, indicator, _, status in cells:
        groups.setdefault((level, period, indicator), []).append(
            (status == "published", households.get((period, area), 0.0))
        )
    out = {}
    for key, flags in groups.items():
        total = sum(hh for _, hh in flags)
        shown = sum(hh for published, hh in flags if published)
        share_hh = shown / total if total else None
        out[key] = (len(flags), sum(p for p, _ in flags) / len(flags), share_hh)
    return out
