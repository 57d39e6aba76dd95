"""The dbt project's manifest follows its files: parsed again when a model, macro, test or seed
changed (so `monitor run`, `monitor ui` and a reload of the UI's code location see an edited
model), not when nothing changed. Real `dbt parse` on a copy of the project."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from dagster_dbt.core import resource as dagster_dbt_resource
from dagster_dbt.core.dbt_cli_invocation import DbtCliInvocation
from dbt.version import __version__ as dbt_core_version

from orchestration.dbt_project import (
    MonitorDbtCliResource,
    dbt_resource,
    manifest_path,
    manifest_state,
    prepare_manifest,
)
from orchestration.settings import DBT_PROJECT_DIR, SEEDS_DIR

PROBE = "model.buurtmonitor.probe_model"


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A copy of the dbt project and its seeds (``seed-paths: ../seeds``), without target/."""
    monkeypatch.setenv("MONITOR_DATA_DIR", str(tmp_path / "data"))
    copy = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, copy, ignore=shutil.ignore_patterns("target", "logs"))
    shutil.copytree(SEEDS_DIR, tmp_path / "seeds")
    return copy


def nodes(project: Path) -> dict:
    return json.loads(manifest_path(project).read_text())["nodes"]


def test_an_edited_project_is_parsed_again_an_unchanged_one_not(project: Path) -> None:
    assert manifest_state(project) == "missing"
    prepare_manifest(project_dir=project)
    assert manifest_state(project) is None
    assert PROBE not in nodes(project)
    parsed_at = manifest_path(project).stat().st_mtime_ns

    prepare_manifest(project_dir=project)  # nothing changed: no parse
    assert manifest_path(project).stat().st_mtime_ns == parsed_at

    (project / "models" / "monitor" / "probe_model.sql").write_text("select 1 as x\n")
    assert manifest_state(project) == "changed"
    prepare_manifest(project_dir=project)
    assert manifest_state(project) is None
    assert PROBE in nodes(project)


def test_a_changed_seed_counts_as_a_change(project: Path) -> None:
    prepare_manifest(project_dir=project)
    seed = next((project.parent / "seeds").glob("*.csv"))
    seed.write_text(seed.read_text() + "\n")
    assert manifest_state(project) == "changed"


def test_docs_need_a_warehouse_and_make_none(run_monitor, tmp_path) -> None:
    result = run_monitor("docs", check=False)
    assert result.returncode == 1
    assert "no warehouse at" in result.stderr and "monitor run" in result.stderr
    assert not (tmp_path / "data" / "warehouse.duckdb").exists()


def test_the_dbt_resource_starts_dbt_without_asking_its_version_or_making_an_adapter(
    monkeypatch, tmp_path: Path
) -> None:
    """``cli()`` of the pipeline's dbt resource starts dbt with dbt Core's own version and no
    in-process adapter, and runs no ``dbt --version`` subprocess before it (that command also
    asks PyPI for the latest version: a network call at every build). An upgrade of
    dagster-dbt that renames what the resource overrides, or stops using it, fails here."""

    def no_subprocess(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"dbt started a subprocess: {args}")

    started: dict[str, object] = {}

    def record(**kwargs: object) -> dict[str, object]:
        started.update(kwargs)
        return kwargs

    monkeypatch.setattr(dagster_dbt_resource, "check_output", no_subprocess)
    monkeypatch.setattr(DbtCliInvocation, "run", staticmethod(record))
    # what the profile needs, so that dagster-dbt could build its adapter if it tried
    monkeypatch.setenv("MONITOR_WAREHOUSE", str(tmp_path / "warehouse.duckdb"))
    from orchestration.definitions import defs  # loading them may parse the project

    assert isinstance(defs.resources["dbt"], MonitorDbtCliResource)
    dbt_resource().cli(["build"])
    assert str(started["cli_version"]) == dbt_core_version
    assert started["adapter"] is None
