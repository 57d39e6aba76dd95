"""The published contract and the vocabulary the stages share: the one place for each.

Every stage after dbt (protect, gate, publish) and every reader of their tables (report,
export, status, the benchmark) takes these names from here; none of them writes a table
name, a level, a column list or a relation between indicators again. This module imports
no stage, so every stage may import it. docs/architecture.md has the picture.

What is here (and what is not):

- the tables between stages (``warehouse.duckdb``) and in the analysts' file
  (``monitor.duckdb``), and the Dagster asset keys and check names that stand for them (as
  plain paths: this module, like the stages, does not import Dagster);
- the area levels and the period column;
- the published columns and the wide-table SQL, used by publish *and* by the gate, so the
  gate checks exactly what is published;
- the part/total relations between the count indicators, used by suppression
  (``disclosure/model.py``) and by the gate's ``parts_vs_total`` frame;
- the indicator vocabulary, read from ``seeds/`` (indicators, publication groups, personas).

The values themselves (thresholds, code lists) stay in ``seeds/`` (``parameters.py`` reads
them); the tables the dbt project owns are named in its models.
"""

from __future__ import annotations

import re
from functools import cache

from orchestration.parameters import (
    Period,
    indicator_by_name,
    indicator_definitions,
    indicators,
    periods,
    publication_levels,
    read_seed,
)

# --- tables between the stages -------------------------------------------------------------

AREA_REFERENCE_TABLE = "main_monitor.mon_gebieden"
"""The areas of every built quarter: the ingested reference (``raw.wijken_buurten``) plus the
regio rows (dbt ``mon_gebieden``): which areas a publication must have."""
MONITOR_MODEL_TABLE = "main_monitor.mon_area_indicators"
"""dbt's unsuppressed area indicators (restricted): the input of the protect stage."""
PARTNER_MODEL_TABLE = "main_monitor.mon_partner_indicators"
"""Partner feedback per quarter x partner x gemeente, unsuppressed (restricted)."""
MATCH_RATES_TABLE = "main_monitor.mon_match_rates"
"""dbt's signals per quarter, partner and match status (restricted)."""
MATCH_STATUSES_SEED = "main_seeds.match_statuses"
"""``seeds/match_statuses.csv`` as dbt loads it: which status places a signal at an address."""
DISCLOSURE_SCHEMA = "disclosure"
PROTECTED_TABLE = f"{DISCLOSURE_SCHEMA}.area_indicators_protected"
"""Restricted: the monitor table plus ``status`` and ``suppression`` (none/primary/secondary)."""
CANDIDATE_TABLE = f"{DISCLOSURE_SCHEMA}.area_indicators_candidate"
"""Exactly the published columns, ``value`` NULL where suppressed: what the gate checks and
publish copies."""
FEASIBLE_POINTS_TABLE = f"{DISCLOSURE_SCHEMA}.feasible_points"
"""Restricted: per quarter, the tables protect found the attacker could take for the true one
(``secondary.SecondaryStats.points``): per hidden cell of the model (``area``, the model's name
of its area; ``indicator``) its value in each (``point_values``). The gate's audit checks them
and starts its search from them. Only the quarter protected last has them: its gate is the
only one to use them (up to 48 values per hidden cell: for a national quarter's ~180,000
suppressed counts about 70 MB before compression)."""
PARTNER_PROTECTED_TABLE = f"{DISCLOSURE_SCHEMA}.partner_indicators_protected"
"""Restricted: the partner figures with their true value, status and suppression."""
PARTNER_CANDIDATE_TABLE = f"{DISCLOSURE_SCHEMA}.partner_indicators_candidate"
"""The partner figures in the published shape (value NULL where suppressed), per partner."""

# --- the analysts' file (monitor.duckdb) ----------------------------------------------------

PUBLISHED_SCHEMA = "main"
"""Schema of the published tables inside monitor.duckdb (see orchestration/publish.py)."""


