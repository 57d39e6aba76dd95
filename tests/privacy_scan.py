"""Scan every table and column of a DuckDB file for personal data and for small counts.

Shared by the privacy tests (ingestion-only warehouse, the bad-input corpus, a real run).
A finding is ``(where, what)``: ``schema.table.column`` and what the value looks like; the
value itself is never put in a finding (a failing test must not print personal data).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal

import duckdb

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
