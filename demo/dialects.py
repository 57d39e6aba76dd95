"""How each partner writes its CSV: the dialect table (data) and the writer.

:data:`DIALECTS` holds one :class:`Dialect` per partner code; together they cover every
variant of the general-rules table of CONTRACTS.md (:data:`CONTRACT_VARIANTS`), which
:func:`covered_variants` checks and the tests confirm from the written bytes. A partner
of the registry without an entry gets :data:`DEFAULT_DIALECT`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

from demo.names import fold_to_cp1252

CONTRACT_VARIANTS: dict[str, tuple[object, ...]] = {
    "encoding": ("utf-8", "utf-8-sig", "cp1252"),
    "delimiter": (";", ",", "\t"),
    "quoting": ("none", "all", "needed"),
    "header": ("as_is", "lower", "upper", "padded"),
    "decimal": ("1234.56", "1234,56", "1.234,56", "€ 1.234,56"),
    "date": ("2026-07-31", "31-07-2026", "31/07/2026", "20260731"),
    "boolean": ("ja/nee", "j/n", "true/false", "1/0", "yes/no"),
    "empty": ("", "NULL", "-"),
    "line_ending": ("\n", "\r\n"),
    "final_newline": (True, False),
    "letter_notation": ("12a", "12-A", "12 A"),
}
"""Every variant of CONTRACTS.md's general rules (plus the letter notations of house numbers)."""

HOUSE_NUMBER_NOTATIONS = ("12", "12a", "12-A", "12 A", "12 bis", "12-2", "12 hs", "12-III")
"""House-number notations written when a partner has no separate letter/addition columns."""

POSTCODE_STYLES = ("1234AB", "1234 AB", "1234ab", "1234 ab", " 1234ab ")


@dataclass(frozen=True)
class Dialect:
    """One partner's export format. Values are the literal examples of CONTRACTS.md."""

    encoding: str
    delimiter: str
    quoting: str
    header: str
    decimal: str
    date: str
    boolean: str
    empty: str
    line_ending: str
    final_newline: bool
    letter_notation: str = "12a"
    """How a huisletter is written inside huisnummer when there is no letter column."""
    postcode: tuple[str, ...] = ("1234AB",)
    """Postcode notations, the first most common."""
    naam: str = "full"
    """full ('Jan de Vries'), initials ('J.P. de Vries'), reversed ('Vries, J.P. de')."""
    telefoon: str = "06-12345678"
    files: str = "quarter"
    """quarter: one file per quarter; month: one file per month of signaaldatum."""
    extra_columns: tuple[tuple[str, tuple[str, ...]], ...] = field(default=())
    """Columns outside the registry mapping (ignored by ingestion): header -> values."""


