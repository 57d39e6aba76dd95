"""What the `monitor status`, `monitor log` and `monitor demo` commands print."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import duckdb
from babel.numbers import format_decimal, format_percent

from orchestration.contract import (
    CANDIDATE_TABLE,
    LEVELS,
    MONITOR_MODEL_TABLE,
    QUARTERLY,
    period_type_of_level,
)
from orchestration.ingestion.loader import CURRENT_FILES
from orchestration.parameters import periods
from orchestration.report import LOCALE, later_notes, period_names
from orchestration.settings import Paths
from orchestration.shares import KEY_INDICATORS, PUBLISHED_TABLE, published_shares

T = TypeVar("T")


def _text(value: object) -> str:
    """A cell for the terminal: whole numbers without decimals, other floats to one decimal."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [[str(h) for h in headers]] + [[_text(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _read(path: Path, read: Callable[[duckdb.DuckDBPyConnection], T], empty: T) -> T:
    """``read`` on a read-only connection to ``path``; ``empty`` when the file or table does
    not exist yet, or a run is writing the file."""
    if not path.exists():
        return empty
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            return read(con)
    except duckdb.CatalogException:
        return empty
    except duckdb.IOException as error:
        if "lock" in str(error).lower():
            print(f"(note: {path.name} is being written by a run; its columns are shown empty)")
            return empty
        raise


def _query(path: Path, sql: str, params: Sequence[object] = ()) -> list[tuple]:
    """Rows of a read-only query; [] when the file or table does not exist yet."""
    return _read(path, lambda con: con.execute(sql, list(params)).fetchall(), [])


def quarter_was_ingested(paths: Paths, quarter: str) -> bool:
    """Whether audit.ingest_files records any file of the quarter."""
    return bool(
        _query(
            paths.warehouse, "select 1 from audit.ingest_files where quarter = ? limit 1", [quarter]
        )
    )


def print_status(paths: Paths, all_indicators: bool = False) -> None:
    """Per quarter what is landed, ingested, built, protected and published; then what is
    published of the latest published quarter (``all_indicators``: of every indicator)."""
    landed: dict[str, tuple[int, int]] = {}
    if paths.landing.is_dir():
        for quarter_dir in sorted(p for p in paths.landing.iterdir() if p.is_dir()):
            files = [p for p in quarter_dir.rglob("*") if p.is_file() and p.parent != quarter_dir]
            sources = {p.parent.name for p in files}
            landed[quarter_dir.name] = (len(sources), len(files))
    ingested = {
        q: (files, failed, read, quarantined)
        for q, files, failed, read, quarantined in _query(
            paths.warehouse,
            "select quarter, count(*), count(*) filter (status = 'failed'), sum(rows_read), "
            f"sum(rows_quarantined) from {CURRENT_FILES} group by quarter",
        )
    }
    built = dict(
        _query(
            paths.warehouse,
            f"select quarter, count(*) from {MONITOR_MODEL_TABLE} group by quarter",
        )
    )
    protected = dict(
        _query(
            paths.warehouse,
            "select quarter, count(*) filter (status = 'suppressed') from "
            f"{CANDIDATE_TABLE} group by quarter",
        )
    )
    published = dict(
        _query(
            paths.monitor,
            "select quarter, max(published_at) from monitor.publication_log group by quarter",
        )
    )
    shares = {
        quarter: ", ".join(f"{p} {s:.0%}" for p, s in by_period)
        for quarter, by_period in _published_shares(paths).items()
    }
    quarters = sorted(set(landed) | set(ingested) | set(built) | set(published))
    if not quarters:
        print(f"Nothing landed, built or published yet under {paths.data_dir}.")
        print(
            "Start with `monitor generate` (demo data) or drop files in "
            f"{paths.landing}/<quarter>/<source>/."
        )
        return
    rows = []
    for q in quarters:
        sources, files = landed.get(q, (0, 0))
        ing = ingested.get(q)
        rows.append(
            (
                q,
                f"{sources} sources, {files} files" if files else "-",
                f"{ing[0]} files ({ing[1]} failed), {ing[2]:,} rows, {ing[3]:,} quarantined"
                if ing
                else "-",
                f"{built[q]:,} cells" if q in built else "-",
                f"{protected[q]:,} suppressed" if q in protected else "-",
                f"{str(published[q])[:19]} ({shares.get(q, '')})" if q in published else "-",
            )
        )
    print(
        _table(
            [
                "quarter",
                "landed",
                "ingested",
                "built (dbt)",
                "protected",
                "published (share of cells published per period)",
            ],
            rows,
        )
    )
    if published:
        print_what_is_published(paths, max(published), all_indicators)
    print(f"\nwarehouse (restricted): {paths.warehouse}\npublished (analysts):   {paths.monitor}")


