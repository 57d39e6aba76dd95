"""The dbt project as Dagster sees it, and how to prepare its manifest on a fresh clone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from dagster_dbt import DbtProject

from orchestration.settings import DBT_PROJECT_DIR, dbt_run_target, paths

DBT_EXECUTABLE = Path(sys.executable).with_name("dbt")
# One reused target folder (runs are serialised): keeps dbt's partial parsing and leaves no
# pile of per-invocation folders behind. MONITOR_DBT_TARGET_DIR moves it (see settings).
DBT_RUN_TARGET = dbt_run_target()

OFFLINE_ENV = {"DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DBT_VERSION_CHECK": "false"}

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def dbt_env(quarter: str | None = None) -> dict[str, str]:
    """Environment for a dbt invocation: offline flags, the warehouse and the quarter."""
    env = {**OFFLINE_ENV, "MONITOR_WAREHOUSE": str(paths().warehouse)}
    if quarter:
        env["MONITOR_QUARTER"] = quarter
    return env


def prepare_manifest(force: bool = False) -> Path:
    """Run ``dbt parse`` when the manifest is missing (fresh clone) or when forced."""
    manifest = dbt_project.manifest_path
    if force or not manifest.exists():
        env = {**os.environ, **dbt_env(os.environ.get("MONITOR_QUARTER", "2000Q1"))}
        result = subprocess.run(
            [
                str(DBT_EXECUTABLE),
                "parse",
                "--project-dir",
                str(DBT_PROJECT_DIR),
                "--profiles-dir",
                str(DBT_PROJECT_DIR),
                "--quiet",
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0 or not manifest.exists():
            raise RuntimeError(f"dbt parse failed:\n{result.stdout}\n{result.stderr}")
    return manifest
