"""Area structure for the demo: a real reference file (the Amsterdam CBS export by default,
any ``wijken_buurten`` file or StatLine export with one or more gemeenten) or synthetic
gemeenten.

Either way the result is a :class:`Geography`: gemeenten, wijken and buurten with their
codes, names, parents, a household count per buurt and a deprivation score per buurt
(which drives where vulnerable households, social rent and signals concentrate).
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from demo.common import rng_for
from demo.names import AREA_NAMES, PLACE_PARTS_A, PLACE_PARTS_B, STREET_BASES
from orchestration.ingestion.normalise import area_code, parent_of
from orchestration.ingestion.reading import UnreadableFile, normalise_header, sniff_delimiter
from orchestration.ingestion.sources import WIJKEN_BUURTEN
from orchestration.ingestion.validate import map_header

REAL_PC4: dict[str, tuple[int, int]] = {"GM0363": (1011, 99)}
"""Real postcode ranges a reference gemeente keeps (first PC4, number of PC4s): Amsterdam
1011-1109, so that the demo's addresses look like the city's. See :func:`allocate_pc4`."""

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


class ReferenceFileError(ValueError):
    """A reference area file the generator cannot use; the message names the file, the line
    where one applies, and what is wrong."""


REFERENCE_FORMS = (
    "the contract's wijken_buurten form (columns code, naam, parent_code) or a CBS StatLine "
    "export (columns 'Wijken en buurten', 'Regiocode (gemeente, wijk, buurt) (code)' and "
    "optionally 'Particuliere huishoudens (Aantal)' and 'SES-WOA/Totaalscore/...')"
)
"""The two forms of reference file :func:`reference` reads, as error messages name them."""

HOUSEHOLDS_PER_BUURT = round(NATIONAL["households"] / NATIONAL["buurten"])
"""Households per buurt for a reference file without household counts (national mean)."""


@dataclass(frozen=True)
class _Area:
    """One row of a reference file: its line, normalised code, name, parent and numbers."""

    line: int
    code: str
    name: str
    parent: str
    households: float | None
    ses: float | None


def _read_areas(path: Path) -> tuple[list[_Area], bool, bool]:
    """The rows of a reference file in either form (see :data:`REFERENCE_FORMS`), and
    whether it has household counts and SES-WOA scores. Raises :class:`ReferenceFileError`."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise ReferenceFileError(
            f"{path}: cannot read the reference file ({error.strerror})"
        ) from None
    except UnicodeDecodeError as error:
        raise ReferenceFileError(
            f"{path}: not UTF-8 text (byte {error.start}); export it again as UTF-8 CSV"
        ) from None
    if not text.strip():
        raise ReferenceFileError(
            f"{path}: the reference file is empty; expected a header line and a row per "
            f"gemeente, wijk and buurt in {REFERENCE_FORMS}"
        )
    try:
        delimiter = sniff_delimiter(text.splitlines()[0])
    except UnreadableFile as error:
        raise ReferenceFileError(f"{path} line 1: {error}") from None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader)
    found = map_header(header, WIJKEN_BUURTEN, None).positions
    missing = [name for field, name in _REQUIRED.items() if field not in found]
    if missing:
        raise ReferenceFileError(
            f"{path} line 1: missing column(s) {', '.join(missing)}; a reference file is "
            f"{REFERENCE_FORMS}"
        )
    keys = [normalise_header(h) for h in header]
    i_hh = next((i for i, k in enumerate(keys) if _HOUSEHOLDS_HEADER.fullmatch(k)), None)
    i_ses = next((i for i, k in enumerate(keys) if k.startswith("ses-woa/totaalscore")), None)
    i_code, i_name = found["area_code"], found["area_name"]
    i_parent = found.get("parent_code")
    width = 1 + max(i for i in (i_code, i_name, i_parent, i_hh, i_ses) if i is not None)

    rows: list[tuple[int, list[str]]] = []
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < width:
            raise ReferenceFileError(
                f"{path} line {reader.line_num}: {len(row)} columns, the header has {len(header)}"
            )
        rows.append((reader.line_num, row))
    if not rows:
        raise ReferenceFileError(f"{path}: no areas below the header line")
    raw = pl.Series([row[i_code] for _, row in rows], dtype=pl.String)
    codes = area_code(raw)
    parents = parent_of(codes).fill_null("").to_list()
    given = (
        area_code(pl.Series([row[i_parent] for _, row in rows], dtype=pl.String)).to_list()
        if i_parent is not None
        else [None] * len(rows)
    )
    areas: list[_Area] = []
    for (line, row), code, parent, given_parent in zip(
        rows, codes.to_list(), parents, given, strict=True
    ):
        where = f"{path} line {line}"
        if code is None:
            raise ReferenceFileError(
                f"{where}: {row[i_code].strip()!r} is not a gemeente, wijk or buurt code "
                "(GM####, WK######, BU########)"
            )
        parent_cell = row[i_parent].strip() if i_parent is not None else ""
        if parent and parent_cell and given_parent != parent:
            raise ReferenceFileError(
                f"{where}: parent_code {parent_cell!r} of {code} should be {parent} "
                "(a buurt lies in the wijk, a wijk in the gemeente its code starts with)"
            )
        name = row[i_name].strip()
        if not name:
            raise ReferenceFileError(f"{where}: {code} has no name")
        try:
            households = _number(row[i_hh]) if i_hh is not None else None
            ses = _number(row[i_ses]) if i_ses is not None else None
        except ValueError:
            raise ReferenceFileError(
                f"{where}: the household count or SES-WOA score of {code} is not a number"
            ) from None
        areas.append(_Area(line, code, name, parent, households, ses))
    return areas, i_hh is not None, i_ses is not None


