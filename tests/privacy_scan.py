"""Scan every table and column of a DuckDB file for personal data and for small counts.

Shared by the privacy tests (ingestion-only warehouse, the bad-input corpus, a real run),
and :func:`narrowing`: how many public BAG addresses share a row's clear address columns.
A finding is ``(where, what)``: ``schema.table.column`` and what the value looks like; the
value itself is never put in a finding (a failing test must not print personal data).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl

BSN_LIKE = re.compile(r"(?<![0-9A-Za-z])\d{9}(?![0-9A-Za-z])")
PHONE_LIKE = re.compile(r"(?<![0-9A-Za-z])(\+31|0)[\s-]?\d([\s-]?\d){8}(?![0-9A-Za-z])")
EMAIL_LIKE = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
POSTCODE_LIKE = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{3}\s?[A-Z]{2}(?![0-9A-Za-z])")
LONG_ID_LIKE = re.compile(r"(?<![0-9A-Za-z])\d{13,16}(?![0-9A-Za-z])")
PERSONAL_COLUMNS = frozenset(
    {"naam", "voorletters", "straat", "woonplaats", "telefoon", "email", "klantnummer",
     "geboortedatum", "bsn", "adres_id", "postcode"}
)  # fmt: skip
"""Column names that would mean a personal field was stored as delivered."""


def elfproef(digits: str) -> bool:
    """True for 9 digits (not all zero) passing the BSN eleven test."""
    if len(digits) != 9 or not digits.isdigit() or digits == "0" * 9:
        return False
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11 == 0


def columns(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    """(schema, table, column) of every table of the connection's own database file."""
    return con.execute(
        "SELECT table_schema, table_name, column_name FROM information_schema.columns "
        "WHERE table_catalog = current_database() AND table_schema NOT IN "
        "('information_schema', 'pg_catalog') ORDER BY 1, 2, 3"
    ).fetchall()


def column_values(con: duckdb.DuckDBPyConnection) -> list[tuple[str, object]]:
    """Every distinct non-NULL value of every column, as ``(schema.table.column, value)``."""
    out = []
    for schema, table, column in columns(con):
        where = f"{schema}.{table}.{column}"
        for (value,) in con.execute(
            f'SELECT DISTINCT "{column}" FROM "{schema}"."{table}" WHERE "{column}" IS NOT NULL'
        ).fetchall():
            out.append((where, value))
    return out


def personal_data(
    values: Iterable[tuple[str, object]],
    literals: Iterable[str] = (),
    *,
    any_nine_digits: bool = True,
) -> list[tuple[str, str]]:
    """Findings: BSN-like numbers (any 9 digits, or only those passing the elfproef when
    ``any_nine_digits`` is False), phone numbers, e-mail addresses, full postcodes, BAG ids,
    and any of ``literals`` (case-insensitive substrings: names, streets from the input)."""
    words = sorted({w.lower() for w in literals if w}, key=len, reverse=True)
    literal_re = re.compile("|".join(map(re.escape, words))) if words else None
    found = []
    for where, value in values:
        text = _as_text(value)
        if text is None:
            continue
        for match in BSN_LIKE.finditer(text):
            if any_nine_digits or elfproef(match.group()):
                found.append((where, "9 digits (BSN?)"))
        if PHONE_LIKE.search(text):
            found.append((where, "a phone number"))
        if EMAIL_LIKE.search(text):
            found.append((where, "an e-mail address"))
        if POSTCODE_LIKE.search(text):
            found.append((where, "a full postcode"))
        if LONG_ID_LIKE.search(text):
            found.append((where, "a BAG id"))
        if literal_re is not None and isinstance(value, str):
            match = literal_re.search(text.lower())
            if match:
                found.append((where, f"a delivered personal value ({len(match.group())} chars)"))
    return found


def _as_text(value: object) -> str | None:
    """The text to scan; None for a fractional number (its digits are no identifier, and a
    long fraction would look like one)."""
    if isinstance(value, float | Decimal):
        return str(int(value)) if value == int(value) else None
    return str(value)


