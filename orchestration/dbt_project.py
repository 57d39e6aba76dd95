"""The dbt project as Dagster sees it, how its manifest is kept in step with its files, and its
offline documentation.

The manifest (``target/manifest.json``) is prepared when it is missing or when the project's
files changed since it was made: ``project_fingerprint()`` hashes every file dbt reads (models,
macros, tests, seeds, ``dbt_project.yml``, ``profiles.yml``) and the hash of the last parse is
kept beside the manifest. ``monitor prepare`` parses always; ``monitor run``, ``monitor ui``
and loading the Dagster definitions (so *Reload* in the UI picks up an edited model) parse
only when the hash differs. This is what dagster-dbt's ``DbtProject.prepare_if_dev()`` does
under ``dagster dev`` (it parses at every load, and only there); here a load with unchanged
files costs a hash, and it works the same for ``monitor run`` and the UI. dbt is invoked
with the installation's settings (``settings.py``: the profile needs the warehouse path),
through ``dbt_resource()``: dagster-dbt's resource without its two start-up costs
(``MonitorDbtCliResource``).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from dagster_dbt import DbtCliResource, DbtProject
from dagster_dbt.compat import DBT_PYTHON_VERSION

if TYPE_CHECKING:
    from packaging.version import Version

from orchestration import settings

DBT_EXECUTABLE = Path(sys.executable).with_name("dbt")

OFFLINE_ENV = {"DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DBT_VERSION_CHECK": "false"}


def dbt_env(
    warehouse: Path, memory_limit: str | None, quarter: str | None = None
) -> dict[str, str]:
    """Environment of a dbt invocation: offline flags, the warehouse, DuckDB's memory limit
    (``macros/memory.sql``; empty for DuckDB's own, always set so that the pipeline's own
    setting, e.g. ``default``, never reaches dbt as it is) and the quarter being built
    (``macros/quarter.sql``)."""
    env = {
        **OFFLINE_ENV,
        "MONITOR_WAREHOUSE": str(warehouse),
        settings.DUCKDB_MEMORY_LIMIT_ENV: memory_limit or "",
    }
    if quarter:
        env["MONITOR_QUARTER"] = quarter
    return env


dbt_project = DbtProject(
    project_dir=settings.DBT_PROJECT_DIR, profiles_dir=settings.DBT_PROJECT_DIR
)


class MonitorDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt resource without two costs it pays before every ``dbt build`` for
    things the monitor does not use (3.1 s of a 31 s run at 1%, 3.7 s at the national stress
    volume: ``benchmarks/results.md``, *Fixed costs*):

    - ``dbt --version`` in a subprocess (1.8 s under a profiler) to learn which engine the
      executable is; that command also asks PyPI for the latest dbt version, a network call
      at every run. Here it is always the ``dbt`` of this installation (``DBT_EXECUTABLE``):
      dbt Core, the version dagster-dbt already read from the installed package;
    - an in-process dbt adapter (2.8 s under a profiler: profile, project and macros loaded
      again), which only ``fetch_row_counts()`` and ``fetch_column_metadata()`` use. They
      cannot be used here (they query DuckDB while dbt holds it as its only writer:
      ``assets/transform.py`` reads that metadata itself once dbt has exited); without an
      adapter they add nothing. dagster-dbt handles a missing adapter (it is what the Fusion
      engine gets).

    Both override private members of the pinned dagster-dbt (``requirements.lock``);
    ``tests/test_dbt_project.py`` fails when an upgrade renames them or ``cli()`` stops using
    them.
    """

    @cached_property
    def _cli_version(self) -> Version:
        return DBT_PYTHON_VERSION

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:  # type: ignore[override]
        return None


def dbt_resource() -> MonitorDbtCliResource:
    """The ``dbt`` resource of the code location: this project with this installation's dbt."""
    return MonitorDbtCliResource(project_dir=dbt_project, dbt_executable=str(DBT_EXECUTABLE))


