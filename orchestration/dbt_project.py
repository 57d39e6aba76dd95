"""The dbt project as Dagster sees it, and how to prepare its manifest on a fresh clone.

Nothing here runs dbt at import: the manifest is made by ``monitor prepare`` (``scripts/setup``
runs it; run it again after changing a model), and ``monitor run`` and ``monitor ui`` make it
first when it is missing. dagster-dbt's ``prepare_if_dev()`` is not used: it would parse at
import under ``dagster dev`` without the installation's settings (the profile needs the
warehouse path).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from dagster_dbt import DbtProject

from orchestration import settings

DBT_EXECUTABLE = Path(sys.executable).with_name("dbt")

OFFLINE_ENV = {"DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DBT_VERSION_CHECK": "false"}


def dbt_env(
    warehouse: Path, memory_limit: str | None, quarter: str | None = None
) -> dict[str, str]:
    """Environment of a dbt invocation: offline flags, the warehouse, DuckDB's memory limit
    (``macros/memory.sql``) and the quarter being built (``macros/quarter.sql``)."""
    env = {**OFFLINE_ENV, "MONITOR_WAREHOUSE": str(warehouse)}
    if memory_limit:
        env[settings.DUCKDB_MEMORY_LIMIT_ENV] = memory_limit
    if quarter:
        env["MONITOR_QUARTER"] = quarter
    return env


dbt_project = DbtProject(
    project_dir=settings.DBT_PROJECT_DIR, profiles_dir=settings.DBT_PROJECT_DIR
)


def parse_project(
    target_dir: Path, warehouse: Path, memory_limit: str | None, base_env: Mapping[str, str]
) -> Path:
    """Run ``dbt parse`` into ``target_dir`` (``base_env`` plus what the profile needs) and
    return the manifest; raises with dbt's output when it fails."""
    manifest = target_dir / "manifest.json"
    result = subprocess.run(
        [
            str(DBT_EXECUTABLE),
            "parse",
            "--project-dir",
            str(settings.DBT_PROJECT_DIR),
            "--profiles-dir",
            str(settings.DBT_PROJECT_DIR),
            "--target-path",
            str(target_dir),
            "--quiet",
        ],
        env={**base_env, **dbt_env(warehouse, memory_limit, "2000Q1")},
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0 or not manifest.exists():
        raise RuntimeError(f"dbt parse failed:\n{result.stdout}\n{result.stderr}")
    return manifest


def prepare_manifest(force: bool = False) -> Path:
    """The manifest the dbt assets load: parsed when missing (fresh clone) or when forced (the
    CLI's ``monitor prepare``; the settings are read the CLI's way, from ``settings.py``)."""
    manifest = dbt_project.manifest_path
    if force or not manifest.exists():
        parse_project(
            manifest.parent, settings.paths().warehouse, settings.duckdb_memory_limit(), os.environ
        )
    return manifest


def require_manifest() -> Path:
    """The manifest the dbt assets are built from; a clear error on a fresh clone."""
    manifest = dbt_project.manifest_path
    if not manifest.exists():
        raise RuntimeError(
            f"{manifest} is missing: run `monitor prepare` (scripts/setup does) before loading "
            "the Dagster definitions"
        )
    return manifest
