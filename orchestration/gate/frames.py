"""The small pandas frames the gate validates, aggregated in DuckDB first.

Every frame is area-level (at most periods x areas x indicators rows): no household-level
table is ever pulled into pandas. A quarter's candidate holds every published period of the
quarter (``period_type``); the relations are checked within each period. Frame names are what the suite files in ``expectations/`` refer to
(``meta.frames``):

- ``area_indicators``: the candidate rows of the quarter, every column as it is;
- ``regio``, ``gemeente``, ``wijk``, ``buurt``: the wide tables exactly as publish builds them;
- ``area_coverage``: one row per period of the candidate x area of the reference at a level
  the period publishes (``contract.publication_scope``) or of the candidate, with the rows
  and distinct indicators the candidate has for it (an area outside the scope: not in the
  reference);
- ``parts_vs_total``: one row per period x area x relation: the sum of the published parts
  and the published total;
- ``disclosure_cells`` (restricted): one row per cell of the protected table: true value,
  suppression, candidate value and status, numerator status and denominator value;
- ``jumps``: one row per cell published this and last quarter with both values > 0, with the
  change factor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import duckdb
import pandas as pd

from orchestration.contract import (
    AREA_REFERENCE_TABLE,
    CANDIDATE_TABLE,
    LEVELS,
    PROTECTED_TABLE,
    QUARTERLY,
    count_indicator_names,
    in_publication_scope_sql,
    indicator_names,
    publication_scope,
    published_levels,
    published_period_types,
    subset_bounds,
    sum_relations,
    wide_select_sql,
)
from orchestration.parameters import disclosure_parameters, indicators, periods
from orchestration.quarters import previous_quarter

RESTRICTED_COLUMNS = frozenset({"true_value", "denominator_value"})
"""Unsuppressed values of the restricted side: validated, never copied into a report."""

SHOW_VALUES = {
    "area_indicators",
    "regio",
    "buurt",
    "wijk",
    "gemeente",
    "area_coverage",
    "parts_vs_total",
    "jumps",
}
"""Frames whose unexpected values may appear in observed summaries (not disclosure_cells)."""


@dataclass(frozen=True)
class GateTables:
    """Where the gate reads (tables in the warehouse connection)."""

    candidate: str = CANDIDATE_TABLE
    protected: str | None = PROTECTED_TABLE
    """None: skip the restricted ``disclosure_cells`` frame (its suite then fails as missing)."""
    reference: str = AREA_REFERENCE_TABLE
    """Area reference (area_level, area_code[, quarter]): which areas the quarter must have."""


@dataclass
class GateInput:
    quarter: str
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    """Frame name -> why it could not be built (its suites fail with this message)."""
    parameters: dict[str, Any] = field(default_factory=dict)
    """Evaluation parameters (``{"$PARAMETER": name}`` in the suite files) for every frame."""
    frame_parameters: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Extra parameters for one frame (e.g. ``n_areas`` of a wide frame)."""


def _literal(value: Any) -> str:
    if value is None:
        return "null"
    return "'" + str(value).replace("'", "''") + "'"


def indicator_values_sql() -> str:
    """``(values ...) t(indicator, kind, numerator, denominator, ord)`` from the seeds."""
    rows = ", ".join(
        "("
        + ", ".join([*map(_literal, (i.name, i.kind, i.numerator, i.denominator)), str(n)])
        + ")"
        for n, i in enumerate(indicators())
    )
    return f"(values {rows}) t(indicator, kind, numerator, denominator, ord)"


def relations() -> list[tuple[str, str, str, bool]]:
    """(relation, total, part, exact) within one area: the relations of
    ``orchestration/contract.py`` that suppression relies on, one row per part.

    ``exact``: when all parts are published they must add up to the total exactly (a sum
    relation: ``signalen`` is the sum of its publication groups). A part named twice in a
    bound has two rows, so it counts twice in the relation's sum.
    """
    counts = count_indicator_names()
    out: list[tuple[str, str, str, bool]] = []
    for total, prefix, parts in sum_relations(counts):
        out += [(f"sum({prefix}*) = {total}", total, part, True) for part in parts]
    for parts, total in subset_bounds(counts):
        out += [(f"{' + '.join(parts)} <= {total}", total, part, False) for part in parts]
    return out


