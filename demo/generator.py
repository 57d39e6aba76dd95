"""Entry point of the demo extract generator.

    from demo.generator import GeneratorConfig, generate
    summary = generate(GeneratorConfig(quarter="2026Q3", seed=42, geography="amsterdam"), paths)

writes one quarter of landing files exactly as CONTRACTS.md describes them:

    <data dir>/landing/<quarter>/<partner code>/<partner>_<quarter>.csv   (one per month for some)
    <data dir>/landing/<quarter>/{bag_adressen,brp_personen,wijken_buurten,uitkeringen,
                                  schuldhulp,vroegsignaal_zaken}/<source>_<quarter>.csv

and the ground truth outside the landing folder (never ingested):

    <data dir>/ground_truth/<quarter>/signals.csv       every partner row written, with its file,
                                                        line, true household/address and fault
    <data dir>/ground_truth/<quarter>/households.parquet  every household at the quarter's end
    <data dir>/ground_truth/<quarter>/cases.parquet     every case of the quarter's signals
    <data dir>/ground_truth/<quarter>/summary.json

``households.parquet`` has per household its address and areas, its composition at the
quarter's end, and for the flow into debt help:

    eerste_signaaldatum     its first signal of the quarter that the address match attributes
                            to it (empty: not signalled in the quarter)
    schuldhulp_na_signaal   startdatum of the schuldhulp trajectory that signal set off (empty:
                            none); it is in the schuldhulp extract of every quarter whose end
                            is on or after that day, for one adult resident of the household

``cases.parquet`` has every case of the quarter's signals as it is closed: ``partner_code``,
``signaal_id``, ``household_id`` (the signal's true household as ``households.parquet`` and
``signals.csv`` number it; empty for a signal of a non-resident), ``matchingsdatum``, the
final ``resultaat``, ``aantal_contactpogingen``, ``bereikt`` and ``datum_eerste_contact``,
and ``datum_afgesloten``, the day the case closes: weeks after matching, often after the
quarter's end (``demo.signals.CASE_DELAY_GAMMA``). The ``vroegsignaal_zaken`` extract of a
quarter lists every case of its signals and every case of the quarters before that was open
in the extract before it, each as it stands at the quarter's end: a case closed by then as
above, an open one without ``resultaat`` (``demo.signals.case_extract``). So the outcome of
a case as known at the extract of quarter *r* follows from these files alone: its extract
of *r* is the final one when ``datum_afgesloten`` is on or before *r*'s end.

The same config gives byte-identical files. Registers (addresses, residents, spells) depend
on the seed and the geography only, so every quarter of one seed shares them, apart from the
few households that move each quarter; signals and cases depend on the quarter too, and a
share of one quarter's signalled households is signalled again the next (``demo.history``).
The schuldhulp extract adds to the register spells the trajectories the signals of every
quarter since ``history.HISTORY_FROM`` set off (``demo.signals.schuldhulp_after_signals``).
The case extract lists the open cases of the quarters before as well (above).
``generate_quarters`` writes several quarters in one go.
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from demo import geography as geo_mod
from demo.common import day_number
from demo.history import population_at, rates_for, signal_quarters
from demo.population import (
    GEBRUIKSDOELEN,
    HOUSEHOLD_TYPES,
    LETTER_COMBOS,
    REGELINGEN,
    SCHULDHULP_SOORTEN,
    TOEVOEGINGEN,
    Population,
    build_population,
)
from demo.signals import (
    CASES_CARRIED,
    FAULTS,
    Rates,
    Signals,
    build_cases,
    build_signals,
    case_extract,
    first_signal_days,
    render_partner_files,
    schuldhulp_after_signals,
)
from orchestration import filemodes
from orchestration.parameters import Partner, partners
from orchestration.quarters import parse_quarter, quarter_end
from orchestration.settings import AMSTERDAM_AREA_FILE, Paths

DEFAULT_SYNTHETIC_HOUSEHOLDS = 10_000


@dataclass(frozen=True)
class MunicipalDialect:
    separator: str = ";"
    line_terminator: str = "\n"
    include_bom: bool = False
    quote_style: str = "necessary"


MUNICIPAL_DIALECTS: dict[str, MunicipalDialect] = {
    "bag_adressen": MunicipalDialect(";"),
    "brp_personen": MunicipalDialect(","),
    "wijken_buurten": MunicipalDialect(";", "\r\n", include_bom=True, quote_style="always"),
    "uitkeringen": MunicipalDialect(","),
    "schuldhulp": MunicipalDialect(";", "\r\n"),
    "vroegsignaal_zaken": MunicipalDialect(","),
}
"""Plain UTF-8 exports, with the small variations a gemeente's systems have."""


