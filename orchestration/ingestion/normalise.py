"""Vectorised normalisation of delivered values (Polars Series in, Series out).

Every function takes a *cleaned* String Series (surrounding whitespace stripped, empty markers
already NULL: see :func:`clean`) and returns a Series of the same length. A value that cannot
be normalised becomes NULL; the caller compares with the cleaned input to tell "missing"
(input NULL) from "invalid" (input present, output NULL).

The functions work step by step on materialised Series rather than as one big expression:
eager Polars does not eliminate common subexpressions, and a nested expression re-evaluated
its parts many times (10x slower on a million rows).

The rules, one place each:

empty
    ``''``, whitespace only, ``NULL`` (any case) and ``-`` mean "no value".
postcode
    Spaces, hyphens and dots removed, upper-cased; valid is ``^[1-9][0-9]{3}[A-Z]{2}$``
    (``1234 ab``, `` 1234ab ``, ``1234-AB`` all give ``1234AB``).
huisnummer
    See :func:`split_huisnummer`: number 1-99999, huisletter (one letter A-Z), toevoeging
    (upper-cased, separators and spaces removed, e.g. ``BIS``, ``2``, ``HS``, ``III``,
    ``1HG``). A toevoeging is valid (:data:`TOEVOEGING_RE`) as the BAG allows it: at most
    four letters (A-Z) or digits; the row is quarantined otherwise (``validate``), so no
    name, phone number or other text passes as an addition.
    **Ambiguous single letters**: one letter on its own after the number, with or without a
    separator (``12a``, ``12-A``, ``12 A``, ``12-h``, ``12 I``), is always the *huisletter*.
    Two or more letters (``12 hs``, ``12-III``, ``12 bis``) are a toevoeging; a letter
    followed by a separator or digits is letter + toevoeging (``12A-1``, ``12 A 1``, ``12a2``).
    Partners write letters and toevoegingen inconsistently; the dbt address match falls back
    from letter to toevoeging and back, so the choice here only needs to be consistent.
    A separately delivered ``huisletter`` / ``huisnummertoevoeging`` column wins over what
    is parsed from the number; a huisletter column holding more than one letter is treated
    as a toevoeging.
amount (DECIMAL(12,2))
    ``€``, ``EUR`` and spaces removed. With both ``.`` and ``,`` present, the last one is the
    decimal separator and the other a thousands separator (``1.234,56``, ``1,234.56``).
    A separator occurring more than once is a thousands separator (``1.234.567``).
    A single separator followed by exactly three digits after a 1-3 digit integer part that
    does not start with 0 is a thousands separator (``1.234`` and ``1,234`` are 1234: money
    is never written with three decimals); otherwise a single ``.`` or ``,`` is the decimal
    separator (``1234.56``, ``1234,56``, ``0,125``). More than two decimals are rounded
    half away from zero when stored.
date
    ``2026-07-31``, ``2026/07/31``, ``31-07-2026``, ``31/07/2026``, ``31.07.2026``,
    ``31-7-2026``, ``20260731``, optionally followed by a time (``2026-07-31 00:00:00``,
    ``2026-07-31T10:00``). Day-month-year, never month-day-year, unless the partner
    registry gives a ``date_format_hint`` (a strftime format), which is tried first.
    Years outside 1900-2100 and impossible days (31-02) are invalid.
boolean
    true: ja, j, true, t, 1, yes, y, waar, x; false: nee, n, false, f, 0, no, onwaar
    (any case).
integer
    Digits only (``12``; Excel's ``12.0`` / ``12,0`` also accepted), at most 9 digits.
code (regeling, soort, resultaat, partner_type, gebruiksdoel)
    Lower-cased, runs of spaces and hyphens become ``_`` (``Quick fix`` -> ``quick_fix``).
bsn
    Spaces, dots and hyphens removed; 8 digits get the leading zero Excel dropped; valid is
    9 digits, not all zero, passing the elfproef (d1*9 + d2*8 + ... + d8*2 - d9 divisible
    by 11).
adres_id (BAG nummeraanduiding)
    Digits (ASCII: a full-width or Arabic-Indic digit is invalid, its pseudonym would match
    no address); 13-15 digits are left-padded with zeros (Excel drops leading zeros of
    ``0363...``); valid is exactly 16 digits.
area codes
    Upper-cased, whitespace removed (CBS pads codes with spaces); ``^GM[0-9]{4}$``,
    ``^WK[0-9]{4}[0-9A-Z]{2}$``, ``^BU[0-9]{4}[0-9A-Z]{4}$``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import polars as pl

EMPTY_MARKERS = ("", "null", "-")
_EMPTY_VARIANTS = sorted(
    {"", "-"}
    | {
        "".join(c.upper() if mask >> i & 1 else c for i, c in enumerate("null"))
        for mask in range(16)
    }
)
"""Every spelling of the empty markers (``NULL``, ``Null``, ``nULL``, ...)."""

POSTCODE_RE = r"^[1-9][0-9]{3}[A-Z]{2}$"
TOEVOEGING_RE = r"^[0-9A-Z]{1,4}$"
GEMEENTE_RE = r"^GM[0-9]{4}$"
WIJK_RE = r"^WK[0-9]{4}[0-9A-Z]{2}$"
BUURT_RE = r"^BU[0-9]{4}[0-9A-Z]{4}$"

TRUE_WORDS = ("ja", "j", "true", "t", "1", "yes", "y", "waar", "x")
FALSE_WORDS = ("nee", "n", "false", "f", "0", "no", "onwaar")

_SEP = r"[\s\-/.,_]"


def where(
    condition: pl.Series, then: pl.Series | object, otherwise: pl.Series | object = None
) -> pl.Series:
    """``then`` where ``condition`` is true, else ``otherwise`` (NULL condition: ``otherwise``)."""
    result = pl.select(
        pl.when(condition.fill_null(False)).then(then).otherwise(otherwise)
    ).to_series()
    return result.alias(then.name if isinstance(then, pl.Series) else condition.name)


def clean(values: pl.Series) -> pl.Series:
    """Strip whitespace (also non-breaking spaces); empty markers become NULL."""
    stripped = values.str.strip_chars()
    return where(stripped.is_in(_EMPTY_VARIANTS), None, stripped).alias(values.name)


def nulls(name: str, length: int, dtype: pl.DataType) -> pl.Series:
    """A Series of ``length`` NULLs."""
    return pl.repeat(None, length, dtype=dtype, eager=True).alias(name)


# --- postcode -------------------------------------------------------------------------------


def postcode(values: pl.Series) -> pl.Series:
    """Normalised postcode ``1234AB`` or NULL when not a valid Dutch postcode."""
    return _fast_path(values, values.str.contains(POSTCODE_RE), _postcode_general)


def _postcode_general(values: pl.Series) -> pl.Series:
    norm = values.str.replace_all(r"[\s\-.]", "").str.to_uppercase()
    return where(norm.str.contains(POSTCODE_RE), norm)


def _fast_path(
    values: pl.Series,
    ready: pl.Series,
    general: Callable[[pl.Series], pl.Series],
    fast: pl.Series | None = None,
) -> pl.Series:
    """``fast`` (default: ``values``) where ``ready``; elsewhere ``general`` of the value,
    computed for those (non-null) values only."""
    ready = ready.fill_null(False)
    out = where(ready, values if fast is None else fast).alias(values.name)
    todo = ~ready & values.is_not_null()
    if todo.any():
        index = todo.arg_true()
        out = out.scatter(index, general(values.gather(index)).cast(out.dtype))
    return out


# --- house numbers --------------------------------------------------------------------------


def split_huisnummer(
    huisnummer: pl.Series,
    huisletter: pl.Series | None = None,
    toevoeging: pl.Series | None = None,
) -> pl.DataFrame:
    """Columns ``huisnummer`` (Int32), ``huisletter``, ``huisnummertoevoeging`` (String).

    ``huisnummer`` NULL means the input had no valid number (1-99999) at its start; letter
    and toevoeging are then NULL too. Plain numbers take a fast path; only values with
    something after the number go through the regular expressions.
    """
    plain = huisnummer.str.contains(r"^\d{1,5}$").fill_null(False)
    number = where(plain, huisnummer).cast(pl.Int32, strict=False)
    letter = nulls("huisletter", len(huisnummer), pl.String)
    addition = nulls("huisnummertoevoeging", len(huisnummer), pl.String)
    todo = ~plain & huisnummer.is_not_null()
    if todo.any():
        index = todo.arg_true()
        parsed = _split_huisnummer_general(huisnummer.gather(index))
        number = number.scatter(index, parsed.get_column("huisnummer"))
        letter = letter.scatter(index, parsed.get_column("huisletter"))
        addition = addition.scatter(index, parsed.get_column("huisnummertoevoeging"))
    number = where(number > 0, number)

    if huisletter is not None:
        column = huisletter.str.to_uppercase().str.strip_chars()
        is_letter = column.str.contains(r"^[A-Z]$")
        letter = pl.select(pl.coalesce(where(is_letter, column), letter)).to_series()
        # A "huisletter" with more than one character is really a toevoeging.
        moved = _addition(where(~is_letter, column))
        addition = pl.select(pl.coalesce(moved, addition)).to_series()
    if toevoeging is not None:
        addition = pl.select(pl.coalesce(_addition(toevoeging), addition)).to_series()
    valid = number.is_not_null()
    return pl.DataFrame(
        {
            "huisnummer": number,
            "huisletter": where(valid, letter),
            "huisnummertoevoeging": where(valid, addition),
        },
        schema={"huisnummer": pl.Int32, "huisletter": pl.String, "huisnummertoevoeging": pl.String},
    )


def _split_huisnummer_general(huisnummer: pl.Series) -> pl.DataFrame:
    s = huisnummer.str.to_uppercase().str.replace_all(r"\s+", " ").str.strip_chars()
    s = s.str.replace(r"^(\d+)[.,]0+$", "$1")  # Excel turned the number into a float
    parts = s.str.extract_groups(r"^0*(\d{1,5})(\D.*)?$").struct.unnest()
    number = parts.get_column("1").cast(pl.Int32, strict=False)
    rest = parts.get_column("2").str.replace(r"^[\s\-/.,_:]+", "").str.strip_chars()
    groups = rest.str.extract_groups(rf"^([A-Z])(?:$|{_SEP}+(.+)$|(\d.*)$)").struct.unnest()
    letter = groups.get_column("1")
    after_letter = pl.select(
        pl.coalesce(groups.get_column("2"), groups.get_column("3"))
    ).to_series()
    addition = _addition(where(letter.is_not_null(), after_letter, rest))
    return pl.DataFrame(
        {"huisnummer": number, "huisletter": letter, "huisnummertoevoeging": addition},
        schema={"huisnummer": pl.Int32, "huisletter": pl.String, "huisnummertoevoeging": pl.String},
    )


def _addition(values: pl.Series) -> pl.Series:
    norm = values.str.to_uppercase().str.replace_all(r"[\s\-/.,_:]", "")
    return where(norm.str.len_chars() > 0, norm)


# --- numbers --------------------------------------------------------------------------------


def amount(values: pl.Series) -> pl.Series:
    """Canonical decimal string (``-1234.56``) or NULL; cast to DECIMAL(12,2) when stored."""
    simple = values.str.contains(r"^\d{1,9}([.,]\d{1,2})?$")  # 1234, 1234.5, 1234,56
    fast = values.str.replace(",", ".", literal=True)
    return _fast_path(values, simple, _amount_general, fast)


def _amount_general(values: pl.Series) -> pl.Series:
    s = values
    for noise in ("€", " ", "\u00a0", "'", "EUR", "eur", "Eur"):
        s = s.str.replace_all(noise, "", literal=True)
    s = s.str.replace(r"^\+", "")
    frame = pl.DataFrame({"s": s}).with_columns(
        last=pl.col("s").str.extract(r"([.,])\d*$", 1),
        dots=pl.col("s").str.count_matches(".", literal=True),
        commas=pl.col("s").str.count_matches(",", literal=True),
        thousands=pl.col("s").str.contains(r"^-?[1-9]\d{0,2}[.,]\d{3}$"),
    )
    both = (pl.col("dots") > 0) & (pl.col("commas") > 0)
    text = pl.col("s")
    out = frame.select(
        pl.when(both & (pl.col("last") == ","))
        .then(text.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True))
        .when(both)
        .then(text.str.replace_all(",", "", literal=True))
        .when((pl.col("dots") > 1) | (pl.col("commas") > 1) | pl.col("thousands"))
        .then(text.str.replace_all(r"[.,]", ""))
        .otherwise(text.str.replace(",", ".", literal=True))
    ).to_series()
    return where(out.str.contains(r"^-?\d{1,12}(\.\d+)?$"), out).alias(values.name)


def integer(values: pl.Series) -> pl.Series:
    """Int32 (non-negative) or NULL."""
    s = values.str.replace(r"^(\d+)[.,]0+$", "$1")
    return where(s.str.contains(r"^\d{1,9}$"), s).cast(pl.Int32, strict=False)


# --- dates ----------------------------------------------------------------------------------


_FAST_DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%Y%m%d", "%d.%m.%Y")
_FAST_DATE_SHAPE = r"^(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4}|\d{8})$"
"""Values that may take the fast formats: Polars' parser is more lenient than the accepted
notations (``+2026-07-01``, ``2026071``), so only these shapes go through it."""


def parse_date(values: pl.Series, format_hint: str | None = None) -> pl.Series:
    """Date or NULL, from every accepted notation (see module docstring).

    The common notations are tried with Polars' date parser first; only what is left goes
    through the (slower) general regular-expression path, which gives the same dates
    (``tests/test_ingestion_fast_path.py``).
    """
    parsed = nulls(values.name, len(values), pl.Date)
    if format_hint:
        parsed = values.str.to_date(format_hint, strict=False)
    candidates = where(values.str.contains(_FAST_DATE_SHAPE), values)
    for fmt in _FAST_DATE_FORMATS:
        todo = parsed.is_null() & candidates.is_not_null()
        if not todo.any():
            break
        parsed = pl.select(
            pl.coalesce(parsed, candidates.str.to_date(fmt, strict=False))
        ).to_series()
    todo = parsed.is_null() & values.is_not_null()
    if todo.any():
        index = todo.arg_true()
        parsed = parsed.scatter(index, _parse_date_general(values.gather(index)))
    return where(parsed.dt.year().is_between(1900, 2100), parsed).alias(values.name)


def _parse_date_general(values: pl.Series) -> pl.Series:
    s = values.str.replace(r"[ T]\d{1,2}:\d{2}(:\d{2}([.,]\d+)?)?(Z|[+-]\d{2}:?\d{2})?$", "")
    s = s.str.replace_all(r"[/.]", "-")
    ymd = s.str.extract_groups(r"^(\d{4})-(\d{1,2})-(\d{1,2})$").struct.unnest()
    dmy = s.str.extract_groups(r"^(\d{1,2})-(\d{1,2})-(\d{4})$").struct.unnest()
    compact = s.str.extract_groups(r"^(\d{4})(\d{2})(\d{2})$").struct.unnest()
    frame = pl.DataFrame(
        {
            "y": pl.select(pl.coalesce(ymd["1"], dmy["3"], compact["1"])).to_series(),
            "m": pl.select(pl.coalesce(ymd["2"], dmy["2"], compact["2"])).to_series(),
            "d": pl.select(pl.coalesce(ymd["3"], dmy["1"], compact["3"])).to_series(),
        }
    )
    iso = frame.select(
        pl.concat_str(
            pl.col("y"),
            pl.lit("-"),
            pl.col("m").str.zfill(2),
            pl.lit("-"),
            pl.col("d").str.zfill(2),
        )
    ).to_series()
    return iso.str.to_date("%Y-%m-%d", strict=False)


def age_at(birth: pl.Series, day: date) -> pl.Series:
    """Whole years from ``birth`` to ``day`` (Int32; negative when born after ``day``)."""
    month_day = birth.dt.month().cast(pl.Int32) * 100 + birth.dt.day().cast(pl.Int32)
    before_birthday = (month_day > day.month * 100 + day.day).cast(pl.Int32)
    return (day.year - birth.dt.year().cast(pl.Int32) - before_birthday).cast(pl.Int32)


# --- booleans and codes ---------------------------------------------------------------------


def boolean(values: pl.Series) -> pl.Series:
    lower = values.str.to_lowercase()
    out = where(lower.is_in(TRUE_WORDS), True, where(lower.is_in(FALSE_WORDS), False))
    return out.cast(pl.Boolean).alias(values.name)


def code(values: pl.Series) -> pl.Series:
    """Lower-cased code with spaces and hyphens as ``_`` (validity checked by the caller)."""
    return values.str.to_lowercase().str.strip_chars().str.replace_all(r"[\s\-]+", "_")


# --- identifiers ----------------------------------------------------------------------------


_NINE_DIGITS = r"^[0-9]{9}$"


def bsn(values: pl.Series) -> pl.Series:
    """Nine-digit BSN passing the elfproef, or NULL. Nine digits take a fast path."""
    s = _fast_path(values, values.str.contains(_NINE_DIGITS), _bsn_digits)
    n = s.cast(pl.Int64, strict=False)
    total = pl.repeat(0, len(n), dtype=pl.Int64, eager=True)
    for position in range(9):  # position 0 is the first (most significant) digit
        digit = (n // 10 ** (8 - position)) % 10
        total = total + digit * (-1 if position == 8 else 9 - position)
    return where((n > 0) & (total % 11 == 0), s).alias(values.name)


def _bsn_digits(values: pl.Series) -> pl.Series:
    """Nine digits (separators removed, a leading zero Excel dropped restored) or NULL."""
    s = values.str.replace_all(r"[\s.\-]", "")
    s = where(s.str.len_chars() == 8, "0" + s, s)
    return where(s.str.contains(_NINE_DIGITS), s)


_SIXTEEN_DIGITS = r"^[0-9]{16}$"


def adres_id(values: pl.Series) -> pl.Series:
    """Sixteen-digit BAG nummeraanduiding id, or NULL. Sixteen digits take a fast path."""
    return _fast_path(values, values.str.contains(_SIXTEEN_DIGITS), _adres_id_general)


def _adres_id_general(values: pl.Series) -> pl.Series:
    s = values.str.replace_all(r"\s", "")
    s = where(s.str.contains(r"^[0-9]{13,15}$"), s.str.zfill(16), s)
    return where(s.str.contains(_SIXTEEN_DIGITS), s)


def _area_shaped(values: pl.Series) -> pl.Series:
    return (
        values.str.contains(GEMEENTE_RE)
        | values.str.contains(WIJK_RE)
        | values.str.contains(BUURT_RE)
    )


def area_code(values: pl.Series) -> pl.Series:
    """Upper-cased area code without whitespace, NULL unless GM/WK/BU-shaped."""
    return _fast_path(values, _area_shaped(values), _area_code_general)


def _area_code_general(values: pl.Series) -> pl.Series:
    s = values.str.replace_all(r"\s", "").str.to_uppercase()
    return where(_area_shaped(s), s)


def parent_of(codes: pl.Series) -> pl.Series:
    """The parent of a valid area code: WK for a BU, GM for a WK, NULL for a GM."""
    return where(
        codes.str.starts_with("BU"),
        "WK" + codes.str.slice(2, 6),
        where(codes.str.starts_with("WK"), "GM" + codes.str.slice(2, 4)),
    ).alias(codes.name)


def buurtcode(values: pl.Series) -> pl.Series:
    """``BU########`` (an 8-character code without prefix gets it), or NULL. A code in that
    form takes a fast path."""
    return _fast_path(values, values.str.contains(BUURT_RE), _buurtcode_general)


def _buurtcode_general(values: pl.Series) -> pl.Series:
    s = values.str.replace_all(r"\s", "").str.to_uppercase()
    s = where(s.str.contains(r"^[0-9]{4}[0-9A-Z]{4}$"), "BU" + s, s)
    return where(s.str.contains(BUURT_RE), s)


def gemeentecode(values: pl.Series) -> pl.Series:
    """``GM####`` (``363`` and ``0363`` get the prefix and padding), or NULL. A code in that
    form takes a fast path."""
    return _fast_path(values, values.str.contains(GEMEENTE_RE), _gemeentecode_general)


def _gemeentecode_general(values: pl.Series) -> pl.Series:
    s = values.str.replace_all(r"\s", "").str.to_uppercase()
    s = where(s.str.contains(r"^[0-9]{1,4}$"), "GM" + s.str.zfill(4), s)
    return where(s.str.contains(GEMEENTE_RE), s)
