"""The gate's checks as Dagster shows them: blocking where a failure must stop publication, a
warning (severity WARN, not blocking) where a check only warns, a description taken from the
suite files, a result that names what it found; and the runbook's table made from the same
text. Runs the real suite files through a real Dagster run on the gate's tiny sample."""

from __future__ import annotations

import json

import duckdb
from dagster import AssetCheckSeverity, AssetKey

from demo.sample_publication import sample_frames, write_tables
from orchestration.assets.gate import SPECS
from orchestration.contract import AUDIT_CHECK_NAME, PUBLISHED_ASSET
from orchestration.gate import blocking_check_names, load_suites, suite_keys
from orchestration.gate.docs import RUNBOOK, checks_table, runbook_with_table

from .pipeline_support import gate_and_publish
from .test_gate_suites import PREV, Q, set_cell


def _warning_only(suite) -> bool:
    return all(e.get("severity", "critical") != "critical" for e in suite.expectations)


def test_blocking_follows_the_severities_in_the_suite_files() -> None:
    """A suite whose expectations are all warnings (jumps) is a non-blocking check; every
    other suite and the audit block publication."""
    specs = {spec.name: spec for spec in SPECS}
    suites = load_suites()
    assert set(specs) == {*suite_keys(suites), AUDIT_CHECK_NAME}
    warning_only = {k for s in suites if _warning_only(s) for k in suite_keys([s])}
    assert "jumps" in warning_only
    for name, spec in specs.items():
        assert spec.blocking == (name not in warning_only), name
    assert set(blocking_check_names()) == set(specs) - warning_only


def test_each_check_description_is_its_suite_files_text() -> None:
    """What it checks, when it fails and what to do: the suite file's own words, in the UI."""
    specs = {spec.name: spec for spec in SPECS}
    for suite in load_suites():
        raw = json.loads(suite.path.read_text(encoding="utf-8"))["meta"]
        for name in suite_keys([suite]):
            text = specs[name].description
            for key in ("description", "fails_when", "what_to_do"):
                assert len(raw.get(key, "")) > 20, f"{suite.path.name}: meta.{key} missing"
                assert raw[key] in text, (name, key)
            assert ("\n\nBlocking: fails when" in text) == specs[name].blocking, name
            assert ("\n\nA warning, never blocking" in text) == (not specs[name].blocking), name
    area = specs["area_indicators"].description
    assert "Warnings only, never blocking: area_denominator_published" in area
    assert "What to do:" in specs[AUDIT_CHECK_NAME].description


def test_the_runbook_table_is_made_from_the_suite_files() -> None:
    """docs/runbook.md holds the table ``python -m orchestration.gate.docs`` makes, no copy."""
    text = RUNBOOK.read_text(encoding="utf-8")
    assert runbook_with_table(text, checks_table()) == text, (
        "docs/runbook.md is out of date: run `.venv/bin/python -m orchestration.gate.docs`"
    )
    for suite in load_suites():
        assert suite.fails_when in text and suite.what_to_do in text, suite.name


def test_warnings_are_warnings_and_name_what_they_found_in_dagster(tmp_path) -> None:
    """A jump of x4 since the previous quarter and two suppressed buurt denominators: in a
    real Dagster run both checks fail with severity WARN and say which area and indicator;
    the clean suites pass; a blocking failure (the sample is not audit-proof) is ERROR and
    stops publication."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    previous = sample_frames(PREV)
    set_cell(previous, "BU09990101", "signalen_energie", 15.0, "published", protected_too=True)
    with duckdb.connect(str(data_dir / "warehouse.duckdb")) as con:
        write_tables(con, **previous)
        write_tables(con, **sample_frames(Q))

    result = gate_and_publish(data_dir, Q)
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert set(evaluations) == {spec.name for spec in SPECS}

    jumps = evaluations["jumps"]
    assert not jumps.passed and jumps.severity == AssetCheckSeverity.WARN
    assert not jumps.blocking
    assert "BU09990101 signalen_energie factor 4.0" in jumps.description, jumps.description

    area = evaluations["area_indicators"]
    assert not area.passed and area.severity == AssetCheckSeverity.WARN and area.blocking
    assert area.description.startswith("warning: area_denominator_published: 2 rows")
    assert "BU09990A01 huishoudens" in area.description, area.description

    for name in ("area_coverage", "parts_vs_total", "disclosure_rules"):
        assert evaluations[name].passed, (name, evaluations[name].description)

    audit = evaluations[AUDIT_CHECK_NAME]
    assert not audit.passed and audit.severity == AssetCheckSeverity.ERROR and audit.blocking
    published = {m.asset_key for m in result.get_asset_materialization_events()}
    assert AssetKey(PUBLISHED_ASSET) not in published
    assert not (data_dir / "monitor.duckdb").exists()


def test_descriptions_render_without_html_tags() -> None:
    """The UI renders descriptions as Markdown: a placeholder such as ``landing/<quarter>/``
    outside a code span is swallowed as an HTML tag, so none may stand bare."""
    import re

    from orchestration.definitions import defs

    repository = defs.get_repository_def()
    texts = {}
    for node in repository.asset_graph.asset_nodes:
        texts[node.key.to_user_string()] = node.description or ""
        for check_key in node.check_keys:
            spec = repository.asset_graph.get_check_spec(check_key)
            texts[f"{check_key.to_user_string()}"] = spec.description or ""
    for sensor in repository.sensor_defs:
        texts[sensor.name] = sensor.description or ""
    for schedule in repository.schedule_defs:
        texts[schedule.name] = schedule.description or ""
    assert any("`landing/<quarter>/" in text for text in texts.values())
    for name, text in texts.items():
        bare = re.sub(r"`[^`]*`", "", text)
        assert not re.search(r"<[A-Za-z_/][^>]*>", bare), (name, text)