def attached_quarters(con, catalog: str = "monitor") -> list[str]:
    """The quarters of the published file attached to ``con`` as ``catalog``, oldest first."""
    sql = f"select distinct quarter from {catalog}.{PUBLISHED_SCHEMA}.area_indicators order by 1"
    return [quarter for (quarter,) in con.execute(sql).fetchall()]


# --- levels and periods ---------------------------------------------------------------------

LEVELS = ("regio", "gemeente", "wijk", "buurt")
"""Area levels, coarse to fine (also the row order of the published tables)."""
PERIOD_COLUMN = "quarter"
"""The quarter of every row between the stages and in the published file, such as ``2026Q3``
(``orchestration/quarters.py`` parses it): the Dagster partition, and the last quarter of the
row's period. A publication of a quarter replaces all its rows, of every period type."""
PERIOD_KEY = ("period_type", "period")
"""The period of a row: its type (``seeds/periods.csv``: ``kwartaal``, ``vier_kwartalen``) and
its name (``2026Q3``; ``2025Q4-2026Q3`` for the four quarters ending with 2026Q3)."""
QUARTERLY = "kwartaal"
"""The period type of the quarter itself (``period`` = ``quarter``)."""


LEGACY_PERIOD_SQL = {PERIOD_KEY[0]: f"'{QUARTERLY}'", PERIOD_KEY[1]: PERIOD_COLUMN}
"""SQL of the period columns for a row written before there were periods: a quarterly row."""


def select_with_periods(columns: tuple[str, ...] | list[str], existing: set[str]) -> str:
    """Select list of ``columns`` from a table with the ``existing`` columns: a period column it
    lacks (a table of before the periods, docs/migrations.md 3) from ``LEGACY_PERIOD_SQL``."""
    return ", ".join(
        c if c in existing else f"{LEGACY_PERIOD_SQL.get(c, 'null')} as {c}" for c in columns
    )


def publication_scope() -> dict[str, tuple[str, ...]]:
    """What is published: period type -> its published area levels, in ``LEVELS`` order
    (``seeds/periods.csv``, columns ``published`` and ``niveaus``). Protect puts exactly these
    rows in the candidate; the gate expects exactly these. A level left out of a period type is
    computed by dbt but is not in the file, so it is no cell of the attacker's model either
    (docs/periods-plan.md 3.6: the quarterly buurt figures)."""
    scope: dict[str, tuple[str, ...]] = {}
    for p in periods():
        if not p.published:
            continue
        unknown = sorted(set(p.niveaus) - set(LEVELS))
        if unknown or not _IDENTIFIER.match(p.period_type):
            raise ContractError(
                f"seeds/periods.csv: period type {p.period_type!r} (an identifier) with "
                f"unknown levels {unknown} in its niveaus"
            )
        scope[p.period_type] = tuple(level for level in LEVELS if level in p.niveaus)
    return scope


def late_period_types() -> tuple[str, ...]:
    """Period types computed and published quarters after their own last quarter
    (``seeds/periods.csv`` vertraging > 0: ``cohort_zes_maanden``)."""
    return tuple(p.period_type for p in periods() if p.vertraging)


def same_length(period_type: str) -> tuple[Period, ...]:
    """The period types over as many quarters as ``period_type``, itself included, soonest
    published first (``seeds/periods.csv`` vertraging): for ``kwartaal`` that is ``kwartaal``,
    ``kwartaal_afgerond`` (its outcomes, a quarter later) and ``cohort_zes_maanden``; none
    for a period type the seed does not know."""
    own = next((p for p in periods() if p.period_type == period_type), None)
    if own is None:
        return ()
    return tuple(sorted((p for p in periods() if p.quarters == own.quarters), key=_delay))


def _delay(period: Period) -> int:
    return period.vertraging


