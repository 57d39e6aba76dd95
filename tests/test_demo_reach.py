"""Who is reached in the demo: reach and help acceptance differ by persona, while the shares
over all signalled households stay at ``Rates.reach`` and ``Rates.help_accepted``.

The personas are worked out here from the files the generator writes (ground truth
households, BRP and benefits extracts) by the rule of ``int_huishouden_personas``, and the
outcomes from the ground truth cases; one quarter of the demo's Amsterdam.

The demo has no students: every resident 17-25 with one of them 18 or older makes the oldest
18-27, so the rule before (jonge_starter) holds first. Students and young starters are
compared together.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from demo.common import rng_for
from demo.generator import GeneratorConfig, build_geography, generate
from demo.history import population_at
from demo.personas import (
    HELP_FACTORS,
    PERSONAS,
    REACH_FACTORS,
    household_personas,
    outcome_chances,
)
from demo.population import build_population
from demo.signals import Rates, _household_outcomes, build_signals
from orchestration.parameters import help_accepted_results, partners, read_seed
from orchestration.quarters import quarter_start
from orchestration.settings import Paths

CONFIG = GeneratorConfig(quarter="2026Q1", seed=2026, geography="amsterdam")
"""The demo's city (some 450,000 households, 6,800 signalled ones: 580 seniors, 940 young
starters) in one quarter: a few seconds."""

YOUNG = ("jonge_starter", "student")


def landing(paths: Paths, quarter: str, source: str) -> pl.DataFrame:
    path = paths.landing / quarter / source / f"{source}_{quarter}.csv"
    return pl.read_csv(path, infer_schema=False)


def personas(paths: Paths, quarter: str) -> pl.DataFrame:
    """Every household of the ground truth with its persona: the first rule that holds, with
    the seed's ages and the benefits (of any resident) overlapping the quarter."""
    p = {row["parameter"]: int(row["value"]) for row in read_seed("persona_parameters")}
    households = pl.read_parquet(paths.ground_truth / quarter / "households.parquet")
    running = pl.col("einddatum").is_null() | (
        pl.col("einddatum").str.to_date() >= quarter_start(quarter)
    )
    benefits = (
        landing(paths, quarter, "uitkeringen")
        .filter(running)
        .join(landing(paths, quarter, "brp_personen").select("bsn", "adres_id"), on="bsn")
        .group_by("adres_id")
        .agg(
            minimum=pl.col("regeling").is_in(["participatiewet", "ioaw"]).any(),
            bbz=(pl.col("regeling") == "bbz").any(),
            benefit=pl.lit(True),
        )
    )
    oldest, youngest = pl.col("oudste_leeftijd"), pl.col("jongste_leeftijd")
    minors = pl.col("minderjarigen")
    persona = (
        pl.when(oldest.is_between(p["jonge_starter_min"], p["jonge_starter_max"]) & (minors == 0))
        .then(pl.lit("jonge_starter"))
        .when((minors >= p["groot_gezin_min_minderjarigen"]) & pl.col("minimum"))
        .then(pl.lit("groot_gezin_minimum"))
        .when(oldest >= p["aow_leeftijd"])
        .then(pl.lit("senior"))
        .when(pl.col("bbz"))
        .then(pl.lit("zelfstandige"))
        .when((youngest >= p["student_min"]) & (oldest <= p["student_max"]) & ~pl.col("benefit"))
        .then(pl.lit("student"))
        .otherwise(pl.lit("overig"))
    )
    return (
        households.join(benefits, on="adres_id", how="left")
        .with_columns(pl.col("minimum", "bbz", "benefit").fill_null(False))
        .select("household_id", "eerste_signaaldatum", persona=persona)
    )


@pytest.fixture(scope="module")
def signalled(tmp_path_factory: pytest.TempPathFactory) -> pl.DataFrame:
    """The quarter's signalled households (a signal attributed to their address) with their
    persona, whether they were reached and whether they accepted help (ground truth)."""
    paths = Paths(tmp_path_factory.mktemp("reach") / "data")
    generate(CONFIG, paths)
    outcomes = (
        pl.read_parquet(paths.ground_truth / CONFIG.quarter / "cases.parquet")
        .group_by("household_id")
        .agg(
            reached=pl.col("bereikt").any(),
            helped=pl.col("resultaat").is_in(list(help_accepted_results())).any(),
        )
    )
    return (
        personas(paths, CONFIG.quarter)
        .filter(pl.col("eerste_signaaldatum").is_not_null())
        .join(outcomes, on="household_id", how="left")
        .with_columns(pl.col("reached", "helped").fill_null(False))
    )


def reach_of(frame: pl.DataFrame, names: tuple[str, ...]) -> float:
    return frame.filter(pl.col("persona").is_in(names))["reached"].mean()


