"""The Markdown metadata the UI shows: text bar charts and the match-rate table."""

from __future__ import annotations

import duckdb

from orchestration.assets.transform import match_rate_metadata
from orchestration.metadata import BAR_WIDTH, bar_table, text_bar
from orchestration.settings import SEEDS_DIR


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