def print_what_is_published(paths: Paths, quarter: str, all_indicators: bool = False) -> None:
    """A short Dutch table of the quarter's information loss, from the published file: per
    level, period type (its period named) and indicator (the key indicators unless
    ``all_indicators``) the share of the areas with a published cell, and of the households
    living in them (``shares.published_shares``, the computation of the publish asset's
    metadata). Each indicator is in the period types that carry it: ``pct_bereikt`` and
    ``pct_hulp`` in ``kwartaal_afgerond`` (the quarter before); a note says which key
    indicators of the quarter's own periods follow (``report.later_notes``)."""

    def read(con: duckdb.DuckDBPyConnection) -> tuple[list, dict[str, str]]:
        return published_shares(con, quarter, PUBLISHED_TABLE), period_names(con, quarter)

    shares, periods = _read(paths.monitor, read, ([], {}))
    shown = [s for s in shares if all_indicators or s.indicator in KEY_INDICATORS]
    if not shown:
        return
    which = "alle indicatoren" if all_indicators else "kernindicatoren; alle: --all-indicators"
    print(f"\nWat is gepubliceerd van {quarter} ({which})")
    print("het aandeel van de gebieden met een gepubliceerd cijfer, en van de huishoudens die")
    print("daar wonen (van de gebieden waarvan het aantal huishoudens gepubliceerd is)")
    print(
        _table(
            [
                "niveau",
                "soort periode",
                "periode",
                "indicator",
                "gebieden",
                "gepubliceerd",
                "van de huishoudens",
            ],
            [
                (
                    s.area_level,
                    s.period_type,
                    periods.get(s.period_type, ""),
                    s.indicator,
                    format_decimal(s.areas, locale=LOCALE),
                    format_percent(s.share_areas, locale=LOCALE),
                    ""
                    if s.share_households is None
                    else format_percent(s.share_households, locale=LOCALE),
                )
                for s in shown
            ],
        )
    )
    for _, text in later_notes(periods, list(KEY_INDICATORS), "gemeente", str):
        print(f"\n{text}")


def print_publication_log(paths: Paths) -> None:
    rows = _query(
        paths.monitor,
        "select quarter, published_at, run_id, data_version, n_primary_suppressed, "
        "n_secondary_suppressed, synthetic from monitor.publication_log "
        "order by published_at",
    )
    if not rows:
        print(f"No publications yet in {paths.monitor}.")
        return
    print(
        _table(
            [
                "quarter",
                "published_at",
                "run_id",
                "data_version",
                "primary",
                "secondary",
                "synthetic",
            ],
            [(r[0], str(r[1])[:19], r[2][:8], r[3], r[4], r[5], r[6]) for r in rows],
        )
    )


def _period_types() -> list[str]:
    return [p.period_type for p in periods()]


def _published_shares(paths: Paths) -> dict[str, list[tuple[str, float]]]:
    """Quarter -> [(period type, share of its cells published)], in seeds/periods.csv order."""
    shares: dict[str, list[tuple[str, float]]] = {}
    for quarter, period_type, share in _query(
        paths.monitor,
        "select quarter, period_type, avg(case when status = 'published' then 1.0 else 0 end) "
        "from monitor.area_indicators group by quarter, period_type "
        f"order by quarter, list_position({_period_types()}, period_type)",
    ):
        shares.setdefault(quarter, []).append((period_type, float(share)))
    return shares


def print_publication_summary(paths: Paths, quarter: str) -> None:
    counts = _query(
        paths.monitor,
        "select period_type, area_level, count(distinct area_code), count(*), "
        "count(*) filter (status = 'suppressed'), "
        "avg(case when status = 'published' then 1.0 else 0 end) "
        "from monitor.area_indicators where quarter = ? group by period_type, area_level "
        f"order by list_position({_period_types()}, period_type), "
        f"list_position({list(reversed(LEVELS))}, area_level)",
        [quarter],
    )
    if not counts:
        print(f"\n{quarter} is not published in {paths.monitor}.")
        print("`monitor status` shows how far it got; `monitor ui` shows the failed step or check.")
        return
    print(f"\nPublished {quarter} in {paths.monitor}")
    print(
        _table(
            ["period", "level", "areas", "cells", "suppressed", "published"],
            [(*row[:-1], f"{row[-1]:.0%}") for row in counts],
        )
    )
    buurt_period = period_type_of_level("buurt") or QUARTERLY  # seeds/periods.csv niveaus
    top = _query(
        paths.monitor,
        "select area_code, area_name, signalen_per_1000_hh, signalen, huishoudens "
        "from monitor.buurt where quarter = ? and period_type = ? "
        "and signalen_per_1000_hh is not null order by signalen_per_1000_hh desc limit 5",
        [quarter, buurt_period],
    )
    if top:
        print(f"\nBuurten with the most signals per 1,000 households ({buurt_period}):")
        print(_table(["buurt", "naam", "per 1000 hh", "signalen", "huishoudens"], top))
    duckdb_cli = Path(sys.executable).with_name("duckdb")
    print(
        f"\nQuery it: {duckdb_cli} -readonly {paths.monitor} "
        '"select * from monitor.gemeente_leesbaar" (docs/analyst-guide.md)'
    )
