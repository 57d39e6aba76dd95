"""An attacker written out independently of ``orchestration.disclosure``: tiny tables, every
integer table consistent with what is published, and each suppressed count's true interval.

Nothing here reads the disclosure model or the seeds. The indicator names and relations are
restated from their definitions (MONITOR.md "Disclosure control" and "Published schema",
docs/architecture.md "dbt output consumed by Python", the ``omschrijving`` of every indicator
in seeds/indicators.csv), so a relation missing from ``model.py`` is not missing here too:

- buurten add up to their wijk and gemeenten to their regio (exact: a regio holds what its
  gemeenten hold, nothing else); a gemeente is the sum of its wijken plus the
  households whose address has no buurt, which count at gemeente level only: a gemeente
  count may exceed the sum of its wijken, never the reverse. Those addresses without a buurt
  are households like any other, so their counts (gemeente minus wijken) obey the same
  within-area relations as an area;
- within an area: ``signalen`` is the sum of the five publication groups; every signalled
  household has exactly one persona (``hh_met_signaal`` is the sum of the personas); the
  households with signals of two or more partner types, not known to the gemeente, reached,
  are signalled households; a household that accepted help was reached; a signalled
  household is a household and has at least one signal, one with signals of two or more
  partner types at least two, and those signals are linked to it (a signal at no household,
  below, is no household's: the publication groups alone bound the households);
- who is reached (issue 15 item 8): the reached households of every persona add up to
  ``hh_bereikt``, and those that accepted help to ``hh_hulp_geaccepteerd``; a persona's
  reached households are among its signalled ones, its households that accepted help among
  its reached ones;
- the signals at no household (``UNLINKED_COUNTS``: no address fits, outside the gemeente,
  several addresses, no household at the address) have no buurt: they exist at gemeente (and
  regio) level only, so in every wijk and buurt they are 0, suppressed or not, and the
  attacker knows it;
- every count is a non-negative integer;
- a published median means at least ``MIN_MEDIAN_N`` households in its own count (rule 1:
  ``mediaan_dagen_tot_contact`` over the reached households, the others over the signalled);
- a published rate is ``scale * numerator / denominator`` (published unrounded) over a
  denominator of at least ``MIN_DENOMINATOR`` households (rule 1).

``interval`` enumerates every assignment of the suppressed counts (each from 0 to a sound upper
bound, ``upper_bounds``; a count that an equality gives once the others are chosen is computed,
``plan``) and keeps the consistent ones: exact, and bounded by ``SEARCH_CAP``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from demo.synthetic_quarter import default_funnel
from tests.stated_indicators import COUNTS, GROUP_COUNTS, HELP_TYPE_COUNTS, RATES, UNLINKED_COUNTS
from tests.stated_indicators import HELPED_PERSONA_COUNTS as HELPED
from tests.stated_indicators import PERSONA_COUNTS as PERSONAS
from tests.stated_indicators import REACHED_PERSONA_COUNTS as REACHED

GROUPS = (*GROUP_COUNTS, *UNLINKED_COUNTS)
"""The parts of ``signalen``: the publication groups and (gemeente level) the signals at no
household per reason."""
HELP_TYPES = HELP_TYPE_COUNTS
"""Every household that accepted help has one (its most intensive) help type."""

# MONITOR.md, "Disclosure control" (the defaults; the audit reads them from seeds/), with the
# minimum denominator of issue 14 (a precision rule: NCHS' minimum base of 30 for proportions).
MIN_COUNT = 10
MIN_DENOMINATOR = 30
MIN_MEDIAN_N = 10
WIDTH = 10

MEDIANS = {
    "mediaan_bedrag": "hh_met_signaal",
    "mediaan_dagen_achterstand": "hh_met_signaal",
    "mediaan_dagen_tot_contact": "hh_bereikt",
}
SUBSETS = (
    ("hh_meerdere_signalen", "hh_met_signaal"),
    ("hh_onbekend", "hh_met_signaal"),
    ("hh_bereikt", "hh_met_signaal"),
    ("hh_hulp_geaccepteerd", "hh_bereikt"),
    ("hh_met_signaal", "huishoudens"),
    ("hh_met_signaal", "signalen"),
    ("hh_opgepakt", "hh_met_signaal"),
    ("hh_bereikt", "hh_opgepakt"),
    ("huishoudens", "inwoners"),
    ("crisissignalen", "signalen"),
    ("eindeleveringssignalen", "signalen"),
    ("hh_herhaald", "hh_met_signaal"),
    *zip(REACHED, PERSONAS, strict=True),
    *zip(HELPED, REACHED, strict=True),
)
"""(part, whole): the part is a subset of the whole, so ``part <= whole``."""
SUMS = (
    ("signalen", GROUPS),
    ("hh_met_signaal", PERSONAS),
    ("hh_hulp_geaccepteerd", HELP_TYPES),
    ("hh_bereikt", REACHED),
    ("hh_hulp_geaccepteerd", HELPED),
)
"""(total, parts) within one area: every part counts in exactly one of them."""
WHO_IS_REACHED = (*REACHED, *HELPED)
"""The counts of who is reached per persona: in a publication of a quarter's outcomes since
issue 15 item 8; a publication without them has none of their relations."""
SEARCH_CAP = 400_000
"""At most this many assignments are enumerated for one table."""


@dataclass
class Areas:
    """A gemeente, its wijken and their buurten (and a regio of gemeenten): code -> (level,
    parent code)."""

    level: dict[str, str] = field(default_factory=dict)
    parent: dict[str, str | None] = field(default_factory=dict)

    def add(self, code: str, level: str, parent: str | None) -> None:
        self.level[code], self.parent[code] = level, parent

    def children(self, code: str) -> list[str]:
        return [c for c, p in self.parent.items() if p == code]


def hierarchy(wijken: list[int]) -> Areas:
    """One gemeente GM0999 with ``len(wijken)`` wijken of ``wijken[i]`` buurten each."""
    areas = Areas()
    areas.add("GM0999", "gemeente", None)
    for w, n_buurten in enumerate(wijken, start=1):
        wijk = f"WK0999{w:02d}"
        areas.add(wijk, "wijk", "GM0999")
        for b in range(1, n_buurten + 1):
            areas.add(f"BU0999{w:02d}{b:02d}", "buurt", wijk)
    return areas


def completed(given: dict[str, int]) -> dict[str, int]:
    """Every count of an area: missing ones 0, the two totals the sums of their parts."""
    full = {n: int(given.get(n, 0)) for n in COUNTS}
    if "signalen" not in given:
        full["signalen"] = sum(full[g] for g in GROUPS)
    if "hh_met_signaal" not in given:
        full["hh_met_signaal"] = sum(full[p] for p in PERSONAS)
    return full | {n: int(v) for n, v in default_funnel(full, given).items()}


def aggregate(areas: Areas, leaves: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    """Counts of every area: ``leaves`` gives each buurt (and, under the gemeente's code, its
    addresses without a buurt); wijken, gemeenten and a regio are sums."""
    out = {c: completed(v) for c, v in leaves.items() if areas.level[c] == "buurt"}
    for wijk in [c for c, lvl in areas.level.items() if lvl == "wijk"]:
        out[wijk] = {n: sum(out[b][n] for b in areas.children(wijk)) for n in COUNTS}
    for gem in [c for c, lvl in areas.level.items() if lvl == "gemeente"]:
        rest = completed(leaves.get(gem, {}))
        out[gem] = {n: sum(out[w][n] for w in areas.children(gem)) + rest[n] for n in COUNTS}
    for regio in [c for c, lvl in areas.level.items() if lvl == "regio"]:
        out[regio] = {n: sum(out[g][n] for g in areas.children(regio)) for n in COUNTS}
    return out


EXACT_SUMS = ("wijk", "regio")
"""Levels whose counts are exactly the sum of their children's (buurten, gemeenten)."""


