"""DuckDB's memory cap (``MONITOR_DUCKDB_MEMORY_LIMIT``, orchestration/settings.py): 2 GB unless
configured, ``default`` for DuckDB's own, and the cap reaches the warehouse connections and
dbt's environment."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

from orchestration import settings
from orchestration.assets.transform import invocation_environment
from orchestration.resources import MonitorResource, default_monitor_resource


@pytest.fixture(autouse=True)
def machine_of_16_gib(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same machine for every test here (the 2 GB default applies above 2.5 GB)."""
    pages = {"SC_PAGE_SIZE": 4096, "SC_PHYS_PAGES": (16 * 1024**3) // 4096}
    monkeypatch.setattr(settings.os, "sysconf", lambda name: pages[name])


def configure(monkeypatch: pytest.MonkeyPatch, configured: str | None) -> None:
    """``MONITOR_DUCKDB_MEMORY_LIMIT`` set to ``configured``, or unset for None."""
    if configured is None:
        monkeypatch.delenv(settings.DUCKDB_MEMORY_LIMIT_ENV, raising=False)
    else:
        monkeypatch.setenv(settings.DUCKDB_MEMORY_LIMIT_ENV, configured)


def resource_with(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, configured: str | None
) -> MonitorResource:
    """The installation's resource with its data in ``tmp_path`` and the limit configured."""
    monkeypatch.setenv("MONITOR_DATA_DIR", str(tmp_path / "data"))
    configure(monkeypatch, configured)
    return default_monitor_resource()


def duckdb_reports(limit: str) -> str:
    """How DuckDB shows ``limit`` once set (``2GB`` reads as ``1.8 GiB``)."""
    with duckdb.connect() as con:
        con.execute(f"set memory_limit = '{limit}'")
        return con.execute("select current_setting('memory_limit')").fetchone()[0]


@pytest.mark.parametrize(
    ("configured", "expected"),
    [(None, settings.DEFAULT_DUCKDB_MEMORY_LIMIT), ("", "2GB"), ("  6GB ", "6GB"),
     ("default", None), ("DEFAULT", None)],
)  # fmt: skip
def test_the_setting(
    monkeypatch: pytest.MonkeyPatch, configured: str | None, expected: str | None
) -> None:
    configure(monkeypatch, configured)
    assert settings.duckdb_memory_limit() == expected


@pytest.mark.parametrize("configured", [None, "3GB", "default"])
def test_the_warehouse_and_dbt_get_the_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, configured: str | None
) -> None:
    monitor = resource_with(monkeypatch, tmp_path, configured)
    with monitor.warehouse() as con:
        shown = con.execute("select current_setting('memory_limit')").fetchone()[0]
    env = monitor.dbt_env("2026Q3")
    if configured == "default":  # DuckDB's own: a fresh connection's
        with duckdb.connect() as fresh:
            assert shown == fresh.execute("select current_setting('memory_limit')").fetchone()[0]
        assert env[settings.DUCKDB_MEMORY_LIMIT_ENV] == ""  # the macro sets nothing
    else:
        limit = configured or "2GB"
        assert shown == duckdb_reports(limit)
        assert env[settings.DUCKDB_MEMORY_LIMIT_ENV] == limit


@pytest.mark.parametrize(("configured", "seen"), [("default", ""), ("3GB", "3GB"), (None, "2GB")])
def test_dbt_starts_with_the_cap_and_never_with_the_setting_as_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, configured: str | None, seen: str
) -> None:
    """dbt inherits the process environment while it starts (``invocation_environment``):
    with ``default`` configured it must see no limit, not the word ``default``, which its
    macro would hand to DuckDB (``set memory_limit = 'default'`` is an error)."""
    monitor = resource_with(monkeypatch, tmp_path, configured)
    with invocation_environment(monitor.dbt_env("2026Q3")):
        assert os.environ[settings.DUCKDB_MEMORY_LIMIT_ENV] == seen


def test_a_small_machine_keeps_duckdbs_own_lower_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a machine whose 80% is below 2 GB, the cap would raise DuckDB's limit: not set."""
    monkeypatch.delenv(settings.DUCKDB_MEMORY_LIMIT_ENV, raising=False)
    pages = {"SC_PAGE_SIZE": 4096, "SC_PHYS_PAGES": (2 * 1024**3) // 4096}  # 2 GiB
    monkeypatch.setattr(settings.os, "sysconf", lambda name: pages[name])
    assert settings.duckdb_memory_limit() is None
    pages["SC_PHYS_PAGES"] = (4 * 1024**3) // 4096  # 4 GiB: 80% is 3.4 GB
    assert settings.duckdb_memory_limit() == "2GB"
