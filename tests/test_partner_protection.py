"""Disclosure control of one partner's figures (orchestration/partners/protect.py).

A partner reads its own file knowing which signals it sent, and able to redo the address
matching with the public BAG: its signals per gemeente and those without a matching address,
outside the gemeente or with several addresses are known to it (``Relations.known``), so they
are published whatever their value. The table below: 120 signals of one partner in one
gemeente, 110 linked to a household (``signalen_overig``, its publication group), 4 + 2 + 0
that the partner can tell are unmatched, and 4 at an address where nobody is registered (a
BRP fact: primary). With the linked 110 published, those 4 would be 120 - 6 - 110: exact. The
complement is the linked signals, which the 100 households bound from below, so the 4 get
[0, 14].

Its households are a group it can name (``Relations.named_groups``): a count of them within
``min_count`` of its total (12 of 12 reached) is primary, like a count below it.

The outcomes of a quarter's households come a quarter later (``kwartaal_afgerond``), beside the
quarter's own figures in the partner's earlier file: protected and audited together.
"""

from __future__ import annotations

import dataclasses

import duckdb
import polars as pl
import pytest

from orchestration.contract import PARTNER_CANDIDATE_TABLE, PARTNER_MODEL_TABLE
from orchestration.disclosure.audit import audit_publication
from orchestration.disclosure.model import InconsistentTableError
from orchestration.parameters import disclosure_parameters
from orchestration.partners.protect import (
    PARTNER_KEY,
    audit_partner,
    audit_stored_partners,
    partner_relations,
    protect_partner,
    protect_stored_partners,
)

TRUE = {
    "signalen": 120, "signalen_overig": 110, "signalen_geen_match": 4,
    "signalen_buiten_gemeente": 2, "signalen_meerdere_adressen": 0,
    "signalen_geen_huishouden": 4, "hh_met_signaal": 100, "hh_opgepakt": 80,
    "hh_bereikt": 40, "hh_hulp_geaccepteerd": 20,
}  # fmt: skip
GEEN = "signalen_geen_huishouden"


def frame(values: dict[str, float] = TRUE, partner: str = "duo") -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                PARTNER_KEY: partner,
                "quarter": "2026Q3",
                "period_type": "kwartaal",
                "period": "2026Q3",
                "area_level": "gemeente",
                "area_code": "GM0001",
                "area_name": "Gemeente",
                "parent_code": None,
                "indicator": name,
                "value": float(value),
            }
            for name, value in values.items()
        ]
    )


def suppressed(cells: pl.DataFrame) -> set[str]:
    return set(cells.filter(pl.col("status") == "suppressed")["indicator"])


def width(audit, indicator: str) -> float:
    return next(w for _, ind, _, _, w in audit.narrowest if ind == indicator)


def test_the_partners_own_signals_stay_published_and_a_complement_protects_the_rest() -> None:
    result = protect_partner(frame())
    assert suppressed(result.cells) == {GEEN, "signalen_overig"}
    assert set(result.published[PARTNER_KEY]) == {"duo"}
    audit = audit_partner(result.published)
    assert audit.passed, audit.failures
    assert width(audit, GEEN) == pytest.approx(14)


def test_a_complement_on_the_partners_own_signals_protects_nothing() -> None:
    """The same small count with the partner's 120 signals as its complement: the partner
    knows the 120, so the audit refuses the file (and with the 120 in it, the 4 is exact)."""
    hidden = {"signalen", GEEN}
    published = frame().with_columns(
        value=pl.when(pl.col("indicator").is_in(hidden)).then(None).otherwise(pl.col("value")),
        status=pl.when(pl.col("indicator").is_in(hidden))
        .then(pl.lit("suppressed"))
        .otherwise(pl.lit("published")),
    )
    audit = audit_partner(published)
    assert "GM0001 signalen: suppressed, but the reader knows it" in audit.violations
    as_the_partner_reads_it = published.with_columns(
        value=pl.when(pl.col("indicator") == "signalen").then(120.0).otherwise(pl.col("value")),
        status=pl.when(pl.col("indicator") == "signalen")
        .then(pl.lit("published"))
        .otherwise(pl.col("status")),
    )
    audit = audit_partner(as_the_partner_reads_it)
    assert not audit.passed and not audit.violations
    assert width(audit, GEEN) == pytest.approx(0)


