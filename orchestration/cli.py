"""The ``monitor`` command: headless use of the pipeline.

    monitor demo                      generate five Amsterdam demo quarters and run them end to end
    monitor generate --quarter 2026Q3 write demo extracts into the landing folder
                                      (--reference FILE: the gemeenten of your own area file)
    monitor run --quarter 2026Q3      run one quarter (or --from/--to for a range) through Dagster
    monitor keygen [--out FILE]       a new random 256-bit pseudonym key (printed, or a 0600 file)
    monitor rotate-key --confirm      re-key the warehouse to a new pseudonym key and rebuild
    monitor status                    what is landed, ingested, built and published per quarter
                                      and the published share of the latest quarter's key
                                      indicators (--all-indicators: of every indicator)
    monitor log                       the publication log of monitor.duckdb
    monitor report --quarter 2026Q3   the offline HTML report of a published quarter
    monitor export --quarter 2026Q3   a published quarter as CSV or .xlsx for Excel (formula-safe)
    monitor ui                        the Dagster UI (dagster dev) on this installation
    monitor prepare                   parse the dbt project (done by scripts/setup; `run`, `ui`
                                      and a reload in the UI parse it when its files changed)
    monitor docs                      the dbt docs as one offline HTML file (data/docs/)

Every command works on ``$MONITOR_DATA_DIR`` (default ``./data``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path

from orchestration import settings
from orchestration.contract import LEVELS
from orchestration.quarters import parse_quarter, previous_quarter, quarter_range

DEMO_QUARTER = "2026Q3"
DEMO_SEED = 2026
DEMO_QUARTERS = 5
"""Quarters `monitor demo` publishes, up to DEMO_QUARTER: enough for a four-quarter period."""
REFERENCE_HELP = (
    "generate the gemeenten of this area file instead of Amsterdam: the contract's "
    "wijken_buurten form (code;naam;parent_code) or a CBS StatLine export (docs/runbook.md)"
)


def _say(message: str) -> None:
    print(f"[monitor {time.strftime('%H:%M:%S')}] {message}", flush=True)


def _dagster_home() -> Path:
    """A persistent Dagster instance under the data dir (0700: its event log holds what runs
    logged), with the repository's dagster.yaml."""
    from orchestration import filemodes

    home = Path(os.environ.get("DAGSTER_HOME") or settings.paths().dagster_home).resolve()
    filemodes.restricted_dir(home)
    shutil.copyfile(settings.REPO_ROOT / "dagster.yaml", home / "dagster.yaml")
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def _quarter_arg(value: str) -> str:
    """A quarter as written on the command line (``2026Q3``; ``2026q3`` too)."""
    quarter = value.strip().upper()
    try:
        parse_quarter(quarter)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return quarter


QUARTER_OPTION = {"type": _quarter_arg, "metavar": "YYYYQn"}
"""How every quarter option is read and shown in the help (``--quarter 2026Q3``)."""


def cmd_prepare(args: argparse.Namespace) -> int:
    from orchestration.dbt_project import prepare_manifest

    path = prepare_manifest(force=True)
    _say(f"dbt manifest ready: {path}")
    return 0


def _prepare_manifest() -> None:
    """Parse the dbt project when its manifest is missing or its files changed, and say so."""
    from orchestration.dbt_project import manifest_state, prepare_manifest

    state = manifest_state()
    if state:
        _say(f"dbt project: manifest {state}: parsing it (dbt parse)")
    prepare_manifest()


def cmd_docs(args: argparse.Namespace) -> int:
    """The dbt documentation of the project and the warehouse's tables, as one offline page."""
    from orchestration import filemodes
    from orchestration.dbt_project import generate_docs
    from orchestration.runlock import run_lock

    paths = settings.paths()
    if not paths.warehouse.exists():
        print(
            f"monitor docs: no warehouse at {paths.warehouse}: run a quarter first "
            "(`monitor run` or `monitor demo`); the docs describe its tables",
            file=sys.stderr,
        )
        return 1
    _say("dbt docs generate --static (offline: one HTML file, nothing fetched online)")
    # in the data directory: the page inlines the warehouse's catalog, and the warehouse path
    # in dbt's profile stays the same there, so dbt's partial parsing holds
    target = filemodes.restricted_dir(paths.dbt_target / "docs")
    with run_lock(paths, "docs"):  # dbt opens the warehouse: not while a run writes it
        page = generate_docs(target, paths.warehouse, settings.duckdb_memory_limit())
    out = filemodes.restricted_dir(paths.data_dir / "docs") / "dbt_docs.html"
    shutil.copyfile(page, out)
    filemodes.restrict(out)
    _say(f"dbt docs written: {out} (open it in a browser)")
    return 0


