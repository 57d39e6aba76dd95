"""Primary suppression, rule by rule (MONITOR.md, disclosure control rule 1)."""

from __future__ import annotations

import dataclasses

import numpy as np
import polars as pl
import pytest

from demo.synthetic_quarter import frame_from_buurten
from orchestration.disclosure.model import default_relations
from orchestration.disclosure.primary import primary_nearly_all
from orchestration.disclosure.protect import protect_quarter
from orchestration.parameters import disclosure_parameters
from tests.fixtures.disclosure_buurten import LARGE


def frame_with(b1: dict[str, float], b2: dict[str, float] | None = None) -> pl.DataFrame:
    """One gemeente, one wijk, buurt B1 (``LARGE`` changed by ``b1``) and B2 (``LARGE``)."""
    return frame_from_buurten(
        {
            "BU09990101": ("WK099901", LARGE | b1),
            "BU09990102": ("WK099901", LARGE | (b2 or {})),
            "BU09990103": ("WK099901", LARGE),
        },
        {"WK099901": "GM0999"},
    )


def wijk_of_one(b1: dict[str, float]) -> pl.DataFrame:
    """Buurt B1 (``LARGE`` changed by ``b1``) alone in wijk W1, beside W2 of two ``LARGE``
    buurten: W1's figures are B1's, at a level every indicator is published at
    (``seeds/publicatie_niveaus.csv`` leaves the chain from signal to help out of buurten)."""
    return frame_from_buurten(
        {
            "BU09990101": ("WK099901", LARGE | b1),
            "BU09990201": ("WK099902", LARGE),
            "BU09990202": ("WK099902", LARGE),
        },
        {"WK099901": "GM0999", "WK099902": "GM0999"},
    )


def suppression(frame: pl.DataFrame, params: dict | None = None) -> dict[tuple[str, str], str]:
    cells = protect_quarter(frame, params).cells
    return {(r["area_code"], r["indicator"]): r["suppression"] for r in cells.iter_rows(named=True)}


def test_large_table_is_published_whole() -> None:
    result = protect_quarter(frame_with({}))
    assert result.n_primary == 0 and result.n_secondary == 0
    assert (result.published["status"] == "published").all()


@pytest.mark.parametrize(
    ("value", "expected"), [(0, False), (1, True), (5, True), (9, True), (10, False)]
)
def test_small_count_is_primary(value: int, expected: bool) -> None:
    # keep hh_met_signaal >= 100 so only the persona itself is at stake
    sup = suppression(frame_with({"hh_persona_student": value}))
    assert (sup[("BU09990101", "hh_persona_student")] == "primary") is expected


def test_zero_count_is_published_unless_needed_as_complement() -> None:
    sup = suppression(frame_with({"signalen_overig": 0}))
    assert sup[("BU09990101", "signalen_overig")] == "none"


def test_rate_over_primary_numerator_is_primary() -> None:
    sup = suppression(wijk_of_one({"hh_meerdere_signalen": 4}))
    assert sup[("WK099901", "hh_meerdere_signalen")] == "primary"
    assert sup[("WK099901", "pct_meerdere")] == "primary"
    assert sup[("WK099902", "pct_meerdere")] != "primary"


def test_rate_over_small_denominator_is_primary() -> None:
    # hh_met_signaal one below min_denominator: every pct_* rate of B1, not its counts
    below = int(disclosure_parameters()["min_denominator"]) - 1
    small = {
        "hh_persona_jonge_starter": below - 10,
        "hh_persona_groot_gezin_minimum": 0,
        "hh_persona_senior": 10,
        "hh_persona_zelfstandige": 0,
        "hh_persona_student": 0,
        "hh_persona_overig": 0,
        "hh_meerdere_signalen": 10,
        "hh_onbekend": 10,
        "hh_bereikt": 10,
        "hh_hulp_geaccepteerd": 10,
    }
    sup = suppression(wijk_of_one(small))
    for rate in ("pct_meerdere", "pct_onbekend", "pct_bereikt", "pct_hulp"):
        assert sup[("WK099901", rate)] == "primary"
    assert sup[("WK099901", "hh_met_signaal")] == "none"
    assert sup[("WK099902", "pct_bereikt")] == "none"


MIN_DENOMINATOR = int(disclosure_parameters()["min_denominator"])


@pytest.mark.parametrize(
    ("households", "expected"), [(MIN_DENOMINATOR - 1, "primary"), (MIN_DENOMINATOR, "none")]
)
def test_signals_per_1000_needs_min_denominator_households(households: int, expected: str) -> None:
    b1 = {  # 20 signalled households with 20 signals: fits in min_denominator - 1 households
        "huishoudens": households,
        "signalen_energie": 20,
        "signalen_water": 0,
        "signalen_huur": 0,
        "signalen_zorg": 0,
        "signalen_overig": 0,
        "hh_persona_overig": 0,
        "hh_persona_jonge_starter": 10,
        "hh_persona_groot_gezin_minimum": 0,
        "hh_persona_senior": 10,
        "hh_persona_zelfstandige": 0,
        "hh_persona_student": 0,
        "hh_meerdere_signalen": 0,
        "hh_onbekend": 10,
        "hh_bereikt": 10,
        "hh_hulp_geaccepteerd": 0,
    }
    sup = suppression(frame_with(b1))
    assert sup[("BU09990101", "signalen_per_1000_hh")] == expected


