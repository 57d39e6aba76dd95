"""Apply a :class:`~orchestration.ingestion.sources.SourceSpec` to delivered fields.

Three steps, all vectorised Polars except the pseudonym HMAC (batched, one call per
distinct value):

1. :func:`map_header`: delivered header -> canonical field positions (canonical names and
   aliases from any source, the partner's own names from the registry), unknown columns;
2. :func:`check`: normalise every field and find, per row, the first rule it breaks
   (``reason``; NULL when the row is valid). Reasons name fields and rules, never values.
   Besides the field rules: a record holding a NUL byte, a value longer than
   :data:`MAX_VALUE_CHARS` (no delivered field is that long: it is a broken line or an
   attack, not data), and a column delivered twice with different values in the row;
3. :func:`build`: valid rows -> the raw table's columns, with pseudonyms and derived values.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from orchestration.ingestion import address_keys, pseudo
from orchestration.ingestion import normalise as nz
from orchestration.ingestion import sources as S
from orchestration.ingestion.pseudo import BatchPseudonymiser
from orchestration.ingestion.reading import normalise_header
from orchestration.parameters import Partner


@dataclass
class Context:
    quarter: str
    source: str
    quarter_end: date
    partner: Partner | None
    pseudonyms: BatchPseudonymiser

    @property
    def date_format_hint(self) -> str | None:
        return self.partner.date_format_hint if self.partner else None


MAX_VALUE_CHARS = 255
"""Longest value accepted in any read field (after stripping); longer is quarantined."""


@dataclass
class HeaderMap:
    positions: dict[str, int] = field(default_factory=dict)
    """Canonical field -> column position (first occurrence)."""
    personal: list[int] = field(default_factory=list)
    """Positions of recognised personal-data and other unused columns (never read)."""
    unknown: list[str] = field(default_factory=list)
    """Unknown or duplicate columns, as labels safe to report."""
    repeated: dict[str, int] = field(default_factory=dict)
    """A canonical field delivered again: ``<field>#<position>`` -> position. Read, and
    compared with the first occurrence (a conflict quarantines the row)."""
    looks_like_data: bool = False
    """The header line looks like a data row (see :func:`header_looks_like_data`)."""


_DATA_LIKE = re.compile(
    r"\d{4,}|@|^\d+[.,]\d+$|^[1-9]\d{3} ?[A-Za-z]{2}$|^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}$"
)


def header_looks_like_data(header: list[str]) -> bool:
    """True when a header cell looks like a value (a date, number, postcode, e-mail address):
    then the first line is probably a data row and no header cell may be reported."""
    return any(_DATA_LIKE.search(cell.strip()) for cell in header)


def safe_label(name: str, position: int, suspicious: bool = False) -> str:
    """A header cell as it may be reported: never something that may be a delivered value."""
    if suspicious or _DATA_LIKE.search(name.strip()) or len(name) > 60:
        return f"column {position + 1} (name not shown: the header looks like data)"
    return name


def _key(name: str) -> str:
    return normalise_header(name).replace("_", " ")


def map_header(header: list[str], spec: S.SourceSpec, partner: Partner | None) -> HeaderMap:
    """Canonical names and aliases first, then the partner's registry names; recognised
    personal-data columns are skipped, anything else is unknown (reported, ignored)."""
    lookup: dict[str, str] = {}
    for f in spec.fields:
        for name in (f.name, *f.aliases):
            lookup.setdefault(_key(name), f.name)
    unused: dict[str, str] = {}
    for canonical in spec.personal:
        for name in (canonical, *S.PERSONAL_FIELDS.get(canonical, ())):
            unused.setdefault(_key(name), canonical)
    for name in spec.dropped:
        unused.setdefault(_key(name), name)
    partner_map = {_key(k): v for k, v in (partner.header_mapping if partner else {}).items()}

    result = HeaderMap(looks_like_data=header_looks_like_data(header))
    for position, cell in enumerate(header):
        key = _key(cell)
        if not key:
            continue
        canonical = lookup.get(key) or partner_map.get(key)
        if canonical is not None and canonical in spec.field_map:
            if canonical in result.positions:
                label = safe_label(cell, position, result.looks_like_data)
                result.unknown.append(f"{label} (duplicate of {canonical})")
                result.repeated[f"{canonical}#{position}"] = position
            else:
                result.positions[canonical] = position
        elif key in unused or canonical is not None:
            result.personal.append(position)  # personal data or mapped to an unused field
        else:
            result.unknown.append(safe_label(cell, position, result.looks_like_data))
    return result


# --- checks ---------------------------------------------------------------------------------

_INVALID = {
    S.DATE: "invalid date in {}",
    S.AMOUNT: "invalid amount in {}",
    S.INT: "invalid number in {}",
    S.BOOL: "invalid boolean in {}",
    S.POSTCODE: "invalid postcode",
    S.HUISNUMMER: "invalid huisnummer",
    S.BSN: "invalid bsn",
    S.ADRES_ID: "invalid adres_id",
    S.AREA_CODE: "invalid area code",
    S.BUURTCODE: "invalid buurtcode",
    S.GEMEENTECODE: "invalid gemeentecode",
}


INVALID_TOEVOEGING = (
    "invalid huisletter or huisnummertoevoeging (the BAG allows one letter A-Z and an "
    "addition of at most 4 letters or digits)"
)


def _parsed(
    f: S.Field, ctx: Context, cleaned: dict[str, pl.Series], present: set[str]
) -> pl.Series:
    raw = cleaned[f.name]
    kind = f.kind
    if kind in (S.TEXT, S.HUISLETTER, S.TOEVOEGING):
        return raw
    if kind in (S.CODE, S.PARTNER_CODE):
        return nz.code(raw)
    if kind == S.DATE:
        return nz.parse_date(raw, ctx.date_format_hint)
    if kind == S.AMOUNT:
        return nz.amount(raw)
    if kind == S.INT:
        return nz.integer(raw)
    if kind == S.BOOL:
        return nz.boolean(raw)
    if kind == S.POSTCODE:
        return nz.postcode(raw)
    if kind == S.HUISNUMMER:
        letter = cleaned["huisletter"] if "huisletter" in present else None
        addition = cleaned["huisnummertoevoeging"] if "huisnummertoevoeging" in present else None
        return nz.split_huisnummer(raw, letter, addition).to_struct(f.name)
    if kind in (S.BSN, S.BSN_LENIENT):
        return nz.bsn(raw)
    if kind == S.ADRES_ID:
        return nz.adres_id(raw)
    if kind == S.AREA_CODE:
        return nz.area_code(raw)
    if kind == S.BUURTCODE:
        return nz.buurtcode(raw)
    if kind == S.GEMEENTECODE:
        return nz.gemeentecode(raw)
    raise ValueError(f"unknown field kind {kind!r}")


def _is_invalid(f: S.Field, parsed: pl.Expr) -> pl.Expr | None:
    if f.kind == S.HUISNUMMER:
        return parsed.struct.field("huisnummer").is_null()
    if f.kind in _INVALID:
        return parsed.is_null()
    return None


def check(fields: pl.DataFrame, spec: S.SourceSpec, ctx: Context, n_columns: int) -> pl.DataFrame:
    """Cleaned fields, parsed fields (``p_<field>``) and ``reason`` (NULL for a valid row).

    ``fields`` comes from :func:`reading.split_fields`; fields missing from the header are
    added as NULL so the rules read the same for every file.
    """
    height = fields.height
    present = {f.name for f in spec.fields if f.name in fields.columns}
    cleaned = {
        f.name: (
            nz.clean(fields.get_column(f.name))
            if f.name in present
            else nz.nulls(f.name, height, pl.String)
        )
        for f in spec.fields
    }
    parsed = {
        f"p_{f.name}": _parsed(f, ctx, cleaned, present).alias(f"p_{f.name}") for f in spec.fields
    }
    extra = _extra_columns(spec, cleaned, parsed)
    repeated = {name: nz.clean(fields.get_column(name)) for name in fields.columns if "#" in name}
    frame = fields.select("line_number", "n_fields", "blank", "odd_quotes", "nul").with_columns(
        *cleaned.values(), *parsed.values(), *extra, *repeated.values()
    )

    rules: list[tuple[pl.Expr, pl.Expr]] = [
        (pl.col("blank"), pl.lit("empty line")),
        (pl.col("nul"), pl.lit("NUL byte in the line (binary garbage)")),
        (pl.col("odd_quotes"), pl.lit("unterminated quoted field")),
        (
            pl.col("n_fields") != n_columns,
            pl.format(
                "wrong number of fields: {}, expected {}", pl.col("n_fields"), pl.lit(n_columns)
            ),
        ),
    ]
    for name in repeated:
        first = name.split("#")[0]
        rules.append(
            (
                pl.col(name).ne_missing(pl.col(first)),
                pl.lit(f"column {first} delivered twice with different values"),
            )
        )
    for f in spec.fields:
        raw, value = pl.col(f.name), pl.col(f"p_{f.name}")
        rules.append(
            (
                raw.str.len_chars() > MAX_VALUE_CHARS,
                pl.lit(f"value too long in {f.name} (over {MAX_VALUE_CHARS} characters)"),
            )
        )
        if f.required:
            rules.append((raw.is_null(), pl.lit(f"missing required field {f.name}")))
        invalid = _is_invalid(f, value)
        if invalid is not None:
            rules.append((raw.is_not_null() & invalid, pl.lit(_INVALID[f.kind].format(f.name))))
        if f.kind == S.HUISNUMMER:
            addition = value.struct.field("huisnummertoevoeging")
            rules.append((~addition.str.contains(nz.TOEVOEGING_RE), pl.lit(INVALID_TOEVOEGING)))
        if f.codes is not None:
            codes = sorted(f.codes())
            rules.append((value.is_not_null() & ~value.is_in(codes), pl.lit(f"unknown {f.name}")))
        if f.kind == S.AMOUNT:
            number = value.cast(pl.Float64, strict=False)
            rules.append((number.abs() >= 9_999_999_999.995, pl.lit(f"invalid amount in {f.name}")))
            if f.positive:
                rules.append((number < 0.005, pl.lit("amount must be > 0")))
        if f.not_after_quarter_end:
            rules.append((value > pl.lit(ctx.quarter_end), pl.lit(f"{f.name} after quarter end")))
    rules.extend(_cross_field_rules(spec))

    reason = pl.coalesce(*[pl.when(cond.fill_null(False)).then(text) for cond, text in rules])
    return frame.with_columns(reason=reason)


def _extra_columns(
    spec: S.SourceSpec, cleaned: dict[str, pl.Series], parsed: dict[str, pl.Series]
) -> list[pl.Series]:
    if spec.kind == "wijken_buurten":
        return [
            nz.area_code(cleaned["parent_code"]).alias("x_parent_given"),
            nz.parent_of(parsed["p_area_code"]).alias("x_parent_expected"),
        ]
    return []


def _cross_field_rules(spec: S.SourceSpec) -> list[tuple[pl.Expr, pl.Expr]]:
    if spec.kind in ("uitkeringen", "schuldhulp"):
        before = pl.col("p_einddatum") < pl.col("p_startdatum")
        return [(before, pl.lit("einddatum before startdatum"))]
    if spec.kind == "wijken_buurten":
        given = pl.col("x_parent_given")
        wrong = (
            pl.col("parent_code").is_not_null()
            & ~pl.col("p_area_code").str.starts_with("GM")
            & (given.is_null() | (given != pl.col("x_parent_expected")))
        )
        return [(wrong, pl.lit("invalid parent_code"))]
    return []


# --- build ----------------------------------------------------------------------------------


def build(valid: pl.DataFrame, spec: S.SourceSpec, ctx: Context) -> pl.DataFrame:
    """Valid checked rows -> ``line_number`` + the raw table columns (DECIMAL still text)."""
    builder = _BUILDERS[spec.kind]
    out = builder(valid, ctx)
    return out.select("line_number", *[name for name, _ in spec.columns])


def address_columns(frame: pl.DataFrame, pseudonyms: BatchPseudonymiser, kind: str) -> pl.DataFrame:
    """``frame`` (with ``p_postcode`` and the ``p_huisnummer`` struct) plus the keyed address
    columns of ``kind`` (``bag`` or ``signal``): ``pc4_sleutel``, ``adres_sleutel`` and the
    match keys of :mod:`.address_keys`. No clear address part is a raw table column."""
    hn = pl.col("p_huisnummer")
    frame = frame.with_columns(
        huisnummer=hn.struct.field("huisnummer"),
        huisletter=hn.struct.field("huisletter"),
        huisnummertoevoeging=hn.struct.field("huisnummertoevoeging"),
    )
    return address_keys.with_keys(frame, kind, pseudonyms)


def _signaal_pseudo(frame: pl.DataFrame, ctx: Context) -> pl.Series:
    return ctx.pseudonyms.series(pseudo.SIGNAAL, frame.get_column("p_signaal_id"))


def _build_signalen(frame: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    assert ctx.partner is not None
    frame = address_columns(frame, ctx.pseudonyms, "signal")
    derived_days = (pl.col("p_signaaldatum") - pl.col("p_startdatum_achterstand")).dt.total_days()
    frame = frame.with_columns(
        partner_code=pl.lit(ctx.source),
        partner_type=pl.coalesce(pl.col("p_partner_type"), pl.lit(ctx.partner.partner_type)),
        signaal_id=_signaal_pseudo(frame, ctx),
        signaaldatum=pl.col("p_signaaldatum"),
        startdatum_achterstand=pl.col("p_startdatum_achterstand"),
        achterstand_bedrag=pl.col("p_achterstand_bedrag"),
        dagen_achterstand=pl.coalesce(
            pl.col("p_dagen_achterstand"),
            pl.when(derived_days >= 0).then(derived_days).cast(pl.Int32),
        ),
        crisissignaal=pl.col("p_crisissignaal"),
        warme_overdracht=pl.col("p_warme_overdracht"),
        eindelevering=pl.col("p_eindelevering"),
    )
    return frame.with_columns(
        bsn_pseudo=ctx.pseudonyms.series(pseudo.BSN, frame.get_column("p_bsn"))
    )


def _build_bag(frame: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    frame = address_columns(frame, ctx.pseudonyms, "bag")
    buurt = pl.col("p_buurtcode")
    is_woonfunctie = (
        pl.col("p_gebruiksdoel").str.to_lowercase().str.contains("woonfunctie", literal=True)
    ).fill_null(False)
    frame = frame.with_columns(
        # Only households (residential addresses) are counted per buurt: the buurt of any
        # other address is not kept (with the gebruiksdoel it would narrow to a few addresses).
        buurtcode=pl.when(is_woonfunctie).then(buurt),
        # Delivered, else from the buurtcode, else from the nummeraanduiding id (its first
        # four digits are the gemeentecode).
        gemeentecode=pl.coalesce(
            pl.col("p_gemeentecode"),
            pl.lit("GM") + buurt.str.slice(2, 4),
            pl.lit("GM") + pl.col("p_adres_id").str.slice(0, 4),
        ),
        is_woonfunctie=is_woonfunctie,
    )
    return frame.with_columns(
        adres_pseudo=ctx.pseudonyms.series(pseudo.ADRES, frame.get_column("p_adres_id"))
    )


def _build_brp(frame: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    frame = frame.with_columns(
        nz.age_at(frame.get_column("p_geboortedatum"), ctx.quarter_end).alias("leeftijd")
    )
    return frame.with_columns(
        bsn_pseudo=ctx.pseudonyms.series(pseudo.BSN, frame.get_column("p_bsn")),
        adres_pseudo=ctx.pseudonyms.series(pseudo.ADRES, frame.get_column("p_adres_id")),
    )


def _build_wijken_buurten(frame: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    code = pl.col("p_area_code")
    return frame.with_columns(
        area_code=code,
        area_level=pl.when(code.str.starts_with("GM"))
        .then(pl.lit("gemeente"))
        .when(code.str.starts_with("WK"))
        .then(pl.lit("wijk"))
        .otherwise(pl.lit("buurt")),
        area_name=pl.col("p_area_name"),
        parent_code=pl.col("x_parent_expected"),
    )


def _build_spells(column: str) -> Callable[[pl.DataFrame, Context], pl.DataFrame]:
    def builder(frame: pl.DataFrame, ctx: Context) -> pl.DataFrame:
        frame = frame.with_columns(
            pl.col(f"p_{column}").alias(column),
            startdatum=pl.col("p_startdatum"),
            einddatum=pl.col("p_einddatum"),
        )
        return frame.with_columns(
            bsn_pseudo=ctx.pseudonyms.series(pseudo.BSN, frame.get_column("p_bsn"))
        )

    return builder


def _build_zaken(frame: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    return frame.with_columns(
        partner_code=pl.col("p_partner_code"),
        signaal_id=_signaal_pseudo(frame, ctx),
        matchingsdatum=pl.col("p_matchingsdatum"),
        resultaat=pl.col("p_resultaat"),
        aantal_contactpogingen=pl.col("p_aantal_contactpogingen"),
        bereikt=pl.col("p_bereikt"),
        datum_eerste_contact=pl.col("p_datum_eerste_contact"),
    )


_BUILDERS = {
    "signalen": _build_signalen,
    "bag_adressen": _build_bag,
    "brp_personen": _build_brp,
    "wijken_buurten": _build_wijken_buurten,
    "uitkeringen": _build_spells("regeling"),
    "schuldhulp": _build_spells("soort"),
    "vroegsignaal_zaken": _build_zaken,
}