def carrying_period_type(indicator: str, period_type: str, level: str) -> str | None:
    """The period type whose rows publish ``indicator`` at ``level`` for the periods of
    ``period_type``: the period type itself where it carries the indicator
    (``Indicator.period_types``), else the soonest published later (``seeds/periods.csv``
    vertraging) over as many quarters that does, in the publication of that later quarter
    with the same ``period`` (``kwartaal_afgerond`` for ``pct_bereikt`` of a ``kwartaal``).
    Only a period type that publishes ``level`` counts, and only where ``indicator`` is
    published at ``level``; None where none does, or for a period type or indicator the seeds
    do not know."""
    scope = publication_scope()
    family = same_length(period_type)
    ind = indicator_by_name().get(indicator)
    if not family or ind is None or not is_published_at(indicator, level):
        return None
    own = next(p for p in family if p.period_type == period_type)
    return next(
        (
            p.period_type
            for p in family
            if p.vertraging >= own.vertraging
            and p.period_type in ind.period_types()
            and level in scope.get(p.period_type, ())
        ),
        None,
    )


def follows_later(indicator: str, period_type: str, level: str) -> str | None:
    """The later period type that publishes ``indicator`` at ``level`` for the periods of
    ``period_type``, which does not carry it itself (``carrying_period_type``): the figure of a
    ``kwartaal`` row that ``volgt``. None where the period type carries it or none does."""
    carrier = carrying_period_type(indicator, period_type, level)
    return None if carrier == period_type else carrier


def published_period_types() -> tuple[str, ...]:
    """Period types protect puts in the candidate (``seeds/periods.csv``, column published)."""
    return tuple(publication_scope())


def in_publication_scope_sql() -> str:
    """SQL condition on ``period_type`` and ``area_level``: the row is in ``publication_scope``."""
    return (
        "("
        + " or ".join(
            f"({PERIOD_KEY[0]} = '{period_type}' and area_level in "
            f"({', '.join(repr(level) for level in levels)}))"
            for period_type, levels in publication_scope().items()
        )
        + ")"
    )


def period_type_of_level(level: str) -> str | None:
    """The shortest published period type that publishes ``level`` (``vier_kwartalen`` for the
    buurt), None if none does: the period a reader of one level's figures takes."""
    return next((p for p, levels in publication_scope().items() if level in levels), None)


def publishes_across_quarters() -> bool:
    """Whether a published period type spans several quarters, or is published quarters after
    its own (``cohort_zes_maanden``: a cell of an earlier quarter's slice): then protect and
    the audit take the other quarters in the file into account (docs/periods-plan.md 1.3);
    else every quarter is a table of its own."""
    return any(p.published and (p.quarters > 1 or p.vertraging > 0) for p in periods())


# --- published columns ----------------------------------------------------------------------

PUBLISHED_COLUMNS = (
    PERIOD_COLUMN,
    *PERIOD_KEY,
    "area_level",
    "area_code",
    "area_name",
    "parent_code",
    "indicator",
    "value",
    "status",
)
"""The columns of the candidate and of ``monitor.area_indicators``, in order."""
WIDE_KEY_COLUMNS = (PERIOD_COLUMN, *PERIOD_KEY, "area_code", "area_name", "parent_code")
"""The key columns of ``monitor.buurt``, ``wijk`` and ``gemeente``; one column per indicator
follows."""
STATUSES = ("published", "suppressed")

# --- Dagster asset keys and check names ------------------------------------------------------

