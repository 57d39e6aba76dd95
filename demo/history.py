"""How the demo's quarters follow each other: the same city, mostly the same households.

Every quarter of one seed shares the geography and the registers (``demo.population``);
this module adds what changes between quarters, deterministically from the seed:

- **Moves.** In every quarter after :data:`HISTORY_FROM` about :data:`MOVE_SHARE` of the
  households move to a home that was vacant at the start of the quarter (their old home is
  vacant from then on). A quarter's population is the base population with the moves of
  every quarter up to it, so a quarter looks the same whichever quarters are generated.
- **Repeat signals.** Whether a household gets into arrears is a draw per quarter (an
  exponential key, weighted in ``demo.signals`` by its vulnerability); with probability
  :data:`ARREARS_PERSISTENCE` a household keeps last quarter's draw, so a share of the
  signalled households is signalled again next quarter (arrears last), the rest are new.
  Each quarter's keys have the same distribution as before, only correlated over time.
- **Debt help after signals.** A share of every quarter's signalled households starts a
  schuldhulp trajectory in the months after (``demo.signals.schuldhulp_after_signals``). A
  quarter's schuldhulp extract lists every trajectory started by its end, so it holds those
  set off by the signals of every quarter from :data:`HISTORY_FROM` on
  (:func:`signal_quarters`), computed again from the seed when they are not generated too.
- **Cases closing over weeks.** A case closes weeks after its signal, often after the quarter's
  end (``demo.signals.build_cases``), so a quarter's case extract also lists the cases of the
  ``demo.signals.CASES_CARRIED`` quarters before it that were still open, as they stand at
  its end (``demo.signals.case_extract``), computed again from the seed when those quarters
  are not generated too.
- **Season and trend.** The signal volume of a quarter is ``Rates.signals_per_1000_residents``
  (the rate of :data:`REFERENCE_QUARTER`) times a seasonal factor and a yearly trend; energy
  suppliers send more signals in winter (:data:`ENERGY_SEASON`).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import numpy as np

from demo.common import rng_for
from demo.population import Population
from orchestration.quarters import parse_quarter, quarter_range

if TYPE_CHECKING:
    from demo.signals import Rates

HISTORY_FROM = "2025Q1"
"""The first quarter of the demo's history (the pipeline's first partition): no moves before
it, and its arrears draws are fresh."""

MOVE_SHARE = 0.015
"""Households moving house within the registers per quarter (about 6% a year)."""

ARREARS_PERSISTENCE = 0.35
"""Chance that a household's arrears draw carries over to the next quarter."""

REFERENCE_QUARTER = "2026Q3"
"""The quarter whose signal volume is ``Rates.signals_per_1000_residents`` exactly."""

SEASON = {1: 1.10, 2: 1.03, 3: 1.0, 4: 1.05}
"""Signal volume per quarter of the year, relative to the third (fewer signals in summer)."""

TREND_PER_YEAR = 0.04
"""Growth of the signal volume per year (rising fixed costs)."""

ENERGY_SEASON = {1: 1.4, 2: 1.1, 3: 1.0, 4: 1.2}
"""Factor on the energy suppliers' share of the signals per quarter of the year, relative to the
third (winter bills): ``Rates.group_shares`` is the third quarter's mix."""


def _steps(quarter: str) -> list[str]:
    """The quarters after :data:`HISTORY_FROM` up to and including ``quarter``."""
    if parse_quarter(quarter) <= parse_quarter(HISTORY_FROM):
        return []
    return quarter_range(HISTORY_FROM, quarter)[1:]


def signal_quarters(quarter: str) -> list[str]:
    """The quarters from :data:`HISTORY_FROM` up to and including ``quarter`` (none when it is
    earlier): those whose signals can have set off a trajectory by the end of ``quarter``."""
    if parse_quarter(quarter) < parse_quarter(HISTORY_FROM):
        return []
    return quarter_range(HISTORY_FROM, quarter)


def population_at(pop: Population, seed: int, quarter: str) -> Population:
    """The registers at the end of ``quarter``: ``pop`` with the moves of every quarter up to it."""
    steps = _steps(quarter)
    if not steps:
        return pop
    hh_address = pop.hh_address.copy()
    n_h = len(hh_address)
    home = pop.addresses.gebruiksdoel == 0
    occupied = np.zeros(len(home), dtype=bool)
    occupied[hh_address] = True
    for step in steps:
        rng = rng_for(seed, "history/moves", step)
        vacant = np.flatnonzero(home & ~occupied)
        n = min(int(rng.binomial(n_h, MOVE_SHARE)), len(vacant))
        movers = rng.choice(n_h, size=n, replace=False)
        to = rng.choice(vacant, size=n, replace=False)
        occupied[hh_address[movers]] = False
        occupied[to] = True
        hh_address[movers] = to
    person_address = pop.person_address.copy()
    in_hh = pop.person_household >= 0
    person_address[in_hh] = hh_address[pop.person_household[in_hh]]
    return dataclasses.replace(pop, hh_address=hh_address, person_address=person_address)


def arrears_draws(households: int, seed: int, quarter: str) -> np.ndarray:
    """Per household an exponential draw for ``quarter`` (smaller: sooner in arrears); a draw
    carries over from the quarter before with probability :data:`ARREARS_PERSISTENCE`
    (quarters up to :data:`HISTORY_FROM` have independent draws)."""
    steps = _steps(quarter)
    first = HISTORY_FROM if steps else quarter
    draws = rng_for(seed, "history/arrears", first).exponential(size=households)
    for step in steps:
        rng = rng_for(seed, "history/arrears", step)
        fresh = rng.exponential(size=households)
        keep = rng.random(households) < ARREARS_PERSISTENCE
        draws = np.where(keep, draws, fresh)
    return draws


def volume_factor(quarter: str) -> float:
    """The signal volume of ``quarter`` relative to :data:`REFERENCE_QUARTER`."""
    year, q = parse_quarter(quarter)
    ref_year, ref_q = parse_quarter(REFERENCE_QUARTER)
    years = (year * 4 + q - ref_year * 4 - ref_q) / 4
    return SEASON[q] / SEASON[ref_q] * (1 + TREND_PER_YEAR) ** years


def rates_for(rates: Rates, quarter: str) -> Rates:
    """``rates`` for ``quarter``: its season and trend on the volume and the energy share."""
    _, q = parse_quarter(quarter)
    shares = dict(rates.group_shares)
    if "energie" in shares:
        shares["energie"] *= ENERGY_SEASON[q]
    return dataclasses.replace(
        rates,
        signals_per_1000_residents=rates.signals_per_1000_residents * volume_factor(quarter),
        group_shares=shares,
    )
