"""The indicator dictionary and the Dutch words of the published file.

Built from the seeds (``indicators.csv`` for kind, unit, numerator and denominator;
``indicator_definities.csv`` for the Dutch label, definition, period, source fields and the
national definition it follows; ``indicator_kinds.csv`` for how a kind is rounded), so a new
indicator appears in the dictionary, the readable tables, the exports and the report by itself.
An indicator without a row in ``indicator_definities.csv`` is published under its name, with
the ``omschrijving`` of ``indicators.csv`` as its definition (a test keeps the seed complete).

Publication writes the dictionary into the file (``monitor.indicatoren``); exports and the
report read it from there, so they describe the figures as they were published.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import cache

import duckdb

from orchestration.contract import ContractError, indicator_names
from orchestration.parameters import indicator_definitions, indicator_kinds, indicators, periods

GEHEIM = "geheim"
"""What a person sees in place of a suppressed figure."""
NOT_PUBLISHED = "niet gepubliceerd"
"""The readable text of an empty cell where a level has no figure of an indicator at all
(``seeds/publicatie_niveaus.csv``), unlike a suppressed one (``GEHEIM``)."""

NO_DENOMINATOR = "n.v.t."
"""The readable text of a rate or median whose denominator is a published 0 (no households
reached, so no share of them that accepted help and no median of their days to contact):
there is nothing to compute, so nothing is hidden. Its status in ``area_indicators`` stays
``suppressed`` (the primary rule: a rate over fewer than ``min_denominator`` households, 30
in ``seeds/disclosure_parameters.csv``, and a median over fewer than 10 are suppressed); the
readable tables, the exports, the report and the partner files say ``n.v.t.`` where they
would say ``geheim`` (``suppressed_text``)."""

FOLLOWS = "volgt"
"""The readable text of an empty cell whose period type does not carry the indicator while a
period type published later over as many quarters does (``contract.follows_later``): the
outcomes of a ``kwartaal`` come a quarter later, in its ``kwartaal_afgerond`` row."""


def later_text(vertraging: int) -> str:
    """``een kwartaal later``, ``2 kwartalen later``."""
    return "een kwartaal later" if vertraging == 1 else f"{vertraging} kwartalen later"


def follows_note() -> str:
    """What ``volgt`` means, in Dutch, naming the period types published later
    (``seeds/periods.csv`` vertraging)."""
    later = " of ".join(
        f"{p.period_type} ({later_text(p.vertraging)})"
        for p in periods()
        if p.vertraging and p.published
    )
    return (
        f"'{FOLLOWS}': dit cijfer komt later, in de publicatie van een later kwartaal, in de "
        f"rijen met dezelfde periode en periodesoort {later}. Zo komen de uitkomsten (opgepakt, "
        "bereikt, hulp, contact) een kwartaal later: zaken worden vaak weken na het signaal "
        "afgesloten."
    )


@cache
def denominators() -> dict[str, str]:
    """Rate or median -> the count of households it is over (``seeds/indicators.csv``
    denominator): a rate is divided by it, a median taken over (some of) them."""
    kinds = ("rate", "median")
    return {i.name: i.denominator for i in indicators() if i.kind in kinds and i.denominator}


def suppressed_text(indicator: str, row: Mapping[str, float | None]) -> str:
    """What a person sees for a suppressed cell of ``indicator``, given the published values of
    its row (the same period and area; None where suppressed): ``NO_DENOMINATOR`` for a rate or
    median whose denominator is a published 0, else ``GEHEIM``."""
    denominator = denominators().get(indicator)
    return NO_DENOMINATOR if denominator is not None and row.get(denominator) == 0 else GEHEIM


STATUS_LABELS = {"published": "gepubliceerd", "suppressed": GEHEIM}
"""The machine codes of ``area_indicators.status`` in the words of the readable tables."""

COLUMN_LABELS = {
    "quarter": "Kwartaal",
    "period_type": "Soort periode",
    "period": "Periode",
    "area_level": "Niveau",
    "area_code": "Gebiedscode",
    "area_name": "Gebiedsnaam",
    "parent_code": "Ligt in",
    "indicator": "Indicator",
    "label": "Omschrijving",
    "value": "Waarde",
    "status": "Status",
}
"""Headers of the columns that are not indicators, in readable tables and exports."""

DICTIONARY_TABLE = "indicatoren"


@dataclass(frozen=True)
class Entry:
    """One indicator as the dictionary describes it."""

    indicator: str
    label: str
    definitie: str
    soort: str
    eenheid: str
    teller: str | None
    noemer: str | None
    decimalen: int
    periode: str | None = None
    """What it counts over (``kwartaal``: the period; ``einde kwartaal``: the period's end)."""
    bronvelden: str | None = None
    """The fields of the deliveries it is computed from."""
    landelijk: str | None = None
    """The national (Divosa / DDAS) definition it follows, or why it differs. These three are
    None in a dictionary published before they existed (docs/migrations.md, 5)."""


def entries() -> list[Entry]:
    """Every published indicator, in ``seeds/indicators.csv`` order."""
    texts, kinds = indicator_definitions(), indicator_kinds()
    by_name = {ind.name: ind for ind in indicators()}
    result = []
    for name in indicator_names():
        ind = by_name[name]
        text = texts.get(name)
        kind = kinds.get(ind.kind)
        if kind is None:
            raise ContractError(
                f"indicator {name} has kind {ind.kind!r}, which seeds/indicator_kinds.csv does "
                "not define: add its Dutch name and decimals there"
            )
        result.append(
            Entry(
                indicator=name,
                label=text.label if text else name,
                definitie=text.definitie if text else ind.omschrijving,
                soort=kind.soort,
                eenheid=ind.unit,
                teller=ind.numerator,
                noemer=ind.denominator,
                decimalen=kind.decimalen,
                periode=text.periode if text else None,
                bronvelden=text.bronvelden if text else None,
                landelijk=text.landelijk if text else None,
            )
        )
    return result


def held_columns(con: duckdb.DuckDBPyConnection, catalog: str = "monitor") -> set[str]:
    """The columns of the published file's dictionary (none before it existed)."""
    return {
        row[0]
        for row in con.execute(
            "select column_name from information_schema.columns "
            "where table_catalog = ? and table_name = ?",
            [catalog, DICTIONARY_TABLE],
        ).fetchall()
    }


def published_entries(con: duckdb.DuckDBPyConnection, catalog: str = "monitor") -> dict[str, Entry]:
    """The dictionary as the published file holds it (``<catalog>.indicatoren``), in order; for
    a file published before the dictionary existed (docs/migrations.md, 4), the seeds'. A column
    the file's dictionary does not have yet (docs/migrations.md, 5) reads as None."""
    held = held_columns(con, catalog)
    if not held:
        return {e.indicator: e for e in entries()}
    columns = ", ".join(f.name if f.name in held else "null" for f in fields(Entry))
    rows = con.execute(
        f"select {columns} from {catalog}.{DICTIONARY_TABLE} order by volgorde"
    ).fetchall()
    return {row[0]: Entry(*row) for row in rows}