# One rule for every asset key (docs/architecture.md, *Asset keys*): the first part says where
# the asset's data sits. Restricted, in ``warehouse.duckdb``: its layer, the schema it sits in
# (dbt's schemas without DuckDB's ``main_`` prefix), then the table. Published, in the analysts'
# file ``monitor.duckdb``: ``published``, then the table. The partner files:
# ``partners/``, then what they hold. Only what leaves the warehouse is ``published/`` or
# ``partners/``. Paths of the keys (``AssetKey(CANDIDATE_ASSET)``): the stages stay free of
# Dagster.
WAREHOUSE_LAYERS = (
    "audit", "raw", "seeds", "staging", "intermediate", "marts", "monitor", "disclosure",
)  # fmt: skip
"""The layers (schemas) of ``warehouse.duckdb`` an asset key may start with, in flow order."""
PUBLISHED_LAYER = "published"
"""The first part of the key of every asset that writes ``monitor.duckdb``, and of no other."""
MONITOR_MODEL_ASSET = ("monitor", "mon_area_indicators")
"""The dbt model ``mon_area_indicators`` (``orchestration/assets/transform.py`` keys dbt)."""
CANDIDATE_ASSET = ("disclosure", "area_indicators_candidate")
PUBLISHED_ASSET = (PUBLISHED_LAYER, "area_indicators")
AUDIT_CHECK_NAME = "disclosure_audit"
"""The blocking check of the LP disclosure audit; every expectation suite is a check too,
named after its file (``orchestration/gate``)."""
PARTNER_MODEL_ASSET = ("monitor", "mon_partner_indicators")
PARTNER_CANDIDATE_ASSET = ("disclosure", "partner_indicators_candidate")
PARTNERS_LAYER = "partners"
"""The first part of the key of the asset that writes the partner files, and of no other."""
PARTNER_FILES_ASSET = (PARTNERS_LAYER, "terugkoppeling")
"""The partner files (``data/partners/<partner>.duckdb`` and ``.csv``): a place of their own,
next to the analysts' file."""
PARTNER_AUDIT_CHECK_NAME = "partner_disclosure_audit"
"""The blocking LP audit of the partner figures (``orchestration/partners``)."""


def warehouse_asset(layer: str, *names: str) -> tuple[str, ...]:
    """The key path of a restricted asset: ``layer`` (one of ``WAREHOUSE_LAYERS``), then its
    table (and, for a partner's rows of ``raw.signalen``, the partner)."""
    if layer not in WAREHOUSE_LAYERS:
        raise ContractError(
            f"asset {'/'.join((layer, *names))}: {layer!r} is no layer of the warehouse "
            f"({', '.join(WAREHOUSE_LAYERS)}); give the dbt model a schema of one of them, or "
            "add the layer to contract.WAREHOUSE_LAYERS and docs/architecture.md"
        )
    return (layer, *names)


def asset_location(path: tuple[str, ...] | list[str]) -> str:
    """The sentence every asset's description ends with: where its data sits (the key rule)."""
    if path[0] == PUBLISHED_LAYER:
        return "Published: written to the analysts' file monitor.duckdb."
    if path[0] == PARTNERS_LAYER:
        return "Sent to partners: each partner's own file in data/partners/, its figures only."
    warehouse_asset(*path)
    return f"Restricted: in warehouse.duckdb (layer {path[0]}); never leaves it."


# --- the indicator vocabulary (seeds/) --------------------------------------------------------

_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")


class ContractError(ValueError):
    """The seeds break the published contract (e.g. an indicator name that is no identifier)."""


def indicator_names() -> list[str]:
    """Published indicators in ``seeds/indicators.csv`` order (= wide column order)."""
    names = [ind.name for ind in indicators()]
    bad = [n for n in names if not _IDENTIFIER.match(n)]
    if bad:
        raise ContractError(f"indicator names must be lower-case identifiers: {bad}")
    return names


def indicator_levels() -> dict[str, tuple[str, ...]]:
    """Indicator -> the area levels it exists at (``niveau`` of
    ``seeds/indicator_definities.csv``; all of ``LEVELS`` for an indicator without a row). At
    another level it is 0 by definition (a signal at no household has no buurt): the
    disclosure model knows such a cell as a published 0, never a complement or an unknown."""
    words = indicator_definitions()
    out: dict[str, tuple[str, ...]] = {}
    for name in indicator_names():
        levels = words[name].niveaus if name in words else LEVELS
        unknown = sorted(set(levels) - set(LEVELS))
        if unknown:
            raise ContractError(f"indicator {name}: unknown levels {unknown} in its niveau")
        out[name] = tuple(level for level in LEVELS if level in levels)
    return out