HIDDEN_WITH = (  # the last relative bounds the count from above
    {"hh_opgepakt": ("hh_bereikt", "hh_met_signaal")}
    | {t: ("hh_hulp_geaccepteerd",) for t in HELP_TYPES}
    | {r: ("hh_bereikt", "hh_met_signaal", p) for r, p in zip(REACHED, PERSONAS, strict=True)}
    | {
        h: ("hh_hulp_geaccepteerd", "hh_bereikt", "hh_met_signaal", p)
        for h, p in zip(HELPED, PERSONAS, strict=True)
    }
)
"""Counts of issue #15 suppressed with a count they are tied to, so a test about the older
counts' intervals is not narrowed by them (their defaults: ``completed``); not where their
last relative, which bounds them, is 0 (a persona without households has none reached:
published, that 0 tells nothing; suppressed, it would be a cell known exactly)."""


def published_frame(
    areas: Areas,
    counts: dict[str, dict[str, int]],
    hidden: set[tuple[str, str]],
    *,
    hide_rates: set[tuple[str, str]] = frozenset(),
    show_rates: set[tuple[str, str]] = frozenset(),
    medians: dict[str, bool] | None = None,
    quarter: str = "2026Q3",
    who_is_reached: bool = False,
) -> pl.DataFrame:
    """The published shape of ``monitor.area_indicators`` (MONITOR.md); who is reached per
    persona (``WHO_IS_REACHED``) only with ``who_is_reached``, else a quarter of before it.

    Counts in ``hidden`` are suppressed. A rate is published when both its counts are and its
    denominator is at least ``MIN_DENOMINATOR`` (``hide_rates``/``show_rates`` override that,
    to build publications that break the rule); a median (500) is published when the area
    has at least ``MIN_MEDIAN_N`` signalled households, or as ``medians`` says.
    """
    rows = []
    hidden = set(hidden) | {
        (code, new)
        for code, name in hidden
        for new, relatives in HIDDEN_WITH.items()
        if name in relatives and counts[code][relatives[-1]]  # not a 0 under a published 0
    }
    for code, level in areas.level.items():
        c = counts[code]
        base = (quarter, level, code, f"naam {code}")
        parent = areas.parent[code]
        for name in COUNTS:
            if name in WHO_IS_REACHED and not who_is_reached:
                continue
            shown = (code, name) not in hidden
            rows.append((*base, parent, name, float(c[name]) if shown else None, _status(shown)))
        for name, (num, den, scale) in RATES.items():
            if num in WHO_IS_REACHED and not who_is_reached:
                continue
            shown = (
                (code, num) not in hidden
                and (code, den) not in hidden
                and c[den] >= MIN_DENOMINATOR
            )
            shown = (shown and (code, name) not in hide_rates) or (code, name) in show_rates
            value = scale * c[num] / c[den] if c[den] else None
            rows.append((*base, parent, name, value if shown else None, _status(shown)))
        for name, den in MEDIANS.items():
            shown = (medians or {}).get(code, c[den] >= MIN_MEDIAN_N)
            rows.append((*base, parent, name, 500.0 if shown else None, _status(shown)))
    return pl.DataFrame(
        rows,
        orient="row",
        schema={
            "quarter": pl.String,
            "area_level": pl.String,
            "area_code": pl.String,
            "area_name": pl.String,
            "parent_code": pl.String,
            "indicator": pl.String,
            "value": pl.Float64,
            "status": pl.String,
        },
    )


