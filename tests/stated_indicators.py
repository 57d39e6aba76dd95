"""The monitor's indicators as MONITOR.md states them, written out for the tests.

The tests compute expected values from this statement, never from the seeds the models and
the disclosure code read (seeds/indicators.csv): a wrong numerator in a seed then shows up as
a difference instead of being copied into the expectation.
"""

GROUPS = ("energie", "water", "huur", "zorg", "overig")
"""Publication groups of partner types."""
PERSONAS = ("jonge_starter", "groot_gezin_minimum", "senior", "zelfstandige", "student", "overig")


def publication_group(partner_type: str) -> str:
    """The publication group of a partner type (MONITOR.md): energie, water, huur and zorg are
    their own group, zorg includes cak_zorgverzekering, and overig is every other type."""
    if partner_type == "cak_zorgverzekering":
        return "zorg"
    return partner_type if partner_type in GROUPS[:4] else "overig"


GROUP_COUNTS = tuple(f"signalen_{g}" for g in GROUPS)
"""Signals per publication group; they add up to ``signalen``."""
PERSONA_COUNTS = tuple(f"hh_persona_{p}" for p in PERSONAS)
"""Signalled households per persona; every one has exactly one, so they add up to
``hh_met_signaal``."""

REACHED_PERSONA_COUNTS = tuple(f"hh_bereikt_persona_{p}" for p in PERSONAS)
"""Reached households per persona (issue 15 item 8, who is reached); they add up to
``hh_bereikt``, and each is at most its persona's households."""
HELPED_PERSONA_COUNTS = tuple(f"hh_hulp_persona_{p}" for p in PERSONAS)
"""Households that accepted help per persona; they add up to ``hh_hulp_geaccepteerd``, and
each is at most its persona's reached households."""
PERSONA_RATES = {
    **{
        f"pct_bereikt_persona_{p}": (f"hh_bereikt_persona_{p}", f"hh_persona_{p}", 100)
        for p in PERSONAS
    },
    **{
        f"pct_hulp_persona_{p}": (f"hh_hulp_persona_{p}", f"hh_bereikt_persona_{p}", 100)
        for p in PERSONAS
    },
}
"""Per persona: the share reached of its signalled households, the share that accepted help of
its reached ones."""

UNLINKED_REASONS = ("geen_match", "buiten_gemeente", "meerdere_adressen", "geen_huishouden")
"""Why a received signal is at no household (gemeente level only): no BAG address fits, its
pc4 is not in the gemeente, several addresses fit, the address has no household."""
UNLINKED_COUNTS = tuple(f"signalen_{r}" for r in UNLINKED_REASONS)
"""At gemeente level ``signalen`` is every signal received: the groups plus these."""
HELP_TYPES = ("quick_fix", "vervolghulp_financieel", "vervolghulp_niet_financieel")
HELP_TYPE_COUNTS = tuple(f"hh_hulpsoort_{t}" for t in HELP_TYPES)
"""Households that accepted help, by their most intensive help type; they add up to
``hh_hulp_geaccepteerd``."""
HELP_RANK = ("vervolghulp_financieel", "vervolghulp_niet_financieel", "quick_fix")
"""Most intensive first: a household with several help types counts under the first."""
NOT_PICKED_UP = (
    "niet_opgepakt_herhaalde_melding",
    "niet_opgepakt_onterecht_signaal",
    "niet_opgepakt_andere_reden",
    "geen_inwoner",
    "inwoner_overleden",
)
"""A case with any other outcome, or none yet, was picked up by the gemeente."""