@cache
def published_levels() -> dict[str, tuple[str, ...]]:
    """Indicator -> the area levels it is published at, in ``LEVELS`` order: every level but
    those ``seeds/publicatie_niveaus.csv`` leaves out; a rate or median only where its
    numerator and denominator are published too (with a published denominator it would give
    the count back). A count left out of a level is computed by dbt and protected as an
    unknown of the attacker's model (``model.Table.unpublished``), but is not in the file."""
    rows = publication_levels()
    out: dict[str, tuple[str, ...]] = {}
    for ind in indicators():  # counts come before the rates and medians over them
        row = next((r for r in rows if r.matches(ind.name)), None)
        levels = set(row.niveaus) if row else set(LEVELS)
        unknown = sorted(levels - set(LEVELS))
        if unknown:
            raise ContractError(
                f"seeds/publicatie_niveaus.csv: {ind.name} has unknown levels {unknown}"
            )
        for name in (ind.numerator, ind.denominator):
            if name is not None:
                levels &= set(out.get(name, LEVELS))
        out[ind.name] = tuple(level for level in LEVELS if level in levels)
    return out


def is_published_at(indicator: str, level: str) -> bool:
    """Whether ``indicator`` is published at ``level`` (``published_levels``; True for a name
    the seeds do not know, e.g. a test's own indicator)."""
    return level in published_levels().get(indicator, LEVELS)


def count_indicator_names() -> list[str]:
    return [ind.name for ind in indicators() if ind.kind == "count"]


@cache
def publication_group_names() -> tuple[str, ...]:
    """The publication groups (``signalen_<groep>``) in ``seeds/partner_types.csv`` order."""
    return tuple(dict.fromkeys(row["publicatiegroep"] for row in read_seed("partner_types")))


PERSONA_PREFIX = "hh_persona_"


def persona_names() -> tuple[str, ...]:
    """The personas (``hh_persona_<persona>``) in ``seeds/indicators.csv`` order."""
    return tuple(
        name.removeprefix(PERSONA_PREFIX)
        for name in count_indicator_names()
        if name.startswith(PERSONA_PREFIX)
    )


def wide_columns() -> list[str]:
    """The columns of ``monitor.buurt``, ``wijk`` and ``gemeente``, in order."""
    return [*WIDE_KEY_COLUMNS, *indicator_names()]


def wide_select_sql(source: str, level: str, quarter: str | None = "?") -> str:
    """SELECT turning long rows of ``source`` (published shape) into the wide table of a level.

    ``quarter``: the SQL placeholder (or literal) the quarter column must equal; None for every
    quarter. Used by publish and by the gate, so the gate checks exactly what is published. A
    suppressed cell (status not 'published') gives NULL whatever its value. One row per
    quarter, period and area.
    """
    if level not in LEVELS:
        raise ValueError(f"unknown area level {level!r}")
    pivots = ",\n  ".join(
        f"cast(max(value) filter (where indicator = '{name}' and status = 'published') as double)"
        f' as "{name}"'
        for name in indicator_names()
    )
    where = f"area_level = '{level}'" + (f" and quarter = {quarter}" if quarter else "")
    period_type, period = PERIOD_KEY
    return (
        f"select quarter, {period_type}, any_value({period}) as {period}, area_code, "
        f"any_value(area_name) as area_name, any_value(parent_code) as parent_code,\n  {pivots}\n"
        f"from {source}\nwhere {where}\ngroup by quarter, {period_type}, area_code\n"
        f"order by quarter, {period_order_sql()}, area_code"
    )