def test_rate_without_denominator_is_primary() -> None:
    nothing = {k: 0 for k in LARGE if k != "huishoudens"}
    sup = suppression(wijk_of_one(nothing))
    assert sup[("WK099901", "pct_bereikt")] == "primary"  # 0 / 0: NULL
    assert sup[("WK099901", "hh_met_signaal")] == "none"  # 0 is published
    assert sup[("BU09990101", "signalen_per_1000_hh")] == "none"  # 0 per 1000 of 5000


@pytest.mark.parametrize(("met", "expected"), [(9, "primary"), (10, "none")])
def test_median_needs_10_households(met: int, expected: str) -> None:
    personas = {
        "hh_persona_jonge_starter": 0,
        "hh_persona_groot_gezin_minimum": 0,
        "hh_persona_senior": 0,
        "hh_persona_zelfstandige": 0,
        "hh_persona_student": 0,
        "hh_persona_overig": met,
        "hh_meerdere_signalen": 0,
        "hh_onbekend": 0,
        "hh_bereikt": 0,
        "hh_hulp_geaccepteerd": 0,
    }
    sup = suppression(frame_with(personas))
    assert sup[("BU09990101", "mediaan_bedrag")] == expected


def test_median_without_value_is_primary() -> None:
    empty = {k: 0 for k in LARGE if k != "huishoudens"}
    sup = suppression(frame_with(empty))
    assert sup[("BU09990101", "mediaan_bedrag")] == "primary"


def test_rate_follows_secondary_suppression_of_its_counts() -> None:
    result = protect_quarter(frame_with({"hh_persona_student": 3}))
    cells = {(r["area_code"], r["indicator"]): r for r in result.cells.iter_rows(named=True)}
    for (code, name), row in cells.items():
        if name.startswith("pct_") or name == "signalen_per_1000_hh":
            ind = default_relations().kinds[name]
            hidden = {
                cells[(code, ind.numerator)]["status"],
                cells[(code, ind.denominator)]["status"],
            }
            if "suppressed" in hidden:
                assert row["status"] == "suppressed", (code, name)


def test_thresholds_come_from_the_parameters() -> None:
    params = dict(disclosure_parameters()) | {"min_count": 5.0}
    sup = suppression(frame_with({"hh_persona_student": 5}), params)
    assert sup[("BU09990101", "hh_persona_student")] != "primary"
    sup = suppression(frame_with({"hh_persona_student": 4}), params)
    assert sup[("BU09990101", "hh_persona_student")] == "primary"


@pytest.mark.parametrize(("met", "expected"), [(14, "primary"), (15, "none")])
def test_the_median_threshold_is_min_median_n_not_min_count(met: int, expected: str) -> None:
    params = dict(disclosure_parameters()) | {"min_median_n": 15.0}  # min_count stays 10
    counts = {k: 0 for k in LARGE if k not in ("huishoudens", "signalen_energie")}
    sup = suppression(frame_with(counts | {"hh_persona_overig": met}), params)
    assert sup[("BU09990101", "mediaan_bedrag")] == expected
    assert sup[("BU09990101", "hh_met_signaal")] == "none"


def test_no_primary_cell_is_published() -> None:
    result = protect_quarter(
        frame_with({"hh_persona_student": 2, "signalen_water": 7}, {"signalen_zorg": 1})
    )
    primary = result.cells.filter(pl.col("suppression") == "primary")
    assert primary.height >= 3
    assert (primary["status"] == "suppressed").all()
    joined = result.published.join(
        primary.select("area_code", "indicator"), on=["area_code", "indicator"]
    )
    assert joined["value"].is_null().all()


def test_a_named_part_within_min_count_of_its_total_is_primary() -> None:
    """``primary_nearly_all`` (a partner's groups whose members the reader can name): a part
    that is not 0 and lies within ``min_count`` of its total (strictly: 10 from it is far
    enough), for any of its totals."""
    rel = dataclasses.replace(
        default_relations(),
        named_groups=(("hh_bereikt", "hh_met_signaal"), ("hh_bereikt", "huishoudens")),
    )
    nan = float("nan")
    wide = {
        "hh_bereikt": np.array([0, 5, 12, 30, nan, 1, 15]),
        "hh_met_signaal": np.array([5, 14, 22, 35, 40, 5, 25]),
        "huishoudens": np.array([100, 100, 21, 100, 100, 100, 100]),
    }
    out = primary_nearly_all(wide, rel, 10)
    assert list(out) == ["hh_bereikt"]
    assert out["hh_bereikt"].tolist() == [False, True, True, True, False, True, False]
