"""The Great Expectations gate: a clean candidate passes, each kind of bad row is caught and
named, jumps warn without blocking. Runs the real suite files with GX on a tiny sample."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from demo.sample_publication import sample_frames, write_tables
from orchestration.contract import PUBLISHED_COLUMNS, QUARTERLY, wide_columns
from orchestration.gate import (
    GateResult,
    GateTables,
    load_suites,
    render_markdown,
    run_gate,
    suite_keys,
)
from orchestration.gate.frames import indicators_at
from orchestration.gate.results import ExpectationOutcome
from orchestration.parameters import indicators, period_indicators
from orchestration.settings import EXPECTATIONS_DIR

Q = "2026Q3"
PREV = "2026Q2"
Frames = dict[str, pd.DataFrame]


def gate(
    mutate: Callable[[Frames], None] | None = None,
    *,
    previous: Frames | None = None,
    tables: GateTables | None = None,
    only: list[str] | None = None,
    late: bool = False,
) -> GateResult:
    """The gate on the sample of Q (``late``: with the rows published a quarter or two later,
    where the outcome figures are: kwartaal_afgerond), changed by ``mutate``."""
    frames = sample_frames(Q, late=late)
    if mutate:
        mutate(frames)
    with duckdb.connect() as con:
        write_tables(con, **frames)
        if previous is not None:
            write_tables(con, **previous)
        return run_gate(con, Q, tables=tables, only=only)


def outcome(result: GateResult, suite: str, name: str) -> ExpectationOutcome:
    for s in result.suites:
        if suite in (s.key, s.suite):
            for e in s.expectations:
                if e.name == name:
                    return e
    raise KeyError(f"{suite}/{name}")


def cell(
    frame: pd.DataFrame, area_code: str, indicator: str, period_type: str | None = None
) -> pd.Series:
    """The area's indicator in ``period_type``, by default the first period type that has it
    (the sample has a gemeente and a wijk in both period types, a buurt only in the
    four-quarter period)."""
    mask = (frame["area_code"] == area_code) & (frame["indicator"] == indicator)
    if not mask.any():
        return mask
    return mask & (frame["period_type"] == (period_type or frame.loc[mask, "period_type"].iloc[0]))


def set_cell(
    frames: Frames,
    area_code: str,
    indicator: str,
    value: float | None,
    status: str,
    protected_too: bool = False,
    period_type: str | None = None,
) -> None:
    targets = [frames["candidate"]] + ([frames["protected"]] if protected_too else [])
    for frame in targets:
        mask = cell(frame, area_code, indicator, period_type)
        assert mask.sum() == 1
        frame.loc[mask, "value"] = float("nan") if value is None else value
        frame.loc[mask, "status"] = status
        if "suppression" in frame.columns:
            frame.loc[mask, "suppression"] = "none" if status == "published" else "primary"


def failed_names(result: GateResult) -> set[str]:
    return {f"{e.suite}/{e.name}" for e in result.failures}


# --- the suite files as reviewed code ------------------------------------------------------


def test_suite_files_load_and_explain_every_expectation() -> None:
    suites = load_suites()
    assert {s.name for s in suites} >= {
        "area_indicators",
        "area_wide",
        "area_coverage",
        "parts_vs_total",
        "disclosure_rules",
        "jumps",
    }
    for suite in suites:
        raw = json.loads(suite.path.read_text(encoding="utf-8"))
        assert raw["name"] == suite.path.stem
        names = [e["meta"]["name"] for e in raw["expectations"]]
        assert len(names) == len(set(names)), f"{suite.name}: duplicate expectation names"
        for exp in raw["expectations"]:
            assert exp["type"].startswith("expect_")
            assert len(exp["meta"]["why"]) > 20
    assert "area_wide__buurt" in suite_keys(suites)


def test_suites_build_as_gx_expectation_suites() -> None:
    from orchestration.gate.suites import _gx_suite

    for suite in load_suites():
        assert len(_gx_suite(suite).expectations) == len(suite.expectations)


def test_column_lists_in_suites_match_the_published_schema() -> None:
    area = json.loads((EXPECTATIONS_DIR / "area_indicators.json").read_text())
    wide = json.loads((EXPECTATIONS_DIR / "area_wide.json").read_text())
    assert area["expectations"][0]["kwargs"]["column_list"] == list(PUBLISHED_COLUMNS)
    assert wide["expectations"][0]["kwargs"]["column_list"] == wide_columns()


def test_indicator_lists_in_row_conditions_match_seeds() -> None:
    area = {
        e["meta"]["name"]: e
        for e in json.loads((EXPECTATIONS_DIR / "area_indicators.json").read_text())["expectations"]
    }

    def listed(name: str) -> set[str]:
        condition = area[name]["kwargs"]["row_condition"]
        parts = condition["conditions"] if condition["type"] == "and" else [condition]
        (on_indicator,) = [c for c in parts if c["column"]["name"] == "indicator"]
        assert on_indicator["operator"] in ("IN", "NOT_IN")
        return set(on_indicator["parameter"])

    non_counts = {i.name for i in indicators() if i.kind != "count"}
    percentages = {i.name for i in indicators() if i.kind == "rate" and i.unit == "procent"}
    assert listed("no_count_1_to_9") == non_counts
    assert listed("percentages_0_to_100") == percentages


# --- a clean candidate ---------------------------------------------------------------------


def test_clean_candidate_passes_every_suite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = gate()
    assert result.passed, render_markdown(result, only_failed=True)
    assert [s.key for s in result.suites] == suite_keys(load_suites())
    assert all(s.rows for s in result.suites if s.suite != "jumps")
    # the sample's tiny buurt has 6 households: its denominator is suppressed -> a warning only
    warning = outcome(result, "area_indicators", "area_denominator_published")
    assert not warning.success and not warning.blocking
    assert {r["area_code"] for r in warning.failing_rows} == {"BU09990A01", "BU09990A0B"}
    # ephemeral context: GX wrote nothing (no gx/ project, no Data Docs)
    assert list(tmp_path.iterdir()) == []


# --- each bad row is caught and named --------------------------------------------------------


def test_published_count_of_5_is_caught() -> None:
    result = gate(
        lambda f: set_cell(f, "BU09990101", "signalen_water", 5.0, "published", protected_too=True)
    )
    assert not result.passed
    e = outcome(result, "area_indicators", "no_count_1_to_9")
    assert e.blocking and e.unexpected_count == 1
    assert e.failing_rows == [
        {
            "area_level": "buurt",
            "area_code": "BU09990101",
            "indicator": "signalen_water",
            "value": 5.0,
            "status": "published",
        }
    ]
    rule = outcome(result, "disclosure_rules", "primary_counts_suppressed")
    assert rule.blocking
    assert rule.failing_rows[0]["area_code"] == "BU09990101"
    # restricted true values never appear in a report
    assert all("true_value" not in row for row in rule.failing_rows)
    assert "5.0" not in rule.observed


def test_published_status_with_null_value_is_caught() -> None:
    result = gate(lambda f: set_cell(f, "WK099901", "hh_bereikt", None, "published"), late=True)
    e = outcome(result, "area_indicators", "published_means_value")
    assert e.blocking
    assert e.failing_rows == [
        {
            "area_level": "wijk",
            "area_code": "WK099901",
            "indicator": "hh_bereikt",
            "value": None,
            "status": "published",
        }
    ]


def test_suppressed_status_with_a_value_is_caught() -> None:
    result = gate(lambda f: set_cell(f, "BU09990A0B", "signalen_energie", 2.0, "suppressed"))
    e = outcome(result, "area_indicators", "suppressed_means_null")
    assert e.blocking
    assert e.failing_rows[0]["area_code"] == "BU09990A0B"


def test_rate_of_140_is_caught() -> None:
    result = gate(lambda f: set_cell(f, "GM0999", "pct_bereikt", 140.0, "published"), late=True)
    e = outcome(result, "area_indicators", "percentages_0_to_100")
    assert e.blocking
    assert e.failing_rows == [
        {
            "area_level": "gemeente",
            "area_code": "GM0999",
            "indicator": "pct_bereikt",
            "value": 140.0,
            "status": "published",
        }
    ]


def test_bad_buurt_code_is_caught() -> None:
    def mutate(f: Frames) -> None:
        c = f["candidate"]
        c.loc[c["area_code"] == "BU09990102", "area_code"] = "BU0999-102"

    result = gate(mutate)
    e = outcome(result, "area_indicators", "buurt_code_format")
    assert e.blocking and e.unexpected_count == indicators_at("buurt")
    assert {r["area_code"] for r in e.failing_rows} == {"BU0999-102"}
    assert len(e.failing_rows) == 20  # capped
    coverage = outcome(result, "area_coverage", "area_in_reference")
    assert [r["area_code"] for r in coverage.failing_rows] == ["BU0999-102"]
    missing = outcome(result, "area_coverage", "area_has_every_indicator")
    assert [r["area_code"] for r in missing.failing_rows] == ["BU09990102"]


def test_letters_in_wijk_and_buurt_codes_are_valid() -> None:
    result = gate(only=["area_indicators", "area_wide"])
    assert result.passed
    codes = {"WK09990A", "BU09990A0B"}
    assert codes <= set(sample_frames(Q)["candidate"]["area_code"])


def test_missing_area_is_caught_and_named() -> None:
    def mutate(f: Frames) -> None:
        f["candidate"] = f["candidate"][f["candidate"]["area_code"] != "BU09990A01"].reset_index(
            drop=True
        )

    result = gate(mutate)
    e = outcome(result, "area_coverage", "area_has_every_indicator")
    assert e.blocking
    assert e.failing_rows == [
        {
            "area_level": "buurt",
            "area_code": "BU09990A01",
            "n_indicators": 0,
            "expected_indicators": indicators_at("buurt"),
        }
    ]
    count = outcome(result, "area_indicators", "one_row_per_area_and_indicator")
    rows_left = len(sample_frames(Q)["candidate"]) - indicators_at("buurt")  # the buurt's rows
    assert count.blocking and count.observed == str(rows_left)
    assert outcome(result, "area_wide__buurt", "one_row_per_reference_area").blocking
    assert outcome(result, "disclosure_rules", "candidate_status_matches").blocking


def test_extra_column_bsn_is_caught() -> None:
    def mutate(f: Frames) -> None:
        f["candidate"]["bsn"] = "123456782"

    result = gate(mutate, only=["area_indicators"])
    e = outcome(result, "area_indicators", "published_columns_only")
    assert e.blocking
    assert "bsn" in e.observed
    assert failed_names(result) == {"area_indicators/published_columns_only"}


def test_duplicate_cell_is_caught() -> None:
    def mutate(f: Frames) -> None:
        c = f["candidate"]
        f["candidate"] = pd.concat([c, c[cell(c, "GM0999", "signalen")]], ignore_index=True)

    result = gate(mutate, only=["area_indicators", "area_coverage"])
    e = outcome(result, "area_indicators", "unique_cell")
    assert e.blocking
    assert {(r["area_code"], r["indicator"]) for r in e.failing_rows} == {("GM0999", "signalen")}
    assert (
        outcome(result, "area_coverage", "area_has_one_row_per_indicator").failing_rows[0]["n_rows"]
        == len(period_indicators(QUARTERLY)) + 1
    )


def test_parts_above_total_are_caught() -> None:
    # the wijk Centrum claims fewer households than its two buurten have together (1200 + 800)
    # in the four quarters (the period with buurt figures)
    result = gate(
        lambda f: set_cell(
            f, "WK099901", "huishoudens", 1500.0, "published", True, period_type="vier_kwartalen"
        )
    )
    e = outcome(result, "parts_vs_total", "parts_not_above_total")
    assert e.blocking
    assert e.failing_rows == [
        {
            "area_level": "wijk",
            "area_code": "WK099901",
            "indicator": "huishoudens",
            "relation": "buurt within wijk",
            "total": 1500.0,
            "parts_sum": 2000.0,
        }
    ]


def failing_relations(indicator: str, value: float, expectation: str) -> set[tuple[str, str]]:
    """(area, relation) rows failing ``expectation`` of parts_vs_total once the buurt Oude
    Haven publishes ``value`` for ``indicator``."""
    result = gate(
        lambda f: set_cell(f, "BU09990101", indicator, value, "published", protected_too=True),
        only=["parts_vs_total"],
    )
    e = outcome(result, "parts_vs_total", expectation)
    assert e.blocking
    return {(r["area_code"], r["relation"]) for r in e.failing_rows}


def test_groups_above_signalen_are_caught() -> None:
    rows = failing_relations("signalen_energie", 200.0, "parts_not_above_total")
    assert ("BU09990101", "sum(signalen_*) = signalen") in rows
    assert ("WK099901", "buurt within wijk") in rows  # and the buurten now exceed their wijk


def test_personas_that_do_not_add_up_are_caught() -> None:
    # the relations are suppression's (orchestration/contract.py): every signalled household
    # has exactly one persona, so published personas add up to hh_met_signaal exactly
    rows = failing_relations("hh_persona_overig", 30.0, "exact_sums_add_up")
    assert ("BU09990101", "sum(hh_persona_*) = hh_met_signaal") in rows


def test_rate_on_small_denominator_is_caught_on_the_restricted_side() -> None:
    # wijk A has 16 reached households: pct_hulp_van_bereikt must be withheld (denominator < 30)
    def mutate(f: Frames) -> None:
        set_cell(f, "WK09990A", "pct_hulp_van_bereikt", 50.0, "published", protected_too=True)

    result = gate(mutate, only=["disclosure_rules"], late=True)
    e = outcome(result, "disclosure_rules", "rate_denominator_large_enough")
    assert e.blocking
    assert e.failing_rows == [
        {
            "area_level": "wijk",
            "area_code": "WK09990A",
            "indicator": "pct_hulp_van_bereikt",
            "status": "published",
        }
    ]


def test_missing_protected_table_fails_its_suite() -> None:
    def mutate(f: Frames) -> None:
        f.pop("protected")

    result = gate(mutate, only=["disclosure_rules"])
    e = outcome(result, "disclosure_rules", "frame_available")
    assert e.blocking and "area_indicators_protected" in (e.error or "")


def test_missing_candidate_fails_with_a_message_not_an_exception() -> None:
    with duckdb.connect() as con:
        write_tables(con, reference=sample_frames(Q)["reference"])
        result = run_gate(con, Q, only=["area_indicators", "area_coverage"])
    assert not result.passed
    assert all(e.name == "frame_available" for e in result.failures)
    assert "area_indicators_candidate" in result.failures[0].error


# --- warnings ------------------------------------------------------------------------------


def test_jump_beyond_factor_warns_without_blocking() -> None:
    previous = sample_frames(PREV)
    set_cell(previous, "BU09990101", "signalen_energie", 15.0, "published", protected_too=True)
    result = gate(previous=previous)
    assert result.passed
    e = outcome(result, "jumps", "no_jump_beyond_factor")
    assert not e.success and e.severity == "warning" and not e.blocking
    assert e in result.warnings
    assert e.failing_rows == [
        {
            "area_level": "buurt",
            "area_code": "BU09990101",
            "indicator": "signalen_energie",
            "factor": 4.0,
        }
    ]
    assert "jumps" in result.checks_passed


def test_jump_factor_is_a_parameter() -> None:
    previous = sample_frames(PREV)
    set_cell(previous, "BU09990101", "signalen_energie", 15.0, "published", protected_too=True)
    frames = sample_frames(Q)
    with duckdb.connect() as con:
        write_tables(con, **frames)
        write_tables(con, **previous)
        result = run_gate(con, Q, only=["jumps"], parameters={"jump_warning_factor": 5})
    assert not result.warnings


# --- rendering ---------------------------------------------------------------------------


def test_markdown_names_failed_expectations_and_rows() -> None:
    result = gate(
        lambda f: set_cell(f, "GM0999", "pct_hulp", 140.0, "published"),
        only=["area_indicators"],
        late=True,
    )
    text = render_markdown(result)
    assert "Gate 2026Q3: FAILED" in text
    assert "| percentages_0_to_100 | value | critical | FAIL |" in text
    assert "| gemeente | GM0999 | pct_hulp | 140.0 | published |" in text
    compact = render_markdown(result, only_failed=True)
    assert "percentages_0_to_100" in compact and "unique_cell" not in compact
    one = render_markdown(result.suite("area_indicators"))
    assert one.startswith("**area_indicators**")
    json.dumps(result.to_dict())  # JSON-able for Dagster metadata


def test_suites_use_structured_row_conditions() -> None:
    """String row conditions with condition_parser are deprecated since GX 1.9."""
    for suite in load_suites():
        for exp in suite.expectations:
            assert "condition_parser" not in exp["kwargs"]
            assert isinstance(exp["kwargs"].get("row_condition", {}), dict)


def test_a_broken_suite_file_fails_its_check_not_the_gate(tmp_path: Path) -> None:
    good = EXPECTATIONS_DIR / "area_coverage.json"
    (tmp_path / "area_coverage.json").write_text(good.read_text())
    # GX itself would only log these and drop the expectation: the gate must fail instead
    broken = {
        "unknown_type": {"type": "expect_values_to_be_nice", "kwargs": {}},
        "bad_kwargs": {"type": "expect_column_values_to_be_between", "kwargs": {"min_value": 0}},
    }
    for name, exp in broken.items():
        exp["meta"] = {"why": "broken on purpose"}
        suite = {"name": name, "meta": {"frames": ["area_indicators"]}, "expectations": [exp]}
        (tmp_path / f"{name}.json").write_text(json.dumps(suite))
    with duckdb.connect() as con:
        write_tables(con, **sample_frames(Q))
        result = run_gate(con, Q, suites_dir=tmp_path)
    assert result.suite("area_coverage").passed
    assert {(f.suite, f.name) for f in result.failures} == {
        ("unknown_type", "load_suite"),
        ("bad_kwargs", "load_suite"),
    }
    assert "expect_values_to_be_nice" in result.suite("unknown_type").failures[0].error
