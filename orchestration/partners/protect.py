"""Disclosure control of the partner figures: each partner on its own, the monitor's rules.

A partner's figures per quarter are one table of the disclosure model: one area per gemeente
it delivered signals for (``area_level`` gemeente, no children), the monitor's own count
indicators over its signals (``mon_partner_indicators``) and the relations between them as
``model.build_relations`` states them for those indicators (``signalen`` is the sum of its
linked and unlinked parts; the households are at most the linked signals, and so on). The
linked signals are those of the partner's one publication group (``signalen_<groep>``): the
other groups have none by definition, which the linked bound is told
(``contract.linked_bounds``). Primary and secondary suppression are ``protect_quarter``'s; the
audit is ``audit_publication`` over the partner's published shape.

A quarter's figures are of two periods (``mon_partner_indicators``): the quarter's own signals
(``kwartaal``) and the outcomes of the quarter before (``kwartaal_afgerond``, with that
quarter's ``hh_met_signaal`` repeated). A partner that kept the file of the quarter before
holds that period's signals and households too, so they are in the model as ``history``: the
partner's protected rows of earlier quarters in the periods of the quarter's rows
(``earlier_in_periods``), their status fixed, the repeated ``hh_met_signaal`` published as it
was (``protect._split_repeated``). The audit reads the same earlier rows of the candidate
beside the quarter's. A partner's periods are quarters: no relation joins two periods, so
earlier rows of other periods would change nothing.

Who reads a partner file: that partner, who knows which residents it signalled and, next to
it, the public ``monitor.duckdb``. The partner's counts are parts of the public gemeente's
quarterly counts of the same names, so a public cell is an upper bound on the partner's;
the audit does not add those bounds (docs/partner-feedback.md, *What the audit covers*).
"""

from __future__ import annotations

import duckdb
import polars as pl

from orchestration.contract import (
    DISCLOSURE_SCHEMA,
    PARTNER_CANDIDATE_TABLE,
    PARTNER_MODEL_TABLE,
    PARTNER_PROTECTED_TABLE,
    PERIOD_KEY,
    PUBLISHED_COLUMNS,
    QUARTERLY,
    publication_group_names,
    subset_bounds,
)
from orchestration.disclosure.audit import AuditResult, audit_publication
from orchestration.disclosure.model import Relations, build_relations
from orchestration.disclosure.protect import (
    NothingToProtectError,
    ProtectionResult,
    protect_quarter,
    replace_quarter,
)
from orchestration.parameters import indicators

PARTNER_KEY = "partner_code"
PARTNER_KNOWN = (
    "signalen",
    "signalen_geen_match",
    "signalen_buiten_gemeente",
    "signalen_meerdere_adressen",
)
"""What a partner knows of its own figures (``Relations.known``): its signals per gemeente (it
sent them, to addresses it knows: its rows loaded are its rows sent minus the quarantined rows
its file lists) and which of them match no address, lie outside the gemeente or match several
addresses (it can redo the matching with the public BAG and the documented rules). Not the
signals at an address where nobody is registered (``signalen_geen_huishouden``): that is the
BRP's. Published whatever their value; suppressed, they would protect nothing."""


def partner_relations(names: list[str] | tuple[str, ...]) -> Relations:
    """The relations among the indicators ``names`` of one partner's figures (in the order of
    ``seeds/indicators.csv``); its publication group is the one whose linked signals it has.
    Its households are a group it can name: every bound between two household counts (picked
    up of the households, reached of those picked up, ...) is a ``named_groups`` pair."""
    present = set(names)
    unknown = sorted(present - {i.name for i in indicators()})
    if unknown:
        raise ValueError(f"partner indicators not in seeds/indicators.csv: {unknown}")
    groups = linked_groups(present)
    if len(groups) != 1:
        raise ValueError(
            f"a partner's figures hold the linked signals of one publication group, not {groups}"
        )
    inds = tuple(i for i in indicators() if i.name in present)
    return build_relations(
        inds,
        groups=groups,
        known=PARTNER_KNOWN,
        named_groups=tuple(
            (parts[0], total)
            for parts, total in subset_bounds([i.name for i in inds if i.kind == "count"])
            if len(parts) == 1 and parts[0].startswith("hh_") and total.startswith("hh_")
        ),
    )