def test_seniors_are_reached_more_often_than_young_households(signalled: pl.DataFrame) -> None:
    """Seniors (factor 1.5) are reached over twice as often as young starters and students
    (0.6, 0.5); with one flat chance both would be near 0.22 (a difference of 0.10 is over
    four standard errors at these numbers of households)."""
    counts = dict(signalled.group_by("persona").len().iter_rows())
    assert counts["senior"] > 300 and sum(counts.get(p, 0) for p in YOUNG) > 500, counts
    senior, young = reach_of(signalled, ("senior",)), reach_of(signalled, YOUNG)
    assert senior > young + 0.10, (senior, young)
    assert senior > 1.5 * young, (senior, young)
    overig = reach_of(signalled, ("overig",))
    assert young < overig < senior, (young, overig, senior)


def test_overall_reach_and_help_stay_where_they_were(signalled: pl.DataFrame) -> None:
    """Over all signalled households about Rates.reach (0.22) are reached and about
    Rates.help_accepted (1/3) of those accept help, whatever the persona mix."""
    reached = signalled.filter("reached")
    assert 0.18 < signalled["reached"].mean() < 0.26
    assert 0.25 < reached["helped"].mean() < 0.42
    assert not signalled.filter(~pl.col("reached") & pl.col("helped")).height


def test_outcome_chances_keep_the_expected_shares() -> None:
    """The chances follow the factors and are rescaled so that the expected shares among the
    signalled households are the rates exactly (households not signalled do not count); a
    chance that would pass 1 is capped and the others make up for it."""
    rates = Rates()
    persona = np.repeat(np.arange(len(PERSONAS), dtype=np.int8), [50, 10, 30, 5, 5, 400])
    signalled = np.arange(len(persona)) % 7 != 0
    p_reach, p_help = outcome_chances(persona, signalled, rates.reach, rates.help_accepted)
    assert p_reach[signalled].mean() == pytest.approx(rates.reach)
    assert (p_reach * p_help)[signalled].sum() / p_reach[signalled].sum() == pytest.approx(
        rates.help_accepted
    )
    senior, starter = PERSONAS.index("senior"), PERSONAS.index("jonge_starter")
    ratio = p_reach[persona == senior][0] / p_reach[persona == starter][0]
    assert ratio == pytest.approx(REACH_FACTORS["senior"] / REACH_FACTORS["jonge_starter"])
    ratio = p_help[persona == senior][0] / p_help[persona == starter][0]
    assert ratio == pytest.approx(HELP_FACTORS["senior"] / HELP_FACTORS["jonge_starter"])

    high, _ = outcome_chances(persona, signalled, 0.8, rates.help_accepted)
    assert high.max() == 1.0
    assert high[persona == senior][0] == 1.0
    assert high[signalled].mean() == pytest.approx(0.8)


def test_cases_and_debt_help_see_the_same_outcomes() -> None:
    """``build_cases`` (registers after the quarter's moves, signals with ids) and
    ``schuldhulp_after_signals`` (base registers, signals drawn again without ids) draw the
    household outcomes from the same stream: they get the same, with the two draws per
    household of the flat chances, so the stream's later draws stay where they were."""
    config = GeneratorConfig(quarter="2026Q1", seed=5, geography="synthetic", households=20_000)
    quarter, seed, rates = config.quarter, config.seed, Rates()
    base = build_population(build_geography(config), seed)
    moved = population_at(base, seed, quarter)
    partner_list = list(partners().values())
    sig = build_signals(moved, partner_list, quarter, seed, rates)
    again = build_signals(moved, partner_list, quarter, seed, rates, ids=False)

    rng = rng_for(seed, "cases", quarter)
    reached, accepted = _household_outcomes(rng, moved, sig, quarter, rates)
    other = _household_outcomes(rng_for(seed, "cases", quarter), base, again, quarter, rates)
    assert np.array_equal(reached, other[0]) and np.array_equal(accepted, other[1])
    assert accepted.any() and (reached & ~accepted).any()
    flat = rng_for(seed, "cases", quarter)
    flat.random(base.households)
    flat.random(base.households)
    assert rng.random() == flat.random()


def test_factors_name_every_persona() -> None:
    assert set(REACH_FACTORS) == set(HELP_FACTORS) == set(PERSONAS)
    assert all(f > 0 for f in (*REACH_FACTORS.values(), *HELP_FACTORS.values()))


def test_the_generator_gives_households_the_platforms_persona(tmp_path: Path) -> None:
    """The personas the chances follow are those the rule of ``int_huishouden_personas``
    gives on the written files, household for household (2025Q2: before the registers'
    reference date, so some children are not born yet)."""
    config = GeneratorConfig(quarter="2025Q2", seed=8, geography="synthetic", households=20_000)
    paths = Paths(tmp_path / "data")
    generate(config, paths)
    expected = personas(paths, config.quarter).sort("household_id")
    pop = population_at(build_population(build_geography(config), config.seed), 8, "2025Q2")
    got = household_personas(pop, config.quarter, np.arange(pop.households))
    assert expected["persona"].to_list() == [PERSONAS[i] for i in got]
    assert expected["persona"].n_unique() >= 5  # students: see the module docstring