@pytest.mark.parametrize(
    ("households", "outcome", "value"),
    [("hh_met_signaal", "hh_opgepakt", 12), ("hh_bereikt", "hh_hulp_geaccepteerd", 39)],
)
def test_nearly_all_of_the_partners_households_is_primary(
    households: str, outcome: str, value: int
) -> None:
    """12 of its 12 households picked up, 39 of 40 reached households helped: published, the
    partner would know it of (nearly) each of its own customers."""
    whole = {
        **TRUE, "signalen": 56, "signalen_overig": 46, "hh_met_signaal": 40,
        "hh_opgepakt": 40, "hh_bereikt": 40, "hh_hulp_geaccepteerd": 39,
    } if value == 39 else {
        **TRUE, "signalen": 22, "signalen_overig": 12, "hh_met_signaal": 12,
        "hh_opgepakt": 12, "hh_bereikt": 0, "hh_hulp_geaccepteerd": 0,
    }  # fmt: skip
    assert whole[outcome] == value and whole[households] - value < 10
    result = protect_partner(frame(whole))
    primary = set(result.cells.filter(pl.col("suppression") == "primary")["indicator"])
    assert outcome in primary
    assert audit_partner(result.published).passed
    shown = result.published.with_columns(
        value=pl.when(pl.col("indicator") == outcome).then(float(value)).otherwise(pl.col("value")),
        status=pl.when(pl.col("indicator") == outcome)
        .then(pl.lit("published"))
        .otherwise(pl.col("status")),
    )
    audit = audit_partner(shown)
    # refused: by the rule where the total is published too, else by the total's interval
    named = any(f"{outcome}: published within min_count of" in v for v in audit.violations)
    narrowed = any(ind == households for _, ind, *_ in audit.failures)
    assert not audit.passed and (named or narrowed)


def test_a_partner_with_fewer_signals_than_the_width_learns_nothing_new() -> None:
    """7 signals: every count of them lies in [0, 7], known to the partner before it opens
    the file. Everything but the 7 is suppressed, and the audit passes the cells because
    their intervals are no narrower than that prior knowledge; one count published beside
    them (3 households reached) narrows another below it, and the audit refuses."""
    small = {name: 0 for name in TRUE} | {
        "signalen": 7, "signalen_overig": 7, "hh_met_signaal": 6, "hh_opgepakt": 6,
        "hh_bereikt": 3,
    }  # fmt: skip
    result = protect_partner(frame(small))
    shown = result.cells.filter(pl.col("status") == "published")
    assert shown.filter(pl.col("indicator") == "signalen")["value"].to_list() == [7.0]
    assert shown.filter(pl.col("value") > 0)["indicator"].to_list() == ["signalen"]
    audit = audit_partner(result.published)
    assert audit.passed, (audit.failures, audit.violations)
    assert width(audit, "hh_met_signaal") == pytest.approx(7)  # the prior [0, 7]
    unknown = dataclasses.replace(partner_relations(list(small)), known=())
    breach = audit_publication(result.published, dict(disclosure_parameters()), relations=unknown)
    assert any("signalen: published count below min_count" in v for v in breach.violations)
    leaky = result.published.with_columns(
        value=pl.when(pl.col("indicator") == "hh_bereikt").then(3.0).otherwise(pl.col("value")),
        status=pl.when(pl.col("indicator") == "hh_bereikt")
        .then(pl.lit("published"))
        .otherwise(pl.col("status")),
    )
    audit = audit_partner(leaky)
    assert not audit.passed
    assert {ind for _, ind, *_ in audit.failures} >= {"hh_opgepakt", "hh_met_signaal"}


def test_the_linked_bound_holds_the_partners_own_group_only() -> None:
    relations = partner_relations(list(TRUE))
    assert relations.linked == ((("hh_met_signaal",), ("signalen_overig",)),)
    assert relations.known == (
        "signalen", "signalen_geen_match", "signalen_buiten_gemeente",
        "signalen_meerdere_adressen",
    )  # fmt: skip
    assert ("hh_hulp_geaccepteerd", "hh_bereikt") in relations.named_groups
    with pytest.raises(ValueError, match="one publication group"):
        partner_relations([*TRUE, "signalen_energie"])


def test_one_partner_at_a_time() -> None:
    both = pl.concat([frame(), frame(partner="eneco")])
    with pytest.raises(ValueError, match="one partner's figures at a time"):
        protect_partner(both)