@dataclass(frozen=True)
class GeneratorConfig:
    """What to generate. ``geography``: ``amsterdam`` (the real CBS structure, household
    counts times ``scale``), ``reference`` (the gemeenten of ``reference_file``: its
    household counts times ``scale``, or ``households`` where it has none; see
    :func:`demo.geography.reference`) or ``synthetic`` (``households`` in invented
    gemeenten; the numbers of gemeenten, wijken and buurten follow from it unless given)."""

    quarter: str = "2026Q3"
    seed: int = 2026
    geography: str = "amsterdam"
    scale: float = 1.0
    households: int | None = None
    gemeenten: int | None = None
    wijken: int | None = None
    buurten: int | None = None
    rates: Rates = field(default_factory=Rates)
    reference_file: Path | None = None
    """Area file of ``reference`` (required) and ``amsterdam`` (default
    ``settings.AMSTERDAM_AREA_FILE``)."""


@dataclass
class GenerationSummary:
    quarter: str
    seed: int
    geography: str
    gemeenten: int
    wijken: int
    buurten: int
    addresses: int
    households: int
    residents: int
    signals: int
    """Signals generated (a duplicated row counts once)."""
    signal_rows: int
    """Partner rows written, duplicates included."""
    rows: dict[str, int]
    """Data rows written per source."""
    files: list[str]
    """Landing files written, relative to the data directory."""
    ground_truth: list[str]
    seconds: float

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    def __str__(self) -> str:
        return (
            f"{self.quarter} {self.geography} seed {self.seed}: "
            f"{self.households:,} households, {self.residents:,} residents, "
            f"{self.addresses:,} addresses in {self.buurten:,} buurten; {self.signals:,} signals "
            f"({self.signal_rows:,} partner rows) in {len(self.files)} files, {self.seconds:.1f} s"
        )


def build_geography(config: GeneratorConfig) -> geo_mod.Geography:
    if config.geography == "amsterdam":
        return geo_mod.amsterdam(
            config.reference_file or AMSTERDAM_AREA_FILE, config.scale, config.seed
        )
    if config.geography == "reference":
        if config.reference_file is None:
            raise ValueError("geography reference needs a reference_file")
        return geo_mod.reference(
            config.reference_file, config.scale, config.seed, households=config.households
        )
    if config.geography == "synthetic":
        return geo_mod.synthetic(
            config.households or DEFAULT_SYNTHETIC_HOUSEHOLDS,
            config.seed,
            gemeenten=config.gemeenten,
            wijken=config.wijken,
            buurten=config.buurten,
        )
    raise ValueError(f"unknown geography {config.geography!r} (amsterdam, reference or synthetic)")


def generate(config: GeneratorConfig, paths: Paths) -> GenerationSummary:
    """Write one quarter's landing files and its ground truth; see the module docstring."""
    return generate_quarters(config, [config.quarter], paths)[0]