def _status(shown: bool) -> str:
    return "published" if shown else "suppressed"


@dataclass
class Publication:
    """What an attacker reads: per area, the published counts, rates and medians."""

    areas: Areas
    counts: dict[tuple[str, str], float]
    rates: dict[tuple[str, str], float]
    medians: set[tuple[str, str]]
    """(area, median) of every published median."""
    hidden: list[tuple[str, str]]
    names: frozenset[str] = frozenset(COUNTS)
    """The counts the publication has: the relations are those among them."""

    @property
    def sums(self) -> list[tuple[str, tuple[str, ...]]]:
        return [(t, ps) for t, ps in SUMS if {t, *ps} <= self.names]

    @property
    def subsets(self) -> list[tuple[str, str]]:
        return [(p, w) for p, w in SUBSETS if {p, w} <= self.names]

    @property
    def count_names(self) -> list[str]:
        return [n for n in COUNTS if n in self.names]

    @classmethod
    def read(cls, frame: pl.DataFrame) -> Publication:
        areas = Areas()
        counts, rates, medians, hidden = {}, {}, set(), []
        for r in frame.iter_rows(named=True):
            areas.add(r["area_code"], r["area_level"], r["parent_code"])
            key = (r["area_code"], r["indicator"])
            shown = r["status"] == "published"
            if r["indicator"] in UNLINKED_COUNTS and r["area_level"] not in ("gemeente", "regio"):
                counts[key] = 0.0  # a signal at no household has no wijk or buurt
            elif r["indicator"] in COUNTS:
                if shown:
                    counts[key] = r["value"]
                else:
                    hidden.append(key)
            elif r["indicator"] in RATES and shown and r["value"] is not None:
                rates[key] = r["value"]
            elif r["indicator"] in MEDIANS and shown:
                medians.add(key)
        names = frozenset(frame["indicator"].unique().to_list()) & set(COUNTS)
        return cls(areas, counts, rates, medians, sorted(hidden), names)