_REQUIRED = {"area_code": "code (or 'Regiocode ...')", "area_name": "naam (or 'Wijken en buurten')"}
_HOUSEHOLDS_HEADER = re.compile(
    r"(particuliere huishoudens|huishoudens totaal|huishoudens|aantal huishoudens)( \(aantal\))?"
)
"""The household-count column: StatLine's names (``Particuliere huishoudens (Aantal)``,
``Huishoudens totaal (aantal)``) or a plain ``huishoudens``; not one kind of household."""


def _structure(path: Path, areas: list[_Area]) -> tuple[list[_Area], list[_Area], list[_Area]]:
    """Gemeenten, wijken and buurten in file order; every code once, every wijk in a listed
    gemeente, every buurt in a listed wijk, every gemeente with a buurt."""
    seen: dict[str, int] = {}
    for a in areas:
        if a.code in seen:
            raise ReferenceFileError(
                f"{path} line {a.line}: {a.code} is listed before, on line {seen[a.code]}"
            )
        seen[a.code] = a.line
    levels: dict[str, list[_Area]] = {"GM": [], "WK": [], "BU": []}
    for a in areas:
        levels[a.code[:2]].append(a)
    for level, above in (("WK", "gemeente"), ("BU", "wijk")):
        for a in levels[level]:
            if a.parent not in seen:
                kind = "wijk" if level == "WK" else "buurt"
                raise ReferenceFileError(
                    f"{path} line {a.line}: {kind} {a.code} ({a.name}) lies in {above} "
                    f"{a.parent}, which the file does not list"
                )
    with_buurten = {"GM" + b.code[2:6] for b in levels["BU"]}
    for a in levels["GM"]:
        if a.code not in with_buurten:
            raise ReferenceFileError(
                f"{path} line {a.line}: gemeente {a.code} ({a.name}) has no buurten"
            )
    return levels["GM"], levels["WK"], levels["BU"]


def reference(
    reference_file: Path,
    scale: float,
    seed: int,
    households: int | None = None,
    kind: str = "reference",
) -> Geography:
    """The real area structure of a reference file (:data:`REFERENCE_FORMS`): one or more
    gemeenten with their wijken and buurten, in file order.

    With household counts (CBS rounds them to 100) each buurt gets its count with a jitter
    of -50..+49, times ``scale``; buurten CBS lists with 0 households keep 0 or, for about a
    third, a tiny count (a caretaker on an industrial estate) so that disclosure control has
    work to do. Without counts, ``households`` (default :data:`HOUSEHOLDS_PER_BUURT` per
    buurt, times ``scale``) are spread over the buurten as in :func:`synthetic`. The
    deprivation score is the standardised SES-WOA score where the file has it, else drawn.
    ``kind`` ``amsterdam`` gives the demo city its own urban household mix and streets.
    """
    if scale < 0:
        raise ValueError("scale must be >= 0")
    areas, has_counts, has_ses = _read_areas(reference_file)
    gemeenten, wijken, buurten = _structure(reference_file, areas)
    if has_counts and households is not None:
        raise ValueError(
            f"{reference_file} has household counts: use scale, not households, to size it"
        )
    rng = rng_for(seed, f"geography/{kind}")
    gm_index = {a.code: i for i, a in enumerate(gemeenten)}
    wk_index = {a.code: i for i, a in enumerate(wijken)}
    wijk_gemeente = np.array([gm_index[a.parent] for a in wijken], dtype=np.int64)
    buurt_wijk = np.array([wk_index[a.parent] for a in buurten], dtype=np.int64)

    drawn: np.ndarray | None = None
    if has_counts:
        counts = np.array([a.households or 0.0 for a in buurten])
        jitter = rng.integers(-50, 50, size=len(counts))
        per_buurt = np.where(counts > 0, np.rint(np.maximum(counts + jitter, 1) * scale), 0)
        tiny = (counts == 0) & (rng.random(len(counts)) < 0.33)
        per_buurt = np.where(tiny, rng.integers(1, 9, size=len(counts)), per_buurt)
        if scale == 0:
            per_buurt[:] = 0
    else:
        total = households if households is not None else HOUSEHOLDS_PER_BUURT * len(buurten)
        per_buurt, drawn = _spread(
            rng, round(total * scale), wijk_gemeente[buurt_wijk], len(gemeenten)
        )
    if has_ses:
        wk_ses = {a.code: a.ses for a in wijken}
        ses = np.array([a.ses if a.ses is not None else (wk_ses[a.parent] or 0.0) for a in buurten])
        deprivation = np.clip(-(ses - ses.mean()) / max(ses.std(), 1e-9), -2.5, 2.5)
    elif drawn is not None:
        deprivation = drawn
    else:
        deprivation = rng.normal(0.0, 1.0, size=len(buurten))

    pc4_first, pc4_count = preferred_pc4([a.code for a in gemeenten])
    return Geography(
        kind=kind,
        gemeente_codes=[a.code for a in gemeenten],
        gemeente_names=[a.name for a in gemeenten],
        pc4_first=pc4_first,
        pc4_count=pc4_count,
        wijk_codes=[a.code for a in wijken],
        wijk_names=[a.name for a in wijken],
        wijk_gemeente=wijk_gemeente,
        buurt_codes=[a.code for a in buurten],
        buurt_names=[a.name for a in buurten],
        buurt_wijk=buurt_wijk,
        buurt_households=per_buurt.astype(np.int64),
        buurt_deprivation=deprivation,
    )


