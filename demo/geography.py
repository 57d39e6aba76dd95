"""Area structure for the demo: the real Amsterdam reference or synthetic gemeenten.

Either way the result is a :class:`Geography`: gemeenten, wijken and buurten with their
codes, names, parents, a household count per buurt and a deprivation score per buurt
(which drives where vulnerable households, social rent and signals concentrate).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from demo.common import rng_for
from demo.names import AREA_NAMES, PLACE_PARTS_A, PLACE_PARTS_B, STREET_BASES

AMSTERDAM_PC4 = (1011, 99)
"""Amsterdam's postcode range 1011-1109 (first PC4, number of PC4s)."""

NATIONAL = {"households": 8_400_000, "gemeenten": 342, "wijken": 3_300, "buurten": 14_500}

_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_LETTER_PARTS = tuple(a + b for a in _ALNUM for b in _ALNUM if not (a.isdigit() and b.isdigit()))


@dataclass(frozen=True)
class Geography:
    """Gemeenten, wijken and buurten (index arrays point into the lists above them)."""

    kind: str
    gemeente_codes: list[str]
    gemeente_names: list[str]
    pc4_first: np.ndarray
    """Preferred first PC4 per gemeente (-1: allocate)."""
    pc4_count: np.ndarray
    """Preferred number of PC4s per gemeente (-1: derive from its size)."""
    wijk_codes: list[str]
    wijk_names: list[str]
    wijk_gemeente: np.ndarray
    buurt_codes: list[str]
    buurt_names: list[str]
    buurt_wijk: np.ndarray
    buurt_households: np.ndarray
    buurt_deprivation: np.ndarray
    """Standardised deprivation score (higher: poorer), mean about 0."""

    @property
    def buurt_gemeente(self) -> np.ndarray:
        return self.wijk_gemeente[self.buurt_wijk]

    @property
    def households(self) -> int:
        return int(self.buurt_households.sum())

    def areas_frame(self) -> pl.DataFrame:
        """The ``wijken_buurten`` extract: code, naam, parent_code (gemeente: empty)."""
        gm = np.array(self.gemeente_codes, dtype=object)
        wk = np.array(self.wijk_codes, dtype=object)
        return pl.DataFrame(
            {
                "code": [*self.gemeente_codes, *self.wijk_codes, *self.buurt_codes],
                "naam": [*self.gemeente_names, *self.wijk_names, *self.buurt_names],
                "parent_code": [
                    *([None] * len(self.gemeente_codes)),
                    *gm[self.wijk_gemeente].tolist(),
                    *wk[self.buurt_wijk].tolist(),
                ],
            },
            schema={"code": pl.String, "naam": pl.String, "parent_code": pl.String},
        )


def _number(text: str) -> float | None:
    text = text.strip()
    if text in {"", ".", "-"}:
        return None
    return float(text)


def amsterdam(reference_file: Path, scale: float, seed: int) -> Geography:
    """The real CBS structure of Amsterdam (1 gemeente, 99 wijken, 479 buurten).

    Household counts (rounded to 100 by CBS) get a jitter of -50..+49 before ``scale`` is
    applied; buurten CBS lists with 0 households keep 0 or, for about a third, a tiny count
    (a caretaker on an industrial estate) so that disclosure control has work to do.
    """
    if scale < 0:
        raise ValueError("scale must be >= 0")
    rng = rng_for(seed, "geography/amsterdam")
    with reference_file.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    header = [h.strip().lower() for h in rows[0]]
    i_name = header.index("wijken en buurten")
    i_code = next(i for i, h in enumerate(header) if h.startswith("regiocode"))
    i_hh = next(i for i, h in enumerate(header) if h.startswith("particuliere huishoudens"))
    i_ses = next((i for i, h in enumerate(header) if h.startswith("ses-woa")), None)

    gm_codes: list[str] = []
    gm_names: list[str] = []
    wk_codes: list[str] = []
    wk_names: list[str] = []
    bu_codes: list[str] = []
    bu_names: list[str] = []
    bu_counts: list[float] = []
    bu_ses: list[float | None] = []
    wk_ses: dict[str, float | None] = {}
    for row in rows[1:]:
        if len(row) <= max(i_code, i_hh):
            continue
        code, name = row[i_code].strip(), row[i_name].strip()
        ses = _number(row[i_ses]) if i_ses is not None else None
        if code.startswith("GM"):
            gm_codes.append(code)
            gm_names.append(name)
        elif code.startswith("WK"):
            wk_codes.append(code)
            wk_names.append(name)
            wk_ses[code] = ses
        elif code.startswith("BU"):
            bu_codes.append(code)
            bu_names.append(name)
            bu_counts.append(_number(row[i_hh]) or 0.0)
            bu_ses.append(ses)
    wk_index = {c: i for i, c in enumerate(wk_codes)}
    gm_index = {c[2:6]: i for i, c in enumerate(gm_codes)}
    wijk_gemeente = np.array([gm_index[c[2:6]] for c in wk_codes], dtype=np.int64)
    buurt_wijk = np.array([wk_index["WK" + c[2:8]] for c in bu_codes], dtype=np.int64)

    counts = np.array(bu_counts)
    jitter = rng.integers(-50, 50, size=len(counts))
    households = np.where(counts > 0, np.rint(np.maximum(counts + jitter, 1) * scale), 0)
    tiny = (counts == 0) & (rng.random(len(counts)) < 0.33)
    households = np.where(tiny, rng.integers(1, 9, size=len(counts)), households)
    if scale == 0:
        households[:] = 0

    ses = np.array(
        [
            s if s is not None else (wk_ses.get("WK" + c[2:8]) or 0.0)
            for s, c in zip(bu_ses, bu_codes, strict=True)
        ]
    )
    deprivation = np.clip(-(ses - ses.mean()) / max(ses.std(), 1e-9), -2.5, 2.5)

    n_gm = len(gm_codes)
    return Geography(
        kind="amsterdam",
        gemeente_codes=gm_codes,
        gemeente_names=gm_names,
        pc4_first=np.array([AMSTERDAM_PC4[0]] * n_gm),
        pc4_count=np.array([AMSTERDAM_PC4[1]] * n_gm),
        wijk_codes=wk_codes,
        wijk_names=wk_names,
        wijk_gemeente=wijk_gemeente,
        buurt_codes=bu_codes,
        buurt_names=bu_names,
        buurt_wijk=buurt_wijk,
        buurt_households=households.astype(np.int64),
        buurt_deprivation=deprivation,
    )