def generate_quarters(
    config: GeneratorConfig,
    quarters: list[str],
    paths: Paths,
    on_quarter: Callable[[GenerationSummary], None] | None = None,
) -> list[GenerationSummary]:
    """Write several quarters of one city (``config`` with each quarter in turn) in one go:
    the geography and the registers are built once, each quarter gets its moves, signals and
    cases (``demo.history``). A quarter's files are the same as :func:`generate` writes for it
    alone. The first summary's seconds include the shared build; ``on_quarter`` is called
    with each summary as its quarter is written."""
    started = time.monotonic()
    for quarter in quarters:
        parse_quarter(quarter)
    geo = build_geography(config)
    base = build_population(geo, config.seed)
    history = _History(config, base, list(partners().values()))
    summaries = []
    for quarter in quarters:
        summary = _write_quarter(
            dataclasses.replace(config, quarter=quarter), geo, base, history, paths, started
        )
        if on_quarter is not None:
            on_quarter(summary)
        summaries.append(summary)
        started = time.monotonic()
    return summaries


class _History:
    """What the signals of earlier quarters set off, each quarter's worked out once per
    :func:`generate_quarters` call: the schuldhulp trajectories of every quarter since
    ``HISTORY_FROM`` (a quarter's depend on the earlier ones') and the cases of the
    :data:`~demo.signals.CASES_CARRIED` quarters before a written one (its extract lists
    those still open). A quarter not written in the call gets its signals drawn again (the
    same households on the same days), with their ids only where its cases are needed."""

    def __init__(
        self, config: GeneratorConfig, base: Population, partner_list: list[Partner]
    ) -> None:
        self.config, self.base, self.partner_list = config, base, partner_list
        self.spells: dict[str, dict[str, np.ndarray]] = {}
        self.cases: dict[str, pl.DataFrame] = {}

    def at(
        self, quarter: str, pop: Population, sig: Signals
    ) -> tuple[Population, dict[str, np.ndarray] | None, list[pl.DataFrame]]:
        """For ``quarter`` (registers ``pop``, signals ``sig``): its registers with every
        trajectory the signals since ``HISTORY_FROM`` set off; the trajectories its own
        signals set off (None before ``HISTORY_FROM``); and the cases of its signals and of
        the :data:`~demo.signals.CASES_CARRIED` quarters before it (since ``HISTORY_FROM``),
        earliest first."""
        earlier = signal_quarters(quarter)[-1 - CASES_CARRIED : -1]
        for q in earlier:
            if q not in self.cases:
                then = population_at(self.base, self.config.seed, q)
                self._cases(q, then, self._signals(q, then, ids=True))
        pop = self._cases(quarter, pop, sig)
        cases = [*(self.cases[q] for q in earlier), self.cases[quarter]]
        return pop, self.spells.get(quarter), cases

    def _signals(self, quarter: str, pop: Population, *, ids: bool) -> Signals:
        rates = rates_for(self.config.rates, quarter)
        return build_signals(pop, self.partner_list, quarter, self.config.seed, rates, ids=ids)

    def _cases(self, quarter: str, pop: Population, sig: Signals) -> Population:
        """Work out (once) the cases of ``quarter``'s signals ``sig``; return its registers
        ``pop`` with the trajectories after signals added to the schuldhulp spells."""
        after_signals = self._debt_help(quarter, sig)
        pop = dataclasses.replace(
            pop,
            spells_schuldhulp={
                k: np.concatenate([v, *(s[k] for s in after_signals)])
                for k, v in pop.spells_schuldhulp.items()
            },
        )
        if quarter not in self.cases:
            seed, rates = self.config.seed, rates_for(self.config.rates, quarter)
            self.cases[quarter] = build_cases(sig, pop, self.partner_list, quarter, seed, rates)
        return pop

    def _debt_help(self, quarter: str, sig: Signals) -> list[dict[str, np.ndarray]]:
        """Per quarter from ``HISTORY_FROM`` up to ``quarter`` (whose signals are ``sig``) the
        trajectories its signals set off."""
        seed = self.config.seed
        done: list[dict[str, np.ndarray]] = []
        for q in signal_quarters(quarter):
            if q not in self.spells:
                signals = (
                    sig
                    if q == quarter
                    else self._signals(q, population_at(self.base, seed, q), ids=False)
                )
                rates = rates_for(self.config.rates, q)
                self.spells[q] = schuldhulp_after_signals(signals, self.base, q, seed, rates, done)
            done.append(self.spells[q])
        return done