def cmd_generate(args: argparse.Namespace) -> int:
    from demo.generator import GeneratorConfig, generate
    from demo.provenance import mark_generated
    from demo.signals import Rates

    paths = settings.paths()
    signal_rate = getattr(args, "signals_per_1000", None)
    config = GeneratorConfig(
        quarter=args.quarter,
        seed=args.seed,
        geography=_geography(args),
        scale=args.scale,
        households=args.households,
        rates=Rates() if signal_rate is None else Rates(signals_per_1000_residents=signal_rate),
        reference_file=args.reference,
    )
    what = _geography_label(config.geography, args.reference)
    _say(f"generating {what} extracts for {args.quarter} (seed {args.seed}) in {paths.landing}")
    summary = generate(config, paths)
    mark_generated(paths, args.quarter, config)  # its publication will say `synthetic`
    _say(f"done: {summary}")
    return 0


def _geography(args: argparse.Namespace) -> str:
    """``--reference FILE`` is the ``reference`` geography; it replaces ``--geography``."""
    if args.reference is None:
        return args.geography or "amsterdam"
    if args.geography:
        raise ValueError("--reference replaces --geography: give one of them")
    return "reference"


def _geography_label(geography: str, reference: Path | None) -> str:
    """What the generator writes, for the operator: the reference file or the geography."""
    return f"{geography} ({reference.name})" if reference else geography


def run_quarters(quarters: list[str]) -> bool:
    """Run the quarterly job for each quarter, one at a time. True when all succeeded.

    Holds the data directory's run lock throughout (orchestration/runlock.py): a second
    `monitor run` is refused with a message naming this one.
    """
    from orchestration.rotation import preflight
    from orchestration.runlock import run_lock

    if not _runnable(quarters):
        return False
    purpose = f"run {quarters[0]}" + (f"..{quarters[-1]}" if len(quarters) > 1 else "")
    _say(f"{purpose}: checking the key, loading Dagster and the dbt project")
    with run_lock(settings.paths(), purpose):
        preflight(settings.paths())  # no key, another key, an unfinished rotation: refuse
        return run_quarters_locked(quarters)


def _runnable(quarters: list[str]) -> bool:
    """False, saying why, when a quarter is no partition (before ``first_quarter`` in
    seeds/pipeline_parameters.csv, or not yet ended): Dagster would refuse it mid-run."""
    from orchestration.partitions import partition_range, quarters_outside_partitions

    outside = quarters_outside_partitions(quarters)
    if outside:
        _say(
            f"{', '.join(outside)}: not a quarter the pipeline runs. It runs the quarters "
            f"{partition_range()}: from first_quarter in seeds/pipeline_parameters.csv to the "
            "last quarter that has ended. Nothing was run."
        )
    return not outside


def _has_input(quarter: str) -> bool:
    """A landing folder for the quarter, or files of it ingested earlier (a rerun after the
    landing folder was cleaned up rebuilds from the warehouse)."""
    from orchestration.status import quarter_was_ingested

    paths = settings.paths()
    return paths.landing_dir(quarter).is_dir() or quarter_was_ingested(paths, quarter)


def _say_landing_entries_not_loaded(quarter: str) -> None:
    """The quarter folder's entries that are no source folder, with what to do (each source's
    own folder is reported by its ingest step)."""
    from orchestration.ingestion.deliveries import quarter_entries

    for entry in quarter_entries(settings.paths().landing, quarter):
        _say(f"  not loaded: {entry.line()}")