def amsterdam(reference_file: Path, scale: float, seed: int) -> Geography:
    """The real CBS structure of Amsterdam (1 gemeente, 99 wijken, 479 buurten): the demo
    city, :func:`reference` of the CBS StatLine export with Amsterdam's household mix."""
    return reference(reference_file, scale, seed, kind="amsterdam")


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

    per_buurt, deprivation = _spread(rng, households, np.array(wk_gm)[np.array(bu_wk)], n_gm)

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


def _spread(
    rng: np.random.Generator, households: int, buurt_gemeente: np.ndarray, n_gm: int
) -> tuple[np.ndarray, np.ndarray]:
    """``households`` over the buurten (log-normal, with some almost empty industrial or
    rural buurten, never a whole gemeente), and a drawn deprivation score per buurt."""
    n_buurten = len(buurt_gemeente)
    weights = rng.lognormal(0.0, 0.75, size=n_buurten)
    empty_ish = rng.random(n_buurten) < 0.05  # industrial estates, parks, rural outskirts
    empty_ish &= (np.bincount(buurt_gemeente, minlength=n_gm) > 1)[buurt_gemeente]
    weights[empty_ish] *= 0.01
    per_buurt = rng.multinomial(households, weights / weights.sum())
    return per_buurt, rng.normal(0.0, 1.0, size=n_buurten)


def preferred_pc4(gemeente_codes: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """First PC4 and number of PC4s per gemeente of a reference file: its real range in
    :data:`REAL_PC4`, else -1, -1 (:func:`allocate_pc4` allocates one)."""
    ranges = [REAL_PC4.get(code, (-1, -1)) for code in gemeente_codes]
    return (
        np.array([r[0] for r in ranges], dtype=np.int64),
        np.array([r[1] for r in ranges], dtype=np.int64),
    )


def pc4_per_gemeente(addresses_per_gemeente: np.ndarray, target: int = 2_500) -> np.ndarray:
    """How many PC4 areas a gemeente of this many addresses spans (about 2,500 each)."""
    return np.maximum(1, np.ceil(addresses_per_gemeente / target)).astype(np.int64)


def allocate_pc4(geo: Geography, counts: np.ndarray, seed: int) -> np.ndarray:
    """First PC4 per gemeente, the one rule for postcode ranges: gemeente ``g`` has the
    ``counts[g]`` PC4s from its first one. A gemeente with a preferred first PC4 (a real
    range, :func:`preferred_pc4`) keeps it; the others get consecutive ranges over
    1000-9999 in gemeente order, with small gaps (unused PC4s), stepping over the kept
    ranges. No two ranges overlap, so no address is shared between gemeenten."""
    rng = rng_for(seed, "geography/pc4")
    fixed = geo.pc4_first >= 0
    kept = sorted(
        (int(geo.pc4_first[g]), int(geo.pc4_first[g] + counts[g])) for g in np.flatnonzero(fixed)
    )
    if any(hi > lo for (_, hi), (lo, _) in itertools.pairwise(kept)):
        raise ValueError(f"preferred PC4 ranges overlap: {kept}")
    free_total = 9000 - int(counts.sum())
    if free_total < 0:
        raise ValueError("more PC4 areas needed than 1000-9999 holds")
    n_free = int((~fixed).sum())
    mean_gap = min(2.0, free_total / max(n_free, 1) * 0.8)
    first = np.where(fixed, geo.pc4_first, 0)
    cursor = 1000
    for g in np.flatnonzero(~fixed):
        cursor += int(rng.poisson(mean_gap))
        for lo, hi in kept:  # ascending: one pass steps over every kept range in the way
            if cursor < hi and cursor + int(counts[g]) > lo:
                cursor = hi
        first[g] = cursor
        cursor += int(counts[g])
    if cursor > 10_000:
        raise ValueError("PC4 allocation ran past 9999")
    return first.astype(np.int64)
