"""Information loss: per level, period type and indicator, the share of a quarter's cells
that is published (of the areas, and of the households living in them).

One computation (``published_shares``) for the three places that show it: the publish asset's
metadata (``published_shares``, from the protected table), ``monitor status`` and the
report's section *Wat is gepubliceerd* (both from the published file, ``PUBLISHED_TABLE``).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from orchestration.contract import (
    LEVELS,
    PROTECTED_TABLE,
    PUBLISHED_SCHEMA,
    indicator_names,
    period_order_sql,
)

PUBLISHED_TABLE = f"{PUBLISHED_SCHEMA}.area_indicators"
"""The long table of ``monitor.duckdb`` (with the file's connection)."""
KEY_INDICATORS = ("hh_met_signaal", "signalen_per_1000_hh", "pct_bereikt", "pct_hulp")
"""The indicators whose share ``monitor status`` and the report show first (the targets of
issue #14); the other indicators on request (``monitor status --all-indicators``, the report's
full table). Each in the period types that carry it: ``pct_bereikt`` and ``pct_hulp`` in
``kwartaal_afgerond`` and ``vier_kwartalen_afgerond`` (the periods ending the quarter before)."""


@dataclass(frozen=True)
class PublishedShare:
    """Information loss of one level, period type and indicator of a quarter."""

    area_level: str
    period_type: str
    indicator: str
    areas: int
    share_areas: float
    """Published cells / cells: the share of the level's areas with a published value."""
    share_households: float | None
    """The same weighted by the areas' households (None when the level has none)."""


def published_shares(
    con: duckdb.DuckDBPyConnection, quarter: str, table: str = PROTECTED_TABLE
) -> list[PublishedShare]:
    """Per level, period type and indicator: the share of areas (and of households) whose
    cell of the quarter is published, in level, period and indicator order of the seeds.

    ``table`` has the published long columns (``area_level``, ``period_type``, ``area_code``,
    ``indicator``, ``value``, ``status``). From the protected table (restricted; the publish
    asset's metadata) the households of an area whose ``huishoudens`` is suppressed count too;
    from the published ``area_indicators`` (status, report) only published ``huishoudens``
    weigh: the share of the households an analyst can see. The area shares are the same."""
    order = ", ".join(f"('{name}', {i})" for i, name in enumerate(indicator_names()))
    rows = con.execute(
        f"""
        with cells as (select * from {table} where quarter = ?),
        hh as (select period_type, area_code, value as huishoudens from cells
               where indicator = 'huishoudens')
        select c.area_level, c.period_type, c.indicator, count(*) as areas,
               avg(case when c.status = 'published' then 1.0 else 0.0 end) as share_areas,
               coalesce(sum(hh.huishoudens) filter (c.status = 'published'), 0)
                 / nullif(sum(hh.huishoudens), 0) as share_households
        from cells c
        left join hh using (period_type, area_code)
        left join (select * from (values {order}) t(indicator, ord)) i using (indicator)
        group by c.area_level, c.period_type, c.indicator, i.ord
        order by list_position({list(LEVELS)}, c.area_level), {period_order_sql("c.period_type")},
          i.ord
        """,
        [quarter],
    ).fetchall()
    return [
        PublishedShare(level, period, ind, int(n), float(share), None if hh is None else float(hh))
        for level, period, ind, n, share, hh in rows
    ]


def shares_markdown(shares: list[PublishedShare]) -> str:
    """``published_shares`` as a Markdown table (Dagster metadata: in English, the engineer's
    words, like the asset's other metadata; status and report say it in Dutch)."""
    lines = [
        "| level | period | indicator | areas | published: areas | published: households |",
        "|---|---|---|---|---|---|",
    ]
    for s in shares:
        hh = "" if s.share_households is None else f"{s.share_households:.0%}"
        lines.append(
            f"| {s.area_level} | {s.period_type} | {s.indicator} | {s.areas} | "
            f"{s.share_areas:.0%} | {hh} |"
        )
    return "\n".join(lines)
