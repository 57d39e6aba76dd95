"""Synthetic quarters in the shape of ``mon_area_indicators``, for tests and the benchmark.

The table is built bottom-up from simulated signalled households, so every identity the
disclosure model relies on holds exactly: partner groups add up to ``signalen``, personas to
``hh_met_signaal``, buurten to their wijk, and wijken plus the addresses without a buurt to
their gemeente. Sizes are realistic for the Netherlands: buurt households lognormal around
600 (a long tail of tiny buurten), about 1.3% of households signalled per quarter with
about 1.5 signals each, varying strongly between buurten.

    frame = synthetic_quarter(n_gemeenten=342, n_wijken=3300, n_buurten=14500, seed=1)
"""

from __future__ import annotations

import numpy as np
import polars as pl

from orchestration.contract import QUARTERLY, persona_names, publication_group_names, same_length
from orchestration.parameters import Indicator, indicators

GROUPS = publication_group_names()
GROUP_SHARES = (0.30, 0.15, 0.25, 0.20, 0.10)
PERSONAS = persona_names()
PERSONA_SHARES = (0.12, 0.06, 0.20, 0.05, 0.05, 0.52)


def quarter_figures() -> tuple[tuple[Indicator, str], ...]:
    """Every figure of a quarter's slice once its outcomes are known, with the period type that
    carries it: the quarter's own (``kwartaal``), else the one that has the quarter's outcomes
    a quarter later (one quarter long, ``vertraging`` 1: ``kwartaal_afgerond``), in seed
    order. A synthetic frame is one quarter with both, the table the disclosure model sees
    for a quarter's slice (the cohort's figures, two quarters later, are left out)."""
    types = [p.period_type for p in same_length(QUARTERLY) if p.vertraging <= 1]
    out = []
    for ind in indicators():
        carried = [t for t in types if t in ind.period_types()]
        if carried:
            out.append((ind, carried[0]))
    return tuple(out)


WHO_IS_REACHED = (
    "hh_bereikt_persona_",
    "hh_hulp_persona_",
    "pct_bereikt_persona_",
    "pct_hulp_persona_",
)
"""Who is reached per persona (issue 15 item 8): a frame has these only when asked for
(``who_is_reached``); without them it is a quarter of before them, whose sums over the
personas the disclosure model leaves out (``model._not_carried_cells``)."""


def _figures(who_is_reached: bool) -> tuple[tuple[Indicator, str], ...]:
    return tuple(
        (ind, period_type)
        for ind, period_type in quarter_figures()
        if who_is_reached or not ind.name.startswith(WHO_IS_REACHED)
    )


FRAME_SCHEMA = {
    "quarter": pl.String,
    "period_type": pl.String,
    "period": pl.String,
    "area_level": pl.String,
    "area_code": pl.String,
    "area_name": pl.String,
    "parent_code": pl.String,
    "indicator": pl.String,
    "value": pl.Float64,
}
"""The columns of an unsuppressed monitor frame (``mon_area_indicators``), as built here: the
quarterly period of one quarter."""


def _split(total: int, n_parts: int, rng: np.random.Generator) -> np.ndarray:
    """``n_parts`` positive integers adding up to ``total`` (skewed, like real area sizes)."""
    if n_parts <= 0:
        return np.zeros(0, dtype=np.int64)
    weights = rng.lognormal(0.0, 0.8, n_parts)
    extra = rng.multinomial(max(total - n_parts, 0), weights / weights.sum())
    return extra + 1