def _write_quarter(
    config: GeneratorConfig,
    geo: geo_mod.Geography,
    base: Population,
    history: _History,
    paths: Paths,
    started: float,
) -> GenerationSummary:
    """One quarter's landing files and ground truth, from the city's base registers."""
    quarter, seed = config.quarter, config.seed
    pop = population_at(base, seed, quarter)
    rates = rates_for(config.rates, quarter)
    partner_list = history.partner_list
    sig = build_signals(pop, partner_list, quarter, seed, rates)
    partner_files, truth = render_partner_files(sig, pop, geo, partner_list, quarter, seed, rates)
    pop, own, cases = history.at(quarter, pop, sig)

    q_last = day_number(quarter_end(quarter))
    born = pop.person_birth <= q_last
    written: list[Path] = []
    rows: dict[str, int] = {}
    for pf in partner_files:
        target = paths.landing_dir(quarter, pf.source) / pf.name
        _write_bytes(target, pf.data)
        written.append(target)
        rows[pf.source] = rows.get(pf.source, 0) + pf.rows

    # one municipal frame at a time, so a national set stays within a few GB
    builders: dict[str, Callable[[], pl.DataFrame]] = {
        "bag_adressen": lambda: _bag_frame(pop, geo),
        "brp_personen": lambda: _brp_frame(pop, born),
        "wijken_buurten": geo.areas_frame,
        "uitkeringen": lambda: _spell_frame(
            pop.spells_uitkering, pop, REGELINGEN, "regeling", q_last
        ),
        "schuldhulp": lambda: _spell_frame(
            pop.spells_schuldhulp, pop, SCHULDHULP_SOORTEN, "soort", q_last
        ),
        "vroegsignaal_zaken": lambda: case_extract(cases, quarter),
    }
    for source, build in builders.items():
        frame = build()
        target = paths.landing_dir(quarter, source) / f"{source}_{quarter}.csv"
        _write_frame(target, frame, MUNICIPAL_DIALECTS[source])
        written.append(target)
        rows[source] = frame.height
        del frame

    truth_dir = paths.ground_truth / quarter
    filemodes.restricted_dir(truth_dir)
    truth_files = [
        truth_dir / "signals.csv",
        truth_dir / "households.parquet",
        truth_dir / "cases.parquet",
        truth_dir / "summary.json",
    ]
    _atomic(truth_files[0], lambda tmp: truth.write_csv(tmp))
    _atomic(
        truth_files[1],
        lambda tmp: _households_frame(
            pop, geo, born, q_last, first_signal_days(sig, pop.households), own
        ).write_parquet(tmp),
    )
    _atomic(truth_files[2], lambda tmp: cases[-1].write_parquet(tmp))

    summary = GenerationSummary(
        quarter=quarter,
        seed=seed,
        geography=config.geography,
        gemeenten=len(geo.gemeente_codes),
        wijken=len(geo.wijk_codes),
        buurten=len(geo.buurt_codes),
        addresses=len(pop.addresses),
        households=pop.households,
        residents=int(born.sum()),
        signals=len(sig),
        signal_rows=truth.height,
        rows=rows,
        files=[str(p.relative_to(paths.data_dir)) for p in written],
        ground_truth=[str(p.relative_to(paths.data_dir)) for p in truth_files],
        seconds=0.0,
    )
    facts = summary.to_dict() | {
        "config": {k: v for k, v in asdict(config).items() if k != "reference_file"},
        "faults": {f: int(n) for f, n in truth.group_by("fault").len().sort("fault").iter_rows()},
        "fault_kinds": list(FAULTS),
    }
    facts.pop("seconds")
    _atomic(
        truth_files[3],
        lambda tmp: tmp.write_text(
            json.dumps(facts, indent=2, sort_keys=True) + "\n", encoding="utf-8", newline="\n"
        ),
    )
    summary.seconds = round(time.monotonic() - started, 2)
    return summary


