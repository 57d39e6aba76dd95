"""The municipal registers of the demo: BAG addresses, BRP residents in households, and
benefit and debt-help spells.

All of it depends on the seed and the geography only (never on the quarter), so every
quarter of one seed sees the same addresses and residents; the quarter only decides which
residents are born yet and which spells have started or ended. Everything is vectorised
numpy so that a national-size set (8.4M households, 18M residents) fits in minutes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from demo.common import (
    ANCHOR,
    SPELL_WINDOW,
    day_number,
    group_starts,
    rank_in_group,
    rng_for,
    sigmoid,
)
from demo.geography import Geography, allocate_pc4, pc4_per_gemeente
from demo.names import STREET_BASES, STREET_PREFIXES, STREET_SUFFIXES

PC6_LETTERS = "ABCDEGHJKLMNPRSTVWXZ"
LETTER_COMBOS: tuple[str, ...] = tuple(
    a + b for a in PC6_LETTERS for b in PC6_LETTERS if a + b not in {"SA", "SD", "SS"}
)
"""The letter pairs of Dutch postcodes (F, I, O, Q, U, Y and SA, SD, SS are not used)."""

TOEVOEGINGEN: tuple[str, ...] = (
    "",
    "1",
    "2",
    "3",
    "4",
    "5",
    "6",
    "H",
    "I",
    "II",
    "III",
    "IV",
    "V",
    "BIS",
)
"""BAG huisnummertoevoeging values by code (0: none)."""

GEBRUIKSDOELEN: tuple[str, ...] = (
    "woonfunctie",
    "kantoorfunctie",
    "winkelfunctie",
    "bijeenkomstfunctie",
    "industriefunctie",
    "gezondheidszorgfunctie",
    "onderwijsfunctie",
    "logiesfunctie",
    "sportfunctie",
    "overige gebruiksfunctie",
    "celfunctie",
)
_NON_RESIDENTIAL_P = np.array([25, 25, 10, 15, 5, 3, 6, 3, 7.8, 0.2]) / 100

HOUSEHOLD_TYPES: tuple[str, ...] = (
    "alleenstaand",
    "paar",
    "gezin",
    "eenoudergezin",
    "studentenhuis",
    "overig",
)
HOUSEHOLD_MIX = {
    # alleenstaand, paar, gezin, eenoudergezin, studentenhuis, overig (CBS-like shares)
    "synthetic": (0.38, 0.27, 0.245, 0.08, 0.015, 0.01),
    "amsterdam": (0.47, 0.22, 0.175, 0.085, 0.04, 0.01),
}

REGELINGEN: tuple[str, ...] = ("participatiewet", "ioaw", "ioaz", "bbz", "aio", "overig")
SCHULDHULP_SOORTEN: tuple[str, ...] = (
    "advies",
    "schuldregeling",
    "budgetbeheer",
    "bewindvoering",
    "wsnp",
    "overig",
)


@dataclass
class Addresses:
    """BAG nummeraanduidingen, sorted by adres_id (gemeente, postcode, number)."""

    adres_id: np.ndarray  # int64, 16 digits when zero-padded
    gemeente: np.ndarray  # gemeente index
    buurt: np.ndarray  # true buurt index
    buurt_listed: np.ndarray  # buurt index in the BAG extract (-1: no buurtcode)
    street: np.ndarray  # index into street_names
    pc4: np.ndarray
    pc6: np.ndarray  # index into LETTER_COMBOS
    huisnummer: np.ndarray
    huisletter: np.ndarray  # 0 none, 1 'A', 2 'B', ...
    toevoeging: np.ndarray  # index into TOEVOEGINGEN
    gebruiksdoel: np.ndarray  # index into GEBRUIKSDOELEN
    huurwoning: np.ndarray  # bool: social rent (a landlord partner owns it)
    street_names: list[str]
    pc4_used: np.ndarray  # sorted unique PC4s with an address

    def __len__(self) -> int:
        return len(self.adres_id)

    def postcode(self, idx: np.ndarray) -> list[str]:
        return [f"{p}{LETTER_COMBOS[c]}" for p, c in zip(self.pc4[idx], self.pc6[idx], strict=True)]


@dataclass
class Population:
    """Households (one per occupied residential address) and BRP residents."""

    addresses: Addresses
    hh_address: np.ndarray  # address index of each household
    hh_type: np.ndarray  # index into HOUSEHOLD_TYPES
    hh_first_person: np.ndarray
    hh_size: np.ndarray
    hh_vulnerability: np.ndarray  # latent financial vulnerability (drives spells and signals)
    person_household: np.ndarray  # -1: registered at a non-residential address
    person_address: np.ndarray
    person_birth: np.ndarray  # days since 1970-01-01
    person_bsn: np.ndarray  # int64, 9 digits when zero-padded, passes the elfproef
    person_pos: np.ndarray  # 0 = head, then partner, children, housemates
    person_adult_slot: np.ndarray  # True for the residents a partner may have as customer
    spells_uitkering: dict[str, np.ndarray]  # person, code, start, end (days)
    spells_schuldhulp: dict[str, np.ndarray]

    @property
    def households(self) -> int:
        return len(self.hh_address)


# ---------------------------------------------------------------------------- addresses


def _street_names(
    rng: np.random.Generator, street_gemeente: np.ndarray, n_gemeenten: int
) -> list[str]:
    """Street names, unique within each gemeente (prefix + base + suffix; 'straat' and
    names without a prefix are the most common)."""
    n_pre, n_base, n_suf = len(STREET_PREFIXES), len(STREET_BASES), len(STREET_SUFFIXES)
    space = n_pre * n_base * n_suf
    pre_w = np.where(np.arange(n_pre) == 0, 8.0, 1.0)
    suf_w = np.array(
        [4.0 if s == "straat" else 2.0 if s in ("laan", "weg") else 1.0 for s in STREET_SUFFIXES]
    )
    weights = (pre_w[:, None, None] * np.ones(n_base)[None, :, None] * suf_w[None, None, :]).ravel()
    weights /= weights.sum()
    names: list[str] = [""] * len(street_gemeente)
    order = np.argsort(street_gemeente, kind="stable")
    counts = np.bincount(street_gemeente, minlength=n_gemeenten)
    start = 0
    for g in range(n_gemeenten):
        n = int(counts[g])
        members = order[start : start + n]
        start += n
        if n == 0:
            continue
        codes = rng.choice(space, size=min(n, space), replace=False, p=weights)
        if n > space:  # more streets than names: repeat some (other postcodes tell them apart)
            codes = np.concatenate([codes, rng.integers(0, space, n - space)])
        for i, code in zip(members, codes, strict=True):
            prefix, rest = divmod(int(code), n_base * n_suf)
            base, suf = divmod(rest, n_suf)
            names[i] = f"{STREET_PREFIXES[prefix]}{STREET_BASES[base]}{STREET_SUFFIXES[suf]}"
    return names


def build_addresses(geo: Geography, seed: int) -> tuple[Addresses, np.ndarray]:
    """The BAG extract, and per address its kind (0 occupied home, 1 vacant home, 2 other)."""
    rng = rng_for(seed, "registers/addresses")
    hh_b = geo.buurt_households
    n_b = len(hh_b)
    vacant_b = rng.binomial(hh_b, 0.025)
    size_factor = float(np.clip(max(hh_b.mean(), 1.0) / 600, 0.02, 2.0))
    nonres_b = rng.poisson(0.07 * hh_b + np.where(hh_b < 10, 12 * size_factor, 0.2))
    total_b = hh_b + vacant_b + nonres_b
    n_a = int(total_b.sum())

    addr_buurt = np.repeat(np.arange(n_b), total_b)
    first_of_buurt = np.concatenate([[0], np.cumsum(total_b)[:-1]])
    rank = np.arange(n_a) - first_of_buurt[addr_buurt]
    kind = np.where(
        rank < hh_b[addr_buurt], 0, np.where(rank < (hh_b + vacant_b)[addr_buurt], 1, 2)
    ).astype(np.int8)

    # streets: each buurt gets about one street per `per_street` addresses, skewed lengths
    per_street = 70 if geo.kind == "amsterdam" else 45
    streets_b = np.where(total_b > 0, np.maximum(1, np.rint(total_b / per_street)), 0).astype(
        np.int64
    )
    n_s = int(streets_b.sum())
    street_buurt = np.repeat(np.arange(n_b), streets_b)
    weights = rng.lognormal(0.0, 0.8, n_s)
    cum = np.cumsum(weights)
    s_first = np.concatenate([[0], np.cumsum(streets_b)[:-1]])
    has = streets_b > 0
    before = np.zeros(n_b)
    before[has] = np.where(s_first[has] > 0, cum[np.maximum(s_first[has] - 1, 0)], 0.0)
    total_w = np.zeros(n_b)
    total_w[has] = cum[s_first[has] + streets_b[has] - 1] - before[has]
    frac = (cum - before[street_buurt]) / total_w[street_buurt]
    frac[(s_first + streets_b - 1)[has]] = 1.0
    street_key = street_buurt + frac
    street = np.searchsorted(street_key, addr_buurt + rng.random(n_a), side="right")

    order = np.lexsort((rng.random(n_a), street))
    street, addr_buurt, kind = street[order], addr_buurt[order], kind[order]
    pos = rank_in_group(street)

    # house numbers: buildings (groups) numbered along the street; some streets have
    # sub-addresses per building (letters, floors 1-2-3, H/I/II/III, bis)
    style_p = (
        (0.40, 0.15, 0.22, 0.18, 0.05)
        if geo.kind == "amsterdam"
        else (0.62, 0.14, 0.12, 0.09, 0.03)
    )
    street_style = rng.choice(5, size=n_s, p=style_p).astype(np.int8)
    style = street_style[street]
    caps = np.array([1, 6, 6, 6, 2])[style]
    new = (pos == 0) | (style == 0) | (rng.random(n_a) >= 0.55)
    for _ in range(10):
        gid = np.cumsum(new) - 1
        member = np.arange(n_a) - np.flatnonzero(new)[gid]
        over = member >= caps
        if not over.any():
            break
        new |= member == caps
    gid = np.cumsum(new) - 1
    group_pos = np.flatnonzero(new)
    member = np.arange(n_a) - group_pos[gid]
    gsize = np.bincount(gid)[gid]
    n_g = len(group_pos)
    g_street = street[group_pos]
    step = rng.choice(
        np.array([1, 2, 3, 4, 6, 8, 10]), size=n_g, p=(0.78, 0.1, 0.04, 0.03, 0.02, 0.02, 0.01)
    )
    first_group = group_starts(g_street)
    step[first_group] = rng.choice(
        np.array([1, 2, 3]), size=int(first_group.sum()), p=(0.8, 0.15, 0.05)
    )
    cum_step = np.cumsum(step)
    street_base = np.maximum.accumulate(np.where(first_group, cum_step - step, 0))
    g_number = cum_step - street_base
    huisnummer = g_number[gid].astype(np.int64)

    huisletter = np.where((style == 1) & (member >= 1), member, 0).astype(np.int8)
    toev = np.zeros(n_a, dtype=np.int8)
    multi = gsize > 1
    toev = np.where((style == 2) & multi, 1 + member, toev)
    toev = np.where((style == 3) & multi, 7 + member, toev)
    toev = np.where((style == 4) & (member == 1), 13, toev).astype(np.int8)

    # PC4 per gemeente by position along (gemeente, buurt, street, number); PC6 per block of
    # at most 20 numbers on one side of one street
    addr_gem = geo.buurt_gemeente[addr_buurt]
    order = np.argsort(addr_gem, kind="stable")
    arrays = [street, addr_buurt, kind, huisnummer, huisletter, toev, addr_gem]
    street, addr_buurt, kind, huisnummer, huisletter, toev, addr_gem = (a[order] for a in arrays)
    n_gm = len(geo.gemeente_codes)
    a_g = np.bincount(addr_gem, minlength=n_gm)
    n_pc4 = np.where(geo.pc4_count > 0, geo.pc4_count, pc4_per_gemeente(a_g))
    g_first = np.concatenate([[0], np.cumsum(a_g)[:-1]])
    pos_in_gem = np.arange(n_a) - g_first[addr_gem]
    block_code = ((street.astype(np.int64) * 2 + huisnummer % 2) << 12) + (huisnummer - 1) // 40
    for _ in range(20):
        slot_first = np.concatenate([[0], np.cumsum(n_pc4)[:-1]])
        pc4_local = pos_in_gem * n_pc4[addr_gem] // np.maximum(a_g[addr_gem], 1)
        slot = slot_first[addr_gem] + pc4_local
        keys, inverse = np.unique((slot.astype(np.int64) << 40) + block_code, return_inverse=True)
        block_rank = rank_in_group(keys >> 40)
        pc6 = block_rank[inverse]
        overflow = pc6 >= len(LETTER_COMBOS)
        if not overflow.any():
            break
        bad = np.unique(addr_gem[overflow])
        n_pc4[bad] = np.ceil(n_pc4[bad] * 1.25).astype(np.int64) + 1
    else:  # pragma: no cover - needs absurd densities
        raise RuntimeError("could not fit postcodes: too many addresses per PC4")
    pc4 = allocate_pc4(geo, n_pc4, seed)[addr_gem] + pc4_local

    # adres_id: gemeentecode + '20' + 10-digit sequence, in postcode order
    sort_key = (
        (pc4.astype(np.int64) << 40)
        + (pc6.astype(np.int64) << 30)
        + (huisnummer << 8)
        + (huisletter.astype(np.int64) << 4)
        + toev
    )
    order = np.lexsort((sort_key, addr_gem))
    arrays = [street, addr_buurt, kind, huisnummer, huisletter, toev, addr_gem, pc4, pc6]
    street, addr_buurt, kind, huisnummer, huisletter, toev, addr_gem, pc4, pc6 = (
        a[order] for a in arrays
    )
    gm_numbers = np.array([int(c[2:]) for c in geo.gemeente_codes], dtype=np.int64)
    gaps = rng.integers(1, 4, size=n_a)
    seq = np.cumsum(gaps)
    seq_before = np.concatenate([[0], seq])[g_first]
    seq = seq - seq_before[addr_gem] + 100_000
    adres_id = gm_numbers[addr_gem] * 10**12 + 20 * 10**10 + seq

    gebruiksdoel = np.zeros(n_a, dtype=np.int8)
    nonres = kind == 2
    gebruiksdoel[nonres] = 1 + rng.choice(
        len(_NON_RESIDENTIAL_P), size=int(nonres.sum()), p=_NON_RESIDENTIAL_P
    )
    social_share = sigmoid(-0.75 + 0.9 * geo.buurt_deprivation + rng.normal(0, 0.4, n_b))
    huurwoning = (kind != 2) & (rng.random(n_a) < social_share[addr_buurt])
    buurt_listed = np.where(rng.random(n_a) < 0.003, -1, addr_buurt)

    names = _street_names(rng, geo.buurt_gemeente[street_buurt], n_gm)

    return Addresses(
        adres_id=adres_id,
        gemeente=addr_gem,
        buurt=addr_buurt,
        buurt_listed=buurt_listed,
        street=street,
        pc4=pc4.astype(np.int64),
        pc6=pc6.astype(np.int64),
        huisnummer=huisnummer,
        huisletter=huisletter,
        toevoeging=toev,
        gebruiksdoel=gebruiksdoel,
        huurwoning=huurwoning,
        street_names=names,
        pc4_used=np.unique(pc4),
    ), kind


# ---------------------------------------------------------------------------- people


def elfproef_ok(bsn: np.ndarray) -> np.ndarray:
    """True where a 9-digit number passes the BSN elfproef (9*d1 + ... + 2*d8 - d9 % 11 == 0)."""
    bsn = np.asarray(bsn, dtype=np.int64)
    total = np.zeros(len(bsn), dtype=np.int64)
    for i, weight in enumerate((9, 8, 7, 6, 5, 4, 3, 2, -1)):
        total += weight * (bsn // 10 ** (8 - i) % 10)
    return (total % 11 == 0) & (bsn > 0)


def make_bsns(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` distinct random BSNs that pass the elfproef, in random order."""
    out = np.zeros(0, dtype=np.int64)
    while len(out) < n:
        need = n - len(out)
        prefix = rng.integers(10_000_000, 100_000_000, size=int(need * 1.3) + 100)
        total = np.zeros(len(prefix), dtype=np.int64)
        for i, weight in enumerate((9, 8, 7, 6, 5, 4, 3, 2)):
            total += weight * (prefix // 10 ** (7 - i) % 10)
        check = total % 11
        cand = np.concatenate([out, (prefix * 10 + check)[check < 10]])
        _, first = np.unique(cand, return_index=True)
        out = cand[np.sort(first)]
    return out[:n]


def _uniform(
    rng: np.random.Generator, lo: np.ndarray | float, hi: np.ndarray | float, n: int
) -> np.ndarray:
    return lo + (np.asarray(hi) - np.asarray(lo)) * rng.random(n)


def build_population(geo: Geography, seed: int) -> Population:
    addresses, kind = build_addresses(geo, seed)
    rng = rng_for(seed, "registers/people")
    hh_address = np.flatnonzero(kind == 0)
    n_h = len(hh_address)
    mix = np.array(HOUSEHOLD_MIX["amsterdam" if geo.kind == "amsterdam" else "synthetic"])
    hh_type = rng.choice(len(mix), size=n_h, p=mix / mix.sum()).astype(np.int8)

    u = rng.random(n_h)
    single_age = np.where(
        u < 0.22,
        _uniform(rng, 18, 30, n_h),
        np.where(u < 0.72, _uniform(rng, 30, 67, n_h), 67 + 30 * rng.beta(1.2, 2.6, n_h)),
    )
    couple_age = np.where(
        u < 0.15,
        _uniform(rng, 20, 30, n_h),
        np.where(u < 0.65, _uniform(rng, 30, 67, n_h), 67 + 27 * rng.beta(1.2, 2.8, n_h)),
    )
    head_age = np.select(
        [hh_type == 0, hh_type == 1, hh_type == 2, hh_type == 3, hh_type == 4],
        [
            single_age,
            couple_age,
            _uniform(rng, 24, 56, n_h),
            _uniform(rng, 21, 58, n_h),
            _uniform(rng, 18, 26, n_h),
        ],
        _uniform(rng, 40, 80, n_h),
    )
    partner_age = np.maximum(head_age + rng.normal(0, 3.5, n_h), np.minimum(head_age, 20.0))
    partner_age = np.where(hh_type == 4, _uniform(rng, 18, 26, n_h), partner_age)
    kids = np.select(
        [hh_type == 2, hh_type == 3],
        [
            rng.choice(np.arange(1, 6), size=n_h, p=(0.38, 0.42, 0.14, 0.045, 0.015)),
            rng.choice(np.arange(1, 5), size=n_h, p=(0.52, 0.32, 0.12, 0.04)),
        ],
        0,
    )
    size = np.select(
        [hh_type == 0, hh_type == 1, hh_type == 2, hh_type == 3, hh_type == 4],
        [1, 2, 2 + kids, 1 + kids, rng.choice(np.array([3, 4, 5]), size=n_h, p=(0.45, 0.35, 0.2))],
        3,
    ).astype(np.int64)
    kid_max = np.clip(
        np.where(hh_type == 2, np.minimum(head_age, partner_age), head_age) - 18, 0.5, 24
    )

    n_p = int(size.sum())
    p_hh = np.repeat(np.arange(n_h), size)
    first = np.concatenate([[0], np.cumsum(size)[:-1]])
    p_pos = np.arange(n_p) - first[p_hh]
    t = hh_type[p_hh]
    kid = ((t == 2) & (p_pos >= 2)) | ((t == 3) & (p_pos >= 1))
    age = np.where(p_pos == 0, head_age[p_hh], partner_age[p_hh])
    age = np.where(kid, rng.random(n_p) * kid_max[p_hh], age)
    age = np.where(t == 4, _uniform(rng, 18, 26, n_p), age)
    age = np.where((t == 5) & (p_pos >= 1), _uniform(rng, 18, 35, n_p), age)
    adult_slot = np.where(
        np.isin(t, (1, 2)), p_pos <= 1, np.where(np.isin(t, (4, 5)), True, p_pos == 0)
    )

    # a few people registered at non-residential addresses (not a household)
    nonres_addr = np.flatnonzero(kind == 2)
    extra = nonres_addr[rng.random(len(nonres_addr)) < 0.01]
    anchor = day_number(ANCHOR)
    birth = np.concatenate(
        [
            anchor - np.floor(age * 365.25).astype(np.int64),
            anchor - np.floor(_uniform(rng, 25, 70, len(extra)) * 365.25).astype(np.int64),
        ]
    )
    person_household = np.concatenate([p_hh, np.full(len(extra), -1)])
    person_address = np.concatenate([hh_address[p_hh], extra])
    person_pos = np.concatenate([p_pos, np.zeros(len(extra), dtype=np.int64)])
    adult_slot = np.concatenate([adult_slot, np.ones(len(extra), dtype=bool)])
    bsn = make_bsns(rng, len(birth))

    # latent vulnerability: buurt deprivation, social rent, household type, noise
    minors = np.bincount(p_hh, weights=(age < 18), minlength=n_h)
    buurt = addresses.buurt[hh_address]
    type_effect = np.array([0.2, -0.3, 0.0, 0.8, 0.1, 0.2])[hh_type]
    vulnerability = (
        rng.normal(0, 0.8, n_h)
        + 0.45 * geo.buurt_deprivation[buurt]
        + 0.8 * addresses.huurwoning[hh_address]
        + type_effect
        + 0.5 * (minors >= 3)
        - 0.6 * (head_age >= 67)
    )
    spells_u, spells_s, bbz = _spells(rng, vulnerability, head_age, hh_type, first)
    vulnerability = vulnerability + 0.8 * bbz

    return Population(
        addresses=addresses,
        hh_address=hh_address,
        hh_type=hh_type,
        hh_first_person=first,
        hh_size=size,
        hh_vulnerability=vulnerability,
        person_household=person_household,
        person_address=person_address,
        person_birth=birth,
        person_bsn=bsn,
        person_pos=person_pos,
        person_adult_slot=adult_slot,
        spells_uitkering=spells_u,
        spells_schuldhulp=spells_s,
    )


_DURATION = {  # median days, log-sd
    "participatiewet": (900, 1.0),
    "ioaw": (900, 0.6),
    "ioaz": (900, 0.6),
    "bbz": (300, 0.7),
    "aio": (2500, 0.5),
    "overig": (365, 0.8),
    "advies": (60, 0.6),
    "schuldregeling": (1095, 0.2),
    "budgetbeheer": (540, 0.6),
    "bewindvoering": (1500, 0.6),
    "wsnp": (1095, 0.2),
}


_SCHULDHULP_OTHER = (180, 0.7)
"""Duration (median days, log-sd) of a debt-help kind :data:`_DURATION` does not list."""


def _spell_lengths(
    rng: np.random.Generator, codes: np.ndarray, names: tuple[str, ...], overig: tuple[int, float]
) -> np.ndarray:
    """Days from start to end of spells of ``codes`` (indices into ``names``): log-normal
    around the :data:`_DURATION` median of their kind (``overig`` for a kind it lacks)."""
    median = np.array([_DURATION.get(n, overig)[0] for n in names], dtype=float)[codes]
    sd = np.array([_DURATION.get(n, overig)[1] for n in names])[codes]
    return np.maximum(14, np.rint(median * np.exp(rng.normal(0, 1, len(codes)) * sd))).astype(
        np.int64
    )


def schuldhulp_lengths(rng: np.random.Generator, codes: np.ndarray) -> np.ndarray:
    """Days from start to end of debt-help trajectories of ``codes`` (SCHULDHULP_SOORTEN)."""
    return _spell_lengths(rng, codes, SCHULDHULP_SOORTEN, _SCHULDHULP_OTHER)


def _spell_dates(
    rng: np.random.Generator, codes: np.ndarray, names: tuple[str, ...], overig: tuple[int, float]
) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = day_number(SPELL_WINDOW[0]), day_number(SPELL_WINDOW[1])
    start = rng.integers(lo, hi + 1, size=len(codes))
    return start, start + _spell_lengths(rng, codes, names, overig)


def _spells(
    rng: np.random.Generator,
    vulnerability: np.ndarray,
    head_age: np.ndarray,
    hh_type: np.ndarray,
    first_person: np.ndarray,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], np.ndarray]:
    """Benefit and debt-help spells of household heads (register history, quarter-free)."""
    n_h = len(vulnerability)
    student = hh_type == 4
    p_benefit = np.where(student, 0.0, sigmoid(-3.0 + 1.6 * vulnerability))
    benefit = rng.random(n_h) < p_benefit
    senior = head_age >= 67
    older = (head_age >= 50) & ~senior
    code = np.where(
        senior,
        rng.choice([4, 5, 0], size=n_h, p=(0.8, 0.1, 0.1)),
        np.where(
            older,
            rng.choice([0, 1, 2, 3, 5], size=n_h, p=(0.7, 0.15, 0.05, 0.03, 0.07)),
            rng.choice([0, 3, 5], size=n_h, p=(0.86, 0.04, 0.10)),
        ),
    )
    # self-employed in trouble: a bbz spell regardless of the above
    bbz = (~student) & (head_age >= 25) & ~senior & (rng.random(n_h) < 0.004)
    hh_u = np.concatenate([np.flatnonzero(benefit), np.flatnonzero(bbz)])
    code_u = np.concatenate([code[benefit], np.full(int(bbz.sum()), 3)])
    again = rng.random(len(hh_u)) < 0.15
    hh_u = np.concatenate([hh_u, hh_u[again]])
    code_u = np.concatenate([code_u, code_u[again]])
    start_u, end_u = _spell_dates(rng, code_u, REGELINGEN, _DURATION["overig"])

    debt = rng.random(n_h) < sigmoid(-3.4 + 1.6 * vulnerability)
    hh_s = np.flatnonzero(debt)
    again = rng.random(len(hh_s)) < 0.2
    hh_s = np.concatenate([hh_s, hh_s[again]])
    code_s = rng.choice(len(SCHULDHULP_SOORTEN), size=len(hh_s), p=(0.3, 0.2, 0.2, 0.15, 0.05, 0.1))
    start_s, end_s = _spell_dates(rng, code_s, SCHULDHULP_SOORTEN, _SCHULDHULP_OTHER)
    spells_u = {
        "household": hh_u,
        "person": first_person[hh_u],
        "code": code_u,
        "start": start_u,
        "end": end_u,
    }
    spells_s = {
        "household": hh_s,
        "person": first_person[hh_s],
        "code": code_s,
        "start": start_s,
        "end": end_s,
    }
    return spells_u, spells_s, bbz


def random_adult(pop: Population, household: np.ndarray, u: np.ndarray) -> np.ndarray:
    """An adult resident of each of ``household``, picked by ``u`` (uniform in [0, 1)): the
    head or partner of a couple or family, any resident of a student or other house, else
    the head (the residents ``person_adult_slot`` marks)."""
    hh_type = pop.hh_type[household]
    n_adults = np.where(
        np.isin(hh_type, (1, 2)), 2, np.where(np.isin(hh_type, (4, 5)), pop.hh_size[household], 1)
    )
    return pop.hh_first_person[household] + np.floor(u * n_adults).astype(np.int64)
