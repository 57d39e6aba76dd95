"""Who is reached: the personas of the households and how their reach and help differ.

The platform sorts every signalled household into a persona (``int_huishouden_personas``,
the first rule that holds, ages and thresholds from ``seeds/persona_parameters.csv``). The
generator applies that rule to its own registers (:func:`household_personas`; on the files
it writes it gives every household the persona the rule gives there) and gives each persona
its own chance to be reached and, once reached, to accept help (:data:`REACH_FACTORS`,
:data:`HELP_FACTORS`), rescaled per quarter so that its signalled households as a whole keep
``Rates.reach`` and ``Rates.help_accepted`` (:func:`outcome_chances`).

With the rule's order the demo has no students: a household whose residents are all 17-25,
one of them 18 or older, has its oldest at 18-27 and no minors, so it is a jonge_starter
first. The student factors only matter to a household of 17-year-olds.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import numpy as np
import yaml

from demo.common import EPOCH, day_number
from demo.population import REGELINGEN, Population
from orchestration.contract import persona_names
from orchestration.parameters import read_seed
from orchestration.quarters import quarter_end, quarter_start
from orchestration.settings import DBT_PROJECT_DIR

PERSONAS = persona_names()
"""The personas in the order of their rules (the first that holds), as the indicators name
them (``hh_persona_<persona>`` in ``seeds/indicators.csv``, in that order)."""


@cache
def persona_regelingen(kind: str) -> tuple[str, ...]:
    """The benefits of the dbt var ``persona_regelingen_<kind>`` (``dbt_project.yml``, the one
    place for them): ``minimum`` make a large family one on a minimum income, ``zelfstandige``
    make a household self-employed."""
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    return tuple(project["vars"][f"persona_regelingen_{kind}"])


REACH_FACTORS = {
    "senior": 1.5,
    "groot_gezin_minimum": 1.3,
    "zelfstandige": 1.0,
    "overig": 1.0,
    "jonge_starter": 0.6,
    "student": 0.5,
}
"""Relative chance that a signalled household of a persona is reached. Seniors are at home,
open the door and answer a letter, and are often known to the wijkteam already; a large
family on a minimum income is known to the gemeente through its benefit and stays at one
address. Young starters and students move often, are out during the day and leave post
from the gemeente unread (students most: many live in shared houses). Self-employed and
other households are the reference. In the demo's Amsterdam (2026Q1) the chances come out
at 0.33 for seniors, 0.29 for large families, 0.22 for the others and 0.13 for young
starters."""

HELP_FACTORS = {
    "groot_gezin_minimum": 1.3,
    "zelfstandige": 1.2,
    "senior": 1.1,
    "overig": 1.0,
    "jonge_starter": 0.8,
    "student": 0.7,
}
"""Relative chance that a reached household of a persona accepts help. A large family on a
minimum income has the least room to solve arrears alone; a self-employed household has
business debts and a bbz adviser to send it to; seniors, once reached, often accept a quick
fix (a supplement or allowance not yet claimed). Young starters and students more often
solve it themselves (smaller amounts, parents who help) or decline. In the demo's Amsterdam
(2026Q1): 0.43 for large families, 0.40 self-employed, 0.37 seniors, 0.33 the others, 0.27
young starters."""


@cache
def persona_parameters() -> dict[str, int]:
    """The ages and thresholds of ``seeds/persona_parameters.csv`` by parameter name."""
    return {row["parameter"]: int(row["value"]) for row in read_seed("persona_parameters")}


def household_personas(pop: Population, quarter: str, households: np.ndarray) -> np.ndarray:
    """The persona (index into :data:`PERSONAS`) of each of ``households`` at the end of
    ``quarter``, by the platform's rules: residents born by the quarter's last day, ages on
    that day (whole years), benefit spells overlapping the quarter."""
    p = persona_parameters()
    q_first, q_last = day_number(quarter_start(quarter)), day_number(quarter_end(quarter))
    if len(households) == 0:
        return np.zeros(0, dtype=np.int8)

    def aged(years: int) -> int:
        """The last birth day of a resident ``years`` or older on the quarter's last day."""
        return _born_by(years, q_last)

    # the residents of household h are hh_first_person[h] onwards, hh_size[h] of them;
    # ages are compared as birth days
    size = pop.hh_size[households]
    starts = np.concatenate([[0], np.cumsum(size)[:-1]])
    birth = pop.person_birth[
        np.repeat(pop.hh_first_person[households] - starts, size) + np.arange(int(size.sum()))
    ]
    born = birth <= q_last
    oldest = np.minimum.reduceat(birth, starts)  # birth day of the oldest resident
    youngest = np.maximum.reduceat(np.where(born, birth, np.iinfo(np.int64).min), starts)
    minors = np.add.reduceat((born & (birth > aged(p["minderjarig_tot"]))).astype(np.int64), starts)
    benefit, minimum, bbz = (b[households] for b in _benefits(pop, q_first, q_last))
    rules = [
        (oldest <= aged(p["jonge_starter_min"]))
        & (oldest > aged(p["jonge_starter_max"] + 1))
        & (minors == 0),
        (minors >= p["groot_gezin_min_minderjarigen"]) & minimum,
        oldest <= aged(p["aow_leeftijd"]),
        bbz,
        (youngest <= aged(p["student_min"])) & (oldest > aged(p["student_max"] + 1)) & ~benefit,
    ]
    return np.select(rules, range(len(rules)), len(rules)).astype(np.int8)