# ---------------------------------------------------------------------------- frames


def _gather(values: list[str | None], idx: np.ndarray) -> pl.Series:
    return pl.Series(values, dtype=pl.String).gather(pl.Series(np.asarray(idx, dtype=np.int64)))


def _bag_frame(pop: Population, geo: geo_mod.Geography) -> pl.DataFrame:
    a = pop.addresses
    letters = [None, *(chr(65 + i) for i in range(26))]
    frame = pl.DataFrame(
        {
            "adres_id": a.adres_id,
            "pc4": a.pc4,
            "pc6": _gather(list(LETTER_COMBOS), a.pc6),
            "huisnummer": a.huisnummer,
            "huisletter": _gather(letters, a.huisletter),
            "huisnummertoevoeging": _gather([t or None for t in TOEVOEGINGEN], a.toevoeging),
            "straat": _gather(a.street_names, a.street),
            "woonplaats": _gather(geo.gemeente_names, a.gemeente),
            "buurtcode": _gather(
                [*geo.buurt_codes, None],
                np.where(a.buurt_listed >= 0, a.buurt_listed, len(geo.buurt_codes)),
            ),
            "gemeentecode": _gather(geo.gemeente_codes, a.gemeente),
            "gebruiksdoel": _gather(list(GEBRUIKSDOELEN), a.gebruiksdoel),
        }
    )
    return frame.select(
        pl.col("adres_id").cast(pl.String).str.zfill(16),
        (pl.col("pc4").cast(pl.String) + pl.col("pc6")).alias("postcode"),
        "huisnummer",
        "huisletter",
        "huisnummertoevoeging",
        "straat",
        "woonplaats",
        "buurtcode",
        "gemeentecode",
        "gebruiksdoel",
    )


def _brp_frame(pop: Population, born: np.ndarray) -> pl.DataFrame:
    idx = np.flatnonzero(born)
    return pl.DataFrame(
        {
            "bsn": pop.person_bsn[idx],
            "geboortedatum": pop.person_birth[idx].astype("datetime64[D]"),
            "adres_id": pop.addresses.adres_id[pop.person_address[idx]],
        }
    ).select(
        pl.col("bsn").cast(pl.String).str.zfill(9),
        pl.col("geboortedatum").cast(pl.Date),
        pl.col("adres_id").cast(pl.String).str.zfill(16),
    )


def _spell_frame(
    spells: dict[str, np.ndarray],
    pop: Population,
    codes: tuple[str, ...],
    code_column: str,
    q_last: int,
) -> pl.DataFrame:
    """Spells known at the quarter's end: started by then; einddatum empty while running."""
    started = np.flatnonzero(spells["start"] <= q_last)
    order = started[np.lexsort((spells["person"][started], spells["start"][started]))]
    end = spells["end"][order]
    frame = pl.DataFrame(
        {
            "bsn": pop.person_bsn[spells["person"][order]],
            code_column: _gather(list(codes), spells["code"][order]),
            "startdatum": spells["start"][order].astype("datetime64[D]"),
            "einddatum": np.where(end <= q_last, end, np.iinfo(np.int64).min).astype(
                "datetime64[D]"
            ),
        }
    ).with_columns(
        pl.col("bsn").cast(pl.String).str.zfill(9),
        pl.col("startdatum").cast(pl.Date),
        pl.col("einddatum").cast(pl.Date),
    )
    if code_column == "regeling":
        return frame.select("bsn", "regeling", "startdatum", "einddatum")
    return frame.select("bsn", "startdatum", "einddatum", "soort")


def _ages(birth: np.ndarray, day: int) -> np.ndarray:
    """Whole years on ``day`` (exact, birthdays counted)."""
    b = np.asarray(birth, dtype="int64").astype("datetime64[D]")
    d = np.datetime64(int(day), "D")
    by = b.astype("datetime64[Y]").astype(np.int64)
    dy = d.astype("datetime64[Y]").astype(np.int64)
    b_md = (b.astype("datetime64[M]").astype(np.int64) % 12) * 100 + (
        b - b.astype("datetime64[M]")
    ).astype(np.int64)
    d_md = (d.astype("datetime64[M]").astype(np.int64) % 12) * 100 + (
        d - d.astype("datetime64[M]")
    ).astype(np.int64)
    return dy - by - (d_md < b_md)


