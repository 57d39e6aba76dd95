"""What came of a partner's signals, in one row: the funnel the UI and the partner page show.

``FUNNEL`` is the order a partner reads its figures in: its signals, linked to a household,
the households, picked up, reached, accepted help, and the days to first contact. The linked
signals are the indicator of the partner's publication group (``signalen_<groep>``,
``LINKED``).
"""

from __future__ import annotations

import duckdb

from orchestration.contract import PARTNER_CANDIDATE_TABLE
from orchestration.dictionary import GEHEIM
from orchestration.ingestion.loader import CURRENT_FILES
from orchestration.parameters import indicator_definitions, indicators
from orchestration.partners.protect import PARTNER_KEY, linked_groups

LINKED = "signalen_<groep>"
"""Stands for the partner's linked signals in ``FUNNEL``."""
FUNNEL = (
    "signalen",
    LINKED,
    "hh_met_signaal",
    "hh_opgepakt",
    "hh_bereikt",
    "hh_hulp_geaccepteerd",
    "mediaan_dagen_tot_contact",
)


def funnel_indicator(step: str, names: set[str] | list[str]) -> str | None:
    """The indicator of a ``FUNNEL`` step among a partner's indicator ``names``."""
    if step != LINKED:
        return step if step in names else None
    groups = linked_groups(names)
    return f"signalen_{groups[0]}" if groups else None


def step_label(step: str) -> str:
    """The Dutch label of a funnel step."""
    if step == LINKED:
        return "Signalen gekoppeld aan een huishouden"
    return indicator_definitions()[step].label


def funnel_rows(con: duckdb.DuckDBPyConnection, quarter: str) -> tuple[list[str], list[list]]:
    """(headers, one row per partner): the lines delivered and quarantined, then the funnel
    summed over its gemeenten where every gemeente's figure is published (``geheim`` else),
    as the partner files hold them."""
    figures = con.execute(
        f"select {PARTNER_KEY}, indicator, count(*) filter (where status <> 'published'), "
        f"sum(value) from {PARTNER_CANDIDATE_TABLE} where quarter = ? "
        "and indicator in (select unnest(?)) group by all",
        [quarter, [i.name for i in indicators() if i.kind == "count"]],
    ).fetchall()
    delivered = dict(
        ((p, (r, q)) for p, r, q in con.execute(
            f"select source, sum(rows_read), sum(rows_quarantined) from {CURRENT_FILES} "
            "where quarter = ? group by source",
            [quarter],
        ).fetchall())
    )  # fmt: skip
    per_partner: dict[str, dict[str, object]] = {}
    for partner, indicator, hidden, total in figures:
        per_partner.setdefault(partner, {})[indicator] = GEHEIM if hidden else int(total)
    steps = [s for s in FUNNEL if not s.startswith("mediaan_")]
    headers = ["partner", "regels geleverd", "in quarantaine", *(step_label(s) for s in steps)]
    rows = []
    for partner, values in sorted(per_partner.items()):
        read, quarantined = delivered.get(partner, ("", ""))
        row: list = [partner, read, quarantined]
        for step in steps:
            name = funnel_indicator(step, list(values))
            row.append(values.get(name, "") if name else "")
        rows.append(row)
    return headers, rows