def default_counts(households: int) -> tuple[int, int, int]:
    """Gemeenten, wijken and buurten for a synthetic set of this many households, in the
    proportions of the Netherlands (342 / 3,300 / 14,500 for 8.4M households)."""
    gemeenten = max(1 if households < 5_000 else 2, round(households / 24_500))
    gemeenten = min(gemeenten, NATIONAL["gemeenten"])
    buurten = max(round(households / 580), 8 * gemeenten)
    buurten = max(min(buurten, households // 40), gemeenten)
    wijken = min(max(round(buurten / 4.4), gemeenten), buurten)
    return gemeenten, wijken, buurten


def _parts(
    rng: np.random.Generator, n: int, letter_share: float = 0.04, at_least_one: bool = False
) -> list[str]:
    """``n`` distinct 2-character code parts: mostly 00-99, some with letters (and all parts
    beyond 100 with letters), as CBS codes may contain letters. ``at_least_one``: when
    ``n >= 2``, the last part always has letters."""
    parts = [f"{i:02d}" for i in range(min(n, 100))]
    letters = list(rng.choice(len(_LETTER_PARTS), size=min(len(_LETTER_PARTS), n), replace=False))
    swap = rng.random(len(parts)) < letter_share
    if at_least_one and n >= 2:
        swap[-1] = True
    out = [(_LETTER_PARTS[letters.pop()] if s else p) for p, s in zip(parts, swap, strict=True)]
    while len(out) < n:
        out.append(_LETTER_PARTS[letters.pop()])
    return out


def _split(
    rng: np.random.Generator, total: int, groups: int, sigma: float, cap_share: float = 1.0
) -> np.ndarray:
    """Split ``total`` items over ``groups`` (each at least 1), skewed (log-normal weights),
    no group above ``cap_share`` of the weight (the largest city holds ~5% of the country)."""
    weights = rng.lognormal(0.0, sigma, size=groups)
    if groups * cap_share > 1:
        for _ in range(5):
            weights = np.minimum(weights, cap_share * weights.sum())
    return 1 + rng.multinomial(total - groups, weights / weights.sum())


def synthetic(
    households: int,
    seed: int,
    gemeenten: int | None = None,
    wijken: int | None = None,
    buurten: int | None = None,
) -> Geography:
    """Invented gemeenten with realistic, skewed sizes (a few large cities, many villages),
    wijken and buurten per gemeente, and households per buurt (log-normal, with some almost
    empty industrial or rural buurten)."""
    if households < 1:
        raise ValueError("households must be >= 1")
    d_gm, _, d_bu = default_counts(households)
    n_gm = gemeenten or d_gm
    n_bu = buurten or max(d_bu, n_gm)
    n_wk = wijken or min(max(round(n_bu / 4.4), n_gm), n_bu)
    if not (1 <= n_gm <= n_wk <= n_bu):
        raise ValueError(f"need 1 <= gemeenten <= wijken <= buurten, got {n_gm}, {n_wk}, {n_bu}")
    if n_gm > 1999:
        raise ValueError("at most 1999 gemeenten (GM0001-GM1999)")
    rng = rng_for(seed, "geography/synthetic")

    gm_numbers = np.sort(rng.choice(np.arange(1, 2000), size=n_gm, replace=False))
    gm_codes = [f"GM{n:04d}" for n in gm_numbers]
    name_pool = [a + b for a in PLACE_PARTS_A for b in PLACE_PARTS_B]
    picks = rng.choice(len(name_pool), size=min(n_gm, len(name_pool)), replace=False)
    gm_names = [name_pool[p] for p in picks]
    while len(gm_names) < n_gm:  # more gemeenten than invented names: number them
        gm_names.append(f"{name_pool[len(gm_names) % len(name_pool)]} {len(gm_names)}")

    buurten_per_gm = _split(rng, n_bu, n_gm, 1.25, cap_share=0.055)
    wijk_weights = buurten_per_gm / buurten_per_gm.sum()
    wijken_per_gm = np.minimum(1 + rng.multinomial(n_wk - n_gm, wijk_weights), buurten_per_gm)

    wk_codes: list[str] = []
    wk_names: list[str] = []
    wk_gm: list[int] = []
    bu_codes: list[str] = []
    bu_names: list[str] = []
    bu_wk: list[int] = []
    for g in range(n_gm):
        n_w = int(wijken_per_gm[g])
        for w_part, n_b in zip(
            _parts(rng, n_w, at_least_one=True),
            _split(rng, int(buurten_per_gm[g]), n_w, 0.6),
            strict=True,
        ):
            wijk_code = f"WK{gm_codes[g][2:]}{w_part}"
            area = AREA_NAMES[int(rng.integers(len(AREA_NAMES)))]
            wk_names.append(f"{gm_names[g]}-{area}" if n_w > 1 else gm_names[g])
            wk_gm.append(g)
            wk_codes.append(wijk_code)
            for b_part in _parts(rng, int(n_b)):
                bu_codes.append(f"BU{wijk_code[2:]}{b_part}")
                base = STREET_BASES[int(rng.integers(len(STREET_BASES)))]
                bu_names.append(f"{base}buurt" if rng.random() < 0.6 else f"{area} {b_part}")
                bu_wk.append(len(wk_codes) - 1)

    n_buurten = len(bu_codes)
    weights = rng.lognormal(0.0, 0.75, size=n_buurten)
    empty_ish = rng.random(n_buurten) < 0.05  # industrial estates, parks, rural outskirts
    bu_gm = np.array(wk_gm)[np.array(bu_wk)]
    empty_ish &= (np.bincount(bu_gm, minlength=n_gm) > 1)[bu_gm]  # never a whole gemeente
    weights[empty_ish] *= 0.01
    per_buurt = rng.multinomial(households, weights / weights.sum())
    deprivation = rng.normal(0.0, 1.0, size=n_buurten)

    return Geography(
        kind="synthetic",
        gemeente_codes=gm_codes,
        gemeente_names=gm_names,
        pc4_first=np.full(n_gm, -1),
        pc4_count=np.full(n_gm, -1),
        wijk_codes=wk_codes,
        wijk_names=wk_names,
        wijk_gemeente=np.array(wk_gm, dtype=np.int64),
        buurt_codes=bu_codes,
        buurt_names=bu_names,
        buurt_wijk=np.array(bu_wk, dtype=np.int64),
        buurt_households=per_buurt.astype(np.int64),
        buurt_deprivation=deprivation,
    )


def pc4_per_gemeente(addresses_per_gemeente: np.ndarray, target: int = 2_500) -> np.ndarray:
    """How many PC4 areas a gemeente of this many addresses spans (about 2,500 each)."""
    return np.maximum(1, np.ceil(addresses_per_gemeente / target)).astype(np.int64)


def allocate_pc4(geo: Geography, counts: np.ndarray, seed: int) -> np.ndarray:
    """First PC4 per gemeente: the preferred one, or consecutive ranges over 1000-9999 with
    small gaps (unused PC4s), in gemeente order."""
    rng = rng_for(seed, "geography/pc4")
    fixed = geo.pc4_first >= 0
    free_total = 9000 - int(counts[~fixed].sum())
    if free_total < 0:
        raise ValueError("more PC4 areas needed than 1000-9999 holds")
    n_free = int((~fixed).sum())
    mean_gap = min(2.0, free_total / max(n_free, 1) * 0.8)
    first = np.where(fixed, geo.pc4_first, 0)
    cursor = 1000
    for g in np.flatnonzero(~fixed):
        cursor += int(rng.poisson(mean_gap))
        first[g] = cursor
        cursor += int(counts[g])
    if cursor > 10_000:
        raise ValueError("PC4 allocation ran past 9999")
    return first.astype(np.int64)
