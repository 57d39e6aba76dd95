"""Quarantine reasons in the partner's words.

Ingestion records why a line was quarantined in English and by rule (``ingestion.validate``,
``ingestion.dedup``: "missing required field postcode", "duplicate signaal_id"); a partner reads
Dutch. ``REASONS`` renders each known rule in Dutch, the field named as ingestion names it; a
reason no rule matches is shown as recorded.
"""

from __future__ import annotations

import re

REASONS = (
    (r"missing required field (\w+)", "verplicht veld {0} ontbreekt"),
    (r"invalid date in (\w+)", "ongeldige datum in {0}"),
    (r"invalid amount in (\w+)", "ongeldig bedrag in {0}"),
    (r"invalid number in (\w+)", "ongeldig getal in {0}"),
    (r"invalid boolean in (\w+)", "ongeldige ja/nee-waarde in {0}"),
    (r"invalid (postcode|huisnummer|bsn|adres_id|buurtcode|gemeentecode|parent_code)",
     "ongeldige {0}"),
    (r"invalid area code", "ongeldige gebiedscode"),
    (r"invalid huisletter or huisnummertoevoeging.*", "ongeldige huisletter of toevoeging"),
    (r"(\w+) after quarter end", "{0} na het einde van het kwartaal"),
    (r"amount must be > 0", "bedrag moet groter dan 0 zijn"),
    (r"einddatum before startdatum", "einddatum voor startdatum"),
    (r"duplicate (\w+)", "{0} komt dubbel voor"),
    (r"unknown (\w+)", "onbekende {0}"),
    (r"value too long in (\w+).*", "waarde te lang in {0}"),
    (r"wrong number of fields: (\d+), expected (\d+)", "{0} velden in plaats van {1}"),
    (r"column (\w+) delivered twice with different values",
     "kolom {0} twee keer geleverd met verschillende waarden"),
    (r"empty line", "lege regel"),
    (r"unterminated quoted field", "aanhalingsteken niet gesloten"),
    (r"NUL byte in the line.*", "NUL-teken in de regel (binaire data)"),
)  # fmt: skip
"""(pattern of the recorded reason, its Dutch text with the pattern's groups)."""

_COMPILED = tuple((re.compile(f"^{pattern}$"), text) for pattern, text in REASONS)


def dutch_reason(reason: str) -> str:
    """``reason`` as ingestion recorded it, in Dutch (as recorded when no rule matches)."""
    for pattern, text in _COMPILED:
        match = pattern.match(reason)
        if match:
            return text.format(*match.groups())
    return reason