def upper_bounds(pub: Publication) -> dict[tuple[str, str], float]:
    """A sound upper bound of every suppressed count (inf where none is implied): a part is
    at most its whole (a buurt its wijk, a wijk its gemeente, a group ``signalen``, a persona
    ``hh_met_signaal``, the subsets above); a total at most the sum of its parts' bounds."""
    ub = {key: math.inf for key in pub.hidden}
    ub.update(pub.counts)
    parts_of: dict[str, list[tuple[str, ...]]] = {}
    dominators: dict[str, list[str]] = {}
    for total, parts in pub.sums:
        parts_of.setdefault(total, []).append(parts)
        for part in parts:
            dominators.setdefault(part, []).append(total)
    for part, whole in pub.subsets:
        dominators.setdefault(part, []).append(whole)
    for _ in range(4 * len(ub)):
        changed = False
        for area, name in pub.hidden:
            best = ub[(area, name)]
            above = [(area, w) for w in dominators.get(name, [])]
            best = min([best, *(ub[k] for k in above)])
            parent = pub.areas.parent[area]
            if parent is not None:  # the other parts of the parent (and its rest) are >= 0
                siblings = [s for s in pub.areas.children(parent) if s != area]
                best = min(
                    best, ub[(parent, name)] - sum(pub.counts.get((s, name), 0.0) for s in siblings)
                )
            for parts in parts_of.get(name, []):
                best = min(best, sum(ub[(area, p)] for p in parts))
            if pub.areas.level[area] in EXACT_SUMS:
                best = min(best, sum(ub[(b, name)] for b in pub.areas.children(area)))
            if best < ub[(area, name)]:
                ub[(area, name)], changed = best, True
        if not changed:
            break
    return {key: ub[key] for key in pub.hidden}


@dataclass
class OracleResult:
    feasible: bool
    lo: dict[tuple[str, str], int]
    hi: dict[tuple[str, str], int]
    n_tables: int
    """Consistent integer tables found (assignments of the suppressed counts)."""


def _equations(pub: Publication) -> list[tuple[tuple[str, str], list[tuple[str, str]]]]:
    """(total, parts) of every equality: the sums within an area, buurten to wijk, gemeenten
    to regio."""
    eqs = []
    for area, level in pub.areas.level.items():
        eqs += [((area, total), [(area, p) for p in parts]) for total, parts in pub.sums]
        kids = pub.areas.children(area)
        if level in EXACT_SUMS and kids:
            eqs += [((area, n), [(b, n) for b in kids]) for n in pub.count_names]
    return eqs


def plan(pub: Publication) -> tuple[list[tuple[str, str]], list[tuple[tuple[str, str], tuple]]]:
    """Which suppressed counts to enumerate (``free``) and which follow from an equality once
    those are known (``derived``: cell, (total, parts) in the order to compute them)."""
    ub = upper_bounds(pub)
    eqs = _equations(pub)
    known = set(pub.counts)
    free: list[tuple[str, str]] = []
    derived: list[tuple[tuple[str, str], tuple]] = []
    while len(known) < len(pub.counts) + len(pub.hidden):
        for total, parts in eqs:
            unknown = [c for c in (total, *parts) if c not in known]
            if len(unknown) == 1:
                derived.append((unknown[0], (total, tuple(parts))))
                known.add(unknown[0])
                break
        else:
            cell = min((c for c in pub.hidden if c not in known), key=lambda c: (ub[c], c))
            free.append(cell)
            known.add(cell)
    return free, derived


