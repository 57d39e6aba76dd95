"""Partner signals of one quarter, their faults, the partner files and the case outcomes.

The order of events follows how arrears really cluster: first the signalled households
are drawn (weighted by their latent vulnerability), then each gets arrears at one or more
partner groups (about half at two or more), sometimes two signals from the same partner.
Then a few signals are spoiled the way real deliveries are: an address that does not
exist, a resident of another gemeente, an unreadable row, an exact duplicate row. A few more
are written in the hard notations the address match has fallbacks for (:data:`NOTATIONS`):
a floor in Roman numerals where BAG has digits (or the reverse), and an addition left out.
The ground truth records, per signal, the match status the rules of
``int_signalen_matched_to_adressen`` must give it (:func:`expected_match_status`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache

import numpy as np
import polars as pl

from demo.common import day_number, quarter_key, rank_in_group, rng_for, splitmix64
from demo.dialects import (
    Dialect,
    combined_house_number,
    dialect_for,
    encode_file,
    fmt_bool,
    fmt_date,
    fmt_date_parts,
    fmt_decimal,
    fmt_postcode,
    render_line,
)
from demo.geography import Geography
from demo.history import arrears_draws
from demo.names import (
    EMAIL_DOMAINS,
    FIRST_NAMES,
    PLACE_PARTS_A,
    PLACE_PARTS_B,
    STREET_BASES,
    SURNAMES,
    ascii_fold,
)
from demo.personas import household_personas, outcome_chances
from demo.population import (
    LETTER_COMBOS,
    SCHULDHULP_SOORTEN,
    TOEVOEGINGEN,
    Population,
    random_adult,
    schuldhulp_lengths,
)
from orchestration.parameters import Partner, help_accepted_results, publication_groups, read_seed
from orchestration.quarters import quarter_end, quarter_start

GROUPS = ("zorg", "huur", "energie", "water", "overig")

PARTNER_WEIGHTS = {
    "zilveren_kruis": 0.42,
    "cz": 0.36,
    "cak": 0.22,
    "eneco": 0.55,
    "vattenfall": 0.45,
    "waternet": 0.6,
    "vitens": 0.4,
    "ymere": 0.5,
    "eigen_haard": 0.5,
}
"""Share of a partner within its publication group (others of a group share equally)."""

AMOUNTS = {  # partner type: median EUR, log-sd, lowest, highest
    "energie": (600.0, 0.6, 200.0, 2000.0),
    "water": (180.0, 0.6, 40.0, 900.0),
    "huur": (1400.0, 0.6, 500.0, 5000.0),
    "zorg": (550.0, 0.7, 150.0, 3000.0),
    "cak_zorgverzekering": (1100.0, 0.6, 150.0, 3000.0),
    "duo": (1200.0, 0.7, 100.0, 6000.0),
}
DEFAULT_AMOUNT = (500.0, 0.8, 50.0, 5000.0)
ARREARS_DAYS = {  # partner type: shortest, longest arrears at the signal
    "energie": (30, 150),
    "water": (30, 180),
    "huur": (30, 120),
    "zorg": (60, 240),
    "cak_zorgverzekering": (180, 420),
    "duo": (60, 365),
}

FAULTS = ("none", "no_address", "outside_gemeente", "unreadable", "duplicate")
UNREADABLE_REASONS = (
    "bad_postcode",
    "nonpositive_amount",
    "missing_required",
    "impossible_date",
    "signaaldatum_after_quarter",
)
REQUIRED = ("signaal_id", "signaaldatum", "achterstand_bedrag", "postcode", "huisnummer")

NOTATIONS = ("as_bag", "roman_floor", "omitted_single", "omitted_shared")
"""How a clean signal writes its sub-address: as BAG has it; a floor 1-5 in Roman numerals
where BAG has digits or the reverse ('12-III' for BAG 12-3); the addition left out at a number
where BAG has only additions (no bare number, so no rule can pick a wrong address) and only
one dwelling ('single': the others are offices or shops) or several dwellings ('shared')."""

NOT_REACHED = {  # resultaat: weight (household not reached)
    "geen_contact": 0.45,
    "geen_reactie_na_contact": 0.14,
    "verwijzing_zonder_contact": 0.1,
    "niet_opgepakt_andere_reden": 0.08,
    "niet_opgepakt_onterecht_signaal": 0.05,
    "ander_lopend_traject": 0.05,
    "al_bekend_schuldhulp": 0.125,
    "inwoner_overleden": 0.005,
}
REACHED_DECLINED = {
    "wil_geen_hulp": 0.45,
    "zelf_opgelost": 0.35,
    "al_bekend_schuldhulp": 0.1,
    "ander_lopend_traject": 0.1,
}
REACHED_ACCEPTED = {
    "quick_fix": 0.4,
    "vervolghulp_financieel": 0.45,
    "vervolghulp_niet_financieel": 0.15,
}


@dataclass(frozen=True)
class Rates:
    """The behaviour of the demo quarter (defaults after the Divosa monitor and MONITOR.md)."""

    signals_per_1000_residents: float = 13.2
    """Per quarter (4.4 per 1,000 residents per month)."""
    group_shares: dict[str, float] = field(
        default_factory=lambda: {
            "zorg": 0.41,
            "huur": 0.20,
            "energie": 0.20,
            "water": 0.18,
            "overig": 0.01,
        }
    )
    groups_per_household: tuple[float, ...] = (0.50, 0.29, 0.14, 0.06, 0.01)
    """P(arrears at 1, 2, 3, 4, 5 partner groups) of a signalled household."""
    repeat_same_partner: float = 0.06
    no_address: float = 0.012
    outside_gemeente: float = 0.008
    """Shares of signals at an address the BAG does not have, and at an address outside the
    gemeente; not equal, so that the published signalen_geen_match and
    signalen_buiten_gemeente (counts rounded from these shares) are told apart."""
    unreadable: float = 0.005
    duplicate: float = 0.005
    roman_floor: float = 0.003
    omitted_single: float = 0.002
    omitted_shared: float = 0.002
    """Shares of the hard notations of :data:`NOTATIONS` (at least one of each in 50 rows)."""
    reach: float = 0.22
    """Share of signalled households reached: about 25% of those picked up (Divosa: 20%);
    overall, each persona has its own (``demo.personas.REACH_FACTORS``)."""
    help_accepted: float = 1 / 3
    """Share of reached households that accept help; overall, each persona has its own
    (``demo.personas.HELP_FACTORS``)."""
    case_coverage: float = 0.95
    """Share of (further) signals with a case row; a household's first signal always has one."""


@dataclass
class Signals:
    """One row per generated signal (before duplicate rows are added)."""

    partner: np.ndarray  # index into the partner list
    household: np.ndarray  # -1: not a resident
    person: np.ndarray  # -1: not a resident
    address: np.ndarray  # true BAG address index, -1 outside the gemeente
    day: np.ndarray  # signaaldatum (days since 1970-01-01)
    start: np.ndarray  # startdatum_achterstand
    cents: np.ndarray
    crisis: np.ndarray
    warm: np.ndarray
    eindelevering: np.ndarray
    fault: np.ndarray  # index into FAULTS (never 'duplicate' here)
    reason: np.ndarray  # index into UNREADABLE_REASONS (-1: none)
    w_pc4: np.ndarray  # written address
    w_pc6: list[str]
    w_number: np.ndarray
    w_letter: np.ndarray
    w_toev: np.ndarray
    notation: np.ndarray  # index into NOTATIONS
    dwellings: np.ndarray  # hard notations: residential BAG addresses at the number (else -1)
    signaal_id: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.partner)


@dataclass
class PartnerFile:
    source: str
    name: str
    data: bytes
    rows: int


# ---------------------------------------------------------------------------- helpers


