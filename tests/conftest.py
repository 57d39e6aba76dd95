"""Shared fixtures: an isolated data directory and a way to call the real `monitor` command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import settings

from . import scheduling

# `--hypothesis-profile mutation` (scripts/mutation): fewer examples per property, so a test
# run per mutant stays short; tests that set max_examples themselves keep it.
settings.register_profile("mutation", max_examples=25)

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slowest units of work first (tests/scheduling.py), each unit's tests in order.

    Under mutmut (scripts/mutation) the other way round: the test files that took least in
    mutmut's stats run first, each file's tests together (its module fixtures built once).
    mutmut stops a mutant's tests at the first failure, so a killed mutant then costs its
    fastest failing file instead of the slow files that came first; whether it is killed does
    not depend on the order."""
    durations = _mutmut_durations()
    if durations is None:
        items.sort(key=lambda item: scheduling.rank(item.nodeid))
        return
    per_file: dict[str, float] = {}
    for item in items:
        file = item.nodeid.split("::")[0]
        per_file[file] = per_file.get(file, 0.0) + durations.get(item.nodeid, 0.0)
    items.sort(key=lambda item: per_file[item.nodeid.split("::")[0]])


def _mutmut_durations() -> dict[str, float] | None:
    """Per test, its duration in mutmut's stats run while mutmut runs a mutant's tests (in
    ``mutants/``, where it keeps ``mutmut-stats.json``); None otherwise."""
    if not os.environ.get("MUTANT_UNDER_TEST"):
        return None
    try:
        with open("mutmut-stats.json") as f:
            return json.load(f)["duration_by_test"]
    except (OSError, ValueError, KeyError):
        return None


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):  # type: ignore[no-untyped-def]
    """Spread the tests over the pytest-xdist workers by file (tests/scheduling.py)."""
    return scheduling.ByUnit(config, log)


def monitor_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MONITOR_", "DAGSTER_"))}
    env.update(
        MONITOR_DATA_DIR=str(data_dir),
        MONITOR_DEMO="1",
        # the suite's run histories are thrown away: no fsync per event (settings.py), about
        # 5 s less per quarter's run on a busy 2-core machine
        MONITOR_EVENT_LOG_SYNC="off",
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        DBT_VERSION_CHECK="false",
        GX_ANALYTICS_ENABLED="false",
    )
    env.update(extra)
    return env


def run_monitor_in(
    data_dir: Path, *args: str, check: bool = True, **extra_env: str
) -> subprocess.CompletedProcess[str]:
    """The real ``monitor <args>`` on ``data_dir`` (demo key); ``check``: fail the test when
    it fails, with its output."""
    result = subprocess.run(
        [str(BIN / "monitor"), *args],
        cwd=REPO,
        env=monitor_env(data_dir, **extra_env),
        capture_output=True,
        text=True,
        timeout=900,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"monitor {' '.join(args)} exited {result.returncode}\n"
            f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
        )
    return result


@pytest.fixture
def run_monitor(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run `monitor <args>` against a fresh data directory under tmp_path."""
    data_dir = tmp_path / "data"

    def run(*args: str, check: bool = True, **extra_env: str) -> subprocess.CompletedProcess[str]:
        return run_monitor_in(data_dir, *args, check=check, **extra_env)

    run.data_dir = data_dir  # type: ignore[attr-defined]
    return run


@pytest.fixture(scope="session")
def pipeline_baseline(tmp_path_factory: pytest.TempPathFactory):
    """One uninterrupted `monitor run` of a small synthetic quarter with a real key (no demo
    mode): the reference the fault, concurrency, key and retention tests compare against.
    Returns (data_dir, completed process). Treat as read-only: copy it to change it."""
    from . import pipeline_support as support

    data_dir = tmp_path_factory.mktemp("baseline") / "data"
    support.generate(data_dir)
    return data_dir, support.monitor(data_dir, "run", "--quarter", support.QUARTER)


@pytest.fixture(scope="session")
def fault_sequence(pipeline_baseline, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Runs killed in every stage and at random moments, then a final run that two other
    commands try to run beside (tests/pipeline_support.py: fault_sequence). Shared by the
    fault-injection and the concurrency tests."""
    from . import pipeline_support as support

    baseline_dir, baseline = pipeline_baseline
    return support.fault_sequence(
        baseline_dir,
        tmp_path_factory.mktemp("faults") / "data",
        support.run_seconds(baseline.stdout),
    )


DRECHTSTEDEN = Path(__file__).parent / "fixtures" / "reference_drechtsteden.csv"
"""A hand-made area file of three real-shaped gemeenten (Dordrecht, Papendrecht,
Zwijndrecht): a small region."""


REGION_QUARTERS = ("2026Q2", "2026Q3")


@pytest.fixture(scope="session")
def drechtsteden_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Drechtsteden region (``DRECHTSTEDEN``, 30,000 households, one regional delivery per
    municipal source) generated for ``REGION_QUARTERS`` and run from the first to the last;
    its data directory. Read-only: copy it to change it."""
    data_dir = tmp_path_factory.mktemp("drechtsteden") / "data"
    for quarter in REGION_QUARTERS:
        run_monitor_in(
            data_dir, "generate", "--quarter", quarter, "--reference", str(DRECHTSTEDEN),
            "--households", "30000", "--seed", "7",
        )  # fmt: skip
    run_monitor_in(data_dir, "run", "--from", REGION_QUARTERS[0], "--to", REGION_QUARTERS[-1])
    return data_dir


DEMO_RUN_QUARTERS = ("2026Q1", "2026Q2", "2026Q3")


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """`monitor demo` for ``DEMO_RUN_QUARTERS`` at a small scale (the city's 2% sample); its
    data directory and what it printed. Read-only: copy it to change it."""
    data_dir = tmp_path_factory.mktemp("demo") / "data"
    last, count = DEMO_RUN_QUARTERS[-1], str(len(DEMO_RUN_QUARTERS))
    result = run_monitor_in(
        data_dir, "demo", "--quarter", last, "--quarters", count, "--scale", "0.02"
    )
    return data_dir, result.stdout
