"""Quarter arithmetic: '2026Q3' <-> dates."""

from __future__ import annotations

import re
from datetime import date, timedelta

QUARTER_RE = re.compile(r"([0-9]{4})Q([1-4])", re.ASCII)
"""A quarter, exactly: four ASCII digits, ``Q``, 1-4. Use it with ``fullmatch`` (``$`` would
accept a trailing newline, ``\\d`` other scripts' digits): see :func:`is_quarter`."""


def is_quarter(text: str) -> bool:
    """Whether ``text`` is a quarter such as ``2026Q3``, and nothing else."""
    return QUARTER_RE.fullmatch(text) is not None


def parse_quarter(quarter: str) -> tuple[int, int]:
    match = QUARTER_RE.fullmatch(quarter) if isinstance(quarter, str) else None
    if not match:
        raise ValueError(f"not a quarter: {quarter!r} (expected e.g. '2026Q3')")
    return int(match.group(1)), int(match.group(2))


def quarter_start(quarter: str) -> date:
    year, q = parse_quarter(quarter)
    return date(year, 3 * (q - 1) + 1, 1)


def quarter_end(quarter: str) -> date:
    """Last day of the quarter."""
    year, q = parse_quarter(quarter)
    if q == 4:
        return date(year, 12, 31)
    return date(year, 3 * q + 1, 1) - timedelta(days=1)


def quarter_of(day: date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def previous_quarter(quarter: str) -> str:
    year, q = parse_quarter(quarter)
    return f"{year - 1}Q4" if q == 1 else f"{year}Q{q - 1}"


def next_quarter(quarter: str) -> str:
    year, q = parse_quarter(quarter)
    return f"{year + 1}Q1" if q == 4 else f"{year}Q{q + 1}"


def quarter_range(first: str, last: str) -> list[str]:
    """Every quarter from first to last inclusive."""
    parse_quarter(first)
    parse_quarter(last)
    if first > last:
        raise ValueError(f"quarter range is empty: {first}..{last}")
    out, q = [], last
    while q >= first:
        out.append(q)
        q = previous_quarter(q)
    return out[::-1]


def period_quarters(quarter: str, n: int) -> list[str]:
    """The ``n`` quarters of the period ending with ``quarter``, oldest first."""
    out = [quarter]
    while len(out) < n:
        out.insert(0, previous_quarter(out[0]))
    return out


def quarters_of_period(period: str) -> list[str]:
    """The quarters a published ``period`` names, oldest first: ``2026Q3`` itself, or every
    quarter of ``2025Q4-2026Q3`` (the inverse of ``period_name``)."""
    first, _, last = period.partition("-")
    return quarter_range(first, last or first)


def period_name(quarter: str, n: int) -> str:
    """The published ``period`` of the ``n`` quarters ending with ``quarter``: the quarter
    itself, or first-last (``2025Q4-2026Q3``), as dbt names it (docs/periods-plan.md 1.1)."""
    quarters = period_quarters(quarter, n)
    return quarter if n == 1 else f"{quarters[0]}-{quarters[-1]}"
