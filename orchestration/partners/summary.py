"""What came of a partner's signals, in one row: the funnel the UI and the partner page show.

``FUNNEL`` is the order a partner reads its figures in: its signals, linked to a household,
the households, picked up, reached, accepted help, and the days to first contact. The linked
signals are the indicator of the partner's publication group (``signalen_<groep>``,
``LINKED``). A quarter's file has the steps up to the households of the quarter itself
(period type ``kwartaal``) and the outcomes of the quarter before (``AFGEROND``, with that
quarter's households): a case is often closed weeks after its signal.
"""

from __future__ import annotations

import duckdb

from orchestration.contract import PARTNER_CANDIDATE_TABLE, PERIOD_KEY, QUARTERLY
from orchestration.dictionary import GEHEIM
from orchestration.ingestion.loader import CURRENT_FILES
from orchestration.parameters import indicator_definitions, indicators
from orchestration.partners.protect import PARTNER_KEY, linked_groups
from orchestration.quarters import previous_quarter

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
AFGEROND = "kwartaal_afgerond"
"""The period type of a partner's outcomes: those of the quarter before (its ``period``),
known a quarter later (``seeds/periods.csv``); the quarter's own figures are ``kwartaal``."""
PERIOD_TYPES = (QUARTERLY, AFGEROND)
"""The period types of a partner's figures, in the order a partner reads them."""


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
    as the partner files hold them: the steps of the quarter, then those of the quarter
    before with its outcomes (``AFGEROND``), when any partner has them."""
    figures = con.execute(
        f"select {PARTNER_KEY}, {PERIOD_KEY[0]}, indicator, "
        "count(*) filter (where status <> 'published'), sum(value) "
        f"from {PARTNER_CANDIDATE_TABLE} where quarter = ? "
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
    per_partner: dict[str, dict[str, dict[str, object]]] = {}
    for partner, period_type, indicator, hidden, total in figures:
        per_type = per_partner.setdefault(partner, {}).setdefault(period_type, {})
        per_type[indicator] = GEHEIM if hidden else int(total)
    steps = [
        (period_type, step)
        for period_type in PERIOD_TYPES
        for step in FUNNEL
        if not step.startswith("mediaan_")
        and any(funnel_indicator(step, list(p.get(period_type, {}))) for p in per_partner.values())
    ]
    before = previous_quarter(quarter)
    headers = [
        "partner",
        "regels geleverd",
        "in quarantaine",
        *(
            step_label(s) if t == QUARTERLY else f"{step_label(s)}, uitkomsten over {before}"
            for t, s in steps
        ),
    ]
    rows = []
    for partner, per_type in sorted(per_partner.items()):
        read, quarantined = delivered.get(partner, ("", ""))
        row: list = [partner, read, quarantined]
        for period_type, step in steps:
            values = per_type.get(period_type, {})
            name = funnel_indicator(step, list(values))
            row.append(values.get(name, "") if name else "")
        rows.append(row)
    return headers, rows