def period_order_sql(column: str = PERIOD_KEY[0]) -> str:
    """SQL ordering the period types of ``column`` as ``seeds/periods.csv`` does: the quarter
    first, then the four quarters, then the cohort published later."""
    whens = " ".join(f"when '{p.period_type}' then {i}" for i, p in enumerate(periods()))
    return f"case {column} {whens} end"


# --- part/total relations between the counts of one area -------------------------------------

SUM_RELATIONS = (
    ("signalen", "signalen_"),
    ("hh_met_signaal", PERSONA_PREFIX),
    ("hh_hulp_geaccepteerd", "hh_hulpsoort_"),
    ("hh_bereikt", "hh_bereikt_persona_"),
    ("hh_hulp_geaccepteerd", "hh_hulp_persona_"),
)
"""``total = sum(parts)`` within one area: the parts are the counts named ``prefix*`` (the
publication groups and, at gemeente level, the signals at no household per reason add up to
``signalen``; every signalled household has one persona, so do the reached and those that
accepted help; every household that accepted help has one help type, its most intensive)."""

SUBSET_BOUNDS = (
    (("hh_meerdere_signalen",), "hh_met_signaal"),
    (("hh_onbekend",), "hh_met_signaal"),
    (("hh_bereikt",), "hh_met_signaal"),
    (("hh_hulp_geaccepteerd",), "hh_bereikt"),
    (("hh_met_signaal",), "huishoudens"),
    (("hh_met_signaal",), "signalen"),
    (("hh_met_signaal", "hh_meerdere_signalen"), "signalen"),
    (("hh_meerdere_signalen", "hh_meerdere_signalen"), "signalen"),
    (("hh_opgepakt",), "hh_met_signaal"),
    (("hh_bereikt",), "hh_opgepakt"),
    (("huishoudens",), "inwoners"),
    (("crisissignalen",), "signalen"),
    (("eindeleveringssignalen",), "signalen"),
    (("hh_herhaald",), "hh_met_signaal"),
    (("hh_schuldhulp_binnen_6m",), "hh_met_signaal"),
    (("hh_nieuw_signaal_na_hulp",), "hh_hulp_geaccepteerd"),
)
"""``sum(parts) <= total`` within one area, by definition of the indicators (a part named
twice counts twice: a household with signals of two or more partner types has >= 2 signals).
Across areas: a wijk is the sum of its buurten, a gemeente at least the sum of its wijken."""


PERSONA_BOUNDS = (
    ("hh_bereikt_persona_", PERSONA_PREFIX),
    ("hh_hulp_persona_", "hh_bereikt_persona_"),
)
"""(part prefix, total prefix): ``part<persona> <= total<persona>`` for every persona, within
one area (``subset_bounds`` writes them out): the reached households of a persona are among its
signalled households, those that accepted help among its reached."""


LINKED_BOUNDS = (("hh_met_signaal",), ("hh_met_signaal", "hh_meerdere_signalen"))
"""``sum(parts) <= sum(signalen_<groep>)`` within one area, over the publication groups only:
a signalled household has at least one signal linked to its address, and a household with
signals of two or more partner types at least two; a signal at no household
(``signalen_<reden>``, gemeente level) is no household's. Stronger than the bounds by
``signalen`` of ``SUBSET_BOUNDS`` where signals at no household count (a gemeente, and the
remainder of its addresses without a buurt)."""


def linked_bounds(
    counts: list[str] | tuple[str, ...],
    groups: tuple[str, ...] | None = None,
) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """(parts, totals) of ``LINKED_BOUNDS`` among ``counts``; the totals are the signals per
    publication group: every group of ``seeds/partner_types.csv``, or only ``groups`` in a
    table where the others have no signals by definition (one partner's figures)."""
    groups = tuple(f"signalen_{g}" for g in (groups or publication_group_names()))
    if not all(g in counts for g in groups):
        return []
    return [(parts, groups) for parts in LINKED_BOUNDS if all(p in counts for p in parts)]