def _run_dbt(
    command: list[str],
    output: Path,
    *,
    warehouse: Path,
    memory_limit: str | None,
    base_env: Mapping[str, str],
    project_dir: Path,
) -> Path:
    """Run ``dbt <command>`` on ``project_dir`` (``base_env`` plus what the profile needs) and
    return ``output``; raises with dbt's output when dbt fails or did not write it."""
    result = subprocess.run(
        [
            str(DBT_EXECUTABLE),
            *command,
            "--project-dir",
            str(project_dir),
            "--profiles-dir",
            str(project_dir),
            "--target-path",
            str(output.parent),
        ],
        env={**base_env, **dbt_env(warehouse, memory_limit, "2000Q1")},
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0 or not output.exists():
        raise RuntimeError(
            f"dbt {' '.join(command)} failed:\n{result.stdout[-4000:]}\n{result.stderr}"
        )
    return output


def parse_project(
    target_dir: Path,
    warehouse: Path,
    memory_limit: str | None,
    base_env: Mapping[str, str],
    project_dir: Path = settings.DBT_PROJECT_DIR,
) -> Path:
    """Run ``dbt parse`` into ``target_dir`` (``base_env`` plus what the profile needs) and
    return the manifest; raises with dbt's output when it fails."""
    return _run_dbt(
        ["parse", "--quiet"],
        target_dir / "manifest.json",
        warehouse=warehouse,
        memory_limit=memory_limit,
        base_env=base_env,
        project_dir=project_dir,
    )


PROJECT_FILES = ("dbt_project.yml", "profiles.yml")
PROJECT_FOLDERS = ("models", "macros", "tests", "../seeds")
"""What dbt parses, from the project folder (``dbt_project.yml``: model-, macro-, test- and
seed-paths)."""


def manifest_path(project_dir: Path = settings.DBT_PROJECT_DIR) -> Path:
    """The manifest the dbt assets load (``dbt_project.manifest_path`` for this project)."""
    return project_dir / "target" / "manifest.json"


def project_fingerprint(project_dir: Path = settings.DBT_PROJECT_DIR) -> str:
    """SHA-256 over the name and content of every file dbt parses."""
    digest = hashlib.sha256()
    project_dir = project_dir.resolve()
    root = project_dir.parent
    files = [project_dir / name for name in PROJECT_FILES]
    folders = [(project_dir / folder).resolve() for folder in PROJECT_FOLDERS]
    files += sorted(f for folder in folders for f in folder.rglob("*") if f.is_file())
    for path in files:
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _fingerprint_file(manifest: Path) -> Path:
    return manifest.with_name("manifest.fingerprint")


def manifest_state(project_dir: Path = settings.DBT_PROJECT_DIR) -> str | None:
    """Why the manifest must be made: ``missing``, ``changed`` (files differ from the last
    parse), or None when it is current."""
    manifest = manifest_path(project_dir)
    if not manifest.exists():
        return "missing"
    stamp = _fingerprint_file(manifest)
    if not stamp.exists() or stamp.read_text().strip() != project_fingerprint(project_dir):
        return "changed"
    return None


def prepare_manifest(force: bool = False, project_dir: Path = settings.DBT_PROJECT_DIR) -> Path:
    """The manifest the dbt assets load, parsed first when missing, when the project's files
    changed since the last parse, or when forced (``monitor prepare``). Settings are read the
    CLI's way, from ``settings.py``. One process parses at a time (a lock beside the
    manifest); a second one waits and then finds the manifest current."""
    manifest = manifest_path(project_dir)
    if not force and manifest_state(project_dir) is None:
        return manifest
    manifest.parent.mkdir(parents=True, exist_ok=True)
    with open(manifest.with_name("manifest.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if force or manifest_state(project_dir) is not None:
            fingerprint = project_fingerprint(project_dir)
            parse_project(
                manifest.parent,
                settings.paths().warehouse,
                settings.duckdb_memory_limit(),
                os.environ,
                project_dir,
            )
            _fingerprint_file(manifest).write_text(fingerprint + "\n")
    return manifest


def generate_docs(target_dir: Path, warehouse: Path, memory_limit: str | None) -> Path:
    """``dbt docs generate --static`` into ``target_dir``: one self-contained HTML file (the
    manifest and the warehouse's catalog inlined, nothing fetched online). Returns its path;
    raises with dbt's output when dbt fails."""
    return _run_dbt(
        ["docs", "generate", "--static"],
        target_dir / "static_index.html",
        warehouse=warehouse,
        memory_limit=memory_limit,
        base_env=os.environ,
        project_dir=settings.DBT_PROJECT_DIR,
    )