def linked_groups(names: set[str] | list[str]) -> tuple[str, ...]:
    """The publication groups whose linked signals (``signalen_<groep>``) are among ``names``:
    one, in a partner's figures."""
    return tuple(g for g in publication_group_names() if f"signalen_{g}" in names)


def protect_partner(frame: pl.DataFrame, history: pl.DataFrame | None = None) -> ProtectionResult:
    """Primary and secondary suppression of one partner's figures of one quarter;
    ``history``: the partner's protected rows of earlier quarters in the same periods
    (``earlier_in_periods``), fixed as they were published."""
    partners = frame[PARTNER_KEY].unique().to_list()
    if len(partners) != 1:
        raise ValueError(f"one partner's figures at a time, not {sorted(partners)}")
    frame = _with_zero_outcomes(frame, history)
    relations = partner_relations(_names(frame, history))
    result = protect_quarter(frame, relations=relations, history=history)
    result.published = result.published.with_columns(pl.lit(partners[0]).alias(PARTNER_KEY))
    return result


def _with_zero_outcomes(frame: pl.DataFrame, history: pl.DataFrame | None) -> pl.DataFrame:
    """``frame`` with a 0 for every count of a later period type (the outcomes a quarter later)
    in a gemeente where the partner's earlier file has the period but no household
    (``hh_met_signaal`` 0: signals only at no household). dbt writes outcomes only where the
    partner had households, yet the gemeente is in the model through that file, so its
    outcome counts are 0, not unknown."""
    later = frame.filter(pl.col(PERIOD_KEY[0]) != QUARTERLY)
    if history is None or later.is_empty():
        return frame
    counts = {i.name for i in indicators() if i.kind == "count"}
    slices = later.select(*PERIOD_KEY, "indicator").unique()
    slices = slices.filter(pl.col("indicator").is_in(counts))
    empty = (
        history.filter((pl.col("indicator") == "hh_met_signaal") & (pl.col("value") == 0))
        .select(PERIOD_KEY[1], "area_level", "area_code", "area_name", "parent_code")
        .unique()
    )
    missing = (
        slices.join(empty, on=PERIOD_KEY[1])
        .join(later, on=[*PERIOD_KEY, "area_code", "indicator"], how="anti")
        .with_columns(
            pl.lit(frame[PARTNER_KEY][0]).alias(PARTNER_KEY),
            pl.lit(frame["quarter"][0]).alias("quarter"),
            pl.lit(0.0).alias("value"),
        )
    )
    if missing.is_empty():
        return frame
    return pl.concat([frame, missing.select(frame.columns)], how="vertical_relaxed")


def _names(*frames: pl.DataFrame | None) -> list[str]:
    """The indicators of the frames: the quarter's and the earlier rows it is modelled with (a
    quarter with outcomes of the quarter before only has its linked signals there)."""
    return sorted({n for f in frames if f is not None for n in f["indicator"].unique().to_list()})


def per_partner(
    con: duckdb.DuckDBPyConnection, table: str, quarter: str, missing: str
) -> dict[str, pl.DataFrame]:
    """Partner -> its rows of ``quarter`` in ``table``, in partner order;
    ``NothingToProtectError`` (``missing`` says what to run) when there are none."""
    frame = con.execute(f"select * from {table} where quarter = ? order by all", [quarter]).pl()
    if frame.is_empty():
        raise NothingToProtectError(f"{table} has no rows for {quarter}: {missing}")
    return {
        str(key[0]): part for key, part in sorted(frame.group_by(PARTNER_KEY), key=lambda kv: kv[0])
    }