def _born_by(years: int, day: int) -> int:
    """The last birth day (days since 1970-01-01) of someone ``years`` or older on ``day``:
    the same date ``years`` earlier (a 29 February falls back to the 28th)."""
    on = EPOCH + timedelta(days=day)
    year = on.year - years
    try:
        return day_number(on.replace(year=year))
    except ValueError:  # 29 February in a year without one
        return day_number(date(year, 2, 28))


def _benefits(
    pop: Population, q_first: int, q_last: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per household (all of them) whether a resident has a benefit spell overlapping the
    quarter: any, one of ``persona_regelingen("minimum")``, one of
    ``persona_regelingen("zelfstandige")``."""
    s = pop.spells_uitkering
    on = (s["start"] <= q_last) & (s["end"] >= q_first)
    household, code = s["household"][on], s["code"][on]
    out = []
    for codes in (REGELINGEN, persona_regelingen("minimum"), persona_regelingen("zelfstandige")):
        has = np.zeros(pop.households, dtype=bool)
        has[household[np.isin(code, [REGELINGEN.index(c) for c in codes])]] = True
        out.append(has)
    return out[0], out[1], out[2]


def outcome_chances(
    persona: np.ndarray, signalled: np.ndarray, reach: float, help_accepted: float
) -> tuple[np.ndarray, np.ndarray]:
    """Per household (its ``persona``) its chance to be reached and, once reached, to accept
    help: the factors of its persona (:data:`REACH_FACTORS`, :data:`HELP_FACTORS`) times one
    scale each, capped at 1, the scales chosen so that among the households where
    ``signalled`` is true the expected share reached is ``reach`` and the expected share of
    the reached accepting help is ``help_accepted``."""
    counts = np.bincount(persona[signalled], minlength=len(PERSONAS)).astype(float)
    if counts.sum() == 0:
        counts[:] = 1.0  # nobody signalled: the chances matter to no one
    reach_f = np.array([REACH_FACTORS[p] for p in PERSONAS])
    help_f = np.array([HELP_FACTORS[p] for p in PERSONAS])
    p_reach = _scaled(reach_f, counts, reach)
    p_help = _scaled(help_f, counts * p_reach, help_accepted)
    return p_reach[persona], p_help[persona]


def _scaled(factors: np.ndarray, weights: np.ndarray, mean: float) -> np.ndarray:
    """``min(1, c * factors)`` with ``c`` such that its mean weighted by ``weights`` is
    ``mean`` (at most 1): the capped entries fixed at 1 one by one, the rest share what is
    left."""
    w = weights / weights.sum() if weights.sum() > 0 else np.full(len(weights), 1 / len(weights))
    capped = np.zeros(len(factors), dtype=bool)
    scale = 0.0
    for _ in range(len(factors) + 1):
        free = float((w * factors)[~capped].sum())
        scale = (mean - float(w[capped].sum())) / free if free > 0 else 0.0
        now = capped | (scale * factors >= 1)
        if (now == capped).all():
            break
        capped = now
    return np.where(capped, 1.0, np.minimum(scale * factors, 1.0))