def synthetic_quarter(
    n_gemeenten: int = 2,
    n_wijken: int | None = None,
    n_buurten: int | None = None,
    *,
    seed: int = 0,
    quarter: str = "2026Q3",
    households_mean: float = 600.0,
    signal_rate: float = 0.013,
    signals_per_household: float = 1.5,
    no_buurt_households: float = 3.0,
    wijken_per_gemeente: list[int] | None = None,
    buurten_per_wijk: list[int] | None = None,
    who_is_reached: bool = False,
) -> pl.DataFrame:
    """A consistent unsuppressed quarter: one row per area x indicator of seeds/indicators.csv
    (who is reached per persona only with ``who_is_reached``: ``WHO_IS_REACHED``).

    The structure is random (skewed sizes) unless ``wijken_per_gemeente`` and
    ``buurten_per_wijk`` give it explicitly.
    """
    rng = np.random.default_rng(seed)
    if wijken_per_gemeente is not None and buurten_per_wijk is not None:
        wijken_per_gem = np.asarray(wijken_per_gemeente, dtype=np.int64)
        buurten_per_wijk = np.asarray(buurten_per_wijk, dtype=np.int64)
        n_gemeenten, n_wijken = wijken_per_gem.size, int(wijken_per_gem.sum())
        n_buurten = int(buurten_per_wijk.sum())
        if (
            buurten_per_wijk.size != n_wijken
            or (buurten_per_wijk < 1).any()
            or (wijken_per_gem < 1).any()
        ):
            raise ValueError("every gemeente needs a wijk, every wijk a buurt, one count per wijk")
    else:
        n_wijken = n_wijken if n_wijken is not None else max(n_gemeenten, round(n_gemeenten * 9.6))
        n_buurten = n_buurten if n_buurten is not None else max(n_wijken, round(n_wijken * 4.4))
        wijken_per_gem = _split(n_wijken, n_gemeenten, rng)
        buurten_per_wijk = _split(n_buurten, n_wijken, rng)

    # Areas: gemeenten, wijken, buurten (codes as CBS writes them).
    gem_codes = [f"GM{g + 1:04d}" for g in range(n_gemeenten)]
    wijk_gem = np.repeat(np.arange(n_gemeenten), wijken_per_gem)
    wijk_codes, wijk_names = [], []
    for g in range(n_gemeenten):
        for i in range(int(wijken_per_gem[g])):
            wijk_codes.append(
                f"WK{g + 1:04d}{i % 100:02d}" if i < 100 else f"WK{g + 1:04d}{_letters(i)}"
            )
            wijk_names.append(f"Wijk {i + 1} van gemeente {g + 1}")
    buurt_wijk = np.repeat(np.arange(n_wijken), buurten_per_wijk)
    buurt_codes, buurt_names = [], []
    for w in range(n_wijken):
        for i in range(int(buurten_per_wijk[w])):
            buurt_codes.append(
                f"BU{wijk_codes[w][2:]}{i % 100:02d}"
                if i < 100
                else f"BU{wijk_codes[w][2:]}{_letters(i)}"
            )
            buurt_names.append(f"Buurt {i + 1} van {wijk_names[w].lower()}")

    # Units that hold households: the buurten, then one "no buurt" unit per gemeente.
    n_units = n_buurten + n_gemeenten
    sigma = 0.9
    hh = np.round(rng.lognormal(np.log(households_mean) - sigma**2 / 2, sigma, n_buurten))
    hh_none = rng.poisson(no_buurt_households, n_gemeenten)
    households = np.concatenate([hh, hh_none]).astype(np.int64)
    deprivation = rng.lognormal(-0.18, 0.6, n_units)
    p_signal = np.clip(signal_rate * deprivation, 0.0, 0.5)
    signalled = rng.binomial(households, p_signal)

    # Signalled households, each with its unit, signals per group, persona and flags.
    unit = np.repeat(np.arange(n_units), signalled)
    n_hh = unit.size
    n_signals = 1 + rng.poisson(signals_per_household - 1.0, n_hh)
    sig_unit = np.repeat(unit, n_signals)
    sig_hh = np.repeat(np.arange(n_hh), n_signals)
    sig_group = rng.choice(len(GROUPS), size=sig_unit.size, p=GROUP_SHARES)
    groups_per_hh = np.zeros((n_hh, len(GROUPS)), dtype=np.int64)
    np.add.at(groups_per_hh, (sig_hh, sig_group), 1)
    meerdere = (groups_per_hh > 0).sum(axis=1) >= 2
    persona = rng.choice(len(PERSONAS), size=n_hh, p=PERSONA_SHARES)
    onbekend = rng.random(n_hh) < 0.45
    bereikt = rng.random(n_hh) < 0.55
    hulp = bereikt & (rng.random(n_hh) < 0.5)
    amount = np.round(rng.lognormal(np.log(600.0), 0.8, n_hh), 2)
    # the funnel and effort of issue #15, drawn after the draws above (same seed, same figures)
    opgepakt = bereikt | (rng.random(n_hh) < 0.8)
    hulpsoort = np.where(hulp, rng.choice(3, size=n_hh, p=(0.4, 0.45, 0.15)), -1)
    pogingen = np.where(opgepakt, rng.integers(0, 5, n_hh), 0)
    crisis = rng.random(sig_unit.size) < 0.04
    eind = (sig_group == list(GROUPS).index("energie")) & (rng.random(sig_unit.size) < 0.03)
    herhaald = rng.random(n_hh) < 0.45  # an earlier signal within six months: 44-49% in the demo

    def per_unit(weights: np.ndarray) -> np.ndarray:
        return np.bincount(unit, weights=weights.astype(np.float64), minlength=n_units)

    counts: dict[str, np.ndarray] = {
        "huishoudens": households.astype(np.float64),
        "hh_met_signaal": per_unit(np.ones(n_hh)),
        "hh_meerdere_signalen": per_unit(meerdere),
        "signalen": np.bincount(sig_unit, minlength=n_units).astype(np.float64),
        "hh_onbekend": per_unit(onbekend),
        "hh_bereikt": per_unit(bereikt),
        "hh_hulp_geaccepteerd": per_unit(hulp),
    }
    for i, g in enumerate(GROUPS):
        counts[f"signalen_{g}"] = np.bincount(sig_unit[sig_group == i], minlength=n_units).astype(
            np.float64
        )
    for i, p in enumerate(PERSONAS):
        counts[f"hh_persona_{p}"] = per_unit(persona == i)
        counts[f"hh_bereikt_persona_{p}"] = per_unit(bereikt & (persona == i))
        counts[f"hh_hulp_persona_{p}"] = per_unit(hulp & (persona == i))
    counts["inwoners"] = (households + rng.binomial(households, 0.9)).astype(np.float64)
    counts["hh_opgepakt"] = per_unit(opgepakt)
    for i, soort in enumerate(
        ("quick_fix", "vervolghulp_financieel", "vervolghulp_niet_financieel")
    ):
        counts[f"hh_hulpsoort_{soort}"] = per_unit(hulpsoort == i)
    counts["crisissignalen"] = np.bincount(sig_unit[crisis], minlength=n_units).astype(np.float64)
    counts["eindeleveringssignalen"] = np.bincount(sig_unit[eind], minlength=n_units).astype(
        np.float64
    )
    counts["contactpogingen"] = per_unit(pogingen)
    counts["hh_herhaald"] = per_unit(herhaald)
    # signals at no household: in the units without buurt (gemeente level only), 6% of them
    unit_gemeente = np.concatenate([wijk_gem[buurt_wijk], np.arange(n_gemeenten)])
    gem_signals = np.bincount(unit_gemeente[sig_unit], minlength=n_gemeenten)
    for reason, share in (
        ("geen_match", 0.02), ("buiten_gemeente", 0.01), ("meerdere_adressen", 0.01),
        ("geen_huishouden", 0.02),
    ):  # fmt: skip
        unlinked = np.zeros(n_units)
        unlinked[n_buurten:] = rng.binomial(gem_signals, share)
        counts[f"signalen_{reason}"] = unlinked
        counts["signalen"] = counts["signalen"] + unlinked

    # Aggregate units to areas: area order gemeenten, wijken, buurten.
    n_areas = n_gemeenten + n_wijken + n_buurten
    unit_buurt_area = n_gemeenten + n_wijken + np.arange(n_buurten)
    unit_wijk_area = n_gemeenten + buurt_wijk
    unit_gem_area = np.concatenate([wijk_gem[buurt_wijk], np.arange(n_gemeenten)])
    unit_areas = [unit_gem_area, unit_wijk_area, unit_buurt_area]
    unit_ranges = [slice(0, n_units), slice(0, n_buurten), slice(0, n_buurten)]
    area_counts = {}
    for name, per in counts.items():
        total = np.zeros(n_areas)
        for areas, rows in zip(unit_areas, unit_ranges, strict=True):
            np.add.at(total, areas, per[rows])
        area_counts[name] = total

    # Medians of the amounts per area (every level).
    hh_areas = [
        unit_gem_area[unit],
        unit_wijk_area[unit[unit < n_buurten]],
        unit_buurt_area[unit[unit < n_buurten]],
    ]
    hh_amounts = [amount, amount[unit < n_buurten], amount[unit < n_buurten]]
    median = np.full(n_areas, np.nan)
    for areas, amounts in zip(hh_areas, hh_amounts, strict=True):
        order = np.lexsort((amounts, areas))
        sorted_areas, sorted_amounts = areas[order], amounts[order]
        starts = np.searchsorted(sorted_areas, np.arange(n_areas), side="left")
        ends = np.searchsorted(sorted_areas, np.arange(n_areas), side="right")
        for a in np.flatnonzero(ends > starts):
            median[a] = float(np.median(sorted_amounts[starts[a] : ends[a]]))

    values: dict[str, np.ndarray] = {}
    figures = _figures(who_is_reached)
    for ind, _ in figures:
        if ind.kind == "count":
            values[ind.name] = area_counts[ind.name]
        elif ind.kind == "rate":
            num, den = area_counts[ind.numerator], area_counts[ind.denominator]
            with np.errstate(divide="ignore", invalid="ignore"):
                values[ind.name] = np.where(den > 0, num / den * ind.quarter_scale(), np.nan)
        else:
            values[ind.name] = np.where(area_counts[ind.denominator] > 0, median, np.nan)

    levels = ["gemeente"] * n_gemeenten + ["wijk"] * n_wijken + ["buurt"] * n_buurten
    codes = gem_codes + wijk_codes + buurt_codes
    names = [f"Gemeente {g + 1}" for g in range(n_gemeenten)] + wijk_names + buurt_names
    parents: list[str | None] = [None] * n_gemeenten
    parents += [gem_codes[g] for g in wijk_gem] + [wijk_codes[w] for w in buurt_wijk]
    names_ind = [ind.name for ind, _ in figures]
    k = len(names_ind)
    value_matrix = np.column_stack([values[n] for n in names_ind])  # areas x indicators
    flat = value_matrix.reshape(-1)
    return pl.DataFrame(
        {
            "quarter": [quarter] * (n_areas * k),
            "period_type": [period_type for _, period_type in figures] * n_areas,
            "period": [quarter] * (n_areas * k),
            "area_level": np.repeat(np.array(levels), k),
            "area_code": np.repeat(np.array(codes), k),
            "area_name": np.repeat(np.array(names), k),
            "parent_code": np.repeat(np.array(parents, dtype=object), k).tolist(),
            "indicator": names_ind * n_areas,
            "value": pl.Series(flat, dtype=pl.Float64).fill_nan(None),
        },
        schema=FRAME_SCHEMA,
    )


