"""What each landing source delivers and where it goes: specifications as data.

One :class:`SourceSpec` per source kind: the canonical fields with their type, whether the
column (and its value) is required, accepted header aliases and validation rules; the
columns that are personal data (recognised, never read, never stored); the raw table and its
columns; the key on which a second occurrence within the quarter is a duplicate.

All partner sources share :data:`SIGNALEN` (their header names come from the partner
registry, ``seeds/partner_header_mapping.csv``); the municipal sources each have their own.
The code that applies a spec is in :mod:`orchestration.ingestion.validate`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from orchestration.ingestion.address_keys import BAG_KEYS, SIGNAL_KEYS
from orchestration.parameters import partners, publication_groups, regelingen, resultaat_codes
from orchestration.pseudonym import PSEUDONYM_SQL_TYPE as PSEUDONYM

MUNICIPAL_SOURCES: tuple[str, ...] = (
    "bag_adressen",
    "brp_personen",
    "wijken_buurten",
    "uitkeringen",
    "schuldhulp",
    "vroegsignaal_zaken",
)

# Personal data: recognised so they are not reported as unknown, but never read or stored.
PERSONAL_FIELDS: dict[str, tuple[str, ...]] = {
    "naam": (
        "achternaam",
        "geslachtsnaam",
        "voornaam",
        "voornamen",
        "tussenvoegsel",
        "volledige naam",
        "name",
        "klantnaam",
        "naam klant",
        "aanschrijfnaam",
    ),
    "voorletters": ("initialen",),
    "straat": (
        "straatnaam",
        "openbare ruimte",
        "openbareruimtenaam",
        "openbare_ruimte",
        "adres",
        "street",
    ),
    "woonplaats": ("plaats", "plaatsnaam", "woonplaatsnaam", "city"),
    "telefoon": ("telefoonnummer", "tel", "telefoonnr", "mobiel", "phone"),
    "email": ("e-mail", "emailadres", "e-mailadres", "mail"),
    "klantnummer": ("klantnr", "debiteurnummer", "contractnummer", "customer number"),
    "geboortedatum": ("geb datum", "geb. datum", "date of birth"),
    "bsn": ("burgerservicenummer",),
}

# Field kinds (see validate.py for what each one checks).
TEXT, CODE, DATE, AMOUNT, INT, BOOL = "text", "code", "date", "amount", "int", "bool"
POSTCODE, HUISNUMMER, HUISLETTER, TOEVOEGING = "postcode", "huisnummer", "huisletter", "toevoeging"
BSN, BSN_LENIENT, ADRES_ID = "bsn", "bsn_lenient", "adres_id"
AREA_CODE, BUURTCODE, GEMEENTECODE, PARTNER_CODE = (
    "area_code",
    "buurtcode",
    "gemeentecode",
    "partner",
)


@dataclass(frozen=True)
class Field:
    name: str
    kind: str
    required: bool = False
    """The column must be in the header and every row must have a value."""
    column_required: bool = False
    """The column must be in the header; a row may leave it empty."""
    aliases: tuple[str, ...] = ()
    codes: Callable[[], frozenset[str]] | None = None
    not_after_quarter_end: bool = False
    positive: bool = False


@dataclass(frozen=True)
class SourceSpec:
    kind: str
    table: str
    fields: tuple[Field, ...]
    columns: tuple[tuple[str, str], ...]
    """Raw table columns after quarter, source, file_name, line_number: (name, SQL type)."""
    duplicate_key: tuple[str, ...] = ()
    duplicate_reason: str = ""
    dropped: tuple[str, ...] = ()
    """Known columns that are not stored (besides the personal ones)."""
    personal: tuple[str, ...] = tuple(PERSONAL_FIELDS)
    field_map: dict[str, Field] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "field_map", {f.name: f for f in self.fields})


def partner_types() -> frozenset[str]:
    return frozenset(publication_groups())


def partner_codes() -> frozenset[str]:
    return frozenset(partners())


COMMON_COLUMNS: tuple[tuple[str, str], ...] = (
    ("quarter", "VARCHAR"),
    ("source", "VARCHAR"),
    ("file_name", "VARCHAR"),
    ("line_number", "INTEGER"),
)

_ADDRESS_FIELDS = (
    Field("huisletter", HUISLETTER, aliases=("letter",)),
    Field(
        "huisnummertoevoeging",
        TOEVOEGING,
        aliases=("toevoeging", "huisnummer toevoeging", "toev", "huisnr toevoeging"),
    ),
)

SIGNALEN = SourceSpec(
    kind="signalen",
    table="signalen",
    fields=(
        Field("signaal_id", TEXT, required=True),
        Field("partner_type", CODE, codes=partner_types),
        Field("signaaldatum", DATE, required=True, not_after_quarter_end=True),
        Field("startdatum_achterstand", DATE, not_after_quarter_end=True),
        Field("achterstand_bedrag", AMOUNT, required=True, positive=True),
        Field("dagen_achterstand", INT),
        Field("crisissignaal", BOOL),
        Field("warme_overdracht", BOOL),
        Field("eindelevering", BOOL),
        Field("postcode", POSTCODE, required=True),
        Field("huisnummer", HUISNUMMER, required=True),
        *_ADDRESS_FIELDS,
        Field("bsn", BSN_LENIENT, aliases=("burgerservicenummer",)),
    ),
    columns=(
        ("partner_code", "VARCHAR"),
        ("partner_type", "VARCHAR"),
        ("signaal_id", PSEUDONYM),
        ("signaaldatum", "DATE"),
        ("startdatum_achterstand", "DATE"),
        ("achterstand_bedrag", "DECIMAL(12,2)"),
        ("dagen_achterstand", "INTEGER"),
        ("crisissignaal", "BOOLEAN"),
        ("warme_overdracht", "BOOLEAN"),
        ("eindelevering", "BOOLEAN"),
        ("pc4_sleutel", PSEUDONYM),
        ("adres_sleutel", PSEUDONYM),
        *((name, PSEUDONYM) for name in SIGNAL_KEYS),
        ("bsn_pseudo", PSEUDONYM),
    ),
    duplicate_key=("signaal_id",),
    duplicate_reason="duplicate signaal_id",
    personal=tuple(k for k in PERSONAL_FIELDS if k != "bsn"),
)

BAG_ADRESSEN = SourceSpec(
    kind="bag_adressen",
    table="bag_adressen",
    fields=(
        Field(
            "adres_id",
            ADRES_ID,
            required=True,
            aliases=(
                "nummeraanduiding_id",
                "nummeraanduiding",
                "identificatie",
                "bag_id",
                "nummeraanduidingid",
                "nummeraanduiding id",
            ),
        ),
        Field("postcode", POSTCODE, required=True),
        Field("huisnummer", HUISNUMMER, required=True),
        *_ADDRESS_FIELDS,
        Field("buurtcode", BUURTCODE, aliases=("buurt_code", "buurt code", "buurt")),
        Field("gemeentecode", GEMEENTECODE, aliases=("gemeente_code", "gemeente code")),
        Field("gebruiksdoel", TEXT, column_required=True, aliases=("gebruiksdoelen",)),
    ),
    columns=(
        ("adres_pseudo", PSEUDONYM),
        ("adres_sleutel", PSEUDONYM),
        ("pc4_sleutel", PSEUDONYM),
        *((name, PSEUDONYM) for name in BAG_KEYS),
        ("buurtcode", "VARCHAR"),
        ("gemeentecode", "VARCHAR"),
        ("is_woonfunctie", "BOOLEAN"),
    ),
    duplicate_key=("adres_pseudo",),
    duplicate_reason="duplicate adres_id",
    personal=tuple(k for k in PERSONAL_FIELDS if k not in ("bsn", "geboortedatum")),
    dropped=("wijkcode", "woonplaatscode", "oppervlakte", "status", "x", "y", "lat", "lon"),
)

BRP_PERSONEN = SourceSpec(
    kind="brp_personen",
    table="brp_personen",
    fields=(
        Field("bsn", BSN, required=True, aliases=("burgerservicenummer",)),
        Field(
            "geboortedatum",
            DATE,
            required=True,
            not_after_quarter_end=True,
            aliases=("geb datum", "geb. datum"),
        ),
        Field(
            "adres_id",
            ADRES_ID,
            required=True,
            aliases=("nummeraanduiding_id", "nummeraanduiding", "adresseerbaar_object_id"),
        ),
    ),
    columns=(
        ("bsn_pseudo", PSEUDONYM),
        ("adres_pseudo", PSEUDONYM),
        ("leeftijd", "INTEGER"),
    ),
    duplicate_key=("bsn_pseudo",),
    duplicate_reason="duplicate bsn",
    personal=tuple(k for k in PERSONAL_FIELDS if k not in ("bsn", "geboortedatum")),
    dropped=(
        "postcode",
        "huisnummer",
        "huisletter",
        "huisnummertoevoeging",
        "toevoeging",
        "geslacht",
        "nationaliteit",
        "burgerlijke staat",
        "datum inschrijving",
    ),
)

WIJKEN_BUURTEN = SourceSpec(
    kind="wijken_buurten",
    table="wijken_buurten",
    fields=(
        Field(
            "area_code",
            AREA_CODE,
            required=True,
            aliases=(
                "code",
                "gebiedscode",
                "regiocode",
                "wijkenenbuurten",
                "wijken en buurten code",
                "regiocode (gemeente, wijk, buurt) (code)",
                "codering",
                "codering_3",
            ),
        ),
        Field(
            "area_name",
            TEXT,
            aliases=(
                "naam",
                "name",
                "gebiedsnaam",
                "regionaam",
                "wijken en buurten",
                "regioaanduiding",
            ),
        ),
        Field(
            "parent_code",
            TEXT,
            aliases=(
                "parent",
                "parent code",
                "ouder",
                "ouder_code",
                "bovenliggende_code",
                "bovenliggend gebied",
            ),
        ),
    ),
    columns=(
        ("area_code", "VARCHAR"),
        ("area_level", "VARCHAR"),
        ("area_name", "VARCHAR"),
        ("parent_code", "VARCHAR"),
    ),
    duplicate_key=("area_code",),
    duplicate_reason="duplicate area_code",
    personal=(),
    dropped=("area_level", "soort", "soortregio", "niveau", "perioden"),
)

UITKERINGEN = SourceSpec(
    kind="uitkeringen",
    table="uitkeringen",
    fields=(
        Field("bsn", BSN, required=True, aliases=("burgerservicenummer",)),
        Field(
            "regeling",
            CODE,
            required=True,
            codes=lambda: regelingen("uitkeringen"),
            aliases=("uitkering", "wet"),
        ),
        Field("startdatum", DATE, required=True, aliases=("begindatum", "ingangsdatum")),
        Field("einddatum", DATE, aliases=("einddatum uitkering",)),
    ),
    columns=(
        ("bsn_pseudo", PSEUDONYM),
        ("regeling", "VARCHAR"),
        ("startdatum", "DATE"),
        ("einddatum", "DATE"),
    ),
    personal=tuple(k for k in PERSONAL_FIELDS if k != "bsn"),
)

SCHULDHULP = SourceSpec(
    kind="schuldhulp",
    table="schuldhulp",
    fields=(
        Field("bsn", BSN, required=True, aliases=("burgerservicenummer",)),
        Field(
            "soort",
            CODE,
            required=True,
            codes=lambda: regelingen("schuldhulp"),
            aliases=("traject", "soort traject", "type"),
        ),
        Field("startdatum", DATE, required=True, aliases=("begindatum",)),
        Field("einddatum", DATE),
    ),
    columns=(
        ("bsn_pseudo", PSEUDONYM),
        ("soort", "VARCHAR"),
        ("startdatum", "DATE"),
        ("einddatum", "DATE"),
    ),
    personal=tuple(k for k in PERSONAL_FIELDS if k != "bsn"),
)

VROEGSIGNAAL_ZAKEN = SourceSpec(
    kind="vroegsignaal_zaken",
    table="vroegsignaal_zaken",
    fields=(
        Field(
            "partner_code",
            PARTNER_CODE,
            required=True,
            codes=partner_codes,
            aliases=("partner", "partnercode", "partner code"),
        ),
        Field("signaal_id", TEXT, required=True),
        Field("matchingsdatum", DATE),
        Field("resultaat", CODE, codes=resultaat_codes, aliases=("eindresultaat",)),
        Field("aantal_contactpogingen", INT, aliases=("contactpogingen",)),
        Field("bereikt", BOOL),
        Field("datum_eerste_contact", DATE),
    ),
    columns=(
        ("partner_code", "VARCHAR"),
        ("signaal_id", PSEUDONYM),
        ("matchingsdatum", "DATE"),
        ("resultaat", "VARCHAR"),
        ("aantal_contactpogingen", "INTEGER"),
        ("bereikt", "BOOLEAN"),
        ("datum_eerste_contact", "DATE"),
    ),
    duplicate_key=("partner_code", "signaal_id"),
    duplicate_reason="duplicate signaal_id",
)

MUNICIPAL_SPECS: dict[str, SourceSpec] = {
    "bag_adressen": BAG_ADRESSEN,
    "brp_personen": BRP_PERSONEN,
    "wijken_buurten": WIJKEN_BUURTEN,
    "uitkeringen": UITKERINGEN,
    "schuldhulp": SCHULDHULP,
    "vroegsignaal_zaken": VROEGSIGNAAL_ZAKEN,
}

ALL_SPECS: tuple[SourceSpec, ...] = (SIGNALEN, *MUNICIPAL_SPECS.values())


def spec_for(source: str) -> SourceSpec:
    """The spec of a landing source: a municipal source or a partner of the registry."""
    if source in MUNICIPAL_SPECS:
        return MUNICIPAL_SPECS[source]
    if source in partners():
        return SIGNALEN
    raise ValueError(
        f"unknown source {source!r}: not a partner in seeds/partner_registry.csv and not one of "
        f"{', '.join(MUNICIPAL_SOURCES)}"
    )
