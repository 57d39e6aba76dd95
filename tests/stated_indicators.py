"""The monitor's indicators as MONITOR.md states them, written out for the tests.

The tests compute expected values from this statement, never from the seeds the models and
the disclosure code read (seeds/indicators.csv): a wrong numerator in a seed then shows up as
a difference instead of being copied into the expectation.
"""

GROUPS = ("energie", "water", "huur", "zorg", "overig")
"""Publication groups of partner types."""
PERSONAS = ("jonge_starter", "groot_gezin_minimum", "senior", "zelfstandige", "student", "overig")

GROUP_COUNTS = tuple(f"signalen_{g}" for g in GROUPS)
"""Signals per publication group; they add up to ``signalen``."""
PERSONA_COUNTS = tuple(f"hh_persona_{p}" for p in PERSONAS)
"""Signalled households per persona; every one has exactly one, so they add up to
``hh_met_signaal``."""

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
)
RATES = {  # rate: (numerator, denominator, scale)
    "signalen_per_1000_hh": ("signalen", "huishoudens", 1000),
    "pct_meerdere": ("hh_meerdere_signalen", "hh_met_signaal", 100),
    "pct_onbekend": ("hh_onbekend", "hh_met_signaal", 100),
    "pct_bereikt": ("hh_bereikt", "hh_met_signaal", 100),
    "pct_hulp": ("hh_hulp_geaccepteerd", "hh_met_signaal", 100),
}