DIALECTS: dict[str, Dialect] = {
    "eneco": Dialect(
        encoding="utf-8-sig",
        delimiter=";",
        quoting="needed",
        header="as_is",
        decimal="1234,56",
        date="31-07-2026",
        boolean="ja/nee",
        empty="",
        line_ending="\r\n",
        final_newline=True,
        postcode=("1234AB",),
        naam="full",
        telefoon="0612345678",
        extra_columns=(("Segment", ("Particulier", "Particulier", "Zakelijk klein")),),
    ),
    "vattenfall": Dialect(
        encoding="utf-8",
        delimiter=",",
        quoting="all",
        header="as_is",
        decimal="1234.56",
        date="2026-07-31",
        boolean="true/false",
        empty="",
        line_ending="\n",
        final_newline=True,
        letter_notation="12a",
        postcode=("1234 AB",),
        naam="reversed",
        files="month",
    ),
    "waternet": Dialect(
        encoding="cp1252",
        delimiter=";",
        quoting="none",
        header="upper",
        decimal="1.234,56",
        date="31/07/2026",
        boolean="ja/nee",
        empty="NULL",
        line_ending="\r\n",
        final_newline=False,
        postcode=("1234AB", "1234 ab"),
        naam="full",
    ),
    "vitens": Dialect(
        encoding="utf-8",
        delimiter="\t",
        quoting="none",
        header="lower",
        decimal="€ 1.234,56",
        date="20260731",
        boolean="1/0",
        empty="-",
        line_ending="\n",
        final_newline=True,
        letter_notation="12-A",
        postcode=("1234ab",),
        naam="initials",
        telefoon="+31 6 12345678",
    ),
    "ymere": Dialect(
        encoding="cp1252",
        delimiter=";",
        quoting="all",
        header="padded",
        decimal="1234,56",
        date="2026-07-31",
        boolean="j/n",
        empty="NULL",
        line_ending="\r\n",
        final_newline=True,
        postcode=("1234AB",),
        naam="full",
    ),
    "eigen_haard": Dialect(
        encoding="utf-8-sig",
        delimiter=",",
        quoting="needed",
        header="as_is",
        decimal="€ 1.234,56",
        date="31-07-2026",
        boolean="yes/no",
        empty="-",
        line_ending="\n",
        final_newline=False,
        letter_notation="12 A",
        postcode=("1234AB", " 1234ab "),
        naam="initials",
    ),
    "zilveren_kruis": Dialect(
        encoding="utf-8",
        delimiter=";",
        quoting="needed",
        header="lower",
        decimal="1.234,56",
        date="20260731",
        boolean="true/false",
        empty="",
        line_ending="\n",
        final_newline=True,
        postcode=("1234 AB",),
        naam="full",
    ),
    "cz": Dialect(
        encoding="cp1252",
        delimiter="\t",
        quoting="needed",
        header="upper",
        decimal="1234.56",
        date="31/07/2026",
        boolean="ja/nee",
        empty="-",
        line_ending="\r\n",
        final_newline=True,
        letter_notation="12a",
        postcode=("1234AB", "1234 AB"),
        naam="initials",
        extra_columns=(("polis", ("Basis", "Basis + aanvullend")),),
    ),
    "cak": Dialect(
        encoding="utf-8",
        delimiter=",",
        quoting="all",
        header="as_is",
        decimal="1234,56",
        date="2026-07-31",
        boolean="1/0",
        empty="NULL",
        line_ending="\n",
        final_newline=False,
        postcode=("1234AB",),
        naam="full",
    ),
    "duo": Dialect(
        encoding="utf-8-sig",
        delimiter="\t",
        quoting="all",
        header="padded",
        decimal="1234.56",
        date="31-07-2026",
        boolean="yes/no",
        empty="",
        line_ending="\r\n",
        final_newline=True,
        letter_notation="12-A",
        postcode=("1234 ab", " 1234ab "),
        naam="full",
    ),
}

DEFAULT_DIALECT = Dialect(
    encoding="utf-8",
    delimiter=";",
    quoting="needed",
    header="as_is",
    decimal="1234,56",
    date="2026-07-31",
    boolean="ja/nee",
    empty="",
    line_ending="\n",
    final_newline=True,
)


def dialect_for(partner_code: str) -> Dialect:
    return DIALECTS.get(partner_code, DEFAULT_DIALECT)


def covered_variants(dialects: dict[str, Dialect] | None = None) -> dict[str, set[object]]:
    """Per aspect of :data:`CONTRACT_VARIANTS`, the variants the dialect table uses."""
    dialects = DIALECTS if dialects is None else dialects
    return {aspect: {getattr(d, aspect) for d in dialects.values()} for aspect in CONTRACT_VARIANTS}


def check_dialect(d: Dialect) -> None:
    """Reject combinations that cannot be written unambiguously."""
    for aspect in CONTRACT_VARIANTS:
        if getattr(d, aspect) not in CONTRACT_VARIANTS[aspect]:
            raise ValueError(f"unknown {aspect}: {getattr(d, aspect)!r}")
    if d.quoting == "none" and d.delimiter == "," and "," in d.decimal:
        raise ValueError("a decimal comma needs quoting when the delimiter is a comma")
    if d.quoting == "none" and d.delimiter == "," and d.naam == "reversed":
        raise ValueError("reversed names contain a comma: quote them")


# ---------------------------------------------------------------------------- values

_BOOLS = {
    "ja/nee": ("ja", "nee"),
    "j/n": ("j", "n"),
    "true/false": ("true", "false"),
    "1/0": ("1", "0"),
    "yes/no": ("yes", "no"),
}
EPOCH = date(1970, 1, 1)