def sum_relations(
    counts: list[str] | tuple[str, ...],
) -> list[tuple[str, str, tuple[str, ...]]]:
    """(total, prefix, parts) of ``SUM_RELATIONS`` among ``counts`` (none without parts)."""
    out = []
    for total, prefix in SUM_RELATIONS:
        parts = tuple(n for n in counts if n.startswith(prefix))
        if total in counts and parts:
            out.append((total, prefix, parts))
    return out


def subset_bounds(counts: list[str] | tuple[str, ...]) -> list[tuple[tuple[str, ...], str]]:
    """(parts, total) of ``SUBSET_BOUNDS`` and ``PERSONA_BOUNDS`` whose indicators are all
    among ``counts``."""
    per_persona = [
        ((part + name.removeprefix(total),), name)
        for part, total in PERSONA_BOUNDS
        for name in counts
        if name.startswith(total)
    ]
    return [
        (parts, total)
        for parts, total in (*SUBSET_BOUNDS, *per_persona)
        if total in counts and all(p in counts for p in parts)
    ]


# --- relations between a multi-quarter period and its quarters ------------------------------

OVER_QUARTERS = (
    ("huishoudens", "same"),
    ("hh_met_signaal", "union"),
    ("hh_meerdere_signalen", "at_least"),
    ("signalen", "sum"),
    ("signalen_", "sum"),
    ("hh_onbekend", "earliest"),
    ("hh_bereikt", "union"),
    ("hh_hulp_geaccepteerd", "union"),
    (PERSONA_PREFIX, "latest"),
    ("inwoners", "same"),
    ("hh_opgepakt", "union"),
    ("hh_hulpsoort_", "latest"),
    ("crisissignalen", "sum"),
    ("eindeleveringssignalen", "sum"),
    ("contactpogingen", "sum"),
    ("hh_herhaald", "union"),
    ("hh_schuldhulp_binnen_6m", "none"),
    ("hh_nieuw_signaal_na_hulp", "none"),
    ("hh_bereikt_persona_", "none"),
    ("hh_hulp_persona_", "none"),
)
"""How a count of a multi-quarter period (``Y``) relates to the same area's counts of its
quarters (``Q_1`` oldest .. ``Q_n`` latest), from the definitions of
``mon_area_counts_vier_kwartalen`` (a household counts once, in its latest quarter's area;
docs/periods-plan.md 1.3). A name ending in ``_`` is a prefix.

- ``same``: ``Y = Q_n`` (households at the end of the period);
- ``sum``: ``Y = Q_1 + ... + Q_n`` (signals add up);
- ``union``: ``Q_i <= Y <= Q_1 + ... + Q_n`` (households signalled / reached / helped / with
  an earlier signal before their first signal of a quarter, in any quarter, counted once);
- ``latest``: ``Q_n <= Y <= sum``: the persona of the household's latest quarter (its help
  type: that of its latest quarter with help accepted);
- ``earliest``: ``Q_1 <= Y <= sum``: not known before the first signal of the period;
- ``at_least``: ``Q_i <= Y``: partner types of different quarters add up, so a household may
  have several types over the period and one in each quarter;
- ``none``: a count no multi-quarter period type carries (``Indicator.period_types``: the
  cohort's counts, who is reached per persona)."""


def over_quarters(counts: list[str] | tuple[str, ...]) -> dict[str, str]:
    """Count indicator -> its relation of ``OVER_QUARTERS``; every count must have one (a
    count without would let the disclosure model miss what an attacker knows)."""
    out: dict[str, str] = {}
    for name in counts:
        kind = next(
            (
                k
                for key, k in OVER_QUARTERS
                if name == key or (key.endswith("_") and name.startswith(key))
            ),
            None,
        )
        if kind is None:
            raise ContractError(f"count indicator {name} has no relation over quarters")
        out[name] = kind
    return out