def _has_column(con: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    names = [row[0] for row in con.execute(f"describe {table}").fetchall()]
    return column in names


def reference_sql(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """Distinct (quarter, area_level, area_code) of the reference: the areas of every quarter
    when it has quarters (a period's areas are those of its last quarter, ``last_quarter``),
    else quarter NULL: the same areas for every period."""
    if _has_column(con, table, "quarter"):
        return f"select distinct quarter, area_level, area_code from {table}"
    return f"select distinct null::varchar as quarter, area_level, area_code from {table}"


def last_quarter(period: str) -> str:
    """The last quarter of a period name (``2026Q3``, ``2025Q4-2026Q3``): whose areas it has."""
    return period[-6:]


def frame_sql(tables: GateTables, ref_sql: str | None) -> dict[str, str]:
    """SQL of every frame; parameters ``$quarter`` and ``$previous``.

    ``ref_sql``: the area reference query (``reference_sql``); None leaves out ``area_coverage``.
    """
    cand = tables.candidate
    counts = ", ".join(_literal(name) for name in count_indicator_names())
    level_counts = ", ".join(
        f"({_literal(p.period_type)}, {_literal(lvl)}, {indicators_at(lvl, p.period_type)})"
        for p in periods()
        for lvl in LEVELS
    )
    rel_rows = ", ".join(
        f"({_literal(r)}, {_literal(t)}, {_literal(p)}, {str(e).lower()})"
        for r, t, p, e in relations()
    )
    sql = {
        "area_indicators": f"select * from {cand} where quarter = $quarter "
        "order by period_type, area_level, area_code, indicator",
        "area_coverage": None
        if ref_sql is None
        else f"""
            with cand as (select period_type, period, area_level, area_code, count(*) as n_rows,
                            count(distinct indicator) as n_indicators
                     from {cand} where quarter = $quarter group by all),
            periods as (select distinct period_type, period from cand),
            ref as (select p.period_type, p.period, r.area_level, r.area_code
                    from ({ref_sql}) r
                    join periods p
                      on r.quarter is null or r.quarter = right(p.period, 6)
                    where {in_publication_scope_sql()})
            select coalesce(r.period_type, c.period_type) as period_type,
                   coalesce(r.period, c.period) as period,
                   coalesce(r.area_level, c.area_level) as area_level,
                   coalesce(r.area_code, c.area_code) as area_code,
                   r.area_code is not null as in_reference,
                   coalesce(c.n_rows, 0) as n_rows, coalesce(c.n_indicators, 0) as n_indicators,
                   coalesce(e.n, -1) as expected_indicators
            from ref r full outer join cand c
              on r.period_type = c.period_type and r.period = c.period
              and r.area_level = c.area_level and r.area_code = c.area_code
            left join (values {level_counts}) e(period_type, area_level, n)
              on e.period_type = coalesce(r.period_type, c.period_type)
              and e.area_level = coalesce(r.area_level, c.area_level)
            order by 1, 2, 3, 4""",
        "parts_vs_total": f"""
            with cand as (select period_type, area_level, area_code, parent_code, indicator,
                                 case when status = 'published' then value end as value
                          from {cand} where quarter = $quarter),
            rel as (select * from (values {rel_rows})
                    t(relation, total_indicator, part_indicator, exact)),
            within_area as (
                select p.period_type, p.area_level, p.area_code, r.relation,
                       r.total_indicator as indicator,
                       bool_and(r.exact) as exact, sum(p.value) as parts_sum,
                       count(*) as n_parts, count(p.value) as n_parts_published
                from cand p join rel r on p.indicator = r.part_indicator
                group by all),
            hierarchy as (
                select par.period_type, par.area_level, par.area_code,
                       ch.area_level || ' within ' || par.area_level as relation, par.indicator,
                       par.area_level in ('wijk', 'regio') as exact, sum(ch.value) as parts_sum,
                       count(*) as n_parts, count(ch.value) as n_parts_published,
                       any_value(par.value) as total
                from cand ch join cand par
                  on ch.parent_code = par.area_code and ch.indicator = par.indicator
                  and ch.period_type = par.period_type
                where par.indicator in ({counts})
                group by par.period_type, par.area_level, par.area_code, ch.area_level,
                         par.indicator)
            select w.period_type, w.area_level, w.area_code, w.relation, w.indicator,
                   t.value as total,
                   w.parts_sum, w.n_parts, w.n_parts_published, w.exact,
                   w.n_parts_published = w.n_parts as all_parts_published
            from within_area w
            left join cand t on t.area_code = w.area_code and t.indicator = w.indicator
              and t.period_type = w.period_type
            union all
            select period_type, area_level, area_code, relation, indicator, total, parts_sum,
                   n_parts, n_parts_published, exact,
                   n_parts_published = n_parts as all_parts_published
            from hierarchy
            order by period_type, area_level, area_code, relation, indicator""",
        "jumps": f"""
            with cur as (select period_type, area_level, area_code, indicator, value from {cand}
                         where quarter = $quarter and status = 'published' and value > 0),
            prev as (select period_type, area_code, indicator, value from {cand}
                     where quarter = $previous and status = 'published' and value > 0)
            select c.period_type, c.area_level, c.area_code, c.indicator, c.value,
                   p.value as previous_value,
                   greatest(c.value / p.value, p.value / c.value) as factor
            from cur c join prev p on p.area_code = c.area_code and p.indicator = c.indicator
              and p.period_type = c.period_type
            order by factor desc, c.period_type, c.area_code, c.indicator""",
    }
    for level in LEVELS:
        sql[level] = wide_select_sql(cand, level, quarter="$quarter")
    if tables.protected:
        prot = tables.protected
        sql["disclosure_cells"] = f"""
            with ind as (select * from {indicator_values_sql()}),
            prot as (select * from {prot} where quarter = $quarter),
            cand as (select period_type, area_code, indicator, value, status from {cand}
                     where quarter = $quarter)
            select p.period_type, p.area_level, p.area_code, p.indicator, i.kind,
                   p.value as true_value, p.status,
                   p.suppression, c.value as published_value, c.status as published_status,
                   num.status as numerator_status, den.value as denominator_value
            from prot p
            left join ind i on i.indicator = p.indicator
            left join cand c on c.area_code = p.area_code and c.indicator = p.indicator
              and c.period_type = p.period_type
            left join prot num on num.area_code = p.area_code and num.indicator = i.numerator
              and num.period_type = p.period_type
            left join prot den on den.area_code = p.area_code and den.indicator = i.denominator
              and den.period_type = p.period_type
            order by p.period_type, p.area_level, p.area_code, i.ord"""
    return {name: query for name, query in sql.items() if query is not None}


Periods = list[tuple[str, str]]
"""(period_type, period) of a quarter's candidate."""


def scoped_areas(
    reference_counts: dict[str | None, dict[str, int]], periods: Periods
) -> dict[str, int]:
    """Level -> areas the candidate must have: per period of ``periods`` that publishes the
    level (``publication_scope``), the areas of the level in the reference of its last quarter
    (``reference_counts``: quarter -> level -> areas; quarter None: a reference without
    quarters)."""
    scope = publication_scope()
    out = dict.fromkeys(LEVELS, 0)
    for period_type, period in periods:
        counts = reference_counts.get(last_quarter(period), reference_counts.get(None, {}))
        for level in LEVELS:
            if level in scope.get(period_type, LEVELS):
                out[level] += counts.get(level, 0)
    return out


def indicators_at(level: str, period_type: str = QUARTERLY) -> int:
    """How many indicators an area of ``level`` has in the file for ``period_type``
    (``published_levels``, ``Indicator.period_types``; a period type the seeds do not know,
    which ``published_periods_only`` refuses, as many as a quarter)."""
    levels = published_levels()
    if period_type not in {p.period_type for p in periods()}:
        period_type = QUARTERLY
    return sum(level in levels[i.name] and period_type in i.period_types() for i in indicators())


def gate_parameters(
    quarter: str, reference_counts: dict[str | None, dict[str, int]], periods: Periods | None = None
) -> dict[str, Any]:
    """Parameters of the suites; ``periods``: those in the quarter's candidate (each must be
    complete: every area of its reference at its published levels with every indicator its
    type carries)."""
    params = disclosure_parameters()
    names = indicator_names()
    periods = periods or [(QUARTERLY, quarter)]
    expected = sum(
        scoped_areas(reference_counts, [(period_type, period)])[level]
        * indicators_at(level, period_type)
        for period_type, period in periods
        for level in LEVELS
    )
    return {
        "quarter": quarter,
        "quarter_set": [quarter],
        "period_types": list(published_period_types()),
        "indicators": names,
        "expected_rows": expected,
        "min_count": params["min_count"],
        "min_denominator": params["min_denominator"],
        "min_median_n": params["min_median_n"],
        "jump_warning_factor": params["jump_warning_factor"],
    }


def _candidate_periods(con: duckdb.DuckDBPyConnection, candidate: str, quarter: str) -> Periods:
    """Periods in the quarter's candidate (the quarter alone when there are none or it cannot
    be read: its frames fail)."""
    try:
        found = con.execute(
            f"select distinct period_type, period from {candidate} where quarter = ? order by 1, 2",
            [quarter],
        ).fetchall()
    except duckdb.Error:
        return [(QUARTERLY, quarter)]
    return [(row[0], row[1]) for row in found] or [(QUARTERLY, quarter)]


def build_frames(
    con: duckdb.DuckDBPyConnection, quarter: str, tables: GateTables | None = None
) -> GateInput:
    """Aggregate in DuckDB and hand back the small frames plus their parameters.

    A frame whose SQL fails (missing table or column) is recorded in ``errors`` instead of
    raising: its suites then fail with that message.
    """
    tables = tables or GateTables()
    gate_input = GateInput(quarter=quarter)
    counts: dict[str | None, dict[str, int]] = {}
    ref_sql: str | None = None
    try:
        ref_sql = reference_sql(con, tables.reference)
        query = f"select quarter, area_level, count(*) from ({ref_sql}) group by all"
        for ref_quarter, level, n in con.execute(query).fetchall():
            counts.setdefault(ref_quarter, {})[level] = int(n)
    except duckdb.Error as exc:
        ref_sql = None
        gate_input.errors["area_coverage"] = f"area reference {tables.reference}: {exc}"
    candidate_periods = _candidate_periods(con, tables.candidate, quarter)
    gate_input.parameters = gate_parameters(quarter, counts, candidate_periods)
    gate_input.frame_parameters = {  # a level no period of the candidate publishes: no rows
        level: {"n_areas": n, "quarter_set": [quarter] if n else []}
        for level, n in scoped_areas(counts, candidate_periods).items()
    }
    sql = frame_sql(tables, ref_sql)
    bind = {"quarter": quarter, "previous": previous_quarter(quarter)}
    for name, query in sql.items():
        if name in gate_input.errors:
            continue
        wanted = {k: v for k, v in bind.items() if f"${k}" in query}
        try:
            gate_input.frames[name] = con.execute(query, wanted).df().reset_index(drop=True)
        except duckdb.Error as exc:
            gate_input.errors[name] = f"{type(exc).__name__}: {exc}"
    if not tables.protected:
        gate_input.errors["disclosure_cells"] = "no protected table configured"
    return gate_input
