"""The demo's quarters as a history: the same city and mostly the same households, repeat
signals, a few moves, season and trend in the signal volume; deterministic from the seed.

Judged from the files the generator writes (BRP extract, ground truth), on a small
synthetic city of four quarters.
"""

from __future__ import annotations

import hashlib
from itertools import pairwise
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from demo.generator import GeneratorConfig, generate, generate_quarters
from demo.history import (
    ARREARS_PERSISTENCE,
    ENERGY_SEASON,
    HISTORY_FROM,
    MOVE_SHARE,
    arrears_draws,
    rates_for,
    volume_factor,
)
from demo.signals import Rates
from orchestration.cli import DEMO_QUARTERS, build_parser, demo_quarters
from orchestration.settings import Paths

QUARTERS = ["2025Q4", "2026Q1", "2026Q2", "2026Q3"]
CONFIG = GeneratorConfig(seed=17, geography="synthetic", households=30_000)


def hashes(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Paths:
    paths = Paths(tmp_path_factory.mktemp("history") / "data")
    generate_quarters(CONFIG, QUARTERS, paths)
    return paths


def signalled(paths: Paths, quarter: str) -> set[int]:
    """True households with a signal in the quarter (the ground truth)."""
    truth = pl.read_csv(paths.ground_truth / quarter / "signals.csv", infer_schema=False)
    ids = truth.filter(pl.col("household_id") != "")["household_id"].cast(pl.Int64)
    return set(ids.to_list())


def households(paths: Paths, quarter: str) -> pl.DataFrame:
    return pl.read_parquet(paths.ground_truth / quarter / "households.parquet")


def test_a_share_of_households_is_signalled_again_the_next_quarter(history: Paths) -> None:
    """Vroegsignalering sees repeat signals: about two in five of a quarter's signalled
    households had a signal the quarter before; the others are new. Over the four quarters a
    household counts once, so the year has fewer households than the quarters together."""
    sets = [signalled(history, q) for q in QUARTERS]
    for before, now in pairwise(sets):
        repeat = len(now & before) / len(now)
        assert 0.30 < repeat < 0.55, repeat
    year = set().union(*sets)
    assert max(len(s) for s in sets) < len(year) < 0.8 * sum(len(s) for s in sets)


def test_the_same_city_with_a_few_moves(history: Paths) -> None:
    """Every quarter has the same households; about MOVE_SHARE of them move each quarter, to
    a home nobody else lives in, with every resident of the household."""
    frames = [households(history, q) for q in QUARTERS]
    for before, now in pairwise(frames):
        assert now["household_id"].to_list() == before["household_id"].to_list()
        assert now["adres_id"].is_unique().all()
        moved = (now["adres_id"] != before["adres_id"]).mean()
        assert 0.5 * MOVE_SHARE < moved < 2 * MOVE_SHARE, moved
        assert (now["buurtcode"] != before["buurtcode"]).any()  # some move to another buurt
    for quarter, frame in zip(QUARTERS, frames, strict=True):
        brp = pl.read_csv(
            history.landing / quarter / "brp_personen" / f"brp_personen_{quarter}.csv",
            infer_schema=False,
        )
        homes = set(frame["adres_id"].to_list())
        at_home = brp.filter(pl.col("adres_id").is_in(homes)).height
        assert at_home > 0.98 * brp.height  # residents live where their household lives


def test_signal_volume_follows_season_and_trend(history: Paths) -> None:
    """More signals in winter, energy signals most of all; 2026Q3 is the reference."""
    assert volume_factor("2026Q3") == 1.0
    assert volume_factor("2027Q3") == pytest.approx(1.04)
    assert volume_factor("2026Q1") > volume_factor("2026Q2") > volume_factor("2026Q3")
    base = Rates()
    assert rates_for(base, "2026Q3") == base
    winter = rates_for(base, "2026Q1")
    assert winter.group_shares["energie"] == pytest.approx(
        base.group_shares["energie"] * ENERGY_SEASON[1]
    )

    def energy_share(quarter: str) -> tuple[int, float]:
        truth = pl.read_csv(history.ground_truth / quarter / "signals.csv", infer_schema=False)
        truth = truth.filter(pl.col("fault") != "duplicate")
        return truth.height, (truth["partner_type"] == "energie").mean()

    (q1_n, q1_energy), (q3_n, q3_energy) = energy_share("2026Q1"), energy_share("2026Q3")
    assert q1_n > q3_n
    assert q1_energy > 1.15 * q3_energy


def test_a_quarter_is_the_same_whichever_quarters_are_generated(
    history: Paths, tmp_path: Path
) -> None:
    """Deterministic from the seed: 2026Q2 generated alone has the bytes it has as part of
    the four quarters; another seed gives another history."""
    alone = Paths(tmp_path / "alone")
    generate(GeneratorConfig(**{**CONFIG.__dict__, "quarter": "2026Q2"}), alone)
    together = {k: v for k, v in hashes(history.data_dir).items() if "2026Q2" in k}
    assert hashes(alone.data_dir) == together

    other = Paths(tmp_path / "other")
    generate_quarters(GeneratorConfig(**{**CONFIG.__dict__, "seed": 18}), QUARTERS[:2], other)
    assert signalled(other, "2026Q1") != signalled(history, "2026Q1")


def test_demo_runs_a_year_of_quarters_up_to_the_last() -> None:
    args = build_parser().parse_args(["demo"])
    assert demo_quarters(args.quarter, args.quarters) == QUARTERS
    assert DEMO_QUARTERS >= 4
    assert demo_quarters("2026Q1", 3) == ["2025Q3", "2025Q4", "2026Q1"]
    assert demo_quarters("2026Q1", 1) == ["2026Q1"]


def test_the_demo_event_log_skips_fsync_only_under_its_dagster_home(tmp_path: Path) -> None:
    """Inside ``event_log_without_fsync(home)`` SQLite files under ``home`` are opened with
    ``synchronous = OFF``; other files, and every file afterwards, keep SQLite's FULL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    from orchestration.eventlog import event_log_without_fsync

    home, elsewhere = tmp_path / "dagster_home", tmp_path / "other"
    home.mkdir()
    elsewhere.mkdir()

    def synchronous(db: Path) -> int:
        engine = create_engine(f"sqlite:///{db}", poolclass=NullPool)
        with engine.connect() as con:
            value = con.execute(text("pragma synchronous")).scalar_one()
        engine.dispose()
        return value

    full, off = 2, 0
    with event_log_without_fsync(home):
        assert synchronous(home / "runs.db") == off
        assert synchronous(elsewhere / "runs.db") == full
    assert synchronous(home / "runs.db") == full


def test_arrears_draws_carry_over_from_the_history_start() -> None:
    """After HISTORY_FROM about ARREARS_PERSISTENCE of the draws carry over from the quarter
    before; before it every quarter's draws are its own."""
    n = 20_000

    def kept(before: str, now: str) -> float:
        return float(np.mean(arrears_draws(n, 5, before) == arrears_draws(n, 5, now)))

    assert kept(HISTORY_FROM, "2025Q2") == pytest.approx(ARREARS_PERSISTENCE, abs=0.02)
    assert kept("2026Q2", "2026Q3") == pytest.approx(ARREARS_PERSISTENCE, abs=0.02)
    assert kept("2024Q3", "2024Q4") == 0.0
    assert kept("2024Q4", HISTORY_FROM) == 0.0