def personal_columns(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Columns named after a personal field."""
    return {
        f"{schema}.{table}.{column}"
        for schema, table, column in columns(con)
        if column.lower() in PERSONAL_COLUMNS
    }


# --- how far a row's clear columns narrow down the addresses --------------------------------

PUBLIC_ADDRESS_COLUMNS = (
    "postcode", "pc6", "pc4", "huisnummer", "huisletter", "huisnummertoevoeging", "toevoeging",
    "straat", "woonplaats", "gebruiksdoel", "is_woonfunctie", "buurtcode", "wijkcode",
    "gemeentecode",
)  # fmt: skip
"""What the public BAG tells about an address. A restricted table's column of one of these
names (or an ``area_code``, read as the buurt, wijk or gemeente it names) narrows down the
addresses its row can be about; pseudonyms and non-address columns do not."""
MIN_ADDRESSES = 10


def public_bag(csv_path: Path) -> pl.DataFrame:
    """The clear BAG extract as the public register would give it: every address with the
    columns of :data:`PUBLIC_ADDRESS_COLUMNS` (as text, upper case)."""
    first = csv_path.read_bytes().split(b"\n", 1)[0]
    bag = pl.read_csv(
        csv_path, separator=";" if b";" in first else ",", infer_schema=False, encoding="utf8"
    ).rename(str.lower)
    postcode = pl.col("postcode").str.replace_all(r"\s", "").str.to_uppercase()
    buurt = pl.col("buurtcode").str.strip_chars().str.to_uppercase()
    woon = pl.col("gebruiksdoel").str.to_lowercase().str.contains("woonfunctie").fill_null(False)
    return bag.select(
        postcode=postcode,
        pc6=postcode,
        pc4=postcode.str.slice(0, 4),
        huisnummer=pl.col("huisnummer").str.strip_chars(),
        huisletter=pl.col("huisletter").str.to_uppercase(),
        huisnummertoevoeging=pl.col("huisnummertoevoeging").str.to_uppercase(),
        toevoeging=pl.col("huisnummertoevoeging").str.to_uppercase(),
        straat=pl.col("straat").str.to_uppercase(),
        woonplaats=pl.col("woonplaats").str.to_uppercase(),
        gebruiksdoel=pl.col("gebruiksdoel").str.to_uppercase(),
        is_woonfunctie=woon.cast(pl.String).str.to_uppercase(),
        buurtcode=buurt,
        wijkcode=pl.lit("WK") + buurt.str.slice(2, 6),
        gemeentecode=pl.col("gemeentecode").str.strip_chars().str.to_uppercase(),
    )


def small_buurten(bag: pl.DataFrame) -> set[str]:
    """Buurten with fewer than :data:`MIN_ADDRESSES` residential addresses: a household's
    buurt code alone narrows to fewer addresses there, as the published buurt does."""
    woon = bag.filter(pl.col("is_woonfunctie") == "TRUE").group_by("buurtcode").len()
    all_buurten = set(bag.get_column("buurtcode").drop_nulls())
    large = set(woon.filter(pl.col("len") >= MIN_ADDRESSES).get_column("buurtcode"))
    return all_buurten - large


def narrowing(
    con: duckdb.DuckDBPyConnection, bag: pl.DataFrame
) -> list[tuple[str, dict[str, str], int]]:
    """For every base table of the connection's database (not ``audit``, not the seeds):
    each distinct combination of its public address columns and the number of BAG
    addresses that share it, as ``(schema.table, {column: value}, addresses)``. A NULL
    says nothing, so it matches every address."""
    con.register("public_bag", bag)
    tables: dict[str, list[str]] = {}
    for schema, table, column in columns(con):
        if schema not in ("audit", "main_seeds"):
            tables.setdefault(f'"{schema}"."{table}"', []).append(column)
    kinds = con.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_catalog = current_database() and table_type = 'BASE TABLE'"
    ).fetchall()
    base = {f'"{s}"."{t}"' for s, t in kinds}
    out = []
    for table, names in sorted(tables.items()):
        if table not in base:
            continue
        exprs = {c: f'upper(trim(cast("{c}" as varchar)))' for c in names
                 if c in PUBLIC_ADDRESS_COLUMNS}  # fmt: skip
        if "area_code" in names:
            for prefix, column in (("BU", "buurtcode"), ("WK", "wijkcode"), ("GM", "gemeentecode")):
                exprs.setdefault(
                    column, f"case when starts_with(area_code, '{prefix}') then area_code end"
                )
        if not exprs:
            continue
        select = ", ".join(f"{e} as {c}" for c, e in exprs.items())
        match = " and ".join(f"(t.{c} is null or b.{c} = t.{c})" for c in exprs)
        for row in con.execute(
            f"with t as (select distinct {select} from {table}) "
            f"select t.*, (select count(*) from public_bag b where {match}) from t"
        ).fetchall():
            values = {c: v for c, v in zip(exprs, row[:-1], strict=True) if v is not None}
            out.append((table.replace('"', ""), values, row[-1]))
    return out