def _truncated_lognormal(
    rng: np.random.Generator, median: float, sd: float, lo: float, hi: float, n: int
) -> np.ndarray:
    values = median * np.exp(rng.normal(0, sd, n))
    for _ in range(20):
        bad = (values < lo) | (values > hi)
        if not bad.any():
            break
        values[bad] = median * np.exp(rng.normal(0, sd, int(bad.sum())))
    return np.clip(values, lo, hi)


def _weekday_shift(days: np.ndarray, first: int, last: int) -> np.ndarray:
    """Partners send on working days: weekend dates move to the Friday (or Monday)."""
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    shifted = days - np.where(weekday == 5, 1, np.where(weekday == 6, 2, 0))
    return np.where(shifted < first, shifted + 3, np.minimum(shifted, last))


def _signal_id(code: str, quarter: str, n: int, h: int) -> str:
    """A partner's own id style; unique within the partner, across quarters too."""
    year, q = quarter[:4], quarter[5]
    if code == "eneco":
        return f"ENE{year}{q}{n:07d}"
    if code == "vattenfall":
        return f"{year[2:]}{q}{n:07d}"
    if code == "waternet":
        return f"WN-{year}-{q}{n:05d}"
    if code == "vitens":
        return f"M{year[2:]}{q}{n:06d}"
    if code == "ymere":
        return f"D{year}{q}-{n:05d}"
    if code == "eigen_haard":
        return f"EH/{year}/{q}{n:05d}"
    if code == "zilveren_kruis":
        return f"zk-{h & 0xFFFFFFFF:08x}-{n:05d}"
    if code == "cz":
        return f"{year}{q}{n:06d}"
    if code == "cak":
        return f"CAK{year}Q{q}{n:06d}"
    if code == "duo":
        return f"DUO-{year}{q}-{n:06d}"
    return f"{code.upper()}-{quarter}-{n:06d}"


def _pick(rng: np.random.Generator, table: dict[str, float], n: int) -> np.ndarray:
    names = np.array(list(table), dtype=object)
    p = np.array(list(table.values()), dtype=float)
    return names[rng.choice(len(names), size=n, p=p / p.sum())]


# ---------------------------------------------------------------------------- signals


def build_signals(
    pop: Population,
    partner_list: list[Partner],
    quarter: str,
    seed: int,
    rates: Rates,
    *,
    ids: bool = True,
) -> Signals:
    """The quarter's signals; ``ids=False`` leaves ``signaal_id`` empty (a quarter whose
    signals are not written: the history :func:`schuldhulp_after_signals` needs)."""
    rng = rng_for(seed, "signals", quarter)
    q_first, q_last = day_number(quarter_start(quarter)), day_number(quarter_end(quarter))
    residents = int((pop.person_birth <= q_last).sum())
    n_target = int(rng.poisson(rates.signals_per_1000_residents * residents / 1000))
    groups_of = publication_groups()
    p_group = np.array(
        [GROUPS.index(groups_of.get(p.partner_type, "overig")) for p in partner_list]
    )
    present = np.array([np.any(p_group == g) for g in range(len(GROUPS))])
    n_h = pop.households
    if n_target == 0 or n_h == 0 or not present.any():
        return _empty_signals()

    # 1. signalled households: weighted sample without replacement (exponential keys)
    keys = arrears_draws(n_h, seed, quarter) / np.exp(1.6 * pop.hh_vulnerability)
    m = min(n_h, n_target + 10)
    cand = np.argpartition(keys, m - 1)[:m] if m < n_h else np.arange(n_h)
    cand = cand[np.argsort(keys[cand], kind="stable")]
    head_age = (q_last - pop.person_birth[pop.hh_first_person[cand]]) / 365.25
    avail = np.ones((m, len(GROUPS)), dtype=bool)
    avail[:, GROUPS.index("huur")] = pop.addresses.huurwoning[pop.hh_address[cand]]
    avail[:, GROUPS.index("overig")] = (head_age >= 21) & (head_age < 45)
    avail &= present[None, :]
    p_k = np.array(rates.groups_per_household)
    k = np.minimum(rng.choice(np.arange(1, len(p_k) + 1), size=m, p=p_k / p_k.sum()), avail.sum(1))
    k = np.maximum(k, 1)
    avail[avail.sum(1) == 0, GROUPS.index("zorg")] = True
    repeats = rng.random((m, len(GROUPS))) < rates.repeat_same_partner
    gumbel = rng.gumbel(size=(m, len(GROUPS)))

    # 2. groups per household: top-k of (log weight + Gumbel noise), the weights calibrated
    #    so that the signals' group mix meets the target shares (some 80 choices: the
    #    noise is kept group-major, -inf where a group is not available)
    target = np.array([rates.group_shares.get(g, 0.0) for g in GROUPS]) * present
    target = target / target.sum()
    log_w = np.log(np.maximum(target, 1e-9))
    noise_g = np.ascontiguousarray(np.where(avail, gumbel, -np.inf).T)
    signals_g = 1 + np.ascontiguousarray(repeats.T)  # signals of a chosen (group, household)

    def choose(n_rows: int) -> np.ndarray:
        """Chosen (group, household) of the first ``n_rows`` candidates, group-major."""
        return _top_k(log_w[:, None] + noise_g[:, :n_rows], k[:n_rows])

    per_hh = k + 0  # signal count per household: its groups plus repeats
    for _ in range(2):
        chosen = choose(m)
        per_hh = (chosen * signals_g).sum(0)
        n_hh = int(min(m, np.searchsorted(np.cumsum(per_hh), n_target) + 1))
        for _ in range(40):
            chosen = choose(n_hh)
            counts = (chosen * signals_g[:, :n_hh]).sum(1)
            share = counts / max(counts.sum(), 1)
            ok = (share > 0) & (target > 0)
            log_w[ok] += 0.8 * (np.log(target[ok]) - np.log(share[ok]))
    chosen = choose(n_hh)
    hh_sel = cand[:n_hh]

    # 3. one signal per (household, group), two for the repeats; partner within the group
    rows, cols = np.nonzero(np.ascontiguousarray(chosen.T))
    twice = repeats[rows, cols]
    rows = np.concatenate([rows, rows[twice]])
    cols = np.concatenate([cols, cols[twice]])
    first_of_pair = np.concatenate(
        [np.ones(len(twice), dtype=bool), np.zeros(int(twice.sum()), dtype=bool)]
    )
    pair = np.concatenate([np.arange(len(twice)), np.flatnonzero(twice)])
    n = len(rows)
    partner = np.zeros(n, dtype=np.int64)
    pair_u = rng.random(len(twice))
    for g in range(len(GROUPS)):
        members = np.flatnonzero(p_group == g)
        if len(members) == 0:
            continue
        w = np.array([PARTNER_WEIGHTS.get(partner_list[i].code, 1.0) for i in members])
        cum = np.cumsum(w / w.sum())
        pick = members[np.minimum(np.searchsorted(cum, pair_u[pair]), len(members) - 1)]
        partner = np.where(cols == g, pick, partner)
    household = hh_sel[rows]

    person = random_adult(pop, household, rng.random(n))
    address = pop.hh_address[household]

    # dates, amounts, flags
    day = rng.integers(q_first, q_last + 1, size=n)
    second = ~first_of_pair
    day_pairs = np.sort(np.stack([day, rng.integers(q_first, q_last + 1, size=n)]), axis=0)
    day = np.where(second, day_pairs[1], day)
    day = _weekday_shift(day, q_first, q_last)
    types = [partner_list[i].partner_type for i in range(len(partner_list))]
    cents = np.zeros(n, dtype=np.int64)
    start = np.zeros(n, dtype=np.int64)
    for i, ptype in enumerate(types):
        sel = np.flatnonzero(partner == i)
        if len(sel) == 0:
            continue
        med, sd, lo, hi = AMOUNTS.get(ptype, DEFAULT_AMOUNT)
        cents[sel] = np.rint(_truncated_lognormal(rng, med, sd, lo, hi, len(sel)) * 100).astype(
            np.int64
        )
        d_lo, d_hi = ARREARS_DAYS.get(ptype, (30, 180))
        start[sel] = day[sel] - rng.integers(d_lo, d_hi + 1, size=len(sel))
    group = p_group[partner]
    crisis = rng.random(n) < np.where(
        group == GROUPS.index("huur"), 0.08, np.where(group == GROUPS.index("energie"), 0.04, 0.02)
    )
    warm = rng.random(n) < 0.1
    eind = (group == GROUPS.index("energie")) & (rng.random(n) < 0.03)

    a = pop.addresses
    sig = Signals(
        partner=partner,
        household=household,
        person=person,
        address=address,
        day=day,
        start=start,
        cents=cents,
        crisis=crisis,
        warm=warm,
        eindelevering=eind,
        fault=np.zeros(n, dtype=np.int64),
        reason=np.full(n, -1, dtype=np.int64),
        w_pc4=a.pc4[address].copy(),
        w_pc6=[LETTER_COMBOS[c] for c in a.pc6[address]],
        w_number=a.huisnummer[address].copy(),
        w_letter=a.huisletter[address].copy(),
        w_toev=a.toevoeging[address].copy(),
        notation=np.zeros(n, dtype=np.int64),
        dwellings=np.full(n, -1, dtype=np.int64),
    )
    _force_notations(sig, pop, partner_list, rng)
    _add_faults(sig, pop, rng, rates, q_last)
    _add_hard_notations(sig, pop, partner_list, rng_for(seed, "signals/notations", quarter), rates)
    if ids:
        _assign_ids(sig, partner_list, quarter, seed)
    return sig


