"""Read the parameters kept as data in ``seeds/`` (the single place for each of them)."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from orchestration.settings import SEEDS_DIR


def read_seed(name: str, seeds_dir: Path = SEEDS_DIR) -> list[dict[str, str]]:
    with (seeds_dir / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@dataclass(frozen=True)
class Partner:
    code: str
    naam: str
    partner_type: str
    encoding_hint: str | None = None
    delimiter_hint: str | None = None
    date_format_hint: str | None = None
    header_mapping: dict[str, str] = field(default_factory=dict)
    """Partner header (lower-cased, stripped) -> canonical field."""


@cache
def partners() -> dict[str, Partner]:
    mapping: dict[str, dict[str, str]] = {}
    for row in read_seed("partner_header_mapping"):
        mapping.setdefault(row["partner_code"], {})[row["partner_header"].strip().lower()] = row[
            "canonical_field"
        ]
    return {
        row["partner_code"]: Partner(
            code=row["partner_code"],
            naam=row["partner_naam"],
            partner_type=row["partner_type"],
            encoding_hint=row["encoding_hint"] or None,
            delimiter_hint=row["delimiter_hint"] or None,
            date_format_hint=row["date_format_hint"] or None,
            header_mapping=mapping.get(row["partner_code"], {}),
        )
        for row in read_seed("partner_registry")
    }


@cache
def publication_groups() -> dict[str, str]:
    """Partner type -> publication group (energie, water, huur, zorg, overig)."""
    return {row["partner_type"]: row["publicatiegroep"] for row in read_seed("partner_types")}


@cache
def help_accepted_results() -> frozenset[str]:
    return frozenset(
        row["resultaat"]
        for row in read_seed("resultaat_codes")
        if row["hulp_geaccepteerd"] == "true"
    )


@cache
def resultaat_codes() -> frozenset[str]:
    return frozenset(row["resultaat"] for row in read_seed("resultaat_codes"))


@cache
def regelingen(bron: str) -> frozenset[str]:
    """Code list of ``uitkeringen`` (regeling) or ``schuldhulp`` (soort)."""
    return frozenset(row["code"] for row in read_seed("regelingen") if row["bron"] == bron)


def _numeric_parameters(name: str) -> dict[str, float]:
    return {row["parameter"]: float(row["value"]) for row in read_seed(name)}


@cache
def pipeline_parameters() -> dict[str, str]:
    """``seeds/pipeline_parameters.csv``: first quarter, delivery window, landing-file limits."""
    return {row["parameter"]: row["value"] for row in read_seed("pipeline_parameters")}


@cache
def disclosure_parameters() -> dict[str, float]:
    return _numeric_parameters("disclosure_parameters")


@cache
def persona_parameters() -> dict[str, float]:
    return _numeric_parameters("persona_parameters")


@dataclass(frozen=True)
class Indicator:
    name: str
    kind: str  # count, rate, median
    unit: str
    numerator: str | None
    denominator: str | None
    scale: float | None
    omschrijving: str
    periodesoorten: tuple[str, ...] = ()
    """The period types named in ``seeds/indicators.csv``; empty: every period type computed
    without delay (``period_types``)."""

    def period_types(self) -> tuple[str, ...]:
        """The period types that carry the indicator (dbt: ``indicator_period_types``)."""
        return self.periodesoorten or tuple(p.period_type for p in periods() if not p.vertraging)

    def quarter_scale(self) -> float:
        """Multiplier of a rate over one quarter: the seed's scale, divided by the quarter's 3
        months when the unit is per month (``per 1000 inwoners per maand``); dbt's
        ``rate_period_divisor`` is the same rule for every period."""
        return (self.scale or 1.0) / (3 if self.unit.endswith("per maand") else 1)


@cache
def indicators() -> tuple[Indicator, ...]:
    return tuple(
        Indicator(
            name=row["indicator"],
            kind=row["kind"],
            unit=row["unit"],
            numerator=row["numerator"] or None,
            denominator=row["denominator"] or None,
            scale=float(row["scale"]) if row["scale"] else None,
            omschrijving=row["omschrijving"],
            periodesoorten=tuple(p.strip() for p in row["periodesoorten"].split(",") if p.strip()),
        )
        for row in read_seed("indicators")
    )


@cache
def indicator_by_name() -> dict[str, Indicator]:
    return {i.name: i for i in indicators()}


def period_indicators(period_type: str) -> tuple[Indicator, ...]:
    """The indicators ``period_type`` carries (``Indicator.period_types``), in seed order."""
    return tuple(i for i in indicators() if period_type in i.period_types())


@dataclass(frozen=True)
class Period:
    """A period type of ``seeds/periods.csv``: ``kwartaal`` (1 quarter), ``vier_kwartalen`` (4),
    ``cohort_zes_maanden`` (1, computed two quarters later)."""

    period_type: str
    quarters: int
    vertraging: int
    """Quarters after its last quarter that the period is computed and published: 0, or 2 for
    the cohort followed for six months (a row of the publication of that later quarter)."""
    published: bool
    """Whether protect puts it in the candidate publication (docs/periods-plan.md)."""
    niveaus: tuple[str, ...]
    """The area levels published for it (``niveaus``: ``gemeente, wijk`` for the quarter; its
    other levels are computed by dbt but not published, ``contract.publication_scope``)."""
    omschrijving: str


@cache
def periods() -> tuple[Period, ...]:
    return tuple(
        Period(
            period_type=row["period_type"],
            quarters=int(row["quarters"]),
            vertraging=int(row["vertraging"]),
            published=row["published"] == "true",
            niveaus=levels_of(row["niveaus"]),
            omschrijving=row["omschrijving"],
        )
        for row in read_seed("periods")
    )


def name_matches(pattern: str, name: str) -> bool:
    """``name`` is ``pattern``, or starts with it when it ends in ``*`` (``hh_persona_*``)."""
    if pattern.endswith("*"):
        return name.startswith(pattern[:-1])
    return name == pattern


def levels_of(text: str) -> tuple[str, ...]:
    """A seed's comma-separated list of area levels (``"gemeente, wijk"``)."""
    return tuple(level.strip() for level in text.split(","))