def dbt_log_path(quarter: str) -> Path:
    """Where a run's dbt output goes: ``<data dir>/logs/<quarter>_<UTC time>.log`` (0600)."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    return settings.paths().data_dir / "logs" / f"{quarter}_{stamp}.log"


def _quarter_run_config(runs_next: list[str]) -> dict:
    """A quarter's run config from the command line: the progress logger, and the quarters
    the same command runs after it (a due quarter among them is not late yet:
    ``publication_on_time``)."""
    from orchestration.assets.due import publication_on_time
    from orchestration.progress import progress_run_config

    check = publication_on_time.node_def.name
    return {**progress_run_config(), "ops": {check: {"config": {"runs_next": runs_next}}}}


def run_quarters_locked(quarters: list[str]) -> bool:
    """``run_quarters`` for a caller that already holds the run lock."""
    started = time.monotonic()
    fsync = settings.event_log_fsync()
    home = _dagster_home()
    from dagster import DagsterInstance

    from orchestration.eventlog import event_log_without_fsync

    _prepare_manifest()  # a fresh clone or an edited model: parse before the definitions load
    from orchestration.definitions import defs
    from orchestration.jobs import QUARTERLY_JOB_NAME
    from orchestration.partitions import partition_key_for_quarter
    from orchestration.progress import output_to
    from orchestration.runlock import CLI_TRIGGER, PID_TAG, TRIGGER_TAG, release_orphaned_runs

    job = defs.resolve_job_def(QUARTERLY_JOB_NAME)
    _say(f"pipeline loaded in {time.monotonic() - started:.0f} s")
    all_ok = True
    history = nullcontext() if fsync else event_log_without_fsync(home)
    with history, DagsterInstance.get() as instance:
        for run_id in release_orphaned_runs(instance):
            _say(f"run {run_id} of an earlier `monitor` process never finished: marked failed")
        # whether a quarter has files to run does not change while the command runs
        runnable = [quarter for quarter in quarters if _has_input(quarter)]
        for quarter in quarters:
            if quarter not in runnable:
                all_ok = False
                _say(
                    f"{quarter}: nothing to run: no landing folder "
                    f"{settings.paths().landing_dir(quarter)} and nothing ingested for it before. "
                    "Deliver files there (or `monitor generate --quarter "
                    f"{quarter}` for demo data)."
                )
                continue
            _say(f"running {quarter}: ingest -> dbt -> protect -> gate -> publish")
            _say_landing_entries_not_loaded(quarter)
            log = dbt_log_path(quarter)
            _say(f"{quarter}: dbt's own output goes to {log}; Dagster records the run's plan")
            started = time.monotonic()
            with output_to(log):
                result = job.execute_in_process(
                    partition_key=partition_key_for_quarter(quarter),
                    instance=instance,
                    raise_on_error=False,
                    run_config=_quarter_run_config(runnable[runnable.index(quarter) + 1 :]),
                    tags={
                        "monitor/quarter": quarter,
                        TRIGGER_TAG: CLI_TRIGGER,
                        PID_TAG: str(os.getpid()),
                    },
                )
            seconds = time.monotonic() - started
            if log.exists() and not log.stat().st_size:
                log.unlink()  # the run stopped before dbt: no empty log left behind
            if result.success:
                _say(f"{quarter}: succeeded in {seconds:.0f} s (run {result.run_id})")
            else:
                all_ok = False
                _say(
                    f"{quarter}: FAILED after {seconds:.0f} s (run {result.run_id}); see above, "
                    "or `monitor ui` for the run's events"
                )
                if log.exists():
                    _say(f"{quarter}: dbt's own output: {log}")
                for cause in _failure_causes(result):
                    _say(f"{quarter}: cause: {cause}")
    return all_ok


def _failure_causes(result) -> list[str]:
    """Each failed step's cause, without Dagster's wrapper. A step its blocking checks stopped
    (Dagster's ``DagsterAssetCheckFailedError``): what each failed check found. Otherwise the
    ``Failure`` description, an explained lock, permission or disk-full error, or the
    innermost error's message, after the failed blocking checks' findings if there are any
    (dbt's failed tests, then dbt's own error)."""
    from dagster import AssetCheckSeverity

    from orchestration.failures import explain_error_info, root_message

    failed_checks: dict[str, list[str]] = {}
    for event in result.all_events:
        if event.event_type_value != "ASSET_CHECK_EVALUATION":
            continue
        check = event.event_specific_data
        if check.blocking and not check.passed and check.severity == AssetCheckSeverity.ERROR:
            found = f"check {check.check_name}: {check.description or 'failed'}"
            failed_checks.setdefault(event.step_key, []).append(found)
    causes = []
    for event in result.all_events:
        if event.event_type_value != "STEP_FAILURE" or not event.step_failure_data:
            continue
        data = event.step_failure_data
        step = event.step_key
        causes += [f"{step}: {found}" for found in failed_checks.get(step, [])]
        if data.error and data.error.cls_name == "DagsterAssetCheckFailedError":
            if step not in failed_checks:  # never without a failed check; if so, say it
                causes.append(f"{step}: {root_message(data.error)}")
        elif data.user_failure_data and data.user_failure_data.description:
            causes.append(f"{step}: {data.user_failure_data.description}")
        elif data.error:
            explained = explain_error_info(data.error, settings.data_dir())
            causes.append(f"{step}: {explained or root_message(data.error)}")
    return causes


def cmd_run(args: argparse.Namespace) -> int:
    if args.quarter:
        quarters = [args.quarter]
    elif args.first and args.last:
        if args.first > args.last:
            print(
                f"monitor run: --from {args.first} comes after --to {args.last}: give the "
                "earlier quarter first",
                file=sys.stderr,
            )
            return 2
        quarters = quarter_range(args.first, args.last)
    else:
        print("monitor run: give --quarter Q, or --from Q1 --to Q2", file=sys.stderr)
        return 2
    # a rerun after `monitor demo`, as the README's next steps do: the demo's key, said so
    os.environ.update(_demo_installation_mode("the run goes"))
    return 0 if run_quarters(quarters) else 1


def cmd_keygen(args: argparse.Namespace) -> int:
    """Print a new 256-bit pseudonym key, or write it to a new file only its owner can read."""
    from orchestration.filemodes import write_new_restricted
    from orchestration.pseudonym import new_key

    key = new_key()
    if args.out is None:
        print(key)
        return 0
    if not write_new_restricted(args.out, key + "\n"):
        print(f"monitor keygen: {args.out} exists: not overwritten", file=sys.stderr)
        return 1
    _say(
        f"new pseudonym key written to {args.out} (mode 0600). Use it with "
        f'`export MONITOR_PSEUDONYM_KEY="$(cat {args.out})"`; for an existing warehouse, then '
        "run `monitor rotate-key --confirm` (docs/runbook.md, 'Key management')"
    )
    return 0


def cmd_rotate_key(args: argparse.Namespace) -> int:
    """Re-key the warehouse to the key now in MONITOR_PSEUDONYM_KEY (docs/runbook.md)."""
    from orchestration import rotation
    from orchestration.runlock import run_lock

    paths = settings.paths()
    if not args.confirm:
        print(
            "monitor rotate-key re-ingests every quarter held in the warehouse from its landing "
            "files under the key now in MONITOR_PSEUDONYM_KEY and rebuilds it; a quarter whose "
            "landing files are gone loses its household-level data. Add --confirm to proceed.",
            file=sys.stderr,
        )
        return 2
    if not paths.warehouse.exists():
        _say("no warehouse yet: nothing to rotate; the next run uses the new key")
        return 0
    with run_lock(paths, "rotate-key"):
        plan = rotation.start_rotation(paths, _say)
        if plan.rekeyed and not run_quarters_locked(plan.rekeyed):
            _say("rebuild FAILED: the rotation is not finished; fix the cause and run it again")
            return 1
        rotation.finish_rotation(paths)
    _say(
        f"key rotation done: {len(plan.rekeyed)} quarter(s) re-keyed and rebuilt"
        + (f", {len(plan.dropped)} dropped ({', '.join(plan.dropped)})" if plan.dropped else "")
        + ". No pseudonym of the old key remains: destroy the old key now."
    )
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from orchestration.status import print_status

    print_status(settings.paths(), all_indicators=args.all_indicators)
    return 0


def cmd_log(args: argparse.Namespace) -> int:
    from orchestration.status import print_publication_log

    print_publication_log(settings.paths())
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from orchestration.report import write_report

    _say(f"report written: {write_report(settings.paths(), args.quarter)}")
    return 0


def cmd_partner_report(args: argparse.Namespace) -> int:
    from orchestration.partners.report import write_partner_report

    _say(
        f"partner page written: {write_partner_report(settings.paths(), args.partner, args.quarter)}"
    )
    return 0


def cmd_partner_withdraw(args: argparse.Namespace) -> int:
    from orchestration.partners.files import withdraw_partner_quarter

    removed = withdraw_partner_quarter(settings.paths(), args.partner, args.quarter)
    _say(
        f"{args.quarter} removed from the file of {args.partner} ({removed} figures); the next "
        f"run of {args.quarter} writes it anew"
    )
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from orchestration.export import export_quarter

    paths = settings.paths()
    out = args.out or paths.data_dir / "exports"
    for path in export_quarter(paths.monitor, args.quarter, args.level, out, args.format):
        _say(f"written: {path}")
    return 0


def demo_quarters(last: str, count: int) -> list[str]:
    """The ``count`` quarters up to and including ``last`` (the demo's history)."""
    first = last
    for _ in range(count - 1):
        first = previous_quarter(first)
    return quarter_range(first, last)


def _generate_demo(quarters: list[str], scale: float, reference: Path | None = None) -> None:
    """The demo's quarters in one process: the city and its registers are built once."""
    from demo.generator import GenerationSummary, GeneratorConfig, generate_quarters
    from demo.provenance import mark_generated

    paths = settings.paths()
    config = GeneratorConfig(
        quarter=quarters[-1],
        seed=DEMO_SEED,
        scale=scale,
        geography="reference" if reference else "amsterdam",
        reference_file=reference,
    )
    what = _geography_label(config.geography, reference)
    _say(f"generating {what} extracts for {', '.join(quarters)} (seed {DEMO_SEED})")

    def done(summary: GenerationSummary) -> None:
        mark_generated(paths, summary.quarter, replace(config, quarter=summary.quarter))
        _say(f"done: {summary}")

    generate_quarters(config, quarters, paths, on_quarter=done)


def cmd_demo(args: argparse.Namespace) -> int:
    quarters = demo_quarters(args.quarter, args.quarters)
    if not _runnable(quarters):
        return 2
    os.environ[settings.DEMO_ENV] = "1"
    paths = settings.paths()
    if not settings.pseudonym_key_setting():
        _say(
            f"demo mode: pseudonyms use a generated key in {paths.demo_key_file} "
            "(production sets MONITOR_PSEUDONYM_KEY)"
        )
    missing = [q for q in quarters if not paths.landing_dir(q).exists()]
    for quarter in sorted(set(quarters) - set(missing)):
        _say(f"landing/{quarter} already holds files: using them")
    if missing:
        _generate_demo(missing, args.scale, args.reference)
    os.environ[settings.EVENT_LOG_SYNC_ENV] = "off"  # the demo's run history: docs/runbook.md
    ok = run_quarters(quarters)
    from orchestration.status import print_publication_summary

    print_publication_summary(paths, quarters[-1])
    _print_linkage(paths, quarters[-1])
    _print_history(paths, quarters)
    return 0 if ok else 1


OUTCOME_COLUMNS = (
    "hh_met_signaal", "hh_opgepakt", "hh_bereikt", "hh_hulp_geaccepteerd",
    "pct_bereikt_van_opgepakt", "pct_hulp_van_bereikt",
)  # fmt: skip
"""The outcomes the demo's summary shows, from the period types published later that carry
them (``kwartaal_afgerond``, ``vier_kwartalen_afgerond``: the periods ending a quarter before).
The rates are those of the national monitor (``seeds/landelijke_referentie.csv``: reached over
picked-up cases, help over reached), so they read against its figures."""
COHORT_COLUMNS = (
    "hh_met_signaal", "hh_schuldhulp_binnen_6m", "pct_schuldhulp_binnen_6m",
    "hh_hulp_geaccepteerd", "hh_nieuw_signaal_na_hulp", "pct_nieuw_signaal_na_hulp",
)  # fmt: skip
"""The cohort figures the demo's summary shows (``cohort_zes_maanden``)."""


def _print_history(paths: settings.Paths, quarters: list[str]) -> None:
    """The demo's quarters as published: the gemeente's figures per period (the change between
    quarters), the outcomes published a quarter later, the cohorts followed for six months,
    and where to look. A table of figures published later reads the period types published
    later that carry every one of its columns (``Indicator.period_types``)."""
    from orchestration.contract import QUARTERLY, late_period_types
    from orchestration.parameters import indicator_by_name, periods
    from orchestration.status import _query, _table

    def gemeente_rows(shown: list[str], period_types: list[str]) -> list[tuple]:
        columns = ", ".join(f"max(value) filter (indicator = '{name}')" for name in shown)
        return _query(
            paths.monitor,
            f"select period, period_type, any_value(quarter), area_name, {columns} "
            "from monitor.area_indicators where area_level = 'gemeente' "
            f"and quarter in ({', '.join('?' for _ in quarters)}) "
            f"and period_type in ({', '.join('?' for _ in period_types)}) "
            "group by period, period_type, area_code, area_name "
            "order by period_type = ? desc, period, area_code",
            [*quarters, *period_types, QUARTERLY],
        )

    later = list(late_period_types())
    regular = [p.period_type for p in periods() if p.period_type not in later]
    rows = gemeente_rows(
        ["huishoudens", "hh_met_signaal", "signalen", "signalen_per_1000_hh"], regular
    )
    if not rows:
        return
    print("\nPublished periods (gemeente):")
    print(
        _table(
            ["period", "type", "gemeente", "huishoudens", "hh met signaal", "signalen", "per 1000"],
            [(period, kind, *rest) for period, kind, _, *rest in rows],
        )
    )
    late_tables = (
        (
            "Outcomes of the signals (gemeente), published a quarter later: cases are often "
            "closed weeks after the signal",
            OUTCOME_COLUMNS,
            ["opgepakt", "bereikt", "hulp aanvaard", "% bereikt v. opgepakt", "% hulp v. bereikt"],
        ),
        (
            "Signalled households followed for six months (gemeente), published later",
            COHORT_COLUMNS,
            ["schuldhulp <= 6 mnd", "%", "hulp aanvaard", "opnieuw signaal", "%"],
        ),
    )
    for title, columns, headers in late_tables:
        carrying = [
            p for p in later if all(p in indicator_by_name()[c].period_types() for c in columns)
        ]
        found = gemeente_rows(list(columns), carrying) if carrying else []
        if found:
            print(f"\n{title}:")
            print(
                _table(
                    ["signals of", "type", "published in", "gemeente", "hh met signaal", *headers],
                    found,
                )
            )
    published = sorted({row[0] for row in rows if row[1] == QUARTERLY})
    if not any(row[1] != QUARTERLY for row in rows):
        print(
            "No four-quarter period yet: it needs four built quarters; buurt figures are "
            "published over four quarters only (seeds/periods.csv)."
            if any(p.published and p.quarters > 1 for p in periods())
            else "Four-quarter figures are computed in the warehouse but not published "
            "(seeds/periods.csv: `published`)."
        )
    print(f"\nPublished file: {paths.monitor} (quarters {', '.join(published)})")
    for quarter in published:
        report = paths.reports / f"buurtmonitor_{quarter}.html"
        if report.exists():
            print(f"Report {quarter}: {report}")
    files = sorted(paths.partners.glob("*.duckdb"))
    if files and published:
        print(
            f"Partner files: {paths.partners} ({len(files)} partners; "
            f"`monitor partner-report --partner {files[0].stem} --quarter {published[-1]}` "
            "makes a partner's page)"
        )
    print("`monitor status` shows every quarter; `monitor ui` the runs, checks and lineage.")


def _print_linkage(paths: settings.Paths, quarter: str) -> None:
    """For generated data: how well signals were linked to their true address."""
    truth = paths.ground_truth / quarter
    if not (truth / "signals.csv").exists() or not paths.warehouse.exists():
        return
    import duckdb

    from demo.linkage import measure_linkage
    from orchestration.pseudonym import load_key

    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        quality = measure_linkage(con, truth, load_key(paths.demo_key_file))
    print(f"\n{quality.summary()}.")


def _demo_installation_mode(what: str) -> dict[str, str]:
    """``{MONITOR_DEMO: "1"}`` and a word to the operator when the data directory is a demo
    installation: no key configured, ``MONITOR_DEMO`` not set (``MONITOR_DEMO=0`` keeps demo
    mode off), and the warehouse was built with the key file `monitor demo` left beside it.
    That file alone is not enough: without a warehouse, or with a warehouse of another key,
    real deliveries would be pseudonymised with a key kept next to them. ``what``: what runs
    in demo mode, for the message."""
    import duckdb

    from orchestration.pseudonym import MissingKeyError, fingerprint_matches, read_key_file
    from orchestration.rotation import recorded_key

    paths = settings.paths()
    if settings.pseudonym_key_setting() or os.environ.get(settings.DEMO_ENV, "").strip():
        return {}
    if not paths.demo_key_file.exists():
        return {}
    try:
        recorded = recorded_key(paths)
        demo_key = read_key_file(paths.demo_key_file)
    except (duckdb.Error, OSError, UnicodeError, MissingKeyError):
        return {}  # locked, unreadable or not a key: the run's own checks say what is wrong
    if recorded is None or not fingerprint_matches(recorded[0], demo_key):
        return {}
    _say(
        f"demo installation (its warehouse was built with {paths.demo_key_file}, made by "
        f"`monitor demo`): {what} in demo mode ({settings.DEMO_ENV}=1)"
    )
    return {settings.DEMO_ENV: "1"}


def _ui_key_mode() -> dict[str, str]:
    """The environment the UI's runs need for the key, and a word to the operator about it.

    After `monitor demo` the UI runs in demo mode too (``_demo_installation_mode``); without a
    key or demo mode, runs launched from the UI would stop at the key check."""
    mode = _demo_installation_mode("the UI runs")
    if not (mode or settings.pseudonym_key_setting() or settings.demo_mode()):
        _say(
            f"warning: no {settings.KEY_ENV}: runs launched from the UI will stop at the key "
            "check. Make a key with `monitor keygen` and set it, or run `monitor demo` first "
            "for the demo."
        )
    return mode


def cmd_ui(args: argparse.Namespace) -> int:
    home = _dagster_home()
    _prepare_manifest()  # the code location parses again on a reload after a model changed
    # in the instance's own folder: run from the checkout, `dagster dev` warns that the
    # repository's dagster.yaml "will not be used" (the copy in DAGSTER_HOME is); so paths
    # given relative to where `monitor ui` was started are passed on absolute
    env = {**os.environ, **_ui_key_mode(), "MONITOR_DATA_DIR": str(settings.data_dir())}
    dbt_target = settings.dbt_target_override()
    if dbt_target:
        env["MONITOR_DBT_TARGET_DIR"] = str(dbt_target)
    _say(f"Dagster UI on http://{args.host}:{args.port} (DAGSTER_HOME={home})")
    dagster = Path(sys.executable).with_name("dagster")
    return subprocess.call(
        [
            str(dagster),
            "dev",
            "-w",
            str(settings.REPO_ROOT / "workspace.yaml"),
            "-h",
            args.host,
            "-p",
            str(args.port),
        ],
        cwd=home,
        env=env,
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="monitor", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("prepare", help="parse the dbt project").set_defaults(func=cmd_prepare)
    sub.add_parser(
        "docs", help="write the dbt docs of the project and the warehouse (offline HTML)"
    ).set_defaults(func=cmd_docs)

    gen = sub.add_parser("generate", help="write demo extracts into the landing folder")
    gen.add_argument(
        "--quarter", **QUARTER_OPTION, default=DEMO_QUARTER, help="the quarter to generate"
    )
    gen.add_argument("--seed", type=int, default=DEMO_SEED)
    gen.add_argument(
        "--geography",
        choices=["amsterdam", "synthetic"],
        default=None,
        help="amsterdam (default): the CBS file of Amsterdam; synthetic: invented gemeenten",
    )
    gen.add_argument("--reference", type=Path, metavar="FILE", help=REFERENCE_HELP)
    gen.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="amsterdam or --reference: factor on the buurt household counts",
    )
    gen.add_argument(
        "--households",
        type=int,
        default=None,
        help="synthetic: total households (1,000 to 8,400,000); --reference without household "
        "counts: total households (default 579 per buurt)",
    )
    gen.add_argument(
        "--signals-per-1000",
        type=float,
        default=None,
        help="signals per 1,000 residents in the quarter (default 13.2, the real rate; "
        "the national benchmark uses more as headroom)",
    )
    gen.set_defaults(func=cmd_generate)

    run = sub.add_parser("run", help="run quarters through the Dagster job")
    run.add_argument("--quarter", **QUARTER_OPTION, help="the quarter to run, e.g. 2026Q3")
    run.add_argument("--from", dest="first", **QUARTER_OPTION, help="the first quarter of a range")
    run.add_argument("--to", dest="last", **QUARTER_OPTION, help="the last quarter of a range")
    run.set_defaults(func=cmd_run)

    keygen = sub.add_parser("keygen", help="make a new random pseudonym key (256 bits, hex)")
    keygen.add_argument("--out", type=Path, help="write it to this new file (mode 0600)")
    keygen.set_defaults(func=cmd_keygen)

    rotate = sub.add_parser(
        "rotate-key", help="re-key the warehouse to a new MONITOR_PSEUDONYM_KEY (runbook)"
    )
    rotate.add_argument("--confirm", action="store_true", help="really do it")
    rotate.set_defaults(func=cmd_rotate_key)

    status = sub.add_parser("status", help="per quarter: landed, ingested, built, published")
    status.add_argument(
        "--all-indicators",
        action="store_true",
        help="show the published share of every indicator of the latest quarter, not only the "
        "key indicators",
    )
    status.set_defaults(func=cmd_status)
    sub.add_parser("log", help="the publication log").set_defaults(func=cmd_log)

    report = sub.add_parser("report", help="write the HTML report of a published quarter")
    report.add_argument("--quarter", **QUARTER_OPTION, required=True, help="a published quarter")
    report.set_defaults(func=cmd_report)

    partner = sub.add_parser(
        "partner-report",
        help="write a partner's feedback page of a quarter (from data/partners/<partner>.duckdb)",
    )
    partner.add_argument("--partner", required=True, help="partner code, e.g. eneco")
    partner.add_argument("--quarter", **QUARTER_OPTION, required=True, help="a published quarter")
    partner.set_defaults(func=cmd_partner_report)

    withdraw = sub.add_parser(
        "partner-withdraw",
        help="remove a quarter from a partner's file, to send it a second version (a quarter "
        "is written to a partner once; docs/partner-feedback.md)",
    )
    withdraw.add_argument("--partner", required=True, help="partner code, e.g. eneco")
    withdraw.add_argument(
        "--quarter", **QUARTER_OPTION, required=True, help="the quarter to remove"
    )
    withdraw.set_defaults(func=cmd_partner_withdraw)

    export = sub.add_parser(
        "export", help="write a published quarter as CSV (Dutch Excel) or .xlsx for spreadsheets"
    )
    export.add_argument("--quarter", **QUARTER_OPTION, required=True, help="a published quarter")
    export.add_argument("--level", choices=[*LEVELS, "all"], default="all")
    export.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    export.add_argument("--out", type=Path, help="folder (default: <data dir>/exports)")
    export.set_defaults(func=cmd_export)

    demo = sub.add_parser(
        "demo", help="generate Amsterdam quarters (a year of history) and run them end to end"
    )
    demo.add_argument("--quarter", **QUARTER_OPTION, default=DEMO_QUARTER, help="the last quarter")
    demo.add_argument(
        "--quarters",
        type=int,
        choices=range(1, 9),
        default=DEMO_QUARTERS,
        metavar="N",
        help=f"how many quarters up to --quarter (1 to 8, none before first_quarter in "
        f"seeds/pipeline_parameters.csv; default {DEMO_QUARTERS})",
    )
    demo.add_argument("--scale", type=float, default=1.0)
    demo.add_argument("--reference", type=Path, metavar="FILE", help=REFERENCE_HELP)
    demo.set_defaults(func=cmd_demo)

    ui = sub.add_parser("ui", help="start the Dagster UI")
    ui.add_argument("--host", default="127.0.0.1")
    ui.add_argument("--port", type=int, default=3000)
    ui.set_defaults(func=cmd_ui)
    return parser


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    args = build_parser().parse_args(argv)
    try:
        settings.event_log_fsync()  # a wrong value stops every command before it starts
        return args.func(args)
    except KeyboardInterrupt:
        print("monitor: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # a clear one-line message for the operator, traceback on demand
        if os.environ.get("MONITOR_DEBUG"):
            raise
        from orchestration.failures import explain

        print(f"monitor {args.command}: {type(error).__name__}: {error}", file=sys.stderr)
        print("(set MONITOR_DEBUG=1 for the traceback)", file=sys.stderr)
        cause = explain(error, settings.data_dir())
        if cause:
            print(f"monitor {args.command}: cause: {cause}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