def fmt_bool(value: bool, style: str) -> str:
    yes, no = _BOOLS[style]
    return yes if value else no


def fmt_date_parts(year: int, month: int, day: int, style: str) -> str:
    """A date (possibly impossible, like 31-02) in the partner's notation."""
    if style == "2026-07-31":
        return f"{year:04d}-{month:02d}-{day:02d}"
    if style == "31-07-2026":
        return f"{day:02d}-{month:02d}-{year:04d}"
    if style == "31/07/2026":
        return f"{day:02d}/{month:02d}/{year:04d}"
    if style == "20260731":
        return f"{year:04d}{month:02d}{day:02d}"
    raise ValueError(style)


@cache
def fmt_date(days: int, style: str) -> str:
    d = EPOCH + timedelta(days=int(days))
    return fmt_date_parts(d.year, d.month, d.day, style)


def fmt_decimal(cents: int, style: str) -> str:
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(int(cents)), 100)
    if style == "1234.56":
        return f"{sign}{whole}.{frac:02d}"
    if style == "1234,56":
        return f"{sign}{whole},{frac:02d}"
    grouped = f"{whole:,}".replace(",", ".")
    if style == "1.234,56":
        return f"{sign}{grouped},{frac:02d}"
    if style == "€ 1.234,56":
        return f"€ {sign}{grouped},{frac:02d}"
    raise ValueError(style)


def fmt_postcode(pc4: int, letters: str, style: str) -> str:
    if style == "1234AB":
        return f"{pc4}{letters}"
    if style == "1234 AB":
        return f"{pc4} {letters}"
    if style == "1234ab":
        return f"{pc4}{letters.lower()}"
    if style == "1234 ab":
        return f"{pc4} {letters.lower()}"
    if style == " 1234ab ":
        return f" {pc4}{letters.lower()} "
    raise ValueError(style)


def combined_house_number(number: int, letter: str, toevoeging: str, letter_notation: str) -> str:
    """House number with letter/addition in one field: 12a, 12-A, 12 A, 12 bis, 12-2, 12 hs,
    12-III (BAG toevoeging 'H' is written 'hs', 'BIS' as 'bis')."""
    text = str(number)
    if letter:
        if letter_notation == "12a":
            text += letter.lower()
        elif letter_notation == "12-A":
            text += f"-{letter.upper()}"
        else:
            text += f" {letter.upper()}"
    if toevoeging:
        if toevoeging == "BIS":
            text += " bis"
        elif toevoeging == "H":
            text += " hs"
        else:
            text += f"-{toevoeging}"
    return text


def header_name(name: str, style: str) -> str:
    if style == "lower":
        return name.lower()
    if style == "upper":
        return name.upper()
    if style == "padded":
        return f" {name} "
    return name


# ---------------------------------------------------------------------------- writer


def _quote(value: str, d: Dialect) -> str:
    if d.quoting == "all":
        return '"' + value.replace('"', '""') + '"'
    special = d.delimiter in value or '"' in value or "\n" in value or "\r" in value
    if d.quoting == "needed":
        return '"' + value.replace('"', '""') + '"' if special else value
    if special:
        raise ValueError(
            f"value {value!r} cannot be written unquoted with delimiter {d.delimiter!r}"
        )
    return value


def render_line(values: Sequence[str | None], d: Dialect) -> str:
    """One CSV line (no line ending); None becomes the partner's empty marker."""
    return d.delimiter.join(_quote(d.empty if v is None else v, d) for v in values)


def encode_file(header: Sequence[str], lines: Sequence[str], d: Dialect) -> bytes:
    """Header + already rendered lines -> the bytes of the file, in the partner's encoding,
    line endings and final-newline habit."""
    head = render_line([header_name(h, d.header) for h in header], d)
    text = d.line_ending.join([head, *lines])
    if d.final_newline:
        text += d.line_ending
    if d.encoding == "cp1252":
        text = fold_to_cp1252(text)
    return text.encode(d.encoding, errors="strict")


for _code, _d in DIALECTS.items():
    check_dialect(_d)
