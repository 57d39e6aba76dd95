"""The demo's quarters as a history: the same city and mostly the same households, repeat
signals, a few moves, season and trend in the signal volume; deterministic from the seed.

Judged from the files the generator writes (BRP, schuldhulp and case extracts, ground truth),
on a small synthetic city of four quarters.
"""

from __future__ import annotations

import hashlib
from datetime import date
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
from demo.signals import CASES_CARRIED, Rates
from orchestration.cli import DEMO_QUARTERS, build_parser, demo_quarters
from orchestration.parameters import help_accepted_results
from orchestration.quarters import quarter_end, quarter_of, quarter_start
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


def landing(paths: Paths, quarter: str, source: str) -> pl.DataFrame:
    path = paths.landing / quarter / source / f"{source}_{quarter}.csv"
    separator = ";" if source == "schuldhulp" else ","
    return pl.read_csv(path, separator=separator, infer_schema=False)


def final_cases(paths: Paths, quarter: str) -> pl.DataFrame:
    """Every case of the quarter's signals as it is closed (the ground truth)."""
    return pl.read_parquet(paths.ground_truth / quarter / "cases.parquet")


def debt_help_after(paths: Paths, cohort: str, extract: str) -> pl.DataFrame:
    """The households signalled in ``cohort`` (ground truth: first signal day, start of the
    trajectory it set off) with every schuldhulp trajectory their residents (BRP of the
    cohort) have in the extract of ``extract``: one row per household and trajectory
    (``startdatum`` empty: none)."""
    signalled = households(paths, cohort).filter(pl.col("eerste_signaaldatum").is_not_null())
    residents = landing(paths, cohort, "brp_personen").join(
        signalled.select("adres_id", "household_id"), on="adres_id"
    )
    spells = landing(paths, extract, "schuldhulp").join(residents, on="bsn")
    return signalled.select("household_id", "eerste_signaaldatum", "schuldhulp_na_signaal").join(
        spells.select("household_id", pl.col("startdatum").str.to_date()),
        on="household_id",
        how="left",
    )


CASE_KEY = ["partner_code", "signaal_id"]


def known_at(final: pl.DataFrame, quarter: str) -> pl.DataFrame:
    """The cases of ``final`` (ground truth) the extract of ``quarter`` lists, as it must list
    them (read as text, without the contact attempts): those not closed before the quarter
    began; a case closed by the quarter's end with its final outcome, an open one without
    resultaat and reached (with its first contact) only once that contact is past."""
    end = quarter_end(quarter)
    contact = (pl.col("datum_eerste_contact") <= end).fill_null(False)
    return (
        final.filter(pl.col("datum_afgesloten") >= quarter_start(quarter))
        .select(
            *CASE_KEY,
            "matchingsdatum",
            pl.when(pl.col("datum_afgesloten") <= end).then("resultaat").alias("resultaat"),
            (pl.col("bereikt") & contact).alias("bereikt"),
            pl.when(contact).then("datum_eerste_contact").alias("datum_eerste_contact"),
        )
        .with_columns(pl.all().cast(pl.String))
    )


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


