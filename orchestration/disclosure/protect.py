"""Entry point of the disclosure stage: protect one quarter of ``mon_area_indicators``.

A quarter's frame holds what ``seeds/periods.csv`` publishes (``contract.publication_scope``:
the quarter at gemeente and wijk level, the four quarters ending with it at every level),
protected together, each period a slice of one model (``model.area_keys``). A level a period
type does not publish (the quarterly buurt figures) is not in the frame: it is not in the
file, so it is no cell of the attacker's model (docs/periods-plan.md 3.6). When a published
period spans several quarters, the other quarters' protected rows join the model with their
status fixed (``earlier_publications``; docs/periods-plan.md 1.3).

    result = protect_quarter(frame)          # parameters from seeds/disclosure_parameters.csv
    result.cells       # restricted: input columns + status + suppression (none/primary/secondary)
    result.published   # published shape: value NULL where suppressed
    result.points      # restricted: feasible points of the attacker's model, for the audit

Counts: primary suppression (``primary.py``), then complements until the attacker's LP gives
every suppressed count an interval at least ``protection_width`` wide (``secondary.py``).
Rates: suppressed when primary (numerator primary-suppressed, denominator below
``min_denominator``, not computable) and whenever their numerator or denominator is
suppressed, so a published rate never adds an equation: it is always computable from two
published counts (a rate is published unrounded, exactly as the input has it). Medians:
suppressed by the primary rule (fewer than ``min_median_n`` households, or NULL); a median
cannot be computed from counts, so a published median over a suppressed household count only
tells the attacker that count is at least ``min_median_n``, a bound the LP uses. Where that
bound holds a suppressed count too narrow and no complement can widen it (the count's total
fixed by an earlier publication), the median is suppressed too, as a secondary suppression
(``secondary.protect_counts``, ``_medians_withdrawn``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import duckdb
import numpy as np
import polars as pl

from orchestration.contract import (
    CANDIDATE_TABLE,
    DISCLOSURE_SCHEMA,
    FEASIBLE_POINTS_TABLE,
    LEVELS,
    MONITOR_MODEL_TABLE,
    PERIOD_COLUMN,
    PERIOD_KEY,
    PROTECTED_TABLE,
    PUBLISHED_COLUMNS,
    in_publication_scope_sql,
    is_published_at,
    late_period_types,
    published_levels,
    published_period_types,
    publishes_across_quarters,
    same_length,
    select_with_periods,
)
from orchestration.disclosure.lp import default_workers
from orchestration.disclosure.model import (
    InconsistentTableError,
    Relations,
    Table,
    build_table,
    check_consistency,
    default_relations,
    fill_remainders,
    relations_for,
    row_areas,
)
from orchestration.disclosure.primary import primary_counts, primary_derived, primary_nearly_all
from orchestration.disclosure.secondary import SecondaryStats, protect_counts
from orchestration.parameters import Indicator, disclosure_parameters, indicators, periods
from orchestration.quarters import quarters_of_period


class NothingToProtectError(RuntimeError):
    """The monitor table has no rows for the quarter (dbt has not built it)."""


POINTS_SCHEMA = {"area": pl.String, "indicator": pl.String, "point_values": pl.List(pl.Float64)}
"""The columns of ``feasible_points`` (``FEASIBLE_POINTS_TABLE`` adds the quarter)."""


@dataclass
class ProtectionResult:
    cells: pl.DataFrame
    """Restricted: the input columns + ``status`` + ``suppression``; ``value`` unchanged."""
    published: pl.DataFrame
    """The published shape: ``value`` NULL where ``status`` is suppressed."""
    n_primary: int
    n_secondary: int
    seconds: float
    n_cells: int
    share_suppressed: float
    """Suppressed cells / all cells (information loss, every indicator)."""
    share_suppressed_counts: float
    """Suppressed count cells / all count cells."""
    share_secondary: float
    """Secondary suppressions / all cells."""
    per_level: dict[str, dict[str, int]] = field(default_factory=dict)
    """Level -> cells, primary, secondary; in ``LEVELS`` order."""
    stats: SecondaryStats | None = None
    left_out_periods: list[str] = field(default_factory=list)
    """Periods of the frame not published: they span a quarter protected before its figures
    moved to a period type published later (``without_mixed_periods``)."""
    points: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=POINTS_SCHEMA))
    """Restricted: the feasible points protection found (``feasible_points``), the rows of
    ``FEASIBLE_POINTS_TABLE`` without their quarter."""


def feasible_points(table: Table, stats: SecondaryStats) -> pl.DataFrame:
    """``stats.points`` by the model's names: per hidden cell that differs from the true table
    at one of the points at least, ``area`` (``Table.area_code``: a remainder has its own
    name), ``indicator`` and its value at each point (``point_values``, the same length in
    every row). The gate's audit maps them onto its own model, built from the published file
    alone, and uses only what it finds to be points of it."""
    if stats.points is None or not stats.points[0].size:
        return pl.DataFrame(schema=POINTS_SCHEMA)
    cells, rows = stats.points
    counts = np.array(table.relations.counts)
    return pl.DataFrame(
        {
            "area": table.area_code[cells // table.k].astype(str),
            "indicator": counts[cells % table.k],
            "point_values": pl.Series(rows.T).cast(pl.List(pl.Float64)),
        },
        schema=POINTS_SCHEMA,
    )


def wide_values(frame: pl.DataFrame, table: Table) -> dict[str, np.ndarray]:
    """Indicator -> value per real area of the table (NaN for NULL or missing)."""
    idx = row_areas(frame, table)
    vals = frame["value"].cast(pl.Float64).fill_null(np.nan).to_numpy()
    names = frame["indicator"].to_numpy()
    out: dict[str, np.ndarray] = {}
    for name in table.relations.kinds:
        arr = np.full(table.n_real, np.nan)
        m = names == name
        arr[idx[m]] = vals[m]
        out[name] = arr
    return out


def median_lower_bounds(
    table: Table, published: dict[str, np.ndarray], min_median_n: float
) -> np.ndarray:
    """Lower bound per cell: ``min_median_n`` on a household count whose median is published
    (moved from a folded cell to where the attacker has it: ``Table.fold_lower_bounds``)."""
    lower = np.zeros(table.n_cells)
    for ind in table.relations.medians:
        areas = np.flatnonzero(published[ind.name])
        lower[table.cell(areas, ind.denominator)] = np.maximum(
            lower[table.cell(areas, ind.denominator)], min_median_n
        )
    return table.fold_lower_bounds(lower)


def _history_cells(
    table: Table, history: pl.DataFrame, frame: pl.DataFrame
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """(fixed cells, suppressed fixed cells, per indicator: the areas whose row is the
    earlier publication's and was published) of the earlier publication's rows in ``table``.

    Fixed per cell: every count of an earlier publication's area is fixed (its row as it was
    published, or no row: a cell the file never held) except the cells ``frame`` gives, which
    are decided now: a figure of an earlier period computed later (docs/late-figures-plan.md)
    is a new cell beside the fixed ones of its slice. A remainder is fixed where its
    gemeente's cell is."""
    k = table.k
    idx = row_areas(history, table)
    names = history["indicator"].to_numpy()
    is_published = (history["status"] == "published").to_numpy()
    is_suppressed = (history["status"] == "suppressed").to_numpy()  # not: unpublished
    areas = np.unique(idx)
    fixed = np.zeros(table.n_cells, dtype=bool)
    fixed[(areas[:, None] * k + np.arange(k)[None, :]).ravel()] = True
    frame_idx = row_areas(frame, table)
    frame_names = frame["indicator"].to_numpy()
    for name in table.relations.counts:
        fixed[table.cell(frame_idx[frame_names == name], name)] = False
    remainders = np.arange(table.n_real, table.n_areas)
    rem_cells = (remainders[:, None] * k + np.arange(k)[None, :]).ravel()
    gem_cells = (table.parent[remainders][:, None] * k + np.arange(k)[None, :]).ravel()
    fixed[rem_cells] = fixed[gem_cells]  # a remainder of an earlier period is its gemeente's
    suppressed = np.zeros(table.n_cells, dtype=bool)
    published: dict[str, np.ndarray] = {}
    for name in table.relations.kinds:
        m = names == name
        published[name] = np.zeros(table.n_real, dtype=bool)
        published[name][idx[m]] = is_published[m]
        if name in table.relations.counts:
            cells = table.cell(idx[m], name)
            suppressed[cells] = is_suppressed[m]
    return fixed, suppressed, published


