"""Every indicator is defined once, in words, beside the national definition (issue #15).

``seeds/indicators.csv`` holds kind, unit, numerator, denominator and scale;
``seeds/indicator_definities.csv`` the rest of the definition in Dutch (label, period, levels,
source fields, what is counted, the Divosa / DDAS definition it follows or why it differs),
the one seed the published dictionary takes its words from;
``seeds/landelijke_referentie.csv`` the national figures to compare with, each cited.
"""

from __future__ import annotations

from orchestration.contract import LEVELS
from orchestration.dictionary import entries
from orchestration.parameters import indicator_definitions, indicators, read_seed
from tests.stated_indicators import (
    GROUPS,
    HELP_RANK,
    HELP_TYPES,
    NOT_PICKED_UP,
    RATES,
    publication_group,
)

DIVOSA_RATES = {
    # the Divosa Monitor Vroegsignalering Schulden: measure -> (numerator, denominator)
    "signalen_per_1000_inwoners": ("signalen", "inwoners"),
    "pct_bereikt_van_opgepakt": ("hh_bereikt", "hh_opgepakt"),
    "pct_hulp_van_bereikt": ("hh_hulp_geaccepteerd", "hh_bereikt"),
}
"""Signals received per 1,000 inwoners per month; reach over the cases picked up; help over
those reached (issue #15)."""


def test_every_indicator_has_one_definition_in_words() -> None:
    names = [ind.name for ind in indicators()]
    rows = read_seed("indicator_definities")
    assert [r["indicator"] for r in rows] == names  # once each, in the seed's order
    for row in rows:
        empty = [column for column, value in row.items() if not value.strip()]
        assert not empty, (row["indicator"], empty)
    assert len({r["label"] for r in rows}) == len(rows), "labels are column names: unique"


def test_the_dictionary_takes_its_words_from_the_one_seed() -> None:
    """Label, definition, period, source fields and the national definition of every
    dictionary entry are the seed's, for every indicator (none falls back to its name)."""
    words = indicator_definitions()
    for e in entries():
        d = words[e.indicator]
        assert (e.label, e.definitie, e.periode, e.bronvelden, e.landelijk) == (
            d.label,
            d.definitie,
            d.periode,
            d.bronvelden,
            d.landelijk,
        )
        assert e.label != e.indicator


def test_levels_are_data() -> None:
    """Each indicator's levels (``niveau``) are area levels; the signals at no household exist
    at gemeente and regio level only (a signal at no household has no buurt), every other at
    every level."""
    gemeente_only = {
        "signalen_geen_match", "signalen_buiten_gemeente", "signalen_meerdere_adressen",
        "signalen_geen_huishouden",
    }  # fmt: skip
    for name, d in indicator_definitions().items():
        assert set(d.niveaus) <= set(LEVELS) and "gemeente" in d.niveaus, name
        unlinked = {"gemeente", "regio"}
        assert set(d.niveaus) == (unlinked if name in gemeente_only else set(LEVELS)), name


def test_the_divosa_measures_have_the_divosa_denominators() -> None:
    by_name = {ind.name: ind for ind in indicators()}
    for name, (numerator, denominator) in DIVOSA_RATES.items():
        assert (by_name[name].numerator, by_name[name].denominator) == (numerator, denominator)
        assert RATES[name][:2] == (numerator, denominator)
    assert by_name["signalen_per_1000_inwoners"].unit == "per 1000 inwoners per maand"
    definitions = {r["indicator"]: r for r in read_seed("indicator_definities")}
    for name in DIVOSA_RATES:
        assert definitions[name]["landelijk"].startswith("Volgt Divosa"), name
    # the older rates keep their denominator and say that it differs
    for name in ("pct_bereikt", "pct_hulp", "signalen_per_1000_hh"):
        assert definitions[name]["landelijk"].startswith("Wijkt af"), name


def test_national_reference_is_cited_and_comparable() -> None:
    by_name = {ind.name: ind for ind in indicators()}
    rows = read_seed("landelijke_referentie")
    assert {r["indicator"] for r in rows} == set(DIVOSA_RATES)
    for row in rows:
        ind = by_name[row["indicator"]]
        assert row["eenheid"] == ind.unit, row
        assert row["bron"].startswith("https://") and "divosa.nl" in row["bron"], row
        assert int(row["jaar"]) >= 2021 and row["toelichting"], row
    values = {r["indicator"]: float(r["waarde"]) for r in rows}
    # the figures of issue #15: about 4 signals per 1,000 inwoners a month, reach about 20%,
    # help accepted by about a third of those reached
    assert 3 <= values["signalen_per_1000_inwoners"] <= 6
    assert 15 <= values["pct_bereikt_van_opgepakt"] <= 25
    assert 25 <= values["pct_hulp_van_bereikt"] <= 45


def test_the_outcome_codes_say_what_the_definitions_say() -> None:
    """seeds/resultaat_codes.csv against the statement of hh_opgepakt and hh_hulpsoort: every
    outcome but the not-picked-up ones is picked up, help is accepted exactly in the three help
    types, and their rank (1 most intensive) is HELP_RANK's order."""
    rows = read_seed("resultaat_codes")
    assert set(NOT_PICKED_UP) | set(HELP_TYPES) <= {r["resultaat"] for r in rows}
    for row in rows:
        code = row["resultaat"]
        assert row["opgepakt"] == str(code not in NOT_PICKED_UP).lower(), code
        assert row["hulp_geaccepteerd"] == str(code in HELP_TYPES).lower(), code
        assert (row["hulp_rang"] != "") == (code in HELP_TYPES), code
    ranked = sorted((int(r["hulp_rang"]), r["resultaat"]) for r in rows if r["hulp_rang"])
    assert tuple(code for _, code in ranked) == HELP_RANK


def test_partner_types_are_grouped_as_the_monitor_says() -> None:
    """seeds/partner_types.csv against MONITOR.md's grouping, for every type the seed and the
    partner registry know."""
    rows = read_seed("partner_types")
    groups = {r["partner_type"]: r["publicatiegroep"] for r in rows}
    assert {groups[t] for t in groups} == set(GROUPS)
    for partner_type, group in groups.items():
        assert group == publication_group(partner_type), partner_type
    assert {r["partner_type"] for r in read_seed("partner_registry")} <= groups.keys()
