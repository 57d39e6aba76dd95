"""The metadata the UI shows: text bar charts, the match-rate table, and Dagster's standard
table metadata (name, columns, rows) on every table asset of a real run."""

from __future__ import annotations

import duckdb
from dagster import AssetKey, DagsterInstance

from orchestration.assets.transform import match_rate_metadata
from orchestration.contract import (
    CANDIDATE_ASSET,
    MONITOR_MODEL_ASSET,
    PARTNER_CANDIDATE_ASSET,
    PARTNER_FILES_ASSET,
    PUBLISHED_ASSET,
    PUBLISHED_COLUMNS,
    PUBLISHED_SCHEMA,
)
from orchestration.metadata import BAR_WIDTH, bar_table, text_bar
from orchestration.parameters import disclosure_parameters, partners
from orchestration.settings import SEEDS_DIR

try:
    from tests.pipeline_support import QUARTER
except ImportError:  # tests/ is not a package: pytest put tests/ itself on sys.path
    from pipeline_support import QUARTER  # type: ignore[no-redef]


def cells(markdown: str) -> list[list[str]]:
    rows = [line for line in markdown.splitlines() if line.startswith("|")][2:]
    return [[c.strip() for c in row.strip("|").split("|")] for row in rows]


def test_single_series_bars_are_proportional_to_the_largest_value() -> None:
    table = bar_table(["reason", "rows"], [("a", 120), ("b", 60), ("c", 1), ("d", 0)], [1])
    bars = {row[0]: row[2].strip("`") for row in cells(table.value)}
    assert bars["a"] == "█" * BAR_WIDTH
    assert bars["b"] == "█" * (BAR_WIDTH // 2)
    assert bars["c"] != "", "a non-zero value always shows"
    assert bars["d"] == ""


def test_stacked_bars_relative_to_a_column_with_a_legend() -> None:
    table = bar_table(
        ["level", "cells", "primary", "secondary"],
        [("wijk", 48, 24, 12), ("buurt", 200, 50, 0)],
        [2, 3],
        relative_to=1,
    )
    bars = {row[0]: row[4].strip("`") for row in cells(table.value)}
    assert bars["wijk"] == "█" * (BAR_WIDTH // 2) + "▒" * (BAR_WIDTH // 4)
    assert bars["buurt"] == "█" * (BAR_WIDTH // 4)
    assert "`█` primary `▒` secondary" in table.value


def test_text_bar_resolves_eighths_of_a_character() -> None:
    assert text_bar([1], 8 * BAR_WIDTH) == "▏"
    assert text_bar([12], 8 * BAR_WIDTH) == "█▌"
    assert text_bar([5], 0) == ""


def test_match_rates_per_partner_count_every_status() -> None:
    # mon_match_rates as dbt builds it, and the seed that says which statuses are a match
    con = duckdb.connect()
    con.execute("create schema main_monitor")
    con.execute("create schema main_seeds")
    con.execute(
        "create table main_seeds.match_statuses as "
        f"select * from read_csv('{SEEDS_DIR / 'match_statuses.csv'}', header = true)"
    )
    con.execute(
        "create table main_monitor.mon_match_rates as select * from (values "
        "('2026Q3', 'eneco', 'exact', 2), ('2026Q3', 'eneco', 'no_match', 1), "
        "('2026Q3', 'eneco', 'unique_toevoeging', 1), ('2026Q3', 'ymere', 'outside_gemeente', 1), "
        "('2026Q3', 'ymere', 'ambiguous', 1), ('2026Q2', 'ymere', 'exact', 1)) "
        "t(quarter, partner_code, match_status, n_signalen)"
    )
    metadata = match_rate_metadata(con, "2026Q3")
    rows = {row[0]: row for row in cells(metadata["match_rates"].value)}
    header = [
        c.strip() for c in metadata["match_rates"].value.splitlines()[0].strip("|").split("|")
    ]
    eneco = dict(zip(header, rows["eneco"], strict=True))
    assert eneco["signals"] == "4"
    assert eneco["exact"] == "2" and eneco["unique_toevoeging"] == "1"
    assert eneco["no_match"] == "1" and eneco["match rate"] == "75.0%"
    ymere = dict(zip(header, rows["ymere"], strict=True))
    assert ymere["signals"] == "2" and ymere["match rate"] == "0.0%"
    assert ymere["ambiguous"] == "1" and ymere["outside_gemeente"] == "1"
    assert metadata["signals"] == 6 and metadata["signals_matched"] == 3
    assert metadata["match_rate"].value == 0.5


# --- Dagster's standard table metadata, from a real `monitor run` ---------------------------

DATABASES = {"warehouse": "warehouse.duckdb", "monitor": "monitor.duckdb"}
"""The catalog of a ``dagster/table_name`` -> its DuckDB file in the data directory."""


def latest_materializations(data_dir) -> dict[AssetKey, dict]:
    with DagsterInstance.from_config(str(data_dir / "dagster_home")) as instance:
        out = {}
        for key in instance.get_asset_keys():
            event = instance.get_latest_materialization_event(key)
            if event is not None:
                out[key] = dict(event.asset_materialization.metadata)
        return out


def test_every_table_asset_carries_name_columns_and_rows_as_stored(pipeline_baseline) -> None:
    data_dir, _ = pipeline_baseline
    materialized = latest_materializations(data_dir)
    with_table = {k: m for k, m in materialized.items() if "dagster/table_name" in m}
    expected = {
        AssetKey(["audit", "pseudonym_key"]),
        AssetKey(["raw", "signalen"]),
        AssetKey(["raw", "bag_adressen"]),
        AssetKey(["raw", "wijken_buurten"]),
        AssetKey(["seeds", "indicators"]),
        AssetKey(["monitor", "mon_area_counts"]),
        AssetKey(MONITOR_MODEL_ASSET),
        AssetKey(CANDIDATE_ASSET),
        AssetKey(PARTNER_CANDIDATE_ASSET),
        AssetKey(PUBLISHED_ASSET),
        *(AssetKey(["raw", "signalen", code]) for code in partners()),
    }
    assert expected <= set(with_table), expected - set(with_table)
    with duckdb.connect(str(data_dir / DATABASES["warehouse"]), read_only=True) as con:
        views = con.execute(
            "select schema_name, view_name from duckdb_views() where not internal"
        ).fetchall()
    # dbt names a view's asset <schema without main_>/<view>: only views store nothing to count
    view_keys = {AssetKey([schema.removeprefix("main_"), view]) for schema, view in views}
    files = {AssetKey(PARTNER_FILES_ASSET)}  # one file per partner, no table of the catalog
    assert set(materialized) - set(with_table) <= view_keys | files
    for key, metadata in with_table.items():
        catalog, schema, table = metadata["dagster/table_name"].value.split(".")
        with duckdb.connect(str(data_dir / DATABASES[catalog]), read_only=True) as con:
            stored = con.execute(
                "select column_name, data_type from duckdb_columns() "
                "where schema_name = ? and table_name = ? order by column_index",
                [schema, table],
            ).fetchall()
            partner = (
                key.path[2] if key.path[:2] == ["raw", "signalen"] and len(key.path) == 3 else None
            )
            where = f" where source = '{partner}'" if partner else ""
            rows, quarter_rows = con.execute(
                f"select count(*), count(*) filter (where quarter = ?) from {schema}.{table}{where}"
                if any(c == "quarter" for c, _ in stored)
                else f"select count(*), null from {schema}.{table}",
                [QUARTER] if any(c == "quarter" for c, _ in stored) else [],
            ).fetchone()
        columns = metadata["dagster/column_schema"].schema.columns
        assert [(c.name, c.type) for c in columns] == stored, key
        assert metadata["dagster/row_count"].value == rows, key
        if quarter_rows is not None:
            assert metadata["dagster/partition_row_count"].value == quarter_rows, key
        else:
            assert "dagster/partition_row_count" not in metadata, key
    published = with_table[AssetKey(PUBLISHED_ASSET)]
    assert published["dagster/table_name"].value == f"monitor.{PUBLISHED_SCHEMA}.area_indicators"
    assert [c.name for c in published["dagster/column_schema"].schema.columns] == list(
        PUBLISHED_COLUMNS
    )
    assert all(c.description for c in published["dagster/column_schema"].schema.columns)
    assert with_table[AssetKey(["raw", "signalen"])]["dagster/partition_row_count"].value == sum(
        with_table[AssetKey(["raw", "signalen", code])]["dagster/partition_row_count"].value
        for code in partners()
    )


def test_the_candidate_tells_what_the_pruning_pass_did(pipeline_baseline) -> None:
    """secondary.release_unneeded: complements published again, of how many LP checks, within
    the seed's budget."""
    data_dir, _ = pipeline_baseline
    candidate = latest_materializations(data_dir)[AssetKey(CANDIDATE_ASSET)]
    released, checks = candidate["complements_released"].value, candidate["release_checks"].value
    assert 0 <= released <= checks <= disclosure_parameters()["max_release_checks"]
    # the repair settled: at least one LP round, no gemeente suppressed whole
    assert candidate["repair_rounds"].value >= 1 and candidate["suppressed_whole"].value == 0
    # one quarter, no earlier publication: nothing can pin a cell (secondary._pinned)
    assert candidate["published_pinned"].value == 0
