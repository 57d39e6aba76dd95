"""Where dbt's pipeline runs keep their target folder (``MONITOR_DBT_TARGET_DIR``,
orchestration/settings.py): in the data directory of the installation, unless configured."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestration.resources import MonitorResource, default_monitor_resource


def test_the_folder_is_the_data_directorys_own(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("MONITOR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("MONITOR_DBT_TARGET_DIR", raising=False)
    assert default_monitor_resource().dbt_target == tmp_path / "data" / "dbt_target"
    # a run given another data directory (a launchpad's config) keeps its dbt output there
    other = MonitorResource(data_dir=str(tmp_path / "other"))
    assert other.dbt_target == tmp_path / "other" / "dbt_target"


def test_a_configured_folder_is_taken_as_an_absolute_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    monkeypatch.setenv("MONITOR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MONITOR_DBT_TARGET_DIR", "bench/dbt")
    assert default_monitor_resource().dbt_target == Path(tmp_path / "bench" / "dbt").resolve()