def _households_frame(
    pop: Population,
    geo: geo_mod.Geography,
    born: np.ndarray,
    q_last: int,
    first_signal: np.ndarray,
    after_signal: dict[str, np.ndarray] | None,
) -> pl.DataFrame:
    """The ground truth per household (module docstring); ``first_signal``: the day of each
    household's first signal of the quarter (-1: none), ``after_signal``: the trajectories
    the quarter's signals set off (None: before the history, no such trajectories)."""
    a = pop.addresses
    in_hh = born & (pop.person_household >= 0)
    hh = pop.person_household[in_hh]
    age = _ages(pop.person_birth[in_hh], q_last)
    n_h = pop.households
    residents = np.bincount(hh, minlength=n_h)
    minors = np.bincount(hh, weights=age < 18, minlength=n_h).astype(np.int64)
    oldest = np.full(n_h, -1, dtype=np.int64)
    np.maximum.at(oldest, hh, age)
    youngest = np.full(n_h, 200, dtype=np.int64)
    np.minimum.at(youngest, hh, age)
    addr = pop.hh_address
    never = np.iinfo(np.int64).min  # written as an empty date
    schuldhulp = np.full(n_h, never, dtype=np.int64)
    if after_signal is not None:
        schuldhulp[after_signal["household"]] = after_signal["start"]
    return pl.DataFrame(
        {
            "household_id": np.arange(n_h, dtype=np.int64),
            "adres_id": a.adres_id[addr],
            "buurtcode": _gather(
                [*geo.buurt_codes, ""],
                np.where(a.buurt_listed[addr] >= 0, a.buurt_listed[addr], len(geo.buurt_codes)),
            ),
            "true_buurtcode": _gather(geo.buurt_codes, a.buurt[addr]),
            "gemeentecode": _gather(geo.gemeente_codes, a.gemeente[addr]),
            "huishouden_type": _gather(list(HOUSEHOLD_TYPES), pop.hh_type),
            "bewoners": residents,
            "minderjarigen": minors,
            "oudste_leeftijd": oldest,
            "jongste_leeftijd": youngest,
            "huurwoning": a.huurwoning[addr],
            "eerste_signaaldatum": np.where(first_signal >= 0, first_signal, never).astype(
                "datetime64[D]"
            ),
            "schuldhulp_na_signaal": schuldhulp.astype("datetime64[D]"),
        }
    ).with_columns(
        pl.col("adres_id").cast(pl.String).str.zfill(16),
        pl.col("eerste_signaaldatum").cast(pl.Date),
        pl.col("schuldhulp_na_signaal").cast(pl.Date),
    )


# ---------------------------------------------------------------------------- writing


def _atomic(target: Path, write: object) -> None:
    """Write ``target`` whole (temp file, then rename); landing files and ground truth are
    restricted (0600 in 0700 folders, orchestration/filemodes.py)."""
    filemodes.restricted_dir(target.parent)
    tmp = target.with_name(target.name + ".part")
    write(tmp)  # type: ignore[operator]
    filemodes.restrict(tmp)
    os.replace(tmp, target)


def _write_bytes(target: Path, data: bytes) -> None:
    _atomic(target, lambda tmp: tmp.write_bytes(data))


def _write_frame(target: Path, frame: pl.DataFrame, d: MunicipalDialect) -> None:
    _atomic(
        target,
        lambda tmp: frame.write_csv(
            tmp,
            separator=d.separator,
            line_terminator=d.line_terminator,
            include_bom=d.include_bom,
            quote_style=d.quote_style,
            date_format="%Y-%m-%d",
            null_value="",  # type: ignore[arg-type]
        ),
    )