def search_size(pub: Publication) -> float:
    ub = upper_bounds(pub)
    return math.prod(ub[c] + 1 for c in plan(pub)[0])


def interval(pub: Publication) -> OracleResult:
    """Min and max of every suppressed count over all consistent integer tables: every
    value from 0 to its upper bound of each free cell, the derived cells computed."""
    ub = upper_bounds(pub)
    free, derived = plan(pub)
    sizes = [ub[k] + 1 for k in free]
    total = math.prod(sizes)
    if not math.isfinite(total) or total > SEARCH_CAP:
        raise ValueError(f"search space {total} beyond SEARCH_CAP")
    total = int(total)
    col = {key: i for i, key in enumerate(pub.hidden)}
    lo = np.full(len(pub.hidden), np.iinfo(np.int64).max)
    hi = np.full(len(pub.hidden), np.iinfo(np.int64).min)
    n_found = 0
    chunk = 100_000
    for start in range(0, max(total, 1), chunk):
        flat = np.arange(start, min(start + chunk, total), dtype=np.int64)
        values: dict[tuple[str, str], np.ndarray | float] = dict(pub.counts)
        for cell, size in zip(free, sizes, strict=True):
            flat, values[cell] = np.divmod(flat, int(size))
        for cell, (t, parts) in derived:
            if cell == t:
                values[cell] = sum(values[p] for p in parts)
            else:
                values[cell] = values[t] - sum(values[p] for p in parts if p != cell)
        n = flat.size
        ok = _consistent(pub, lambda area, name, v=values: v[(area, name)], n)
        if ok.any() and pub.hidden:
            x = np.stack([np.broadcast_to(values[c], (n,)) for c in pub.hidden])
            lo = np.minimum(lo, x[:, ok].min(axis=1))
            hi = np.maximum(hi, x[:, ok].max(axis=1))
        n_found += int(ok.sum())
    return OracleResult(
        feasible=n_found > 0,
        lo={k: int(lo[i]) for k, i in col.items()} if n_found else {},
        hi={k: int(hi[i]) for k, i in col.items()} if n_found else {},
        n_tables=n_found,
    )


def _consistent(pub: Publication, get, n: int) -> np.ndarray:
    """Which of the ``n`` candidate tables satisfy every relation of the module docstring."""
    ok = np.ones(n, dtype=bool)
    areas = pub.areas

    def within(value) -> None:
        """The within-area relations for an area whose counts ``value(name)`` gives."""
        nonlocal ok
        for name in pub.count_names:
            ok &= value(name) >= 0
        for total, parts in pub.sums:
            ok &= value(total) == sum(value(p) for p in parts)
        for part, whole in pub.subsets:
            ok &= value(part) <= value(whole)
        ok &= value("hh_met_signaal") + value("hh_meerdere_signalen") <= value("signalen")
        # ... and to the signals linked to a household: not those at no household
        linked = sum(value(g) for g in GROUP_COUNTS)
        ok &= value("hh_met_signaal") + value("hh_meerdere_signalen") <= linked

    for area, level in areas.level.items():
        within(lambda name, a=area: get(a, name))
        kids = areas.children(area)
        if level in EXACT_SUMS and kids:
            for name in pub.count_names:
                ok &= get(area, name) == sum(get(b, name) for b in kids)
        if level == "gemeente" and kids:
            # the addresses without a buurt: gemeente minus its wijken, an area of its own
            within(
                lambda name, a=area, ks=tuple(kids): get(a, name) - sum(get(k, name) for k in ks)
            )
    for area, median in pub.medians:
        ok &= get(area, MEDIANS[median]) >= MIN_MEDIAN_N
    for (area, name), rate in pub.rates.items():
        num, den, scale = RATES[name]
        d = get(area, den)
        ok &= d >= MIN_DENOMINATOR
        ok &= np.abs(scale * get(area, num) - rate * d) <= 1e-6 * np.maximum(1.0, rate * d)
    return np.broadcast_to(ok, (n,)).copy()