@dataclass(frozen=True)
class PublicationLevels:
    """A row of ``seeds/publicatie_niveaus.csv``: the area levels an indicator is published at,
    where that is fewer than every level. ``indicator`` may end in ``*`` (a prefix)."""

    indicator: str
    niveaus: tuple[str, ...]
    omschrijving: str

    def matches(self, name: str) -> bool:
        return name_matches(self.indicator, name)


@cache
def publication_levels() -> tuple[PublicationLevels, ...]:
    return tuple(
        PublicationLevels(
            indicator=row["indicator"],
            niveaus=levels_of(row["niveaus"]),
            omschrijving=row["omschrijving"],
        )
        for row in read_seed("publicatie_niveaus")
    )


@dataclass(frozen=True)
class SuppressionCost:
    """A weight of ``seeds/suppression_costs.csv``: the cost of suppressing a cell is
    ``(value + 1)`` times the weight of its area level, its period type and its indicator (1
    where the seed names none). ``value`` may end in ``*`` (a prefix, e.g. ``hh_persona_*``)."""

    dimension: str  # area_level, period_type or indicator
    value: str
    weight: float
    last_resort: bool
    """Cells of this indicator are complements only when no other cell will do."""

    def matches(self, name: str) -> bool:
        return name_matches(self.value, name)


@cache
def suppression_costs() -> tuple[SuppressionCost, ...]:
    return tuple(
        SuppressionCost(
            dimension=row["dimension"],
            value=row["value"],
            weight=float(row["weight"]),
            last_resort=row["last_resort"] == "true",
        )
        for row in read_seed("suppression_costs")
    )


@dataclass(frozen=True)
class IndicatorDefinition:
    """An indicator in words (``seeds/indicator_definities.csv``, Dutch): what analysts read in
    the published dictionary, and the area levels the indicator is defined at."""

    label: str
    periode: str
    """What the indicator counts over: the period, or its end (``einde kwartaal``)."""
    niveaus: tuple[str, ...]
    """The area levels it exists at (the ``niveau`` column: ``buurt, wijk, gemeente`` or
    ``gemeente``); at other levels it is 0 by definition and has no cell."""
    bronvelden: str
    definitie: str
    landelijk: str
    """The Divosa / DDAS definition it follows, or why it differs."""


@cache
def indicator_definitions() -> dict[str, IndicatorDefinition]:
    """Indicator name -> its definition in words."""
    return {
        row["indicator"]: IndicatorDefinition(
            label=row["label"],
            periode=row["periode"],
            niveaus=levels_of(row["niveau"]),
            bronvelden=row["bronvelden"],
            definitie=row["definitie"],
            landelijk=row["landelijk"],
        )
        for row in read_seed("indicator_definities")
    }


@dataclass(frozen=True)
class IndicatorKind:
    """How an indicator kind is published (``seeds/indicator_kinds.csv``)."""

    kind: str
    soort: str
    """The kind in Dutch (aantal, verhouding, mediaan)."""
    decimalen: int
    """Decimals a value of this kind is rounded to; 0: a whole number (BIGINT)."""


@cache
def indicator_kinds() -> dict[str, IndicatorKind]:
    return {
        row["kind"]: IndicatorKind(row["kind"], row["soort"], int(row["decimalen"]))
        for row in read_seed("indicator_kinds")
    }


@dataclass(frozen=True)
class NationalReference:
    """A national figure to compare an indicator with (``seeds/landelijke_referentie.csv``),
    as cited: value, unit, year, source address and a Dutch note."""

    indicator: str
    waarde: float
    eenheid: str
    jaar: int
    bron: str
    toelichting: str


@cache
def national_references() -> tuple[NationalReference, ...]:
    return tuple(
        NationalReference(
            indicator=row["indicator"],
            waarde=float(row["waarde"]),
            eenheid=row["eenheid"],
            jaar=int(row["jaar"]),
            bron=row["bron"],
            toelichting=row["toelichting"],
        )
        for row in read_seed("landelijke_referentie")
    )