def _split_repeated(
    frame: pl.DataFrame, history: pl.DataFrame | None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(the frame's new rows, its rows that repeat a cell of ``history``, with that row's
    ``status`` and ``suppression``). A period published later repeats a figure published with
    its quarter (the cohort's hh_met_signaal, the denominator of its rates): the same cell of
    the same slice, so it keeps the status it has in the file. A different value is an error:
    one of the two quarters was built again from other data after the other was protected."""
    empty = frame.clear().with_columns(
        status=pl.lit(None, pl.String), suppression=pl.lit(None, pl.String)
    )
    if PERIOD_KEY[0] not in frame.columns:
        return frame, empty
    key = [PERIOD_KEY[1], "area_code", "indicator"]
    repeats = frame.filter(_repeats_a_quarter())
    if history is None or not history.height:
        history = repeats.clear().with_columns(status=pl.lit(None, pl.String))
    unprotected = repeats.join(history, on=key, how="anti")
    if unprotected.height:
        first = unprotected.row(0, named=True)
        raise InconsistentTableError(
            f"{first[PERIOD_KEY[0]]} {first[PERIOD_KEY[1]]} repeats figures published with "
            f"{first[PERIOD_KEY[1]]} ({unprotected.height} cells, e.g. {first['indicator']} of "
            f"{first['area_code']}), but {first[PERIOD_KEY[1]]} has no protected rows of them: "
            f"run {first[PERIOD_KEY[1]]} first, then this quarter again (docs/runbook.md, Failures)"
        )
    if not history.height:
        return frame, empty
    reason = pl.col("suppression") if "suppression" in history.columns else pl.lit("none")
    # a cell published once and repeated since (the cohort's hh_met_signaal after
    # kwartaal_afgerond's) is in the history twice, with the same value and status
    earlier = history.unique(subset=key, keep="first", maintain_order=True).select(
        *key,
        "status",
        suppression=reason,
        earlier_value=pl.col("value"),
        earlier_quarter=pl.col(PERIOD_COLUMN),
    )
    repeated = frame.join(earlier, on=key, how="inner")
    differ = repeated.filter(
        (pl.col("value").is_null() != pl.col("earlier_value").is_null())
        | ((pl.col("value") - pl.col("earlier_value")).abs() > 1e-9)
    )
    if differ.height:
        first = {
            k: ("NULL" if v is None else f"{v:g}") if k.endswith("value") else v
            for k, v in differ.row(0, named=True).items()
        }
        raise InconsistentTableError(
            f"{differ.height} figures of the period {first[PERIOD_KEY[1]]} differ from the same "
            f"figures protected with quarter {first['earlier_quarter']}, e.g. "
            f"{first['indicator']} of {first['area_code']}: {first['value']} now, "
            f"{first['earlier_value']} then. One of the two quarters was built again from "
            "other extracts after the other was protected (docs/runbook.md, Failures)"
        )
    return frame.join(earlier, on=key, how="anti"), repeated.drop(
        "earlier_value", "earlier_quarter"
    )


def moved_quarters(history: pl.DataFrame | None, kinds: Iterable[Indicator]) -> set[str]:
    """The quarters whose figures ``history`` holds in rows of a period type published without
    delay that no longer carries them (``kinds``: the indicators, each with the period types
    that carry it), while a period type published later does: a quarter
    protected before its figures moved there (docs/migrations.md 14: its outcomes in its own
    ``kwartaal`` row, as known at its end; a four-quarter row marks each of its quarters)."""
    if history is None or not history.height or PERIOD_KEY[0] not in history.columns:
        return set()
    late = set(late_period_types())
    sooner = [p.period_type for p in periods() if not p.vertraging]
    moved = pl.lit(False)
    for ind in kinds:
        carried = set(ind.period_types())
        if carried & late:
            left = [t for t in sooner if t not in carried]
            moved |= (pl.col("indicator") == ind.name) & pl.col(PERIOD_KEY[0]).is_in(left)
    labels = history.filter(moved)[PERIOD_KEY[1]].unique().to_list()
    return {quarter for label in labels for quarter in quarters_of_period(label)}


def without_mixed_periods(
    frame: pl.DataFrame, history: pl.DataFrame | None, kinds: Iterable[Indicator]
) -> tuple[pl.DataFrame, list[str]]:
    """(the frame without the periods of a type published later that span a quarter of
    ``moved_quarters``, those periods as ``"<period_type> <period>"``). Such a period would
    publish a figure of that quarter again as known later (``kwartaal_afgerond``), relate its
    figures as known later to the ones published then (``vier_kwartalen_afgerond``: a sum over
    quarters that does not hold), or repeat a denominator with another value (the cohort's
    ``hh_hulp_geaccepteerd``). A figure is published once, so these periods are left out, once,
    for the quarters around the change; the next period of each type is whole again."""
    moved = moved_quarters(history, kinds)
    if not moved or PERIOD_KEY[0] not in frame.columns:
        return frame, []
    late = frame.filter(pl.col(PERIOD_KEY[0]).is_in(late_period_types()))
    mixed = [
        (period_type, period)
        for period_type, period in late.select(PERIOD_KEY).unique().sort(PERIOD_KEY).iter_rows()
        if moved & set(quarters_of_period(period))
    ]
    if not mixed:
        return frame, []
    skip = pl.DataFrame(mixed, schema=list(PERIOD_KEY), orient="row")
    return frame.join(skip, on=list(PERIOD_KEY), how="anti"), [f"{t} {p}" for t, p in mixed]


def _repeats_a_quarter() -> pl.Expr:
    """Rows of a period type published later (``vertraging``) whose indicator a period type of
    the same length published sooner carries too: a repeat of a published cell (the
    hh_met_signaal of kwartaal_afgerond, vier_kwartalen_afgerond and the cohort, published with
    the period itself; the cohort's hh_hulp_geaccepteerd, published with kwartaal_afgerond)."""
    repeats = pl.lit(False)
    for late in (p for p in periods() if p.vertraging):
        family = same_length(late.period_type)
        sooner = {p.period_type for p in family if p.vertraging < late.vertraging}
        shared = [
            i.name
            for i in indicators()
            if late.period_type in i.period_types() and sooner & set(i.period_types())
        ]
        repeats |= (pl.col(PERIOD_KEY[0]) == late.period_type) & pl.col("indicator").is_in(shared)
    return repeats


def suppression_plan(
    frame: pl.DataFrame,
    params: dict[str, float],
    relations: Relations,
    workers: int = 1,
    history: pl.DataFrame | None = None,
    report: Callable[[str], None] | None = None,
) -> tuple[Table, dict[str, np.ndarray], dict[str, np.ndarray], SecondaryStats]:
    """(table, primary mask per indicator over areas, suppressed mask per indicator, stats).

    ``history``: an earlier publication's protected rows (true ``value`` and ``status``) in
    the model with ``frame``; their status is fixed (module docstring of ``secondary.py``)."""
    combined = (
        frame
        if history is None
        else pl.concat(  # the history's status tells the model what was in the file
            [
                frame.with_columns(status=pl.lit(None, pl.String)),
                history.select(*frame.columns, "status"),
            ]
        )
    )
    table = build_table(combined, relations)
    x = fill_remainders(table)
    problems = check_consistency(table, x)
    if problems:
        raise InconsistentTableError(
            "the unsuppressed indicators break relations the disclosure model relies on:\n  "
            + "\n  ".join(problems)
            + "\n(docs/runbook.md, Failures: what this means and what to do)"
        )
    wide = wide_values(combined, table)
    k, n = table.k, table.n_real
    real = np.arange(n * k)
    primary_cells = np.zeros(table.n_cells, dtype=bool)
    primary_cells[real] = primary_counts(x[real], params["min_count"])
    for name, mask in primary_nearly_all(wide, relations, params["min_count"]).items():
        primary_cells[table.cell(np.arange(n), name)] |= mask
    derived_primary = primary_derived(wide, relations, params)
    median_published = {
        name: ~mask
        for name, mask in derived_primary.items()
        if name in {m.name for m in relations.medians}
    }
    median_kept = {name: np.zeros(n, dtype=bool) for name in median_published}
    fixed = start = None
    if history is not None and history.height:
        fixed, earlier_suppressed, earlier_published = _history_cells(table, history, frame)
        primary_cells &= ~fixed
        start = primary_cells | earlier_suppressed
        earlier_areas = np.zeros(n, dtype=bool)
        earlier_areas[row_areas(history, table)] = True
        frame_idx, frame_names = row_areas(frame, table), frame["indicator"].to_numpy()
        for name in median_published:  # as published then, unless the frame gives it now
            earlier = earlier_areas.copy()
            earlier[frame_idx[frame_names == name]] = False
            median_published[name] = np.where(
                earlier, earlier_published[name], median_published[name]
            )
            median_kept[name] = earlier & earlier_published[name]
    known = table.known_cells()  # the reader's own figures: published, never complements
    if known.any():
        primary_cells &= ~known
        start = None if start is None else start & ~known
        fixed = known if fixed is None else fixed | known
    lower = median_lower_bounds(table, median_published, params["min_median_n"])
    suppressed_cells, stats = protect_counts(
        table,
        x,
        primary_cells if start is None else start,
        lower,
        params["protection_width"],
        workers=workers,
        fixed=fixed,
        max_release_checks=int(params["max_release_checks"]),
        max_rounds=int(params["max_repair_rounds"]),
        lower_kept=median_lower_bounds(table, median_kept, params["min_median_n"]),
        report=report,
    )
    withdrawn = _medians_withdrawn(table, median_published, median_kept, stats.released_bounds)
    primary: dict[str, np.ndarray] = {}
    suppressed: dict[str, np.ndarray] = {}
    for i, name in enumerate(relations.counts):
        primary[name] = primary_cells[np.arange(n) * k + i]
        suppressed[name] = suppressed_cells[np.arange(n) * k + i]
    for ind in relations.rates:
        primary[ind.name] = derived_primary[ind.name]
        suppressed[ind.name] = (
            derived_primary[ind.name] | suppressed[ind.numerator] | suppressed[ind.denominator]
        )
    for ind in relations.medians:
        primary[ind.name] = derived_primary[ind.name]
        suppressed[ind.name] = derived_primary[ind.name] | withdrawn[ind.name]
    return table, primary, suppressed, stats


def _medians_withdrawn(
    table: Table,
    published: dict[str, np.ndarray],
    kept: dict[str, np.ndarray],
    released: np.ndarray,
) -> dict[str, np.ndarray]:
    """Per median: the areas whose median is suppressed after all (secondary) because the
    repair withdrew its lower bound (``SecondaryStats.released_bounds``): a median published
    now (not ``kept`` from an earlier publication) whose bound lands on a released cell, its
    count's cell or, folded (``Table.fold_lower_bounds``), its buurt's top and its wijk's
    cell."""
    out = {name: np.zeros(table.n_real, dtype=bool) for name in published}
    if not released.size:
        return out
    hit = np.zeros(table.n_cells, dtype=bool)
    hit[released] = True
    for ind in table.relations.medians:
        areas = np.flatnonzero(published[ind.name] & ~kept[ind.name])
        own = table.cell(areas, ind.denominator)
        lands = hit[own]
        if table.folded is not None:  # a folded buurt's bound lands on its top and its wijk
            f = np.flatnonzero(table.folded[own])
            tops, wijk_cells = table.fold_landing(own[f])
            lands[f] |= hit[wijk_cells] | (False if tops is None else hit[tops])
        out[ind.name][areas[lands]] = True
    return out


def in_file(frame: pl.DataFrame) -> np.ndarray:
    """Per row: the indicator is published at the row's area level (``is_published_at``)."""
    return np.array(
        [
            is_published_at(name, level)
            for name, level in zip(frame["indicator"], frame["area_level"], strict=True)
        ],
        dtype=bool,
    )


def protect_quarter(
    frame: pl.DataFrame,
    params: dict | None = None,
    relations: Relations | None = None,
    *,
    workers: int | None = None,
    history: pl.DataFrame | None = None,
    report: Callable[[str], None] | None = None,
) -> ProtectionResult:
    """Primary and secondary suppression of one quarter (see the module docstring).

    ``workers``: processes for the LPs (default ``lp.default_workers()``); the result does not
    depend on it. ``history``: the protected rows (true ``value``, ``status``) of every
    earlier publication the frame relates to; their status is fixed, complements are chosen
    among the frame's cells only, and the frame's rows alone are returned. ``report``: told
    where the repair is (``secondary.protect_counts``); the result does not depend on it.
    """
    started = time.perf_counter()
    params = dict(params or disclosure_parameters())
    relations = relations or default_relations()
    frame, left_out = without_mixed_periods(frame, history, relations.kinds.values())
    frame, repeated = _split_repeated(frame, history)
    relations = relations_for(relations, frame, repeated, history)
    workers = default_workers() if workers is None else workers
    table, primary, suppressed, stats = suppression_plan(
        frame, params, relations, workers, history, report
    )
    idx = row_areas(frame, table)
    names = frame["indicator"].to_numpy()
    is_primary = np.zeros(frame.height, dtype=bool)
    is_suppressed = np.zeros(frame.height, dtype=bool)
    for name in relations.kinds:
        m = names == name
        is_primary[m] = primary[name][idx[m]]
        is_suppressed[m] = suppressed[name][idx[m]]
    unknown = ~np.isin(names, list(relations.kinds))
    if unknown.any():
        raise ValueError(f"indicators not in seeds/indicators.csv: {sorted(set(names[unknown]))}")
    shown = in_file(frame)  # a count left out of a level is protected but not published
    frame, names, is_primary, is_suppressed = (
        frame.filter(shown),
        names[shown],
        is_primary[shown],
        is_suppressed[shown],
    )
    suppression = np.where(is_primary, "primary", np.where(is_suppressed, "secondary", "none"))
    cells = frame.with_columns(
        status=pl.Series(np.where(is_suppressed, "suppressed", "published")),
        suppression=pl.Series(suppression),
    )
    if repeated.height:  # as they were published: their status counts in the figures below
        cells = pl.concat([cells, repeated.select(cells.columns)])
        names = cells["indicator"].to_numpy()
        is_primary = (cells["suppression"] == "primary").to_numpy()
        is_suppressed = (cells["status"] == "suppressed").to_numpy()
        frame = cells
    published = cells.with_columns(
        value=pl.when(pl.col("status") == "published").then(pl.col("value")).otherwise(None)
    ).select(PUBLISHED_COLUMNS)
    n_primary = int(is_primary.sum())
    n_secondary = int((is_suppressed & ~is_primary).sum())
    count_rows = np.isin(names, list(relations.counts))
    per_level = {}
    levels = cells["area_level"].to_numpy()
    for level in (lvl for lvl in LEVELS if (levels == lvl).any()):  # model: no other levels
        m = levels == level
        per_level[str(level)] = {
            "cells": int(m.sum()),
            "primary": int((is_primary & m).sum()),
            "secondary": int((is_suppressed & ~is_primary & m).sum()),
        }
    return ProtectionResult(
        cells=cells,
        published=published,
        n_primary=n_primary,
        n_secondary=n_secondary,
        seconds=time.perf_counter() - started,
        n_cells=frame.height,
        share_suppressed=float(is_suppressed.mean()) if frame.height else 0.0,
        share_suppressed_counts=float(is_suppressed[count_rows].mean())
        if count_rows.any()
        else 0.0,
        share_secondary=n_secondary / max(frame.height, 1),
        per_level=per_level,
        stats=stats,
        left_out_periods=left_out,
        points=feasible_points(table, stats),
    )


def _add_missing_columns(con: duckdb.DuckDBPyConnection, table: str, columns: list[str]) -> None:
    """Rebuild ``table`` with ``columns`` in their order when it lacks some (a table of before
    the period columns, docs/migrations.md 3): old rows are quarterly."""
    existing = {row[0] for row in con.execute(f"describe {table}").fetchall()}
    if set(columns) <= existing:
        return
    select = select_with_periods(columns, existing)
    con.execute(f"create or replace table {table} as select {select} from {table}")


def replace_quarter(
    con: duckdb.DuckDBPyConnection, table: str, quarter: str, frame: pl.DataFrame
) -> None:
    """Replace one quarter's rows of ``table`` (created from the frame's columns if absent)."""
    con.register("_frame", frame.to_arrow())
    try:
        con.execute(f"create table if not exists {table} as select * from _frame limit 0")
        _add_missing_columns(con, table, frame.columns)
        con.execute(f"delete from {table} where quarter = ?", [quarter])
        con.execute(f"insert into {table} by name select * from _frame")
    finally:
        con.unregister("_frame")


def _exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = ? and table_name = ?",
            table.split("."),
        ).fetchone()[0]
    )


def stored_points(con: duckdb.DuckDBPyConnection, quarter: str) -> pl.DataFrame | None:
    """The feasible points protect stored for ``quarter`` (``feasible_points``); None when
    the warehouse has none (a warehouse protected by an earlier version)."""
    if not _exists(con, FEASIBLE_POINTS_TABLE):
        return None
    return con.execute(
        f"select area, indicator, point_values from {FEASIBLE_POINTS_TABLE} where quarter = ?",
        [quarter],
    ).pl()


def left_out_rows(con: duckdb.DuckDBPyConnection, quarters: list[str]) -> pl.DataFrame:
    """dbt's rows of ``quarters`` (published period types and levels) of the counts
    ``published_levels`` leaves out of a level, with ``status`` ``unpublished``: the cells
    ``model.Table.unpublished``, with their true values. Not in the protected table, so read
    from dbt's table, which keeps every quarter; a cell the protected table has (published
    under an earlier scope) is left to it, and so is a period it does not have (left out
    whole: ``without_mixed_periods``)."""
    left_out = [
        (name, level)
        for name, levels in published_levels().items()
        for level in LEVELS
        if level not in levels
    ]
    pairs = ", ".join(f"('{name}', '{level}')" for name, level in left_out) or "(null, null)"
    if not _exists(con, MONITOR_MODEL_TABLE):  # a warehouse dbt has not built (a test's)
        return con.execute(f"select * from {PROTECTED_TABLE} limit 0").pl()
    return con.execute(
        f"""select m.*, 'unpublished' as status, 'none' as suppression
            from {MONITOR_MODEL_TABLE} m
            join (values {pairs}) o(indicator, area_level) using (indicator, area_level)
            where m.quarter in (select unnest(?::varchar[]))
              and m.{PERIOD_KEY[0]} in (select unnest(?::varchar[]))
              and {in_publication_scope_sql()}
              and not exists (select 1 from {PROTECTED_TABLE} p
                              where p.quarter = m.quarter and p.{PERIOD_KEY[0]} = m.{PERIOD_KEY[0]}
                                and p.area_code = m.area_code and p.indicator = m.indicator)
              and exists (select 1 from {PROTECTED_TABLE} p
                          where p.quarter = m.quarter and p.{PERIOD_KEY[0]} = m.{PERIOD_KEY[0]}
                            and p.{PERIOD_KEY[1]} = m.{PERIOD_KEY[1]})""",
        [quarters, list(published_period_types())],
    ).pl()


def earlier_publications(con: duckdb.DuckDBPyConnection, quarter: str) -> pl.DataFrame | None:
    """The protected rows of every other quarter, when a published period spans several
    quarters (``contract.publishes_across_quarters``); else None: every quarter is a
    table of its own. Every protected quarter counts as published (it may have been: the
    attacker is assumed to know it). Not narrowed to today's ``publication_scope``: a quarter
    protected under a wider scope has those rows in the file."""
    if not publishes_across_quarters():
        return None
    if not _exists(con, PROTECTED_TABLE):
        return None
    period_types = list(published_period_types())
    earlier = con.execute(
        f"select * from {PROTECTED_TABLE} where quarter <> ? "
        f"and {PERIOD_KEY[0]} in (select unnest(?))",
        [quarter, period_types],
    ).pl()
    quarters = sorted(set(earlier["quarter"]))
    return pl.concat([earlier, left_out_rows(con, quarters).select(earlier.columns)])


def protect_stored_quarter(
    con: duckdb.DuckDBPyConnection, quarter: str, report: Callable[[str], None] | None = None
) -> ProtectionResult:
    """The protect stage: protect the quarter of dbt's monitor table (the rows of
    ``publication_scope``: published period types at their published levels) and store the
    protected (restricted) and the candidate (published shape) table's rows of the quarter, in
    one transaction, with the feasible points its gate's audit starts from (those of the
    quarter protected before are removed: only a gate rerun of that quarter would have used
    them, and it reaches the same verdict without them). ``report``: as ``protect_quarter``."""
    frame = con.execute(
        f"select * from {MONITOR_MODEL_TABLE} where quarter = ? and {in_publication_scope_sql()}",
        [quarter],
    ).pl()
    if frame.is_empty():
        raise NothingToProtectError(
            f"{MONITOR_MODEL_TABLE} has no rows for {quarter}: run dbt first"
        )
    # the tables of an earlier version get their new columns before the history is read
    for table, columns in (
        (PROTECTED_TABLE, [*frame.columns, "status", "suppression"]),
        (CANDIDATE_TABLE, list(PUBLISHED_COLUMNS)),
    ):
        if _exists(con, table):
            _add_missing_columns(con, table, columns)
    result = protect_quarter(frame, history=earlier_publications(con, quarter), report=report)
    con.execute(f"create schema if not exists {DISCLOSURE_SCHEMA}")
    con.execute("begin")
    replace_quarter(con, PROTECTED_TABLE, quarter, result.cells)
    replace_quarter(con, CANDIDATE_TABLE, quarter, result.published)
    if _exists(con, FEASIBLE_POINTS_TABLE):  # for the gate of this quarter: the others' go
        con.execute(f"delete from {FEASIBLE_POINTS_TABLE}")
    points = result.points.with_columns(quarter=pl.lit(quarter))
    replace_quarter(con, FEASIBLE_POINTS_TABLE, quarter, points)
    con.execute("commit")
    return result
