"""One small quarter from landing files to monitor.duckdb through the real stack:
the `monitor` command, Dagster, dbt, Great Expectations and DuckDB files on disk."""

from __future__ import annotations

import subprocess

import duckdb
import pytest

from orchestration.contract import LEVELS, QUARTERLY
from orchestration.parameters import indicators, period_indicators

from . import pipeline_support as support
from .conftest import BIN, DEMO_RUN_QUARTERS, REPO

pytestmark = pytest.mark.e2e

QUARTER = "2026Q3"


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """Generate a synthetic quarter and run it once; shared by the tests below."""
    from .conftest import monitor_env

    data_dir = tmp_path_factory.mktemp("e2e") / "data"
    env = monitor_env(data_dir)

    def monitor(*args: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [str(BIN / "monitor"), *args],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
        return result

    monitor(
        "generate",
        "--quarter",
        QUARTER,
        "--geography",
        "synthetic",
        "--households",
        "20000",
        "--seed",
        "7",
    )
    run = monitor("run", "--quarter", QUARTER)
    return data_dir, run


def test_run_reports_each_stage(published) -> None:
    """A first line before anything heavy; one line per step (an ingest step's with its files
    and rows), the dbt step's progress; dbt's own per-node lines in a log file whose path is
    printed, not on the terminal."""
    import re
    from pathlib import Path

    _, run = published
    lines = run.stdout.splitlines()
    assert "checking the key, loading Dagster and the dbt project" in lines[0], lines[:3]
    assert f"{QUARTER}: succeeded" in run.stdout
    for step in ("raw__bag_adressen", "dbt_models", "area_indicators_candidate"):
        assert step in run.stdout, run.stdout
    bag = [line for line in lines if "raw__bag_adressen" in line]
    assert len(bag) == 1 and re.search(r"done in .*read \d+, loaded \d+", bag[0]), bag
    progress = re.findall(r"dbt_models: (\d+) of (\d+) models and seeds built", run.stdout)
    assert progress and progress[-1][0] == progress[-1][1], run.stdout
    [log] = re.findall(r"dbt's own output goes to (\S+);", run.stdout)
    assert Path(log).stat().st_mode & 0o777 == 0o600
    dbt_output = Path(log).read_text()
    assert "Running with dbt=" in dbt_output and " OK created " in dbt_output
    assert "Running with dbt=" not in run.stdout and " OK created " not in run.stdout
    assert len(lines) < 60, f"{len(lines)} lines"


def test_a_jump_warns_names_what_jumped_and_publishes(published, tmp_path) -> None:
    """A cell four times its previous quarter's value: `monitor run` names it on the jumps
    check's warning line, and the warning does not stop publication."""
    import shutil
    from pathlib import Path

    from orchestration.contract import CANDIDATE_TABLE

    from .conftest import monitor_env

    source, _ = published
    data_dir = tmp_path / "data"
    shutil.copytree(Path(source), data_dir, ignore=shutil.ignore_patterns("dagster_home"))
    with duckdb.connect(str(data_dir / "warehouse.duckdb")) as con:
        [(code,)] = con.execute(
            f"select area_code from {CANDIDATE_TABLE} where quarter = ? and "
            "area_level = 'gemeente' and indicator = 'mediaan_bedrag' and status = 'published' "
            "order by area_code limit 1",
            [QUARTER],
        ).fetchall()
        con.execute(
            # the previous quarter as the same figures but one median (in no relation, so
            # the audit over both quarters, as with a four-quarter period published, holds)
            f"insert into {CANDIDATE_TABLE} by name select * replace ('2026Q2' as quarter, "
            "'2026Q2' as period, case when area_code = ? and indicator = 'mediaan_bedrag' "
            f"then value * 4 else value end as value) from {CANDIDATE_TABLE} where quarter = ?",
            [code, QUARTER],
        )
    run = subprocess.run(
        [str(BIN / "monitor"), "run", "--quarter", QUARTER],
        cwd=REPO, env=monitor_env(data_dir), capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert (
        "check jumps on disclosure/area_indicators_candidate: warning: no_jump_beyond_factor: "
        f"1 row: {code} mediaan_bedrag factor 4.0"
    ) in run.stdout, run.stdout
    assert f"{QUARTER}: succeeded" in run.stdout
    with duckdb.connect(str(data_dir / "monitor.duckdb"), read_only=True) as con:
        published_runs = con.execute(
            "select count(*) from monitor.publication_log where quarter = ?", [QUARTER]
        ).fetchone()[0]
    assert published_runs == 2


def test_published_file_has_the_schema_and_only_aggregates(published) -> None:
    data_dir, _ = published
    with duckdb.connect(str(data_dir / "monitor.duckdb"), read_only=True) as con:
        tables = {
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables "
                "where table_catalog = 'monitor' and table_schema = 'main'"
            ).fetchall()
        }
        assert {"area_indicators", "publication_log", *LEVELS} <= tables
        levels = dict(
            con.execute(
                "select area_level, count(distinct area_code) from monitor.area_indicators "
                "where quarter = ? group by 1",
                [QUARTER],
            ).fetchall()
        )
        # one quarter, no four-quarter period yet: no buurt rows (seeds/periods.csv niveaus);
        # the synthetic gemeente is in no region of seeds/regio_indeling.csv: no regio rows
        assert set(levels) == {"wijk", "gemeente"}
        names = {
            r[0]
            for r in con.execute(
                "select distinct indicator from monitor.area_indicators"
            ).fetchall()
        }
        assert names == {i.name for i in period_indicators(QUARTERLY)}  # no cohort yet
        small = con.execute(
            "select count(*) from monitor.area_indicators a where status = 'published' "
            "and value > 0 and value < 10 and indicator in (select unnest(?))",
            [[i.name for i in indicators() if i.kind == "count"]],
        ).fetchone()[0]
        assert small == 0
        suppressed_with_value = con.execute(
            "select count(*) from monitor.area_indicators where status = 'suppressed' "
            "and value is not null"
        ).fetchone()[0]
        assert suppressed_with_value == 0
        log = con.execute("select quarter, synthetic from monitor.publication_log").fetchall()
        assert log == [(QUARTER, True)]


def test_every_landed_row_is_accounted_for(published) -> None:
    data_dir, _ = published
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        bad = con.execute(
            "select count(*) from audit.ingest_files where rows_read <> rows_loaded + rows_quarantined"
        ).fetchone()[0]
        files = con.execute(
            "select count(*) from audit.ingest_files where quarter = ?", [QUARTER]
        ).fetchone()[0]
    landed = list((data_dir / "landing" / QUARTER).rglob("*.csv"))
    assert bad == 0
    assert files == len(landed)


def test_signals_are_linked_to_their_true_address(published, monkeypatch) -> None:
    """Linkage precision and recall against the generator's ground truth (issue: >= 99.5%
    of matchable signals at the right address, none at a wrong one), and every signal's match
    status as the ground truth expects: the hard notations (Roman floors, additions left out
    at numbers with one or several dwellings) land in their fallbacks, never at a guess."""
    from pathlib import Path

    from demo.linkage import measure_linkage
    from orchestration.pseudonym import load_key

    data_dir, _ = published
    data_dir = Path(data_dir)
    monkeypatch.setenv("MONITOR_DEMO", "1")  # the run used the demo key file
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        quality = measure_linkage(
            con, data_dir / "ground_truth" / QUARTER, load_key(data_dir / "demo_pseudonym.key")
        )
    assert quality.matchable > 100, quality
    assert quality.matched_wrong == 0, quality.summary()
    assert quality.recall >= 0.995, quality.summary()
    assert quality.per_status == quality.expected_per_status, quality
    assert quality.status_differs == 0, quality.summary()
    matched, unmatched = support.match_statuses()
    assert set(quality.per_status) == {*matched, *unmatched}, quality


def test_a_bad_candidate_row_blocks_publication_through_dagster(
    published, tmp_path, monkeypatch
) -> None:
    """A published count of 5 injected into the candidate: the blocking gate check fails in
    Dagster, the publish step is skipped and monitor.duckdb stays byte for byte the same."""
    import hashlib
    import shutil
    from pathlib import Path

    from dagster import AssetKey

    from orchestration.contract import CANDIDATE_TABLE, PUBLISHED_ASSET

    PUBLISHED_KEY = AssetKey(PUBLISHED_ASSET)

    source, _ = published
    data_dir = tmp_path / "data"
    shutil.copytree(Path(source), data_dir, ignore=shutil.ignore_patterns("dagster_home"))
    monkeypatch.setenv("MONITOR_DEMO", "1")
    with duckdb.connect(str(data_dir / "warehouse.duckdb")) as con:
        area, indicator = con.execute(
            f"update {CANDIDATE_TABLE} set value = 5, status = 'published' "
            "where (area_code, indicator) = (select (area_code, indicator) from "
            f"{CANDIDATE_TABLE} where area_level = 'wijk' and indicator = 'hh_onbekend' "
            "order by area_code limit 1) returning area_code, indicator"
        ).fetchone()
    before = hashlib.sha256((data_dir / "monitor.duckdb").read_bytes()).hexdigest()

    result = support.gate_and_publish(data_dir, QUARTER)

    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert not evaluations["disclosure_rules"].passed
    assert f"{area}" in str(evaluations["disclosure_rules"].metadata["result"].value), indicator
    assert not evaluations["disclosure_audit"].passed
    # the gate hands the audit protect's true values; the 5 is not one of them
    start = evaluations["disclosure_audit"].metadata["start_point"].value
    assert start == "rejected: a published value differs from its restricted value", start
    assert evaluations["area_coverage"].passed
    assert PUBLISHED_KEY not in {m.asset_key for m in result.get_asset_materialization_events()}
    assert hashlib.sha256((data_dir / "monitor.duckdb").read_bytes()).hexdigest() == before


def test_docs_are_one_offline_page_of_the_project_and_the_warehouse(published, tmp_path) -> None:
    """`monitor docs`: dbt's static docs, with the models and the warehouse's columns, written
    into the data directory (0600) and named on the last line; nothing fetched online."""
    import re
    import shutil
    import stat
    from pathlib import Path

    from .conftest import monitor_env

    source, _ = published
    data_dir = tmp_path / "data"
    shutil.copytree(Path(source), data_dir, ignore=shutil.ignore_patterns("dagster_home"))
    run = subprocess.run(
        [str(BIN / "monitor"), "docs"],
        cwd=REPO, env=monitor_env(data_dir), capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    [page] = re.findall(r"dbt docs written: (\S+)", run.stdout)
    page = Path(page)
    assert page.parent == data_dir / "docs"
    assert stat.S_IMODE(page.stat().st_mode) == 0o600
    html = page.read_text()
    assert "int_signalen_matched_to_adressen" in html
    assert '"hh_met_signaal"' in html  # a column of the warehouse's catalog
    assert not re.search(r"""<(?:script|link|img|iframe)[^>]+(?:src|href)=["']?https?://""", html)
    assert not re.search(r"@import\s+url\(\s*['\"]?https?://", html)


def test_demo_publishes_several_quarters_and_says_where_to_look(demo_run) -> None:
    """`monitor demo` generates its quarters in one process and publishes each; at the end it
    prints the published periods, the file and a report per quarter (three small quarters of
    the Amsterdam city here, conftest's ``demo_run``; the default is five at full size)."""
    import re
    from pathlib import Path

    data_dir, out = demo_run
    quarters = list(DEMO_RUN_QUARTERS)
    listed = re.escape(", ".join(quarters))
    assert re.search(rf"generating amsterdam extracts for {listed} \(seed \d+\)", out), out
    for quarter in quarters:
        assert f"{quarter}: succeeded" in out, out
        assert (data_dir / "landing" / quarter / "GENERATED.json").exists()
    monitor_file = data_dir / "monitor.duckdb"
    assert f"Published file: {monitor_file} (quarters {', '.join(quarters)})" in out, out
    reports = re.findall(r"^Report (\d{4}Q\d): (\S+)$", out, re.MULTILINE)
    assert [q for q, _ in reports] == quarters and all(Path(p).exists() for _, p in reports)
    with duckdb.connect(str(monitor_file), read_only=True) as con:
        logged = con.execute("select quarter, synthetic from monitor.publication_log").fetchall()
        per_quarter = con.execute(
            "select quarter, value from monitor.area_indicators where area_level = 'gemeente' "
            "and period_type = 'kwartaal' and indicator = 'signalen' order by quarter"
        ).fetchall()
        quarterly_buurt = con.execute(
            "select count(*) from monitor.area_indicators "
            "where area_level = 'buurt' and period_type = 'kwartaal'"
        ).fetchone()[0]
        # the demo's regio (seeds/regio_indeling.csv) is Amsterdam alone: every cell equals
        # the gemeente's, suppressed or not (else the one would give the other away)
        regio = con.execute(
            "select count(*), count(*) filter (where r.value is distinct from g.value "
            "or r.status <> g.status) from monitor.area_indicators r "
            "join monitor.area_indicators g using (quarter, period_type, indicator) "
            "where r.area_level = 'regio' and g.area_level = 'gemeente' and g.parent_code = "
            "r.area_code"
        ).fetchone()
        gemeente = dict(
            con.execute(
                "select period_type, count(*) from monitor.area_indicators "
                "where area_level = 'gemeente' group by 1"
            ).fetchall()
        )
    # each quarter's own figures; the outcomes of each quarter but the last in the next one's
    # publication; the first quarter's cohort in the third's
    assert gemeente == {
        QUARTERLY: len(quarters) * len(period_indicators(QUARTERLY)),
        "kwartaal_afgerond": (len(quarters) - 1) * len(period_indicators("kwartaal_afgerond")),
        "cohort_zes_maanden": len(period_indicators("cohort_zes_maanden")),
    }
    assert regio == (sum(gemeente.values()), 0)
    assert sorted(logged) == [(q, True) for q in quarters]
    assert quarterly_buurt == 0  # seeds/periods.csv niveaus: buurten over four quarters only
    assert [q for q, _ in per_quarter] == quarters
    for quarter, signalen in per_quarter:  # the gemeente's signals per quarter, as printed
        assert re.search(rf"^{quarter}\s+kwartaal\s.*\s{int(signalen):,}\s", out, re.M), out
