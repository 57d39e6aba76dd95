"""A tiny, consistent candidate publication for tests and for trying the gate by hand.

One regio (RG0999) of one gemeente (GM0999), two wijken (one with letters in its code), four
buurten, every indicator of ``seeds/indicators.csv`` its period types carry; primary suppression as MONITOR.md defines
it and a few secondary suppressions by hand. The parts add up (groups to ``signalen``, personas
to ``hh_met_signaal``, buurten to wijken, wijken to the gemeente plus addresses without a
buurt, the gemeente to its regio).
It is *not* proved safe by the LP audit: it exercises the gate's suites, nothing more.

    con = duckdb.connect()
    write_tables(con, **sample_frames("2026Q3"))
    run_gate(con, "2026Q3")
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from demo.synthetic_quarter import default_funnel
from orchestration.contract import (
    AREA_REFERENCE_TABLE,
    CANDIDATE_TABLE,
    PROTECTED_TABLE,
    PUBLISHED_COLUMNS,
    count_indicator_names,
    is_published_at,
    persona_names,
    publication_group_names,
    publication_scope,
)
from orchestration.parameters import disclosure_parameters, indicators, period_indicators, periods
from orchestration.quarters import period_name, period_quarters

REGIO = ("RG0999", "Voorbeeldregio")
GEMEENTE = ("GM0999", "Voorbeeldstad")
WIJKEN = {"WK099901": "Centrum", "WK09990A": "Havens"}
BUURTEN = {  # code: (name, wijk)
    "BU09990101": ("Oude Haven", "WK099901"),
    "BU09990102": ("Nieuwe Markt", "WK099901"),
    "BU09990A01": ("Kade", "WK09990A"),
    "BU09990A0B": ("Werf", "WK09990A"),
}
PERSONAS = persona_names()
GROUPS = publication_group_names()

# Per buurt: huishoudens, signals per group, hh_met_signaal, meerdere, onbekend, bereikt,
# hulp, personas (adding up to hh_met_signaal), median amount.
_BUURT_COUNTS = {
    "BU09990101": (
        1200,
        (60, 25, 40, 30, 12),
        120,
        30,
        45,
        70,
        35,
        (20, 12, 25, 11, 14, 38),
        640.0,
    ),
    "BU09990102": (800, (30, 12, 25, 16, 6), 70, 14, 22, 40, 18, (10, 4, 15, 3, 8, 30), 520.0),
    "BU09990A01": (150, (11, 0, 12, 10, 2), 28, 6, 10, 15, 7, (5, 0, 6, 0, 2, 15), 480.0),
    "BU09990A0B": (6, (2, 0, 1, 0, 0), 2, 1, 1, 1, 0, (0, 0, 1, 0, 0, 1), 300.0),
}
_NO_BUURT = {
    "huishoudens": 4,
    "signalen_energie": 2,
    "signalen_overig": 1,
    "hh_met_signaal": 2,
    "hh_onbekend": 1,
    "hh_bereikt": 1,
    "hh_persona_overig": 2,
    "hh_bereikt_persona_overig": 1,
}
"""Addresses without a buurt: counted at gemeente level only."""
_MEDIANS = {"WK099901": 600.0, "WK09990A": 470.0, GEMEENTE[0]: 590.0, REGIO[0]: 590.0}
SECONDARY = {
    ("BU09990A01", "huishoudens"),
    ("BU09990A01", "signalen_energie"),
    ("BU09990102", "hh_persona_overig"),
}
"""Hand-picked secondary suppressions (rates on a suppressed numerator/denominator follow)."""


@dataclass(frozen=True)
class Area:
    level: str
    code: str
    name: str
    parent: str | None


def areas() -> list[Area]:
    out = [Area("regio", REGIO[0], REGIO[1], None)]
    out += [Area("gemeente", GEMEENTE[0], GEMEENTE[1], REGIO[0])]
    out += [Area("wijk", code, name, GEMEENTE[0]) for code, name in WIJKEN.items()]
    out += [Area("buurt", code, name, wijk) for code, (name, wijk) in BUURTEN.items()]
    return out


def _buurt_counts(code: str) -> dict[str, float]:
    hh, groups, met, meerdere, onbekend, bereikt, hulp, personas, _ = _BUURT_COUNTS[code]
    counts = {
        "huishoudens": hh,
        "hh_met_signaal": met,
        "hh_meerdere_signalen": meerdere,
        "signalen": sum(groups),
        "hh_onbekend": onbekend,
        "hh_bereikt": bereikt,
        "hh_hulp_geaccepteerd": hulp,
    }
    counts |= {f"signalen_{g}": n for g, n in zip(GROUPS, groups, strict=True)}
    counts |= {f"hh_persona_{p}": n for p, n in zip(PERSONAS, personas, strict=True)}
    full = {n: float(counts.get(n, 0)) for n in count_indicator_names()}
    return full | default_funnel(full, counts)


def true_values() -> dict[tuple[str, str], float | None]:
    """(area_code, indicator) -> unsuppressed value."""
    counts: dict[str, dict[str, float]] = {code: _buurt_counts(code) for code in BUURTEN}
    for wijk in WIJKEN:
        members = [counts[b] for b, (_, w) in BUURTEN.items() if w == wijk]
        counts[wijk] = {k: sum(m[k] for m in members) for k in members[0]}
    gem = {k: sum(counts[w][k] for w in WIJKEN) for k in counts[next(iter(WIJKEN))]}
    for k, extra in _NO_BUURT.items():
        gem[k] += extra
    gem["signalen"] = sum(gem[f"signalen_{g}"] for g in GROUPS)
    counts[GEMEENTE[0]] = gem
    counts[REGIO[0]] = gem  # a regio of one gemeente
    medians = {code: _BUURT_COUNTS[code][-1] for code in BUURTEN} | _MEDIANS
    values: dict[tuple[str, str], float | None] = {}
    for area in areas():
        c = counts[area.code]
        for ind in indicators():
            if ind.kind == "count":
                value: float | None = c[ind.name]
            elif ind.kind == "median":
                value = medians[area.code] if c["hh_met_signaal"] else None
            else:
                den = c[ind.denominator]
                value = c[ind.numerator] / den * ind.quarter_scale() if den else None
            values[(area.code, ind.name)] = value
    return values


def _suppress(values: dict[tuple[str, str], float | None]) -> dict[tuple[str, str], str]:
    """(area_code, indicator) -> none, primary or secondary."""
    params = disclosure_parameters()
    kinds = {ind.name: ind for ind in indicators()}
    out: dict[tuple[str, str], str] = {}
    for (code, name), value in values.items():
        ind = kinds[name]
        primary = False
        if ind.kind == "count":
            primary = value is not None and 0 < value < params["min_count"]
        elif ind.kind == "median":
            n = values[(code, ind.denominator)] or 0
            primary = value is None or n < params["min_median_n"]
        else:
            num, den = values[(code, ind.numerator)], values[(code, ind.denominator)] or 0
            primary = (
                value is None
                or den < params["min_denominator"]
                or (num is not None and 0 < num < params["min_count"])
            )
        out[(code, name)] = "primary" if primary else "none"
    for cell in SECONDARY:
        if out[cell] == "none":
            out[cell] = "secondary"
    for (code, name), state in list(out.items()):  # rates follow their numerator/denominator
        ind = kinds[name]
        if (
            ind.kind == "rate"
            and state == "none"
            and (out[(code, ind.numerator)] != "none" or out[(code, ind.denominator)] != "none")
        ):
            out[(code, name)] = "secondary"
    return out


def sample_frames(quarter: str = "2026Q3", late: bool = False) -> dict[str, pd.DataFrame]:
    """``reference``, ``protected`` and ``candidate`` frames of the sample for ``quarter``:
    every published period type of the quarter itself at its published levels
    (``contract.publication_scope``); with ``late`` also those published quarters later
    (``kwartaal_afgerond`` and ``vier_kwartalen_afgerond`` of the periods ending the quarter
    before, ``cohort_zes_maanden`` of two quarters before), as a publication after the file's
    first has them (the areas of every quarter are the same here)."""
    values = true_values()
    suppression = _suppress(values)
    reference = pd.DataFrame(
        [(quarter, a.code, a.level, a.name, a.parent) for a in areas()],
        columns=["quarter", "area_code", "area_level", "area_name", "parent_code"],
    )
    rows = []
    kinds = {p.period_type: p for p in periods()}
    for period_type, levels in publication_scope().items():
        kind = kinds[period_type]
        if kind.vertraging and not late:
            continue
        last = period_quarters(quarter, kind.vertraging + 1)[0]
        period = period_name(last, kind.quarters)
        rows += _rows(quarter, period_type, period, levels, values, suppression)
    protected = pd.DataFrame(rows, columns=[*PUBLISHED_COLUMNS, "suppression"])
    protected["value"] = protected["value"].astype("float64")
    candidate = protected[list(PUBLISHED_COLUMNS)].copy()
    candidate.loc[candidate["status"] != "published", "value"] = float("nan")
    return {"reference": reference, "protected": protected, "candidate": candidate}


def _rows(
    quarter: str,
    period_type: str,
    period: str,
    levels: tuple[str, ...],
    values: dict[tuple[str, str], float | None],
    suppression: dict[tuple[str, str], str],
) -> list[tuple]:
    """The protected rows of one period at its published levels, each with the indicators
    published at it (``contract.published_levels``): every period has the same figures (a
    sample for the suites, not a computation over quarters)."""
    rows = []
    for area in (a for a in areas() if a.level in levels):
        for ind in period_indicators(period_type):
            if not is_published_at(ind.name, area.level):
                continue
            state = suppression[(area.code, ind.name)]
            rows.append(
                (
                    quarter,
                    period_type,
                    period,
                    area.level,
                    area.code,
                    area.name,
                    area.parent,
                    ind.name,
                    values[(area.code, ind.name)],
                    "published" if state == "none" else "suppressed",
                    state,
                )
            )
    return rows


def write_tables(
    con: duckdb.DuckDBPyConnection,
    reference: pd.DataFrame | None = None,
    protected: pd.DataFrame | None = None,
    candidate: pd.DataFrame | None = None,
) -> None:
    """Write the frames as the area reference, the protected and the candidate table of
    ``orchestration/contract.py`` (replacing the rows of the frames' quarters)."""
    targets = (
        (AREA_REFERENCE_TABLE, reference),
        (PROTECTED_TABLE, protected),
        (CANDIDATE_TABLE, candidate),
    )
    for table, frame in targets:
        if frame is None:
            continue
        con.execute(f"create schema if not exists {table.split('.')[0]}")
        con.register("_sample_frame", frame)
        try:
            con.execute(
                f"create table if not exists {table} as select * from _sample_frame limit 0"
            )
            con.execute(
                f"delete from {table} where quarter in (select distinct quarter from _sample_frame)"
            )
            con.execute(f"insert into {table} by name select * from _sample_frame")
        finally:
            con.unregister("_sample_frame")