def earlier_in_periods(
    con: duckdb.DuckDBPyConnection, table: str, quarter: str, periods: list[str]
) -> dict[str, pl.DataFrame]:
    """Partner -> its rows of ``table`` (the protected table or the candidate) of the quarters
    before ``quarter`` whose period is one of ``periods``: what the partner's earlier files
    hold of the periods of the quarter's rows (module docstring); none before the first
    quarter is protected."""
    try:
        frame = con.execute(
            f"select * from {table} where quarter < ? "
            f"and {PERIOD_KEY[1]} in (select unnest(?::varchar[])) order by all",
            [quarter, periods],
        ).pl()
    except duckdb.CatalogException:  # no table yet
        return {}
    return {str(key[0]): part for key, part in frame.group_by(PARTNER_KEY)}


def _periods(frames: dict[str, pl.DataFrame]) -> list[str]:
    return sorted({p for f in frames.values() for p in f[PERIOD_KEY[1]].unique().to_list()})


def protect_stored_partners(
    con: duckdb.DuckDBPyConnection, quarter: str
) -> dict[str, ProtectionResult]:
    """Protect every partner's figures of ``quarter``, with its earlier rows in the same
    periods as history, and store them: the restricted table (true value, status,
    suppression) and the candidate (published shape), in one transaction."""
    frames = per_partner(con, PARTNER_MODEL_TABLE, quarter, "run dbt first")
    history = earlier_in_periods(con, PARTNER_PROTECTED_TABLE, quarter, _periods(frames))
    results = {p: protect_partner(frame, history.get(p)) for p, frame in frames.items()}
    cells = pl.concat([r.cells for r in results.values()], how="vertical_relaxed")
    published = pl.concat(
        [r.published.select(PARTNER_KEY, *PUBLISHED_COLUMNS) for r in results.values()],
        how="vertical_relaxed",
    )
    con.execute(f"create schema if not exists {DISCLOSURE_SCHEMA}")
    con.execute("begin")
    replace_quarter(con, PARTNER_PROTECTED_TABLE, quarter, cells)
    replace_quarter(con, PARTNER_CANDIDATE_TABLE, quarter, published)
    con.execute("commit")
    return results


def audit_partner(published: pl.DataFrame, restricted: pl.DataFrame | None = None) -> AuditResult:
    """The LP audit of one partner's published figures (``audit_publication`` with the
    partner's relations): one quarter's, with the earlier rows in its periods that the
    partner holds; ``restricted``: the true values, a starting point only."""
    relations = partner_relations(_names(published))
    return audit_publication(
        published.drop(PARTNER_KEY),
        relations=relations,
        restricted=None if restricted is None else restricted.drop(PARTNER_KEY),
    )


def audit_stored_partners(con: duckdb.DuckDBPyConnection, quarter: str) -> dict[str, AuditResult]:
    """Partner -> the audit of its candidate figures of ``quarter`` together with its earlier
    candidate rows in the same periods (what a partner that kept its files holds)."""
    first = "protect the partner figures first"
    published = per_partner(con, PARTNER_CANDIDATE_TABLE, quarter, first)
    restricted = per_partner(con, PARTNER_PROTECTED_TABLE, quarter, first)
    periods = _periods(published)
    earlier = earlier_in_periods(con, PARTNER_CANDIDATE_TABLE, quarter, periods)
    earlier_true = earlier_in_periods(con, PARTNER_PROTECTED_TABLE, quarter, periods)
    return {
        p: audit_partner(
            _with(frame, earlier.get(p)), _with(restricted.get(p), earlier_true.get(p))
        )
        for p, frame in published.items()
    }


def _with(frame: pl.DataFrame | None, earlier: pl.DataFrame | None) -> pl.DataFrame | None:
    """``frame`` with the ``earlier`` rows (same columns) below it, when there are any."""
    if frame is None or earlier is None:
        return frame
    return pl.concat([frame, earlier.select(frame.columns)], how="vertical_relaxed")
