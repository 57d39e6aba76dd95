"""A generated landing quarter is recorded as synthetic at ingestion, a delivered one is not,
and a quarter whose landing folder is gone keeps what was recorded."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from demo.generator import GeneratorConfig
from demo.provenance import mark_generated
from orchestration.ingestion.provenance import PROVENANCE_FILE, is_synthetic, record_provenance
from orchestration.settings import Paths


def test_generated_and_delivered_quarters(tmp_path: Path) -> None:
    paths = Paths(tmp_path / "data")
    config = GeneratorConfig(quarter="2026Q3", seed=7, geography="synthetic", households=1_000)
    mark_generated(paths, "2026Q3", config)
    paths.landing_dir("2026Q2", "eneco").mkdir(parents=True)  # delivered: no marker
    marker = json.loads((paths.landing_dir("2026Q3") / PROVENANCE_FILE).read_text())
    assert marker["synthetic"] is True and marker["config"]["seed"] == 7

    con = duckdb.connect()
    assert not is_synthetic(con, "2026Q3"), "nothing recorded yet: not synthetic"
    assert record_provenance(con, "2026Q3", paths.landing) is True
    assert record_provenance(con, "2026Q2", paths.landing) is False
    assert record_provenance(con, "2026Q1", paths.landing) is None  # no landing folder
    assert is_synthetic(con, "2026Q3") and not is_synthetic(con, "2026Q2")
    assert not is_synthetic(con, "2026Q1")

    (paths.landing_dir("2026Q3") / PROVENANCE_FILE).unlink()
    paths.landing_dir("2026Q3").rmdir()  # landing cleaned up after ingestion: a rerun
    assert record_provenance(con, "2026Q3", paths.landing) is None
    assert is_synthetic(con, "2026Q3"), "what was recorded stays"


def test_the_warehouse_keeps_the_generator_and_seed_only(tmp_path: Path) -> None:
    """The marker's config (rates with long decimals, anything a hand-edited file holds) stays
    in the landing folder; the warehouse records the generator's name and seed."""
    paths = Paths(tmp_path / "data")
    mark_generated(paths, "2026Q3", GeneratorConfig(quarter="2026Q3", seed=7))
    con = duckdb.connect()
    record_provenance(con, "2026Q3", paths.landing)
    detail = "select detail from audit.quarter_provenance where quarter = ?"
    assert con.execute(detail, ["2026Q3"]).fetchone() == ("generator=demo.generator; seed=7",)

    for text, expected in [
        ("not json", "unreadable marker"),
        ('{"generator": "x y <b>", "config": {"seed": "123456789"}}', "marker without generator"),
        ('["a list"]', "unreadable marker"),
    ]:
        (paths.landing_dir("2026Q3") / PROVENANCE_FILE).write_text(text)
        assert record_provenance(con, "2026Q3", paths.landing) is True  # still generated
        assert con.execute(detail, ["2026Q3"]).fetchone() == (expected,)