def test_a_count_the_reader_can_compute_from_what_it_knows_passes_however_narrow() -> None:
    """A reader who also knows the signals at no household knows the linked ones exactly
    (120 - 4 - 2 - 0 - 4 = 110): hiding them protects nothing, and the audit passes the
    cell at its prior interval [110, 110] (width 0). Without that knowledge the same file
    fails: the interval is the same, the reader did not know it."""
    published = frame().with_columns(
        value=pl.when(pl.col("indicator") == "signalen_overig").then(None).otherwise("value"),
        status=pl.when(pl.col("indicator") == "signalen_overig")
        .then(pl.lit("suppressed"))
        .otherwise(pl.lit("published")),
    )
    relations = partner_relations(list(TRUE))
    knowing = dataclasses.replace(relations, known=(*relations.known, GEEN))
    audit = audit_publication(published.drop(PARTNER_KEY), relations=knowing, exact=True)
    assert audit.passed, (audit.failures, audit.violations)
    [(_, indicator, lo, hi, w)] = audit.narrowest
    assert (indicator, lo, hi, w) == (
        "signalen_overig",
        pytest.approx(110),
        pytest.approx(110),
        pytest.approx(0),
    )
    plain = audit_publication(published.drop(PARTNER_KEY), relations=relations, exact=True)
    assert [ind for _, ind, *_ in plain.failures] == ["signalen_overig"]


def test_a_small_count_of_the_partners_households_is_primary_by_the_count_rule() -> None:
    """5 of 40 reached households helped: not nearly all of them (the rule above), but a count
    from 1 to 9: primary all the same."""
    result = protect_partner(frame(TRUE | {"hh_hulp_geaccepteerd": 5}))
    primary = set(result.cells.filter(pl.col("suppression") == "primary")["indicator"])
    assert "hh_hulp_geaccepteerd" in primary
    assert audit_partner(result.published).passed


OWN = {name: value for name, value in TRUE.items() if not name.startswith("hh_")} | {
    "hh_met_signaal": 108
}
"""A quarter's own figures (period type kwartaal): the signals and the households, 108 of
them; with the 4 at no household primary and the linked signals their complement, the 108 is
suppressed too (it would bound the linked signals from below)."""
LATE = {"hh_met_signaal": 108, "hh_opgepakt": 106, "hh_bereikt": 60, "hh_hulp_geaccepteerd": 30}
"""The outcomes of those 108 households, a quarter later (kwartaal_afgerond)."""


def rows(values: dict[str, float], quarter: str, period_type: str, period: str) -> pl.DataFrame:
    return frame(values).with_columns(
        quarter=pl.lit(quarter),
        period_type=pl.lit(period_type),
        period=pl.lit(period),
        parent_code=pl.lit(None, pl.String),
    )


def warehouse(*frames: pl.DataFrame) -> duckdb.DuckDBPyConnection:
    """An in-memory warehouse whose dbt partner table holds ``frames``."""
    con = duckdb.connect()
    con.execute(f"create schema {PARTNER_MODEL_TABLE.split('.')[0]}")
    con.register("_model", pl.concat(frames))
    con.execute(f"create table {PARTNER_MODEL_TABLE} as select * from _model")
    return con


def test_the_outcomes_a_quarter_later_are_protected_with_what_the_partner_holds_of_that_quarter() -> (
    None
):
    """2026Q3 carries the outcomes of 2026Q2's households. The 108 households are repeated as
    2026Q2's file had them (suppressed, though 108 alone would be published), and 106 of them
    picked up is nearly all: primary. Published beside the 2026Q2 file, the 106 would narrow
    the 108 to [106, 114] (at most the linked signals: 120 - 4 - 2 - 0 at no household); the
    audit reads both files and refuses it. 2026Q3 is refused while 2026Q2 is not protected."""
    q2 = rows(OWN, "2026Q2", "kwartaal", "2026Q2")
    q3 = pl.concat(
        [
            rows(OWN, "2026Q3", "kwartaal", "2026Q3"),
            rows(LATE, "2026Q3", "kwartaal_afgerond", "2026Q2"),
        ]
    )
    con = warehouse(q2, q3)
    with pytest.raises(InconsistentTableError, match="run 2026Q2 first"):
        protect_stored_partners(con, "2026Q3")
    earlier = protect_stored_partners(con, "2026Q2")["duo"].cells
    assert earlier.filter(pl.col("indicator") == "hh_met_signaal")["status"].to_list() == [
        "suppressed"
    ]
    cells = protect_stored_partners(con, "2026Q3")["duo"].cells
    late = cells.filter(pl.col("period_type") == "kwartaal_afgerond")
    assert set(late["period"]) == {"2026Q2"}
    status = {r["indicator"]: (r["status"], r["suppression"]) for r in late.iter_rows(named=True)}
    assert status["hh_met_signaal"] == ("suppressed", "secondary")  # as in 2026Q2's file
    assert status["hh_opgepakt"] == ("suppressed", "primary")
    assert audit_stored_partners(con, "2026Q3")["duo"].passed

    con.execute(
        f"update {PARTNER_CANDIDATE_TABLE} set value = 106, status = 'published' "
        "where quarter = '2026Q3' and indicator = 'hh_opgepakt'"
    )
    audit = audit_stored_partners(con, "2026Q3")["duo"]
    assert not audit.passed
    narrowed = {(area, ind): (lo, hi) for area, ind, lo, hi, _ in audit.failures}
    assert narrowed[("2026Q2:GM0001", "hh_met_signaal")] == (
        pytest.approx(106),
        pytest.approx(114),
    )


