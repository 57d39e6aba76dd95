"""National-scale benchmark of the quarterly refresh (issue 9).

    .venv/bin/python -m benchmarks.run --scales 0.01,0.1,1.0

For every scale (1.0 = national: 8.4M households, 18M residents, 9.2M addresses, 14,500
buurten in 3,300 wijken and 342 gemeenten, 4M signals in the quarter):

1. generate the landing files (``benchmarks.generate``; reused when already there);
2. run the full quarterly refresh through Dagster (``monitor run``: ingest, dbt, protect,
   gate, publish) in a subprocess from an empty warehouse, sampling the memory of its
   process tree; per stage wall time from the run's Dagster event log (STEP_START to
   STEP_SUCCESS), peak memory from the samples inside the stage, rows from the warehouse;
3. run the bare DuckDB reference (``reference.sql``) and the plain pandas reference
   (``reference_pandas.py``) on the same files, and check they agree with each other and
   (roughly: the pipeline has more matching rules) with the pipeline's unsuppressed counts;

With ``--history N`` the N quarters before the measured one are generated too (the same city)
and run first, untimed, so the measured quarter is built on a warehouse with history: its
four-quarter periods (the only ones with buurt figures) and the outcomes of earlier quarters,
where protection has the most to do. The files and results then go to WORK_DIR/history_N.

then, at the scales of ``--limited-scales`` (default: the largest), the pipeline once more
with DuckDB's memory limited further (``MONITOR_DUCKDB_MEMORY_LIMIT``, default 1GB; the first
run has the pipeline's own cap, ``orchestration.settings.DEFAULT_DUCKDB_MEMORY_LIMIT``). It writes
``results.json`` and ``report.md`` into ``--work-dir`` and prints the report.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from benchmarks.generate import DEFAULT_PROFILE, PROFILES, history_quarters, households_for
from benchmarks.measure import run_measured
from orchestration.contract import (
    CANDIDATE_TABLE,
    MONITOR_MODEL_TABLE,
    PARTNERS_LAYER,
    PUBLISHED_LAYER,
)
from orchestration.dbt_project import OFFLINE_ENV, manifest_state, parse_project
from orchestration.ingestion.sources import MUNICIPAL_SOURCES
from orchestration.partitions import partition_range, quarters_outside_partitions
from orchestration.settings import DUCKDB_MEMORY_LIMIT_ENV, Paths, default_duckdb_memory_limit

REPO_ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
DEFAULT_WORK_DIR = Path("/tmp/monitor-benchmark")
GB = 1024**3

STAGES = ("startup", "ingest", "dbt", "protect", "gate", "publish", "other")
"""startup: process start to the run's first step (imports, definitions, dbt manifest);
other: a step ``stage_of`` does not know (shown, so no step's time goes unreported)."""

RAW_TABLES = ("signalen", *MUNICIPAL_SOURCES)
COMPARED = ("huishoudens", "hh_met_signaal", "signalen")


def stage_of(step_key: str) -> str:
    if step_key.startswith(("raw__", "audit__")):  # audit__pseudonym_key: the key check
        return "ingest"
    if step_key == "dbt_models":
        return "dbt"
    if step_key.startswith("disclosure__"):
        return "protect"
    if step_key in ("quality_gate", "partner_gate"):
        return "gate"
    if step_key.startswith((f"{PUBLISHED_LAYER}__", f"{PARTNERS_LAYER}__")):
        return "publish"  # published__area_indicators, partners__terugkoppeling (the files)
    return "other"


@dataclass
class StageResult:
    stage: str
    seconds: float
    cpu_seconds: float
    """CPU (user + system) of the whole process tree during the stage."""
    peak_rss: int
    rows: int
    """Rows the stage takes in (see README): landing rows, raw rows, indicator cells."""

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


@dataclass
class PipelineResult:
    ok: bool
    wall: float
    """The whole `monitor run` command."""
    job_seconds: float
    """Dagster run start to run end (the job's steps, without process start-up)."""
    peak_rss: int
    cpu: float
    """CPU seconds of the command and its descendants (dbt): robust to a busy machine."""
    stages: list[StageResult]
    memory_limit: str | None = None
    """DuckDB's memory limit in the run (the pipeline's own without ``--memory-limit``; None:
    DuckDB's own default)."""
    log: str = ""


@dataclass
class ReferenceResult:
    name: str
    ok: bool
    wall: float
    peak_rss: int
    cpu: float


@dataclass
class ScaleResult:
    scale: float
    households: int
    generated: dict[str, Any]
    generate_seconds: float
    pipeline: PipelineResult
    references: list[ReferenceResult]
    agreement: dict[str, Any]
    limited: list[PipelineResult] = field(default_factory=list)


# --- running ------------------------------------------------------------------------------


def _say(message: str) -> None:
    print(f"[benchmark {time.strftime('%H:%M:%S')}] {message}", flush=True)


def scale_dir(work: Path, scale: float) -> Path:
    return work / f"scale_{scale:g}"


def ensure_generated(
    work: Path, scale: float, quarter: str, seed: int, profile: str, history: int = 0
) -> tuple[dict, float]:
    """Generate the scale's landing files unless the same set is already there."""
    data = scale_dir(work, scale) / "data"
    marker = scale_dir(work, scale) / "generated.json"
    wanted = {
        "households": households_for(scale),
        "quarter": quarter,
        "seed": seed,
        "signals_per_1000_residents": PROFILES[profile],
    }
    if history:
        wanted["history"] = history
    if marker.exists():
        known = json.loads(marker.read_text())
        if known.get("config") == wanted and Paths(data).landing_dir(quarter).exists():
            _say(f"scale {scale:g}: reusing the landing files in {data}")
            return known["summary"], known["seconds"]
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    _say(f"scale {scale:g}: generating {wanted['households']:,} households")
    started = time.monotonic()
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.generate",
            "--data-dir",
            str(data),
            "--scale",
            str(scale),
            "--quarter",
            quarter,
            "--seed",
            str(seed),
            "--profile",
            profile,
            "--history",
            str(history),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.monotonic() - started
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    marker.write_text(json.dumps({"config": wanted, "summary": summary, "seconds": seconds}))
    return summary, seconds


def pipeline_env(paths: Paths, dbt_target: Path, memory_limit: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MONITOR_", "DAGSTER_"))}
    env.update(
        MONITOR_DATA_DIR=str(paths.data_dir),
        DAGSTER_HOME=str(paths.dagster_home),
        MONITOR_DEMO="1",
        MONITOR_DBT_TARGET_DIR=str(dbt_target),
        **OFFLINE_ENV,
    )
    if memory_limit:
        env[DUCKDB_MEMORY_LIMIT_ENV] = memory_limit
    return env


def reset_pipeline_state(paths: Paths) -> None:
    """An empty warehouse, publication and Dagster instance: every stage does its full work
    (with ``--history``, the history's runs fill it again before the measured one)."""
    for database in (paths.warehouse, paths.monitor):
        database.unlink(missing_ok=True)
        database.with_name(database.name + ".wal").unlink(missing_ok=True)
    temp = paths.warehouse.with_name(paths.warehouse.name + ".tmp")
    for folder in (temp, paths.dagster_home, paths.reports):
        shutil.rmtree(folder, ignore_errors=True)


def step_times(dagster_home: Path) -> tuple[dict[str, tuple[float, float]], float, float, bool]:
    """Per step (start, end) from the latest run's event log; run start and end; success."""
    from dagster import DagsterEventType, DagsterInstance

    kinds = {
        DagsterEventType.STEP_START,
        DagsterEventType.STEP_SUCCESS,
        DagsterEventType.STEP_FAILURE,
        DagsterEventType.RUN_START,
        DagsterEventType.RUN_SUCCESS,
        DagsterEventType.RUN_FAILURE,
    }
    with DagsterInstance.from_config(str(dagster_home)) as instance:
        run = instance.get_runs(limit=1)[0]
        entries = instance.all_logs(run.run_id, of_type=kinds)
    steps: dict[str, tuple[float, float]] = {}
    run_start = run_end = 0.0
    ok = False
    for entry in entries:
        kind = entry.dagster_event.event_type
        if kind == DagsterEventType.RUN_START:
            run_start = entry.timestamp
        elif kind in (DagsterEventType.RUN_SUCCESS, DagsterEventType.RUN_FAILURE):
            run_end = entry.timestamp
            ok = kind == DagsterEventType.RUN_SUCCESS
        elif kind == DagsterEventType.STEP_START:
            steps[entry.step_key] = (entry.timestamp, entry.timestamp)
        else:
            begin = steps.get(entry.step_key, (entry.timestamp, entry.timestamp))[0]
            steps[entry.step_key] = (begin, entry.timestamp)
    return steps, run_start, run_end, ok


def stage_rows(warehouse: Path, quarter: str) -> dict[str, int]:
    """Rows each stage takes in, read from the warehouse after the run."""
    with duckdb.connect(str(warehouse), read_only=True) as con:

        def one(sql: str) -> int:
            try:
                return int(con.execute(sql, [quarter]).fetchone()[0] or 0)
            except duckdb.Error:
                return 0

        raw = sum(one(f"select count(*) from raw.{t} where quarter = ?") for t in RAW_TABLES)
        cells = one(f"select count(*) from {MONITOR_MODEL_TABLE} where quarter = ?")
        candidate = one(f"select count(*) from {CANDIDATE_TABLE} where quarter = ?")
        return {
            "startup": 0,
            "ingest": one("select sum(rows_read) from audit.ingest_files where quarter = ?"),
            "dbt": raw,
            "protect": cells,
            "gate": candidate,
            "publish": candidate,
        }


def pipeline_counts(warehouse: Path, quarter: str, out: Path) -> None:
    """The pipeline's unsuppressed counts per area, in the references' shape."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        con.execute(
            f"""
            copy (
                select area_level, area_code,
                    {", ".join(f"cast(max(value) filter (indicator = '{c}') as bigint) as {c}" for c in COMPARED)}
                from main_monitor.mon_area_indicators
                where quarter = ? and period_type = 'kwartaal'
                group by all
            ) to '{out.as_posix()}' (format parquet)
            """,
            [quarter],
        )


def run_pipeline(
    work: Path,
    scale: float,
    quarter: str,
    memory_limit: str | None,
    label: str,
    history: list[str] | None = None,
) -> PipelineResult:
    """One measured ``monitor run`` of ``quarter``, after the untimed runs of the ``history``
    quarters (oldest first) when there are any."""
    data = scale_dir(work, scale) / "data"
    dbt_target = work / "dbt_target"
    paths = Paths(data)
    env = pipeline_env(paths, dbt_target, memory_limit)
    reset_pipeline_state(paths)
    (scale_dir(work, scale) / "pipeline.parquet").unlink(missing_ok=True)  # an earlier run's
    # the benchmark's own dbt target, so the measured runs use partial parsing like any rerun
    parse_project(dbt_target, paths.warehouse, memory_limit, env)
    if manifest_state() is not None:  # `monitor run` would parse first: once per installation
        _say("the dbt project changed since its manifest was made: `monitor prepare`, untimed")
        subprocess.run([str(VENV_BIN / "monitor"), "prepare"], env=env, cwd=REPO_ROOT, check=True)
    log = scale_dir(work, scale) / f"pipeline_{label}.log"
    applied = memory_limit or default_duckdb_memory_limit()  # the pipeline's own without one
    if history:
        history_log = scale_dir(work, scale) / f"pipeline_{label}_history.log"
        _say(
            f"scale {scale:g}: the history first, untimed: {', '.join(history)}, log {history_log}"
        )
        done = run_measured(
            [str(VENV_BIN / "monitor"), "run", "--from", history[0], "--to", history[-1]],
            env,
            history_log,
            cwd=REPO_ROOT,
        )
        if done.returncode != 0:
            _say(f"scale {scale:g}: the history FAILED in {done.wall:.1f} s; see {history_log}")
            return PipelineResult(
                False, done.wall, 0.0, done.peak_rss, done.cpu, [], applied, str(history_log)
            )
        _say(f"scale {scale:g}: the history took {done.wall:.1f} s")
    _say(
        f"scale {scale:g}: pipeline ({label}, DuckDB memory limit "
        f"{applied or 'DuckDB default'}), log {log}"
    )
    m = run_measured(
        [str(VENV_BIN / "monitor"), "run", "--quarter", quarter], env, log, cwd=REPO_ROOT
    )
    steps, run_start, run_end, ok = step_times(paths.dagster_home)
    rows = stage_rows(paths.warehouse, quarter) if ok else dict.fromkeys(STAGES, 0)
    spans: dict[str, list[tuple[float, float]]] = {}
    for key, span in steps.items():
        spans.setdefault(stage_of(key), []).append(span)
    first_step = min((s for s, _ in steps.values()), default=m.started)
    spans["startup"] = [(m.started, first_step)]
    stages = []
    for stage in STAGES:
        if stage not in spans:
            continue
        seconds = sum(end - begin for begin, end in spans[stage])
        cpu = sum(m.cpu_between(b, e) for b, e in spans[stage])
        peak = max(m.peak_between(b, e) for b, e in spans[stage])  # not the steps between
        stages.append(StageResult(stage, seconds, cpu, peak, rows.get(stage, 0)))
    result = PipelineResult(
        ok=ok and m.returncode == 0,
        wall=m.wall,
        job_seconds=(run_end - run_start) if run_end else 0.0,
        peak_rss=m.peak_rss,
        cpu=m.cpu,
        stages=stages,
        memory_limit=applied,
        log=str(log),
    )
    _say(
        f"scale {scale:g}: pipeline {'succeeded' if result.ok else 'FAILED'} in {m.wall:.1f} s, "
        f"CPU {m.cpu:.1f} s, peak {m.peak_rss / GB:.2f} GB"
    )
    if result.ok and label == "default":
        pipeline_counts(paths.warehouse, quarter, scale_dir(work, scale) / "pipeline.parquet")
    return result


def run_reference(work: Path, scale: float, quarter: str, name: str) -> ReferenceResult:
    landing = Paths(scale_dir(work, scale) / "data").landing_dir(quarter)
    out = scale_dir(work, scale) / f"{name}.parquet"
    out.unlink(missing_ok=True)
    module = {"duckdb": "benchmarks.reference_duckdb", "pandas": "benchmarks.reference_pandas"}[
        name
    ]
    log = scale_dir(work, scale) / f"reference_{name}.log"
    _say(f"scale {scale:g}: {name} reference")
    m = run_measured(
        [sys.executable, "-m", module, str(landing), str(out)], None, log, cwd=REPO_ROOT
    )
    ok = m.returncode == 0 and out.exists()
    _say(f"scale {scale:g}: {name} reference {'done' if ok else 'FAILED'} in {m.wall:.1f} s")
    return ReferenceResult(name, ok, m.wall, m.peak_rss, m.cpu)


def agreement(work: Path, scale: float) -> dict[str, Any]:
    """How the three implementations' counts compare (buurt level and totals)."""
    folder = scale_dir(work, scale)
    files = {n: folder / f"{n}.parquet" for n in ("duckdb", "pandas", "pipeline")}
    if not all(f.exists() for f in files.values()):
        return {"complete": False}
    con = duckdb.connect()
    for name, path in files.items():
        con.execute(f"create view {name} as select * from '{path.as_posix()}'")
    out: dict[str, Any] = {"complete": True}
    for a, b in (("duckdb", "pandas"), ("duckdb", "pipeline")):
        same = " and ".join(f"a.{c} is not distinct from b.{c}" for c in COMPARED)
        areas, equal = con.execute(
            f"select count(*), count(*) filter ({same}) from {a} a full join {b} b "
            "using (area_level, area_code) where area_level = 'buurt'"
        ).fetchone()
        out[f"{a}_vs_{b}_buurten"] = areas
        out[f"{a}_vs_{b}_buurten_equal"] = equal
    for name in files:
        totals = con.execute(
            f"select {', '.join(f'sum({c})::bigint' for c in COMPARED)} from {name} "
            "where area_level = 'buurt'"
        ).fetchone()
        out[f"{name}_buurt_totals"] = dict(zip(COMPARED, totals, strict=True))
    return out


# --- reporting ----------------------------------------------------------------------------


def machine() -> dict[str, str]:
    def sh(cmd: str) -> str:
        try:
            return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
        except OSError:
            return ""

    return {
        "nproc": sh("nproc"),
        "free -g": sh("free -g"),
        "lscpu | head": sh("lscpu | head"),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "load average at start": sh("cat /proc/loadavg"),
    }


def _gb(n: int) -> str:
    return f"{n / GB:.2f} GB"


def stage_table(p: PipelineResult) -> list[str]:
    lines = [
        "| stage | wall s | CPU s | peak RSS | rows in | rows/s |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for s in p.stages:
        rate = f"{s.rows_per_second:,.0f}" if s.rows else ""
        rows = f"{s.rows:,}" if s.rows else ""
        lines.append(
            f"| {s.stage} | {s.seconds:.1f} | {s.cpu_seconds:.1f} | {_gb(s.peak_rss)} | {rows} "
            f"| {rate} |"
        )
    lines.append(
        f"| **whole `monitor run`** | **{p.wall:.1f}** | **{p.cpu:.1f}** | **{_gb(p.peak_rss)}** "
        "| | |"
    )
    return lines


def linearity(results: list[ScaleResult]) -> list[str]:
    """Marginal cost per household between successive scales, per stage and in total.

    Linear cost means the marginal CPU microseconds per household stay the same from one
    scale step to the next (fixed costs, such as start-up, show at the small scales only).
    CPU is used because wall time on a shared machine includes waiting for the CPU.
    """
    ok = [r for r in results if r.pipeline.ok]
    if len(ok) < 2:
        return ["(needs two scales that succeeded)"]
    names = [s.stage for s in ok[0].pipeline.stages] + ["whole run"]

    def usage(r: ScaleResult, stage: str) -> tuple[float, float]:
        if stage == "whole run":
            return r.pipeline.wall, r.pipeline.cpu
        found = next((s for s in r.pipeline.stages if s.stage == stage), None)
        return (found.seconds, found.cpu_seconds) if found else (0.0, 0.0)

    pairs = list(itertools.pairwise(ok))
    header = "| stage | " + " | ".join(f"wall / CPU s at {r.scale:g}" for r in ok)
    steps = [f"CPU µs per household {a.scale:g}→{b.scale:g}" for a, b in pairs]
    lines = [
        header + " | " + " | ".join(steps) + " |",
        "|---|" + "---:|" * (len(ok) + len(steps)),
    ]
    for name in names:
        cells = [f"{usage(r, name)[0]:.1f} / {usage(r, name)[1]:.1f}" for r in ok]
        for a, b in pairs:
            marginal = (usage(b, name)[1] - usage(a, name)[1]) / max(b.households - a.households, 1)
            cells.append(f"{marginal * 1e6:.2f}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def report(
    results: list[ScaleResult],
    info: dict[str, str],
    command: str,
    profile: str,
    history: list[str] | tuple[str, ...] = (),
) -> str:
    out = ["# Benchmark report (generated by `benchmarks.run`)", ""]
    out += [
        f"Profile `{profile}`: {PROFILES[profile]:g} signals per 1,000 residents in the quarter "
        "(`benchmarks/generate.py`).",
        "",
    ]
    if history:
        out += [
            f"History: {', '.join(history)}, the quarter{'s' if len(history) > 1 else ''} "
            "before the measured one, generated too and run first, untimed; the figures are "
            "those of the measured quarter's run, on a warehouse that holds the history.",
            "",
        ]
    out += ["## Machine", "", "```"]
    for key, value in info.items():
        out += [f"$ {key}", value]
    out += ["```", "", "## Command", "", "```sh", command, "```", ""]
    for r in results:
        g = r.generated
        out += [
            f"## Scale {r.scale:g} ({r.households:,} households)",
            "",
            f"Generated: {g.get('households', 0):,} households, {g.get('residents', 0):,} residents, "
            f"{g.get('addresses', 0):,} addresses, {g.get('buurten', 0):,} buurten in "
            f"{g.get('wijken', 0):,} wijken and {g.get('gemeenten', 0):,} gemeenten, "
            f"{g.get('signals', 0):,} signals ({g.get('signal_rows', 0):,} partner rows); "
            f"generation {r.generate_seconds:.0f} s (not part of the comparison).",
            "",
            f"Pipeline: {'succeeded' if r.pipeline.ok else '**FAILED**'}; Dagster job "
            f"{r.pipeline.job_seconds:.1f} s inside a {r.pipeline.wall:.1f} s command.",
            "",
            *stage_table(r.pipeline),
            "",
            "| implementation | wall s | CPU s | peak RSS | pipeline / it (wall) "
            "| pipeline / it (CPU) |",
            "|---|---:|---:|---:|---:|---:|",
            f"| full pipeline (`monitor run`) | {r.pipeline.wall:.1f} | {r.pipeline.cpu:.1f} "
            f"| {_gb(r.pipeline.peak_rss)} | 1.00 | 1.00 |",
        ]
        for ref in r.references:
            ratio = r.pipeline.wall / ref.wall if ref.ok and ref.wall else float("nan")
            cpu_ratio = r.pipeline.cpu / ref.cpu if ref.ok and ref.cpu else float("nan")
            name = {"duckdb": "bare DuckDB (reference.sql)", "pandas": "pandas core"}[ref.name]
            status = "" if ref.ok else " (FAILED)"
            out.append(
                f"| {name}{status} | {ref.wall:.1f} | {ref.cpu:.1f} | {_gb(ref.peak_rss)} "
                f"| {ratio:.2f} | {cpu_ratio:.2f} |"
            )
        a = r.agreement
        if a.get("complete"):
            out += [
                "",
                f"Agreement: DuckDB and pandas references equal in "
                f"{a['duckdb_vs_pandas_buurten_equal']:,} of {a['duckdb_vs_pandas_buurten']:,} "
                f"buurten; reference and pipeline (unsuppressed) equal in "
                f"{a['duckdb_vs_pipeline_buurten_equal']:,} of {a['duckdb_vs_pipeline_buurten']:,}. "
                "Buurt totals (households, signalled households, signals): "
                + "; ".join(
                    f"{n} {', '.join(f'{v:,}' for v in a[f'{n}_buurt_totals'].values())}"
                    for n in ("duckdb", "pandas", "pipeline")
                )
                + ".",
            ]
        for limited in r.limited:
            out += [
                "",
                f"### Scale {r.scale:g} with DuckDB memory limit {limited.memory_limit}",
                "",
                f"{'Succeeded' if limited.ok else '**FAILED**'}: {limited.wall:.1f} s "
                f"(the pipeline's own cap: {r.pipeline.wall:.1f} s), "
                f"peak RSS {_gb(limited.peak_rss)}.",
                "",
                *stage_table(limited),
            ]
        out.append("")
    out += ["## Cost against size", "", *linearity(results), ""]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scales", default="0.01,0.1,1.0", help="comma-separated, 1.0 = national")
    parser.add_argument("--work-dir", type=Path, default=DEFAULT_WORK_DIR)
    parser.add_argument("--quarter", default="2026Q3")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--memory-limit", default="1GB", help="DuckDB limit of the limited run")
    parser.add_argument(
        "--limited-scales",
        default=None,
        help="scales to rerun with the memory limit (default: the largest; 'none' for none)",
    )
    parser.add_argument("--no-references", action="store_true", help="pipeline only")
    parser.add_argument(
        "--profile",
        choices=sorted(PROFILES),
        default=DEFAULT_PROFILE,
        help="signal volume (benchmarks/generate.py PROFILES); other than the default, the "
        "files and results go to WORK_DIR/<profile>",
    )
    parser.add_argument(
        "--history",
        type=int,
        default=0,
        help="earlier quarters generated and run (untimed) before the measured one; the files "
        "and results go to WORK_DIR/history_N",
    )
    args = parser.parse_args(argv)
    if args.history < 0:
        parser.error("--history is a number of quarters, 0 or more")
    history = history_quarters(args.quarter, args.history)
    outside = quarters_outside_partitions(history)
    if outside:
        parser.error(
            f"--history {args.history} reaches {', '.join(outside)}, which the pipeline does not "
            f"run (it runs {partition_range()})"
        )

    scales = sorted(float(s) for s in args.scales.split(","))
    if args.limited_scales is None:
        limited_scales = {scales[-1]}
    elif args.limited_scales.strip().lower() == "none":
        limited_scales = set()
    else:
        limited_scales = {float(s) for s in args.limited_scales.split(",")}
    work: Path = args.work_dir.resolve()
    if work == (REPO_ROOT / "data").resolve() or REPO_ROOT in work.parents:
        parser.error("--work-dir must lie outside the repository (it holds GBs of data)")
    if args.profile != DEFAULT_PROFILE:
        work = work / args.profile
    if args.history:
        work = work / f"history_{args.history}"
    work.mkdir(parents=True, exist_ok=True)
    info = machine()
    command = (
        "cd "
        + str(REPO_ROOT)
        + " && .venv/bin/python -m benchmarks.run "
        + " ".join(argv if argv is not None else sys.argv[1:])
    )
    results: list[ScaleResult] = []
    for scale in scales:
        generated, gen_seconds = ensure_generated(
            work, scale, args.quarter, args.seed, args.profile, args.history
        )
        pipeline = run_pipeline(work, scale, args.quarter, None, "default", history)
        refs = []
        if not args.no_references:
            refs = [run_reference(work, scale, args.quarter, n) for n in ("duckdb", "pandas")]
        result = ScaleResult(
            scale=scale,
            households=households_for(scale),
            generated=generated,
            generate_seconds=gen_seconds,
            pipeline=pipeline,
            references=refs,
            agreement=agreement(work, scale) if refs else {},
        )
        if scale in limited_scales:
            result.limited.append(
                run_pipeline(work, scale, args.quarter, args.memory_limit, "limited", history)
            )
        results.append(result)
        (work / "results.json").write_text(
            json.dumps([asdict(r) for r in results], indent=2, default=str)
        )
    text = report(results, info, command, args.profile, history)
    (work / "report.md").write_text(text)
    print(text)
    _say(f"results: {work / 'results.json'}, report: {work / 'report.md'}")
    failed = any(
        not r.pipeline.ok or any(not x.ok for x in r.references) or any(not x.ok for x in r.limited)
        for r in results
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