def default_funnel(full: dict[str, float], given: dict) -> dict[str, float]:
    """Counts of issue #15 a hand-written area does not give, so the relations of
    ``contract.py`` hold and the published ones add little: inwoners well above the
    households, every signalled household picked up, help accepted as financial follow-up
    help (others 0), the reached and those that accepted help over the personas in seed
    order, each persona as full as it can be."""
    out = {}
    if not any(n.startswith("hh_bereikt_persona_") for n in given):
        reached, helped = full["hh_bereikt"], full["hh_hulp_geaccepteerd"]
        for p in PERSONAS:
            out[f"hh_bereikt_persona_{p}"] = r = min(reached, full[f"hh_persona_{p}"])
            out[f"hh_hulp_persona_{p}"] = h = min(helped, r)
            reached, helped = reached - r, helped - h
    if "inwoners" not in given:
        out["inwoners"] = 3 * full["huishoudens"] + 100
    if "hh_opgepakt" not in given:
        out["hh_opgepakt"] = full["hh_met_signaal"]
    if not any(n.startswith("hh_hulpsoort_") for n in given):
        out["hh_hulpsoort_vervolghulp_financieel"] = full["hh_hulp_geaccepteerd"]
    return out


def _letters(i: int) -> str:
    """Two-character code (digits and capitals) for the 100th and later wijk or buurt."""
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    j = i - 100
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[(j // 36) % 26] + alphabet[j % 36]


def frame_from_buurten(
    buurten: dict[str, tuple[str, dict[str, float]]],
    wijken: dict[str, str],
    no_buurt: dict[str, dict[str, float]] | None = None,
    medians: dict[str, float] | None = None,
    quarter: str = "2026Q3",
    who_is_reached: bool = False,
) -> pl.DataFrame:
    """A consistent quarter from hand-written buurt counts (for tests of particular cases),
    who is reached per persona only with ``who_is_reached``.

    ``buurten``: code -> (wijk code, counts); ``wijken``: code -> gemeente code; ``no_buurt``:
    gemeente -> counts of its addresses without a buurt. Counts not given are 0; ``signalen``
    and ``hh_met_signaal`` default to the sum of their parts; the counts of issue #15 to what
    adds nothing to the relations (:func:`default_funnel`). Wijken and gemeenten are the
    sums. Medians default to 500 wherever there is a signalled household; rates follow.
    """
    figures = _figures(who_is_reached)
    counts = [i.name for i, _ in figures if i.kind == "count"]
    groups = [n for n in counts if n.startswith("signalen_")]
    personas = [n for n in counts if n.startswith("hh_persona_")]

    def complete(given: dict[str, float]) -> dict[str, float]:
        full = {n: float(given.get(n, 0.0)) for n in counts}
        if "signalen" not in given:
            full["signalen"] = sum(full[g] for g in groups)
        if "hh_met_signaal" not in given:
            full["hh_met_signaal"] = sum(full[p] for p in personas)
        return full | default_funnel(full, given)

    area_counts: dict[str, dict[str, float]] = {}
    parent: dict[str, str | None] = {}
    level: dict[str, str] = {}
    for code, (wijk, given) in buurten.items():
        area_counts[code] = complete(given)
        parent[code], level[code] = wijk, "buurt"
    gemeenten = sorted(set(wijken.values()))
    for wijk, gem in wijken.items():
        parent[wijk], level[wijk] = gem, "wijk"
        members = [area_counts[b] for b, (w, _) in buurten.items() if w == wijk]
        area_counts[wijk] = {n: sum(m[n] for m in members) for n in counts}
    for gem in gemeenten:
        parent[gem], level[gem] = None, "gemeente"
        members = [area_counts[w] for w, g in wijken.items() if g == gem]
        extra = complete((no_buurt or {}).get(gem, {}))
        area_counts[gem] = {n: sum(m[n] for m in members) + extra[n] for n in counts}
    rows = []
    for code in [*gemeenten, *wijken, *buurten]:
        c = area_counts[code]
        for ind, period_type in figures:
            if ind.kind == "count":
                value: float | None = c[ind.name]
            elif ind.kind == "rate":
                den = c[ind.denominator]
                value = c[ind.numerator] / den * ind.quarter_scale() if den else None
            else:
                value = (medians or {}).get(code, 500.0) if c[ind.denominator] else None
            area = (level[code], code, f"naam {code}", parent[code])
            rows.append((quarter, period_type, quarter, *area, ind.name, value))
    return pl.DataFrame(
        rows,
        orient="row",
        schema=FRAME_SCHEMA,
    )
