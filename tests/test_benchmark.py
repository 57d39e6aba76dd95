"""The benchmark harness (benchmarks/) works: measurement, references, the whole command.

No timing assertions: the harness reports times, the tests only check it runs and that the
two references and the pipeline count the same things.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import duckdb
import pytest

from benchmarks import reference_duckdb, reference_pandas
from benchmarks.generate import generate_scale
from benchmarks.measure import run_measured
from benchmarks.run import main as benchmark_main
from benchmarks.run import stage_of

QUARTER = "2026Q3"
TINY = 2_000 / 8_400_000


def test_measurement_covers_the_process_tree() -> None:
    # a child that allocates ~200 MB in a grandchild process, for about a second
    code = (
        "import subprocess, sys; subprocess.run([sys.executable, '-c', "
        "\"import time; b = bytearray(200 * 2**20); b[::4096] = b'x' * len(b[::4096]); "
        'time.sleep(1.0)"])'
    )
    m = run_measured([sys.executable, "-c", code], interval=0.05)
    assert m.returncode == 0
    assert m.peak_rss > 150 * 2**20
    assert m.wall > 0.9
    assert m.cpu > 0
    assert m.peak_between(m.started, m.ended) == max(rss for _, rss, _ in m.samples)


def test_stage_names() -> None:
    assert stage_of("raw__signalen__eneco") == "ingest"
    assert stage_of("raw__bag_adressen") == "ingest"
    assert stage_of("audit__pseudonym_key") == "ingest"
    assert stage_of("dbt_models") == "dbt"
    assert stage_of("disclosure__area_indicators_candidate") == "protect"
    assert stage_of("quality_gate") == "gate"
    assert stage_of("published__area_indicators") == "publish"
    assert stage_of("partner_gate") == "gate"
    assert stage_of("partners__terugkoppeling") == "publish"
    assert stage_of("some_new_step") == "other"


def test_references_agree(tmp_path: Path) -> None:
    summary = generate_scale(tmp_path / "data", TINY, QUARTER, seed=11)
    landing = tmp_path / "data" / "landing" / QUARTER
    reference_duckdb.main([str(landing), str(tmp_path / "duckdb.parquet")])
    reference_pandas.main([str(landing), str(tmp_path / "pandas.parquet")])
    con = duckdb.connect()
    differ = con.execute(
        f"select count(*) from '{tmp_path / 'duckdb.parquet'}' a "
        f"full join '{tmp_path / 'pandas.parquet'}' b using (area_level, area_code) "
        "where a.huishoudens is distinct from b.huishoudens "
        "or a.hh_met_signaal is distinct from b.hh_met_signaal "
        "or a.signalen is distinct from b.signalen"
    ).fetchone()[0]
    assert differ == 0
    households, signals = con.execute(
        f"select sum(huishoudens), sum(signalen) from '{tmp_path / 'duckdb.parquet'}' "
        "where area_level = 'gemeente'"
    ).fetchone()
    assert 0 < households <= summary["households"]
    assert 0 < signals <= summary["signals"]


@pytest.mark.e2e
def test_benchmark_command_at_tiny_scale(tmp_path: Path) -> None:
    """The whole command at ~2,000 households and one scale, the quarter measured after one
    quarter of history (about a minute on an idle machine)."""
    arguments = ["--scales", f"{TINY}", "--work-dir", str(tmp_path), "--limited-scales", "none"]
    code = benchmark_main([*arguments, "--history", "1"])
    assert code == 0
    work = tmp_path / "history_1"
    # the history quarter was generated and run before the measured one, which was timed
    warehouse = work / f"scale_{TINY:g}" / "data" / "warehouse.duckdb"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        loaded = dict(
            con.execute("select quarter, count(*) from raw.brp_personen group by all").fetchall()
        )
    assert set(loaded) == {"2026Q2", QUARTER} and min(loaded.values()) > 0
    results = json.loads((work / "results.json").read_text())
    assert len(results) == 1
    pipeline = results[0]["pipeline"]
    assert pipeline["ok"]
    stages = {s["stage"] for s in pipeline["stages"]}
    assert {"ingest", "dbt", "protect", "gate", "publish"} <= stages
    assert "other" not in stages  # every step of the job is counted in a named stage
    assert all(s["rows"] > 0 for s in pipeline["stages"] if s["stage"] != "startup")
    assert [r["name"] for r in results[0]["references"]] == ["duckdb", "pandas"]
    agreement = results[0]["agreement"]
    assert agreement["duckdb_vs_pandas_buurten_equal"] == agreement["duckdb_vs_pandas_buurten"]
    pipeline_totals = agreement["pipeline_buurt_totals"]
    reference_totals = agreement["duckdb_buurt_totals"]
    assert pipeline_totals["huishoudens"] == reference_totals["huishoudens"]
    # the pipeline has matching rules the bare reference leaves out: close, not equal
    assert abs(pipeline_totals["signalen"] - reference_totals["signalen"]) <= 0.05 * max(
        reference_totals["signalen"], 1
    )
    report = (work / "report.md").read_text()
    assert "## Scale" in report and "History: 2026Q2, the quarter before" in report


def test_the_realistic_profile_generates_the_national_signal_rate(tmp_path: Path) -> None:
    """``--profile realistic``: the generator's national rate (13.2 signals per 1,000
    residents in the quarter), not the stress volume (222)."""
    rates = {}
    for profile in ("realistic", "stress"):
        summary = generate_scale(tmp_path / profile, TINY, QUARTER, seed=11, profile=profile)
        rates[profile] = 1000 * summary["signals"] / summary["residents"]
    assert 8 < rates["realistic"] < 20
    assert 180 < rates["stress"] < 260