COUNTS = (
    "huishoudens",
    "hh_met_signaal",
    "hh_meerdere_signalen",
    "signalen",
    *GROUP_COUNTS,
    "hh_onbekend",
    "hh_bereikt",
    "hh_hulp_geaccepteerd",
    *PERSONA_COUNTS,
    "inwoners",
    *UNLINKED_COUNTS,
    "hh_opgepakt",
    *HELP_TYPE_COUNTS,
    "crisissignalen",
    "eindeleveringssignalen",
    "contactpogingen",
    "hh_herhaald",
    *REACHED_PERSONA_COUNTS,
    *HELPED_PERSONA_COUNTS,
)
RATES = {  # rate: (numerator, denominator, scale per quarter)
    "signalen_per_1000_hh": ("signalen", "huishoudens", 1000),
    "pct_meerdere": ("hh_meerdere_signalen", "hh_met_signaal", 100),
    "pct_onbekend": ("hh_onbekend", "hh_met_signaal", 100),
    "pct_bereikt": ("hh_bereikt", "hh_met_signaal", 100),
    "pct_hulp": ("hh_hulp_geaccepteerd", "hh_met_signaal", 100),
    "signalen_per_1000_inwoners": ("signalen", "inwoners", 1000 / 3),  # per month: / 3
    "pct_bereikt_van_opgepakt": ("hh_bereikt", "hh_opgepakt", 100),
    "pct_hulp_van_bereikt": ("hh_hulp_geaccepteerd", "hh_bereikt", 100),
    "gem_contactpogingen": ("contactpogingen", "hh_opgepakt", 1),
    "pct_herhaald": ("hh_herhaald", "hh_met_signaal", 100),
} | PERSONA_RATES
PER_MONTH_RATES = ("signalen_per_1000_inwoners",)
"""Rates per month: the scale above is for a quarter (3 months); a period of n quarters
divides it by n."""

COHORT_COUNTS = (
    "hh_met_signaal",
    "hh_hulp_geaccepteerd",
    "hh_schuldhulp_binnen_6m",
    "hh_nieuw_signaal_na_hulp",
)
"""The signalled households of a quarter followed for six months (issue 15 item 6, a period of
its own, published two quarters later): all of them, those that accepted help, those of which
a resident started a schuldhulp trajectory in the six months after the first signal (at most
all of them), and those that accepted help and had another signal after their first contact and their last signal of the quarter
within those six months (at most those that accepted help)."""
COHORT_RATES = {
    "pct_schuldhulp_binnen_6m": ("hh_schuldhulp_binnen_6m", "hh_met_signaal", 100),
    "pct_nieuw_signaal_na_hulp": ("hh_nieuw_signaal_na_hulp", "hh_hulp_geaccepteerd", 100),
}

OUTCOME_COUNTS = (
    "hh_met_signaal",
    "hh_opgepakt",
    "hh_bereikt",
    "hh_hulp_geaccepteerd",
    *HELP_TYPE_COUNTS,
    "contactpogingen",
    *PERSONA_COUNTS,
    *REACHED_PERSONA_COUNTS,
    *HELPED_PERSONA_COUNTS,
)
"""What the gemeente did with a quarter's signals (issue 15 items 7 and 8): picked up, reached,
accepted help and its type, the contact attempts, and who is reached per persona. A case is
often closed weeks after its signal, so these are published once, a quarter later, with the
cases as known then (period type kwartaal_afgerond; all but who is reached also in
vier_kwartalen_afgerond), and not with the quarter itself; hh_met_signaal and the personas,
their denominators, are repeated there."""
OUTCOME_RATES = (
    "pct_bereikt",
    "pct_hulp",
    "pct_bereikt_van_opgepakt",
    "pct_hulp_van_bereikt",
    "gem_contactpogingen",
    *PERSONA_RATES,
)
OUTCOME_MEDIANS = ("mediaan_dagen_tot_contact",)
OUTCOMES = (*OUTCOME_COUNTS, *OUTCOME_RATES, *OUTCOME_MEDIANS)
"""Every figure of the period type published a quarter later (kwartaal_afgerond)."""
REPEATED = ("hh_met_signaal", *PERSONA_COUNTS)
"""The figures of a quarter that kwartaal_afgerond publishes again, as denominators."""
LATER_ONLY = tuple(n for n in OUTCOMES if n not in REPEATED)
"""The figures a quarter's own period types (kwartaal, vier_kwartalen) do not carry."""