SMALL = {
    "signalen": 19, "signalen_overig": 19, "signalen_geen_match": 0,
    "signalen_buiten_gemeente": 0, "signalen_meerdere_adressen": 0,
    "signalen_geen_huishouden": 0, "hh_met_signaal": 19,
}  # fmt: skip
"""A quarter's own figures of a partner in a small gemeente: 19 households, all published."""
SMALL_LATE = {
    "hh_met_signaal": 19, "hh_opgepakt": 19, "hh_bereikt": 11, "hh_hulp_geaccepteerd": 6,
    "mediaan_dagen_tot_contact": 15,
}  # fmt: skip
"""Their outcomes a quarter later, with the median days to contact of the 11 reached."""


def test_a_median_that_holds_a_count_too_narrow_under_a_fixed_total_is_suppressed() -> None:
    """Found on the national benchmark with history (session 32): the 19 households are in the
    partner's earlier file, so 19 is fixed. All 19 picked up and 11 of them reached are primary
    (nearly all of the 19; 8 not reached). The median over the 11 is published by its own rule
    (at least min_median_n = 10 households), and that tells the reader the reached households
    are at least 10: with at most 19, [10, 19] is narrower than the width, and no complement
    can widen it (the 19 is fixed). The median is suppressed instead (secondary), and the
    audit, which reads both files, passes."""
    con = warehouse(
        rows(SMALL, "2026Q2", "kwartaal", "2026Q2"),
        pl.concat(
            [
                rows(SMALL, "2026Q3", "kwartaal", "2026Q3"),
                rows(SMALL_LATE, "2026Q3", "kwartaal_afgerond", "2026Q2"),
            ]
        ),
    )
    earlier = protect_stored_partners(con, "2026Q2")["duo"].cells
    assert suppressed(earlier) == set()
    late = protect_stored_partners(con, "2026Q3")["duo"].cells.filter(
        pl.col("period_type") == "kwartaal_afgerond"
    )
    status = {r["indicator"]: (r["status"], r["suppression"]) for r in late.iter_rows(named=True)}
    assert status["hh_met_signaal"] == ("published", "none")  # as in 2026Q2's file
    assert status["hh_bereikt"] == ("suppressed", "primary")
    assert status["mediaan_dagen_tot_contact"] == ("suppressed", "secondary")
    audit = audit_stored_partners(con, "2026Q3")["duo"]
    assert audit.passed, audit.failures
    assert width(audit, "hh_bereikt") >= disclosure_parameters()["protection_width"]


def test_a_gemeente_the_partner_had_no_households_in_gets_zero_outcomes() -> None:
    """Found on the national benchmark with history (session 32): in 2026Q2 the partner had one
    signal in GM0002, matched to several addresses, and no household there. dbt writes the
    outcomes a quarter later only where the partner had households, but GM0002 is in 2026Q3's
    model through the partner's 2026Q2 file; its outcome counts are 0, not missing (which
    stopped protection with 'count is NULL')."""
    empty = dict.fromkeys(SMALL, 0) | {"signalen": 1, "signalen_meerdere_adressen": 1}
    q2 = pl.concat(
        [
            rows(OWN, "2026Q2", "kwartaal", "2026Q2"),
            rows(empty, "2026Q2", "kwartaal", "2026Q2").with_columns(area_code=pl.lit("GM0002")),
        ]
    )
    q3 = pl.concat(
        [
            rows(OWN, "2026Q3", "kwartaal", "2026Q3"),
            rows(LATE, "2026Q3", "kwartaal_afgerond", "2026Q2"),
        ]
    )
    con = warehouse(q2, q3)
    protect_stored_partners(con, "2026Q2")
    cells = protect_stored_partners(con, "2026Q3")["duo"].cells
    late = cells.filter(
        (pl.col("period_type") == "kwartaal_afgerond") & (pl.col("area_code") == "GM0002")
    )
    assert dict(zip(late["indicator"], late["value"], strict=True)) == dict.fromkeys(LATE, 0.0)
    assert audit_stored_partners(con, "2026Q3")["duo"].passed