def test_signal_ids_are_unique_over_the_quarters(history: Paths) -> None:
    """A partner's signal id names one signal in every quarter (cases are found by partner
    and id in whichever extract lists them): zilveren_kruis ids carry no quarter, only a
    hash and a number."""
    written = pl.concat(
        pl.read_csv(history.ground_truth / q / "signals.csv", infer_schema=False)
        .filter(pl.col("fault") != "duplicate")
        .select("partner_code", "signaal_id")
        for q in QUARTERS
    )
    assert written.unique().height == written.height
    assert (written["partner_code"] == "zilveren_kruis").sum() > 100


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
    the four quarters, and so have 2026Q3 and 2025Q4 generated together in that order;
    another seed gives another history. The schuldhulp extract of 2026Q2 holds trajectories
    set off by the signals of earlier quarters, those written in the same call (2025Q4,
    2026Q1) as well as those before the first (2025Q1-2025Q3); its case extract the open
    cases of the two quarters before it (and 2025Q4's the open ones of 2025Q2 and 2025Q3)."""
    for cohort in ("2025Q4", "2026Q1"):
        found = debt_help_after(history, cohort, "2026Q2").filter(
            pl.col("startdatum") == pl.col("schuldhulp_na_signaal")
        )
        assert found.height > 5, cohort
        carried = landing(history, "2026Q2", "vroegsignaal_zaken").join(
            final_cases(history, cohort), on=CASE_KEY
        )
        assert carried.height > 0, cohort

    def quarters_of(paths: Paths, quarters: list[str]) -> dict[str, str]:
        return {k: v for k, v in hashes(paths.data_dir).items() if any(q in k for q in quarters)}

    alone = Paths(tmp_path / "alone")
    generate(GeneratorConfig(**{**CONFIG.__dict__, "quarter": "2026Q2"}), alone)
    assert hashes(alone.data_dir) == quarters_of(history, ["2026Q2"])
    apart = Paths(tmp_path / "apart")
    generate_quarters(CONFIG, ["2026Q3", "2025Q4"], apart)
    assert hashes(apart.data_dir) == quarters_of(history, ["2026Q3", "2025Q4"])

    other = Paths(tmp_path / "other")
    generate_quarters(GeneratorConfig(**{**CONFIG.__dict__, "seed": 18}), QUARTERS[:2], other)
    assert signalled(other, "2026Q1") != signalled(history, "2026Q1")


def test_trajectories_after_signals_start_after_them_in_every_later_extract(
    history: Paths,
) -> None:
    """A trajectory a signal set off starts on or after the household's first signal, and is
    in the schuldhulp extract of every quarter whose end is on or after its start, for one of
    the household's residents, on that day."""
    for i, cohort in enumerate(QUARTERS):
        truth = households(history, cohort)
        after = truth.filter(pl.col("schuldhulp_na_signaal").is_not_null())
        assert after.height > 0.03 * truth["eerste_signaaldatum"].is_not_null().sum()
        assert (after["schuldhulp_na_signaal"] >= after["eerste_signaaldatum"]).all()
        for extract in QUARTERS[i:]:
            joined = debt_help_after(history, cohort, extract)
            due = joined.filter(pl.col("schuldhulp_na_signaal") <= quarter_end(extract))
            found = due.filter(pl.col("startdatum") == pl.col("schuldhulp_na_signaal"))
            assert found["household_id"].n_unique() == due["household_id"].n_unique() > 0


def test_an_open_case_arrives_closed_with_its_final_outcome(history: Paths) -> None:
    """Of every quarter's cases (ground truth) each later extract lists exactly those still
    open at the end of the quarter before it, as they stand at its own end: none open after
    its closing day, every one closed with its final outcome once that day is past, and the
    contact attempts of an open case never more than its final number. About a third of a
    quarter's cases are open in its own extract, a few of those still in the next; after
    CASES_CARRIED quarters none."""
    extracts = {q: landing(history, q, "vroegsignaal_zaken") for q in QUARTERS}
    open_own: list[pl.DataFrame] = []
    shares: list[float] = []
    still_open: list[int] = []
    for i, cohort in enumerate(QUARTERS):
        final = final_cases(history, cohort)
        for extract in QUARTERS[i:]:
            listed = extracts[extract].join(final.select(CASE_KEY), on=CASE_KEY)
            want = known_at(final, extract)
            assert (
                listed.drop("aantal_contactpogingen").sort(CASE_KEY).equals(want.sort(CASE_KEY))
            ), (cohort, extract)
            attempts = listed.join(final, on=CASE_KEY, suffix="_final").select(
                pl.col("aantal_contactpogingen").cast(pl.Int64),
                "aantal_contactpogingen_final",
                closed=pl.col("resultaat").is_not_null(),
            )
            assert (
                attempts["aantal_contactpogingen"] <= attempts["aantal_contactpogingen_final"]
            ).all()
            done = attempts.filter("closed")
            assert done["aantal_contactpogingen"].equals(done["aantal_contactpogingen_final"])
            if extract == cohort:
                assert listed.height == final.height
                open_own.append(listed.filter(pl.col("resultaat").is_null()).select(CASE_KEY))
                shares.append(open_own[-1].height / final.height)
            elif extract == QUARTERS[i + 1]:
                later = listed.join(open_own[-1], on=CASE_KEY)
                assert later.height == open_own[-1].height
                still_open.append(later["resultaat"].is_null().sum())
            if i + CASES_CARRIED < len(QUARTERS) and extract > QUARTERS[i + CASES_CARRIED]:
                assert listed.is_empty(), (cohort, extract)
    assert all(0.2 < share < 0.45 for share in shares), shares
    later_share = sum(still_open) / sum(len(o) for o in open_own[:-1])
    assert 0 < later_share < 0.08, later_share
    for extract in QUARTERS[CASES_CARRIED:]:  # every row a case of a quarter generated here
        cases = pl.concat([final_cases(history, q) for q in QUARTERS if q <= extract])
        assert extracts[extract].join(cases, on=CASE_KEY, how="anti").is_empty()


def test_final_household_outcomes_as_in_the_ground_truth(history: Paths) -> None:
    """Once its cases are closed, the latest version of each case over the extracts (as the
    staging model keeps it) is the ground truth's final case, so the households reached and
    helped are those of the ground truth."""
    cohort = QUARTERS[0]
    extracts = QUARTERS[: CASES_CARRIED + 1]
    latest = (
        pl.concat(
            [
                landing(history, q, "vroegsignaal_zaken").with_columns(landing=pl.lit(q))
                for q in extracts
            ]
        )
        .sort("landing")
        .unique(CASE_KEY, keep="last")
    )
    final = final_cases(history, cohort)
    joined = final.join(latest, on=CASE_KEY, suffix="_latest")
    assert joined.height == final.height
    for column in ("resultaat", "bereikt", "datum_eerste_contact", "aantal_contactpogingen"):
        assert joined[column].cast(pl.String).eq_missing(joined[f"{column}_latest"]).all(), column

    def per_household(frame: pl.DataFrame) -> pl.DataFrame:
        return (
            frame.group_by("household_id")
            .agg(
                reached=(pl.col("bereikt").cast(pl.String) == "true").any(),
                helped=pl.col("resultaat").is_in(list(help_accepted_results())).any(),
            )
            .sort("household_id")
        )

    truth = per_household(final)
    latest_outcomes = joined.select(
        "household_id", bereikt="bereikt_latest", resultaat="resultaat_latest"
    )
    assert per_household(latest_outcomes).equals(truth)
    assert 0 < truth["helped"].sum() < truth["reached"].sum()


FLOW_CONFIG = GeneratorConfig(seed=23, geography="synthetic", households=150_000)
"""A larger city for the rates of the flow into debt help (a few hundred households reached)."""

SHARE_AFTER_SIGNAL = {  # case outcome: share starting within six months, lowest and highest
    "hulp geaccepteerd": (0.28, 0.52),
    "bereikt": (0.07, 0.22),
    "niet bereikt": (0.04, 0.11),
}
"""Bands around the generator's chances (0.40, 0.10, 0.04 of the households not in
schuldhulp already, 8% of them later than six months) plus the register trajectories that
happen to start in the window (about 5% of the signalled households, the vulnerable ones)."""


@pytest.fixture(scope="module")
def flow(tmp_path_factory: pytest.TempPathFactory) -> Paths:
    """2026Q1 and the extracts of 2026Q3, six months on (2026Q2's signals are not written but
    set off trajectories all the same)."""
    paths = Paths(tmp_path_factory.mktemp("flow") / "data")
    generate_quarters(FLOW_CONFIG, ["2026Q1", "2026Q3"], paths)
    return paths


def test_signalled_households_flow_into_debt_help(flow: Paths) -> None:
    """The flow into debt help (issue 15 item 6) recomputed from the extracts: of the
    households signalled in 2026Q1, the share with a trajectory starting within six calendar
    months after the first signal (the schuldhulp extract of 2026Q3, residents in the BRP of
    2026Q1) is plausible, and clearly higher after accepted help (the cases' final outcomes,
    ground truth). Every trajectory the ground truth names in that window is among them."""
    cohort = "2026Q1"
    joined = debt_help_after(flow, cohort, "2026Q3")
    window = pl.col("eerste_signaaldatum").dt.offset_by("6mo")
    per_household = joined.group_by("household_id").agg(
        started=pl.col("startdatum")
        .is_between(pl.col("eerste_signaaldatum"), window)
        .fill_null(False)
        .any(),
        named=(pl.col("schuldhulp_na_signaal") <= window).fill_null(False).any(),
    )
    outcome = (
        final_cases(flow, cohort)
        .group_by("household_id")
        .agg(
            helped=pl.col("resultaat").is_in(list(help_accepted_results())).any(),
            reached=pl.col("bereikt").any(),
        )
    )
    flow_in = per_household.join(outcome, on="household_id", how="left").with_columns(
        outcome=pl.when("helped")
        .then(pl.lit("hulp geaccepteerd"))
        .when("reached")
        .then(pl.lit("bereikt"))
        .otherwise(pl.lit("niet bereikt"))
    )
    assert flow_in.height > 2000
    assert flow_in.filter("named")["started"].all()
    share = dict(flow_in.group_by("outcome").agg(pl.col("started").mean()).iter_rows())
    assert set(share) == set(SHARE_AFTER_SIGNAL)
    for outcome_name, (low, high) in SHARE_AFTER_SIGNAL.items():
        assert low < share[outcome_name] < high, share
    without_help = flow_in.filter(pl.col("outcome") != "hulp geaccepteerd")["started"].mean()
    assert share["hulp geaccepteerd"] > 2.5 * without_help, share
    assert share["bereikt"] > share["niet bereikt"], share
    assert 0.07 < flow_in["started"].mean() < 0.16, share


def test_demo_runs_a_year_of_quarters_up_to_the_last() -> None:
    args = build_parser().parse_args(["demo"])
    assert demo_quarters(args.quarter, args.quarters) == ["2025Q3", *QUARTERS]
    assert DEMO_QUARTERS >= 5  # four quarters, and the one before for their outcomes
    assert demo_quarters("2026Q1", 3) == ["2025Q3", "2025Q4", "2026Q1"]
    assert demo_quarters("2026Q1", 1) == ["2026Q1"]


def test_quarters_outside_the_partitions_are_refused_before_anything_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A demo reaching back before first_quarter, or a run of a quarter not yet ended, stops
    with the quarters the pipeline runs, before generating files or starting Dagster (which
    failed mid-run on the unknown partition)."""
    from orchestration.cli import main
    from orchestration.partitions import FIRST_QUARTER
    from orchestration.quarters import next_quarter, previous_quarter

    monkeypatch.setenv("MONITOR_DATA_DIR", str(tmp_path / "data"))
    assert main(["demo", "--quarter", FIRST_QUARTER, "--quarters", "2", "--scale", "0.01"]) == 2
    assert f"{previous_quarter(FIRST_QUARTER)}: not a quarter" in capsys.readouterr().out
    assert main(["run", "--quarter", next_quarter(quarter_of(date.today()))]) == 1
    assert f"It runs the quarters {FIRST_QUARTER} to" in capsys.readouterr().out
    assert not (tmp_path / "data").exists()


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


@pytest.mark.parametrize(
    ("value", "fsync"), [(None, True), ("", True), ("full", True), ("off", False), (" OFF ", False)]
)
def test_the_run_history_keeps_fsync_unless_set_off(
    monkeypatch: pytest.MonkeyPatch, value: str | None, fsync: bool
) -> None:
    from orchestration import settings

    if value is None:
        monkeypatch.delenv(settings.EVENT_LOG_SYNC_ENV, raising=False)
    else:
        monkeypatch.setenv(settings.EVENT_LOG_SYNC_ENV, value)
    assert settings.event_log_fsync() is fsync


@pytest.mark.parametrize("command", [["run", "--quarter", "2026Q3"], ["rotate-key", "--confirm"]])
def test_a_wrong_run_history_setting_stops_the_command_naming_it(
    run_monitor, command: list[str]
) -> None:
    """Checked before anything starts: a rotation would otherwise mark the key as rotating and
    re-ingest every quarter before its runs read the setting."""
    result = run_monitor(*command, check=False, MONITOR_EVENT_LOG_SYNC="Sometimes ")
    assert result.returncode == 1
    assert "MONITOR_EVENT_LOG_SYNC='Sometimes ': give 'off' or 'full'" in result.stderr
    assert not run_monitor.data_dir.exists()  # nothing locked, loaded or written


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