def _top_k(score: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Per column, True at its ``k[column]`` highest scores, ties to the earlier row: the
    ranks a stable sort of ``-score`` gives, counted pair by pair of rows (a few rows: much
    cheaper than sorting every column)."""
    rank = np.zeros(score.shape, dtype=np.int8)
    for j in range(len(score)):
        for c in range(j):
            ahead = score[c] >= score[j]
            rank[j] += ahead
            rank[c] += ~ahead
    return rank < k[None, :]


def _empty_signals() -> Signals:
    e = np.zeros(0, dtype=np.int64)
    return Signals(
        e, e, e, e, e, e, e, e.astype(bool), e.astype(bool), e.astype(bool), e, e, e, [], e, e, e,
        e, e,
    )  # fmt: skip


def _kind_of(letter: np.ndarray, toev: np.ndarray) -> np.ndarray:
    """Sub-address kind: 0 plain, 1 letter, 2 bis, 3 floor number, 4 hs, 5 roman floor."""
    return np.select(
        [letter > 0, toev == 13, (toev >= 1) & (toev <= 6), toev == 7, (toev >= 8) & (toev <= 12)],
        [1, 2, 3, 4, 5],
        0,
    )


def _force_notations(
    sig: Signals, pop: Population, partner_list: list[Partner], rng: np.random.Generator
) -> None:
    """Make sure every house-number notation is actually written: for each partner without
    letter/addition columns and each sub-address kind it has not got, move one of its
    single-signal households to an unsignalled household at such an address."""
    mapping = _mapping_rows()
    a = pop.addresses
    hh_kind = _kind_of(a.huisletter[pop.hh_address], a.toevoeging[pop.hh_address])
    signalled = np.zeros(pop.households, dtype=bool)
    signalled[sig.household] = True
    per_hh = np.bincount(sig.household, minlength=pop.households)
    rental = a.huurwoning[pop.hh_address]
    groups_of = publication_groups()
    for i, p in enumerate(partner_list):
        canon = {c for _, c in mapping.get(p.code, [])}
        if "huisletter" in canon or "huisnummertoevoeging" in canon:
            continue
        mine = np.flatnonzero(sig.partner == i)
        for kind in range(1, 6):
            if np.any(_kind_of(sig.w_letter[mine], sig.w_toev[mine]) == kind):
                continue
            victims = mine[
                (per_hh[sig.household[mine]] == 1)
                & (_kind_of(sig.w_letter[mine], sig.w_toev[mine]) == 0)
            ]
            pool = (hh_kind == kind) & ~signalled
            if groups_of.get(p.partner_type) == "huur":  # a landlord only signals its tenants
                pool &= rental
            pool = np.flatnonzero(pool)
            if len(victims) == 0 or len(pool) == 0:
                continue
            v = victims[int(rng.integers(len(victims)))]
            new = pool[int(rng.integers(len(pool)))]
            per_hh[sig.household[v]] -= 1
            signalled[sig.household[v]] = False
            signalled[new] = True
            per_hh[new] += 1
            _move_signal(sig, pop, v, new)


def _move_signal(sig: Signals, pop: Population, v: int, new: int) -> None:
    """Give signal ``v`` to household ``new``: its first resident, its address as BAG has it."""
    a = pop.addresses
    addr = pop.hh_address[new]
    sig.household[v], sig.person[v], sig.address[v] = new, pop.hh_first_person[new], addr
    sig.w_pc4[v], sig.w_pc6[v] = a.pc4[addr], LETTER_COMBOS[a.pc6[addr]]
    sig.w_number[v], sig.w_letter[v], sig.w_toev[v] = (
        a.huisnummer[addr],
        a.huisletter[addr],
        a.toevoeging[addr],
    )


def fault_count(rate: float, n: int) -> int:
    """How many of ``n`` rows get a fault of this rate: the rate rounded, and at least one
    in a delivery of 50 rows or more so that every kind of fault shows."""
    count = round(rate * n)
    return max(count, 1) if rate > 0 and n >= 50 else count


def _add_faults(
    sig: Signals, pop: Population, rng: np.random.Generator, rates: Rates, q_last: int
) -> None:
    n = len(sig)
    order = rng.permutation(n)
    at = 0
    for code, rate in ((1, rates.no_address), (2, rates.outside_gemeente), (3, rates.unreadable)):
        count = min(fault_count(rate, n), n - at)
        sig.fault[order[at : at + count]] = code
        at += count
    a = pop.addresses

    # no_address: the household's own postcode with a number that postcode does not have
    no_addr = np.flatnonzero(sig.fault == 1)
    if len(no_addr):
        pc_key = a.pc4 * 512 + a.pc6
        starts = np.flatnonzero(np.concatenate([[True], pc_key[1:] != pc_key[:-1]]))
        run_max = np.maximum.reduceat(a.huisnummer, starts)
        run_of = np.searchsorted(starts, sig.address[no_addr], side="right") - 1
        sig.w_number[no_addr] = run_max[run_of] + 2 * rng.integers(1, 25, size=len(no_addr))
        sig.w_letter[no_addr] = 0
        sig.w_toev[no_addr] = 0
        sig.address[no_addr] = -1

    # outside the gemeente: a PC4 no BAG address uses, and not a resident
    outside = np.flatnonzero(sig.fault == 2)
    if len(outside):
        unused = np.setdiff1d(np.arange(1000, 10000), a.pc4_used)
        sig.w_pc4[outside] = unused[rng.integers(0, len(unused), size=len(outside))]
        for i in outside:
            sig.w_pc6[i] = LETTER_COMBOS[int(rng.integers(len(LETTER_COMBOS)))]
        sig.w_number[outside] = rng.integers(1, 180, size=len(outside))
        sig.w_letter[outside] = 0
        sig.w_toev[outside] = 0
        sig.household[outside] = -1
        sig.person[outside] = -1
        sig.address[outside] = -1

    bad = np.flatnonzero(sig.fault == 3)
    sig.reason[bad] = rng.integers(0, len(UNREADABLE_REASONS), size=len(bad))
    late = bad[sig.reason[bad] == UNREADABLE_REASONS.index("signaaldatum_after_quarter")]
    sig.day[late] = q_last + rng.integers(1, 46, size=len(late))


def _add_hard_notations(
    sig: Signals,
    pop: Population,
    partner_list: list[Partner],
    rng: np.random.Generator,
    rates: Rates,
) -> None:
    """Write a few clean signals in the hard notations of :data:`NOTATIONS`, drawn with their
    own random stream so that every other figure of the quarter stays as it was. When no
    signalled household lives where a notation can occur, one single-signal household's
    signal (at a plain number) moves to an unsignalled household there, as
    :func:`_force_notations` does."""
    a = pop.addresses
    _, at_number = np.unique((a.pc4 * 512 + a.pc6) * 100_000 + a.huisnummer, return_inverse=True)
    dwellings = np.bincount(at_number, weights=a.gebruiksdoel == 0).astype(np.int64)
    bare = np.bincount(at_number, weights=(a.huisletter == 0) & (a.toevoeging == 0)) > 0
    home = pop.hh_address
    toev = a.toevoeging[home]
    only_additions = ~bare[at_number[home]] & (toev > 0)
    qualifies = {  # notation: households whose address it can be written for
        "roman_floor": ((toev >= 1) & (toev <= 5)) | ((toev >= 8) & (toev <= 12)),
        "omitted_single": only_additions & (dwellings[at_number[home]] == 1),
        "omitted_shared": only_additions & (dwellings[at_number[home]] > 1),
    }
    rates_of = {
        "roman_floor": rates.roman_floor,
        "omitted_single": rates.omitted_single,
        "omitted_shared": rates.omitted_shared,
    }
    groups_of = publication_groups()
    landlord = np.array([groups_of.get(p.partner_type) == "huur" for p in partner_list])
    for name, households in qualifies.items():
        count = fault_count(rates_of[name], len(sig))
        clean = (sig.fault == 0) & (sig.notation == 0)
        pool = np.flatnonzero(clean & households[np.maximum(sig.household, 0)])
        if count and len(pool) == 0:
            per_hh = np.bincount(sig.household[sig.household >= 0], minlength=pop.households)
            plain = (sig.w_letter == 0) & (sig.w_toev == 0)  # not one _force_notations chose
            single = per_hh[np.maximum(sig.household, 0)] == 1
            victims = np.flatnonzero(clean & plain & single & ~landlord[sig.partner])
            targets = np.flatnonzero(households & (per_hh == 0))
            if len(victims) and len(targets):
                v = int(victims[rng.integers(len(victims))])
                _move_signal(sig, pop, v, int(targets[rng.integers(len(targets))]))
                pool = np.array([v])
        chosen = np.sort(rng.choice(pool, size=min(count, len(pool)), replace=False))
        sig.notation[chosen] = NOTATIONS.index(name)
        sig.dwellings[chosen] = dwellings[at_number[sig.address[chosen]]]
        if name == "roman_floor":  # TOEVOEGINGEN: '1'..'5' are codes 1-5, 'I'..'V' codes 8-12
            sig.w_toev[chosen] += np.where(sig.w_toev[chosen] <= 5, 7, -7).astype(sig.w_toev.dtype)
        else:
            sig.w_letter[chosen] = 0
            sig.w_toev[chosen] = 0


def expected_match_status(
    fault: str, notation: str, letter: str, toevoeging: str, columns: set[str], dwellings: int
) -> str | None:
    """The match status the documented rules give a signal row (None: it never reaches the
    match: unreadable, or a duplicate of an earlier row). ``letter`` and ``toevoeging`` are
    the sub-address as written (BAG spelling), ``columns`` the partner's canonical fields."""
    if fault == "duplicate" or fault.startswith("unreadable"):
        return None
    if fault in ("no_address", "outside_gemeente"):
        return {"no_address": "no_match", "outside_gemeente": "outside_gemeente"}[fault]
    if notation in ("omitted_single", "omitted_shared"):
        return "missing_toevoeging" if dwellings == 1 else "ambiguous"
    if notation == "roman_floor":
        return "unique_toevoeging"
    if letter and "huisletter" not in columns and "huisnummertoevoeging" in columns:
        return "letter_as_toevoeging"  # the letter is written in the addition column
    if "huisnummertoevoeging" not in columns and toevoeging == "H":
        return "unique_toevoeging"  # written '12 hs'
    if "huisnummertoevoeging" not in columns and toevoeging in ("I", "V"):
        return "letter_as_toevoeging"  # '12-I' reads as house letter I
    return "exact"


def _assign_ids(sig: Signals, partner_list: list[Partner], quarter: str, seed: int) -> None:
    """Partner-specific ids, numbered in signaaldatum order within each partner; unique within
    the partner over the quarters of a seed."""
    order = np.lexsort((np.arange(len(sig)), sig.day, sig.partner))
    seq = np.empty(len(sig), dtype=np.int64)
    seq[order] = rank_in_group(sig.partner[order]) + 1
    # the quarter in the hashed value, not in the salt: index i of one quarter and index i + 1
    # of the quarter before must not hash alike (ids without a quarter in them, zilveren_kruis)
    hashes = splitmix64(np.arange(len(sig)) + (quarter_key(quarter) << 32), seed * 7919)
    sig.signaal_id = [
        _signal_id(partner_list[p].code, quarter, int(s), int(h))
        for p, s, h in zip(sig.partner, seq, hashes, strict=True)
    ]


# ---------------------------------------------------------------------------- personal data


@dataclass
class _People:
    first: list[str]
    surname: list[str]
    initials: list[str]
    phone: np.ndarray
    email_n: np.ndarray
    birth: np.ndarray
    bsn: np.ndarray


def _people(sig: Signals, pop: Population, seed: int) -> _People:
    """Fake but stable personal data per signal (a resident keeps the same name every quarter)."""
    n = len(sig)
    resident = sig.person >= 0
    pid = np.where(resident, sig.person, len(pop.person_bsn) + np.arange(n)).astype(np.int64)
    hid = np.where(resident, sig.household, 10**9 + np.arange(n)).astype(np.int64)
    pos = np.where(resident, pop.person_pos[np.maximum(sig.person, 0)], 0)
    htype = np.where(resident, pop.hh_type[np.maximum(sig.household, 0)], 0)
    own_name = (pos == 1) & (splitmix64(pid, seed + 1) % 2 == 0) | np.isin(htype, (4, 5))
    s_idx = splitmix64(np.where(own_name, pid + 2**40, hid), seed + 2) % len(SURNAMES)
    f_idx = splitmix64(pid, seed + 3) % len(FIRST_NAMES)
    second = splitmix64(pid, seed + 4)
    first = [FIRST_NAMES[i] for i in f_idx]
    initials = [
        f"{f[0]}." + (f"{'ABCDEFGHIJKLMNPRSTW'[int(h % 19)]}." if h % 5 < 2 else "")
        for f, h in zip(first, second, strict=True)
    ]
    birth = np.where(
        resident,
        pop.person_birth[np.maximum(sig.person, 0)],
        day_number(date(1960, 1, 1)) + (splitmix64(pid, seed + 5) % 20000).astype(np.int64),
    )
    bsn = np.where(resident, pop.person_bsn[np.maximum(sig.person, 0)], -1)
    return _People(
        first=first,
        surname=[SURNAMES[i] for i in s_idx],
        initials=initials,
        phone=(splitmix64(pid, seed + 6) % 100_000_000).astype(np.int64),
        email_n=(splitmix64(pid, seed + 7) % 100).astype(np.int64),
        birth=birth,
        bsn=bsn,
    )


def _split_surname(surname: str) -> tuple[str, str]:
    """'van der Berg' -> ('van der', 'Berg')."""
    words = surname.split(" ")
    i = 0
    while i < len(words) - 1 and (words[i][:1].islower() or words[i].startswith("'")):
        i += 1
    return " ".join(words[:i]), " ".join(words[i:])


def _naam(first: str, initials: str, surname: str, style: str) -> str:
    if style == "initials":
        return f"{initials} {surname}"
    if style == "reversed":
        prefix, main = _split_surname(surname)
        return f"{main}, {initials} {prefix}".rstrip()
    return f"{first} {surname}"


def _phone(number: int, style: str) -> str:
    digits = f"{number:08d}"
    if style == "0612345678":
        return "06" + digits
    if style == "+31 6 12345678":
        return "+31 6 " + digits
    return "06-" + digits


def _email(first: str, surname: str, n: int) -> str:
    local = (
        ascii_fold(first).lower()
        + "."
        + ascii_fold(surname).lower().replace(" ", "").replace("'", "")
    )
    if n < 30:
        local += str(n + 60)
    return f"{local}@{EMAIL_DOMAINS[n % len(EMAIL_DOMAINS)]}"


# ---------------------------------------------------------------------------- partner files


@cache
def _mapping_rows() -> dict[str, list[tuple[str, str]]]:
    """Partner code -> [(its own header as written in the seed, canonical field)], in seed
    order. The registry (``partners()``) keeps headers lower-cased for matching; files need
    them as the partner writes them, so the seed is read through the same helper."""
    rows: dict[str, list[tuple[str, str]]] = {}
    for row in read_seed("partner_header_mapping"):
        rows.setdefault(row["partner_code"], []).append(
            (row["partner_header"].strip(), row["canonical_field"])
        )
    return rows


def partner_columns(partner: Partner) -> list[tuple[str, str]]:
    """The columns a partner's file has: (header, canonical field); extra columns outside
    the mapping have canonical field ``''``."""
    cols = _mapping_rows().get(partner.code)
    if not cols:  # a registry partner without a mapping delivers canonical headers
        cols = [(c, c) for c in (*REQUIRED, "startdatum_achterstand", "naam")]
    for header, canonical in cols:
        if partner.header_mapping and partner.header_mapping.get(header.lower()) != canonical:
            raise ValueError(f"{partner.code}: header {header!r} disagrees with the registry")
    return [*cols, *((h, "") for h, _ in dialect_for(partner.code).extra_columns)]


_OPTIONAL_BLANK = {  # canonical field: share written empty
    "startdatum_achterstand": 0.05,
    "dagen_achterstand": 0.08,
    "naam": 0.02,
    "voorletters": 0.03,
    "straat": 0.03,
    "woonplaats": 0.02,
    "telefoon": 0.2,
    "email": 0.3,
    "klantnummer": 0.01,
    "geboortedatum": 0.05,
    "bsn": 0.04,
}
_FORCE_EMPTY_ORDER = (
    "telefoon",
    "email",
    "huisnummertoevoeging",
    "huisletter",
    "startdatum_achterstand",
    "dagen_achterstand",
    "straat",
    "naam",
    "voorletters",
    "woonplaats",
    "klantnummer",
    "geboortedatum",
    "bsn",
    "crisissignaal",
    "warme_overdracht",
    "eindelevering",
)
TRUTH_SCHEMA: dict[str, type[pl.DataType]] = {
    "partner_code": pl.String,
    "partner_type": pl.String,
    "file_name": pl.String,
    "line_number": pl.Int64,  # physical line, header = 1
    "signaal_id": pl.String,
    "signaaldatum": pl.String,  # ISO; for an impossible-date row the date it should have had
    "achterstand_bedrag": pl.String,  # 1234.56, the true amount
    "postcode": pl.String,  # address as delivered, normalised (1234AB)
    "huisnummer": pl.Int64,
    "huisletter": pl.String,
    "huisnummertoevoeging": pl.String,  # BAG spelling (H, BIS, III)
    "household_id": pl.Int64,  # true household (empty: not a resident)
    "adres_id": pl.String,  # true BAG address the delivered address matches (empty: none)
    "buurtcode": pl.String,  # BAG buurtcode of the household (empty: none, gemeente only)
    "gemeentecode": pl.String,
    "fault": pl.String,  # none, no_address, outside_gemeente, unreadable:<reason>, duplicate
    "notation": pl.String,  # NOTATIONS: as_bag, roman_floor, omitted_single, omitted_shared
    "match_status": pl.String,  # what the address match must say (empty: never matched)
}
"""Columns of ``ground_truth/<quarter>/signals.csv``: one row per partner row written."""

BAD_POSTCODES = ("12345", "1234A", "123AB", "1234ABC", "AB1234")


def render_partner_files(
    sig: Signals,
    pop: Population,
    geo: Geography,
    partner_list: list[Partner],
    quarter: str,
    seed: int,
    rates: Rates,
) -> tuple[list[PartnerFile], pl.DataFrame]:
    """The partner files of the quarter and the ground truth of every row written."""
    rng = rng_for(seed, "signals/render", quarter)
    people = _people(sig, pop, seed)
    woonplaats = geo.gemeente_names  # a gemeente's addresses lie in its woonplaats
    outside_places = [x + y for x in PLACE_PARTS_A for y in PLACE_PARTS_B]
    year = int(quarter[:4])
    q_month = 3 * (int(quarter[5]) - 1) + 1
    duplicated = np.zeros(len(sig), dtype=bool)
    duplicated[rng.choice(len(sig), size=fault_count(rates.duplicate, len(sig)), replace=False)] = (
        True
    )
    files: list[PartnerFile] = []
    truth: dict[str, list[object]] = {k: [] for k in TRUTH_SCHEMA}

    for i, partner in enumerate(partner_list):
        d = dialect_for(partner.code)
        cols = partner_columns(partner)
        canon = [c for _, c in cols]
        columns = set(canon)
        has_letter, has_toev = "huisletter" in columns, "huisnummertoevoeging" in columns
        separate_initials = "voorletters" in canon
        mine = np.flatnonzero(sig.partner == i)
        mine = mine[np.lexsort((np.arange(len(mine)), sig.day[mine]))]
        if len(mine) == 0:
            continue
        required_here = [
            c
            for c in ("signaaldatum", "achterstand_bedrag", "postcode", "huisnummer")
            if c in canon
        ]
        rows: list[list[str | None]] = []
        for j in mine:
            rows.append(
                _row_values(
                    j,
                    sig,
                    people,
                    pop,
                    d,
                    canon,
                    has_letter,
                    has_toev,
                    separate_initials,
                    woonplaats,
                    outside_places,
                    rng,
                    required_here,
                    year,
                    cols,
                )
            )
        _force_an_empty(rows, canon)
        if d.files == "month":
            month = np.clip((_month_of(sig.day[mine]) - q_month), 0, 2)
            parts = [
                (f"{partner.code}_{year}-{q_month + m:02d}.csv", np.flatnonzero(month == m))
                for m in range(3)
            ]
        else:
            parts = [(f"{partner.code}_{quarter}.csv", np.arange(len(mine)))]
        for name, members in parts:
            if len(members) == 0:
                continue
            lines: list[str] = []
            dup_at_end: list[tuple[str, int]] = []
            for r in members:
                j = int(mine[r])
                line = render_line(rows[r], d)
                lines.append(line)
                _truth_row(truth, sig, pop, geo, partner, columns, name, len(lines) + 1, j)
                if duplicated[j]:
                    if rng.random() < 0.6:
                        lines.append(line)
                        _truth_row(
                            truth, sig, pop, geo, partner, columns, name, len(lines) + 1, j,
                            "duplicate",
                        )  # fmt: skip
                    else:
                        dup_at_end.append((line, j))
            for line, j in dup_at_end:
                lines.append(line)
                _truth_row(
                    truth, sig, pop, geo, partner, columns, name, len(lines) + 1, j, "duplicate"
                )
            data = encode_file([h for h, _ in cols], lines, d)
            files.append(PartnerFile(source=partner.code, name=name, data=data, rows=len(lines)))

    frame = pl.DataFrame(truth, schema=TRUTH_SCHEMA)
    return files, frame


def _month_of(days: np.ndarray) -> np.ndarray:
    return (
        np.asarray(days, dtype="int64")
        .astype("datetime64[D]")
        .astype("datetime64[M]")
        .astype(np.int64)
        % 12
        + 1
    )


def _force_an_empty(rows: list[list[str | None]], canon: list[str]) -> None:
    """Every partner file shows its empty marker at least once."""
    if any(v is None for row in rows for v in row):
        return
    for field_name in _FORCE_EMPTY_ORDER:
        if field_name in canon:
            rows[0][canon.index(field_name)] = None
            return


def _row_values(
    j: int,
    sig: Signals,
    people: _People,
    pop: Population,
    d: Dialect,
    canon: list[str],
    has_letter: bool,
    has_toev: bool,
    separate_initials: bool,
    woonplaats: list[str],
    outside_places: list[str],
    rng: np.random.Generator,
    required_here: list[str],
    year: int,
    cols: list[tuple[str, str]],
) -> list[str | None]:
    a = pop.addresses
    reason = UNREADABLE_REASONS[sig.reason[j]] if sig.reason[j] >= 0 else ""
    addr = int(sig.address[j])
    true_addr = (
        addr
        if addr >= 0
        else (int(pop.hh_address[sig.household[j]]) if sig.household[j] >= 0 else -1)
    )
    letter = chr(64 + int(sig.w_letter[j])) if sig.w_letter[j] > 0 else ""
    toev = TOEVOEGINGEN[int(sig.w_toev[j])]
    missing = (
        required_here[int(rng.integers(len(required_here)))]
        if reason == "missing_required" and required_here
        else ""
    )
    values: list[str | None] = []
    for header, field_name in cols:
        v: str | None
        if field_name == "signaal_id":
            v = sig.signaal_id[j]
        elif field_name == "signaaldatum":
            if reason == "impossible_date":
                v = fmt_date_parts(year, 2, 30 + int(rng.integers(2)), d.date)
            else:
                v = fmt_date(int(sig.day[j]), d.date)
        elif field_name == "startdatum_achterstand":
            v = fmt_date(int(sig.start[j]), d.date)
        elif field_name == "achterstand_bedrag":
            cents = int(sig.cents[j])
            if reason == "nonpositive_amount":
                cents = 0 if rng.random() < 0.4 else -cents
            v = fmt_decimal(cents, d.decimal)
        elif field_name == "dagen_achterstand":
            v = str(int(sig.day[j] - sig.start[j]))
        elif field_name == "crisissignaal":
            v = fmt_bool(bool(sig.crisis[j]), d.boolean)
        elif field_name == "warme_overdracht":
            v = fmt_bool(bool(sig.warm[j]), d.boolean)
        elif field_name == "eindelevering":
            v = fmt_bool(bool(sig.eindelevering[j]), d.boolean)
        elif field_name == "postcode":
            if reason == "bad_postcode":
                v = BAD_POSTCODES[int(rng.integers(len(BAD_POSTCODES)))]
            else:
                style = (
                    d.postcode[0]
                    if rng.random() < 0.85
                    else d.postcode[int(rng.integers(len(d.postcode)))]
                )
                v = fmt_postcode(int(sig.w_pc4[j]), sig.w_pc6[j], style)
        elif field_name == "huisnummer":
            if has_toev:  # an addition column (the letter goes there when it has none)
                v = str(int(sig.w_number[j]))
            elif has_letter:
                v = combined_house_number(int(sig.w_number[j]), "", toev, d.letter_notation)
            else:
                v = combined_house_number(int(sig.w_number[j]), letter, toev, d.letter_notation)
        elif field_name == "huisletter":
            v = (letter.lower() if d.encoding == "cp1252" else letter) or None
        elif field_name == "huisnummertoevoeging":
            v = (toev if has_letter else (letter or toev)) or None
        elif field_name == "naam":
            if separate_initials:
                v = people.surname[j]
            else:
                v = _naam(people.first[j], people.initials[j], people.surname[j], d.naam)
        elif field_name == "voorletters":
            v = people.initials[j]
        elif field_name == "straat":
            if true_addr >= 0:
                v = a.street_names[int(a.street[true_addr])]
            else:
                v = STREET_BASES[int(rng.integers(len(STREET_BASES)))] + "straat"
        elif field_name == "woonplaats":
            v = (
                woonplaats[int(a.gemeente[true_addr])]
                if true_addr >= 0
                else outside_places[int(rng.integers(len(outside_places)))]
            )
        elif field_name == "telefoon":
            v = _phone(int(people.phone[j]), d.telefoon)
        elif field_name == "email":
            v = _email(people.first[j], people.surname[j], int(people.email_n[j]))
        elif field_name == "klantnummer":
            v = str(
                10_000_000
                + int(
                    splitmix64(
                        np.array([max(int(sig.household[j]), 0) * 16 + int(sig.partner[j])]), 11
                    )[0]
                    % 89_999_999
                )
            )
        elif field_name == "geboortedatum":
            v = fmt_date(int(people.birth[j]), d.date)
        elif field_name == "bsn":
            v = f"{int(people.bsn[j]):09d}" if people.bsn[j] >= 0 else None
        elif field_name == "":
            options = dict(d.extra_columns)[header]
            v = options[int(rng.integers(len(options)))]
        else:
            v = None
        if (
            field_name in _OPTIONAL_BLANK
            and v is not None
            and rng.random() < _OPTIONAL_BLANK[field_name]
        ):
            v = None
        if missing and field_name == missing:
            v = None
        values.append(v)
    return values


def _truth_row(
    truth: dict[str, list[object]],
    sig: Signals,
    pop: Population,
    geo: Geography,
    partner: Partner,
    columns: set[str],
    file_name: str,
    line: int,
    j: int,
    fault: str | None = None,
) -> None:
    a = pop.addresses
    addr = int(sig.address[j])
    hh = int(sig.household[j])
    home = int(pop.hh_address[hh]) if hh >= 0 else -1
    if fault is None:
        fault = FAULTS[int(sig.fault[j])]
        if fault == "unreadable":
            fault = f"unreadable:{UNREADABLE_REASONS[int(sig.reason[j])]}"
    buurt = int(a.buurt_listed[home]) if home >= 0 else -1
    truth["partner_code"].append(partner.code)
    truth["partner_type"].append(partner.partner_type)
    truth["file_name"].append(file_name)
    truth["line_number"].append(line)
    truth["signaal_id"].append(sig.signaal_id[j])
    truth["signaaldatum"].append(fmt_date(int(sig.day[j]), "2026-07-31"))
    truth["achterstand_bedrag"].append(fmt_decimal(int(sig.cents[j]), "1234.56"))
    truth["postcode"].append(f"{int(sig.w_pc4[j])}{sig.w_pc6[j]}")
    truth["huisnummer"].append(int(sig.w_number[j]))
    letter = chr(64 + int(sig.w_letter[j])) if sig.w_letter[j] > 0 else ""
    toevoeging = TOEVOEGINGEN[int(sig.w_toev[j])]
    notation = NOTATIONS[int(sig.notation[j])]
    truth["huisletter"].append(letter or None)
    truth["huisnummertoevoeging"].append(toevoeging or None)
    truth["household_id"].append(hh if hh >= 0 else None)
    truth["adres_id"].append(f"{int(a.adres_id[addr]):016d}" if addr >= 0 else None)
    truth["buurtcode"].append(geo.buurt_codes[buurt] if buurt >= 0 else None)
    truth["gemeentecode"].append(geo.gemeente_codes[int(a.gemeente[home])] if home >= 0 else None)
    truth["fault"].append(fault)
    truth["notation"].append(notation)
    truth["match_status"].append(
        expected_match_status(fault, notation, letter, toevoeging, columns, int(sig.dwellings[j]))
    )


# ---------------------------------------------------------------------------- cases


CASE_MIN_DELAY = 7
"""Days from matching to closing a picked-up case, at least: a visit or a letter, then a wait
for the answer."""
CASE_DELAY_GAMMA = (1.5, 20.0)
"""Shape and scale (days) of the gamma draw added to :data:`CASE_MIN_DELAY` for a picked-up
case: a median of about 30 days from matching to closing, one case in 25 later than 90 days
(a household that answers only after several letters). A case that reached the household
closes on its first contact at the earliest."""
CASE_QUICK_DELAY = (1, 14)
"""Fewest and most days from matching to closing a case that is not picked up (seeds
``resultaat_codes.csv`` ``opgepakt`` false: a repeat report, a signal that is not right, a
resident of another gemeente or one who died): the gemeente decides that at its desk."""
CASE_MAX_DELAY = 150
"""Days from matching to closing, at most (0.3% of the picked-up cases would take longer: a
case five months old is closed with the outcome it has). With matching at most 7 days after
the signal, a case is closed by the end of the second quarter after its signal's, so it is
open at the end of that signal's quarter or the next one only: :data:`CASES_CARRIED`."""
CASES_CARRIED = 2
"""The quarters before its own whose cases a quarter's extract can list (those still open at
the end of the quarter before it): with :data:`CASE_MAX_DELAY`, the two before."""


@cache
def _not_picked_up() -> tuple[str, ...]:
    """The outcomes of a case that is not picked up (seeds/resultaat_codes.csv)."""
    return tuple(r["resultaat"] for r in read_seed("resultaat_codes") if r["opgepakt"] == "false")


def build_cases(
    sig: Signals,
    pop: Population,
    partner_list: list[Partner],
    quarter: str,
    seed: int,
    rates: Rates,
) -> pl.DataFrame:
    """Every case of the quarter's signals as it is closed (the ground truth
    ``cases.parquet``; :func:`case_extract` gives the extract of a quarter): a case for most
    readable signals. A household is reached (or not) as a whole; its first signal's case
    carries the outcome, later ones are often 'niet_opgepakt_herhaalde_melding'. Each case
    closes on ``datum_afgesloten`` (:func:`_closing_days`), not before its first contact,
    drawn from a stream of its own (the outcomes do not depend on it); ``household_id`` is
    the signal's true household (empty: not a resident)."""
    rng = rng_for(seed, "cases", quarter)
    q_first, q_last = day_number(quarter_start(quarter)), day_number(quarter_end(quarter))
    eligible = np.flatnonzero(sig.fault <= 2)
    hh = sig.household[eligible]
    n_h = pop.households
    reached_hh, accepted_hh = _household_outcomes(rng, pop, sig, quarter, rates)
    in_debt_help = np.zeros(n_h, dtype=bool)
    s = pop.spells_schuldhulp
    active = (s["start"] <= q_last) & (s["end"] >= q_first - 365)
    in_debt_help[s["household"][active]] = True

    order = np.lexsort(
        (
            np.arange(len(eligible)),
            sig.day[eligible],
            np.where(hh >= 0, hh, -1 - np.arange(len(eligible))),
        )
    )
    first = np.zeros(len(eligible), dtype=bool)
    sorted_hh = np.where(hh >= 0, hh, -1 - np.arange(len(eligible)))[order]
    first[order] = rank_in_group(sorted_hh) == 0
    fault = sig.fault[eligible]
    clean = fault == 0
    h = np.maximum(hh, 0)
    reached = clean & reached_hh[h] & (hh >= 0)
    accepted = reached & accepted_hh[h]
    n = len(eligible)
    result = np.empty(n, dtype=object)
    result[:] = _pick(rng, NOT_REACHED, n)
    known = clean & (hh >= 0) & in_debt_help[h] & (rng.random(n) < 0.5)
    result[known] = "al_bekend_schuldhulp"
    result[reached] = _pick(rng, REACHED_DECLINED, n)[reached]
    result[accepted] = _pick(rng, REACHED_ACCEPTED, n)[accepted]
    result[fault == 1] = _pick(
        rng,
        {"geen_contact": 0.5, "verwijzing_zonder_contact": 0.3, "niet_opgepakt_andere_reden": 0.2},
        n,
    )[fault == 1]
    result[fault == 2] = "geen_inwoner"
    repeat = ~first & (rng.random(n) < 0.6) & (hh >= 0)
    result[repeat] = "niet_opgepakt_herhaalde_melding"
    bereikt = reached & ~repeat
    has_case = first | (rng.random(n) < rates.case_coverage)
    contact_attempts = np.where(
        bereikt,
        rng.integers(1, 5, n),
        np.where(
            np.isin(result, ("geen_contact", "geen_reactie_na_contact")),
            rng.integers(2, 7, n),
            rng.integers(0, 2, n),
        ),
    )
    contact_attempts = np.where(repeat | (fault == 2), 0, contact_attempts)
    matching = sig.day[eligible] + rng.integers(0, 8, n)
    contact_day = matching + rng.integers(1, 31, n)
    closing = _closing_days(rng_for(seed, "cases/closing", quarter), result, matching)
    closing = np.where(bereikt, np.maximum(closing, contact_day), closing)

    keep = np.flatnonzero(has_case)
    idx = eligible[keep]
    never = np.iinfo(np.int64).min  # written as empty
    frame = pl.DataFrame(
        {
            "partner_code": [partner_list[int(p)].code for p in sig.partner[idx]],
            "signaal_id": [sig.signaal_id[int(i)] for i in idx],
            "household_id": np.where(hh[keep] >= 0, hh[keep], never),
            "matchingsdatum": matching[keep].astype("datetime64[D]"),
            "resultaat": result[keep].astype(str),
            "aantal_contactpogingen": contact_attempts[keep].astype(np.int64),
            "bereikt": bereikt[keep],
            "datum_eerste_contact": np.where(bereikt[keep], contact_day[keep], never).astype(
                "datetime64[D]"
            ),
            "datum_afgesloten": closing[keep].astype("datetime64[D]"),
        },
        schema_overrides={"partner_code": pl.String, "signaal_id": pl.String},  # also when empty
    )
    frame = frame.with_columns(
        pl.when(pl.col("household_id") != never).then(pl.col("household_id")),
        pl.col("matchingsdatum", "datum_eerste_contact", "datum_afgesloten").cast(pl.Date),
    )
    accepted_codes = help_accepted_results()
    if not set(REACHED_ACCEPTED) <= accepted_codes:  # the seed is the one place for the code list
        raise ValueError("REACHED_ACCEPTED disagrees with seeds/resultaat_codes.csv")
    return frame.sort(["matchingsdatum", "partner_code", "signaal_id"])


def _closing_days(rng: np.random.Generator, result: np.ndarray, matching: np.ndarray) -> np.ndarray:
    """The day each case closes, before it is moved to its first contact: a few days after
    matching for a case not picked up (:data:`CASE_QUICK_DELAY`), else
    :data:`CASE_MIN_DELAY` plus a gamma draw (:data:`CASE_DELAY_GAMMA`); at most
    :data:`CASE_MAX_DELAY` days after matching."""
    n = len(result)
    shape, scale = CASE_DELAY_GAMMA
    picked_up = CASE_MIN_DELAY + np.floor(rng.gamma(shape, scale, n)).astype(np.int64)
    quick = rng.integers(CASE_QUICK_DELAY[0], CASE_QUICK_DELAY[1] + 1, n)
    delay = np.where(np.isin(result, _not_picked_up()), quick, picked_up)
    return matching + np.minimum(delay, CASE_MAX_DELAY)


def case_extract(cases: list[pl.DataFrame], quarter: str) -> pl.DataFrame:
    """``vroegsignaal_zaken`` of ``quarter`` from the cases (:func:`build_cases`) of its
    signals and of the :data:`CASES_CARRIED` quarters before: every case not closed by the
    end of the quarter before (so every case of its own signals, and every earlier one the
    extract before listed open), in its state at the end of ``quarter``. A case closed by
    then has its outcome; an open one has no ``resultaat``, ``bereikt`` true (with
    ``datum_eerste_contact``) once its first contact is past (else false), and the contact
    attempts made so far: the final number spread evenly from matching to closing, counted
    up to the quarter's end, at least one once the household is reached."""
    q_first, q_last = quarter_start(quarter), quarter_end(quarter)
    day = pl.duration(days=1)
    elapsed = (pl.lit(q_last) - pl.col("matchingsdatum") + day).dt.total_days()
    duration = (pl.col("datum_afgesloten") - pl.col("matchingsdatum") + day).dt.total_days()
    closed = pl.col("datum_afgesloten") <= q_last
    bereikt = pl.col("bereikt") & (pl.col("datum_eerste_contact") <= q_last).fill_null(False)
    so_far = (pl.col("aantal_contactpogingen") * elapsed.clip(0) // duration).cast(pl.Int64)
    return (
        pl.concat(cases)
        .filter(pl.col("datum_afgesloten") >= q_first)
        .with_columns(
            pl.when(closed).then(pl.col("resultaat")).alias("resultaat"),
            pl.when(closed)
            .then(pl.col("aantal_contactpogingen"))
            .when(bereikt)
            .then(pl.max_horizontal(so_far, 1))
            .otherwise(so_far)
            .alias("aantal_contactpogingen"),
            bereikt.alias("bereikt"),
            pl.when(bereikt).then(pl.col("datum_eerste_contact")).alias("datum_eerste_contact"),
        )
        .select(
            "partner_code",
            "signaal_id",
            "matchingsdatum",
            "resultaat",
            "aantal_contactpogingen",
            "bereikt",
            "datum_eerste_contact",
        )
        .sort(["matchingsdatum", "partner_code", "signaal_id"])
    )


def _household_outcomes(
    rng: np.random.Generator, pop: Population, sig: Signals, quarter: str, rates: Rates
) -> tuple[np.ndarray, np.ndarray]:
    """Per household whether it is reached and whether it accepts help when signalled: the
    first draws of the quarter's case stream (``rng_for(seed, "cases", quarter)``), one
    uniform per household for each, against the chances of its persona
    (:func:`demo.personas.outcome_chances`; ``rates.reach`` and ``rates.help_accepted``
    overall among the households the address match attributes a signal to,
    :func:`first_signal_days`). The same for the registers with or without the quarter's
    moves (a persona does not depend on the address)."""
    households = pop.households
    p_reach = np.full(households, rates.reach)  # households without a signal: never asked
    p_help = np.full(households, rates.help_accepted)
    with_signal = np.unique(sig.household[sig.household >= 0])
    attributed = first_signal_days(sig, households)[with_signal] >= 0
    p_reach[with_signal], p_help[with_signal] = outcome_chances(
        household_personas(pop, quarter, with_signal),
        attributed,
        rates.reach,
        rates.help_accepted,
    )
    reached = rng.random(households) < p_reach if households else np.zeros(0, dtype=bool)
    accepted = reached & (rng.random(households) < p_help)
    return reached, accepted


# ---------------------------------------------------------------------------- debt help

SCHULDHULP_AFTER_ACCEPTED = 0.40
"""Chance that a signalled household that accepted help starts a schuldhulp trajectory after
the signal: much of the help accepted is a referral to schuldhulp (vervolghulp financieel)."""
SCHULDHULP_AFTER_REACHED = 0.10
"""The same for a household reached that declined help: some come later, knowing the way."""
SCHULDHULP_AFTER_NOT_REACHED = 0.04
"""The same for a household not reached: the inflow households in arrears find on their own."""
SCHULDHULP_SOORT_AFTER_SIGNAL = {
    "advies": 0.45,
    "schuldregeling": 0.15,
    "budgetbeheer": 0.20,
    "bewindvoering": 0.10,
    "wsnp": 0.02,
    "overig": 0.08,
}
"""Kind of such a trajectory: most begin as advice; a settlement or budget management for
deeper debts, the court's wsnp hardly ever at once."""
SCHULDHULP_MIN_DELAY = 14
"""Days from the first signal to the trajectory's start, at least: an intake needs an
appointment."""
SCHULDHULP_DELAY_GAMMA = (1.5, 50.0)
"""Shape and scale (days) of the gamma draw added to :data:`SCHULDHULP_MIN_DELAY`: a median of
about 73 days, 8% later than six months (the slow ones, who wait for the next bill)."""


def first_signal_days(sig: Signals, households: int) -> np.ndarray:
    """Per household the day of its first signal that the address match attributes to it, -1
    where none does: a clean row (written at its own address), except a left-out addition
    at a number with several dwellings (ambiguous, :func:`expected_match_status`)."""
    omitted = np.isin(
        sig.notation, (NOTATIONS.index("omitted_single"), NOTATIONS.index("omitted_shared"))
    )
    matched = np.flatnonzero((sig.fault == 0) & ~(omitted & (sig.dwellings != 1)))
    never = np.iinfo(np.int64).max
    first = np.full(households, never, dtype=np.int64)
    np.minimum.at(first, sig.household[matched], sig.day[matched])
    return np.where(first == never, -1, first)


def schuldhulp_after_signals(
    sig: Signals,
    pop: Population,
    quarter: str,
    seed: int,
    rates: Rates,
    earlier: list[dict[str, np.ndarray]],
) -> dict[str, np.ndarray]:
    """The schuldhulp trajectories the signals of ``quarter`` set off, as spells of
    ``Population.spells_schuldhulp`` (household, person, code, start, end; days).

    Every household with a signal the address match attributes to it
    (:func:`first_signal_days`) starts one with the chance its case gives
    (:data:`SCHULDHULP_AFTER_ACCEPTED`, ``_REACHED``, ``_NOT_REACHED``; the household
    outcomes :func:`build_cases` uses): one adult resident, :data:`SCHULDHULP_MIN_DELAY` plus
    a gamma draw after the household's first signal. Not a household already in schuldhulp
    on that day: one of its register spells (``pop.spells_schuldhulp``) running, or one of
    the trajectories of ``earlier`` (those earlier quarters' signals set off) running or
    still to start."""
    n_h = pop.households
    first_day = first_signal_days(sig, n_h)
    reached, accepted = _household_outcomes(
        rng_for(seed, "cases", quarter), pop, sig, quarter, rates
    )
    busy = np.zeros(n_h, dtype=bool)
    for spells, pending in [(pop.spells_schuldhulp, False), *((e, True) for e in earlier)]:
        day = first_day[spells["household"]]
        on = (day >= 0) & (spells["end"] >= day) & (pending | (spells["start"] <= day))
        busy[spells["household"][on]] = True
    household = np.flatnonzero((first_day >= 0) & ~busy)
    chance = np.select(
        [accepted[household], reached[household]],
        [SCHULDHULP_AFTER_ACCEPTED, SCHULDHULP_AFTER_REACHED],
        SCHULDHULP_AFTER_NOT_REACHED,
    )
    rng = rng_for(seed, "schuldhulp/after_signals", quarter)
    household = household[rng.random(len(household)) < chance]
    n = len(household)
    shape, scale = SCHULDHULP_DELAY_GAMMA
    delay = SCHULDHULP_MIN_DELAY + np.floor(rng.gamma(shape, scale, n)).astype(np.int64)
    start = first_day[household] + delay
    kinds = np.array([SCHULDHULP_SOORT_AFTER_SIGNAL[k] for k in SCHULDHULP_SOORTEN])
    code = rng.choice(len(SCHULDHULP_SOORTEN), size=n, p=kinds / kinds.sum())
    return {
        "household": household,
        "person": random_adult(pop, household, rng.random(n)),
        "code": code,
        "start": start,
        "end": start + schuldhulp_lengths(rng, code),
    }
