"""DuckDB's memory cap (``MONITOR_DUCKDB_MEMORY_LIMIT``, orchestration/settings.py): 2 GB unless
configured, ``default`` for DuckDB's own, and the cap reaches the warehouse connections and
dbt's environment."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration import settings
from orchestration.resources import default_monitor_resource


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
    if configured is None:
        monkeypatch.delenv(settings.DUCKDB_MEMORY_LIMIT_ENV, raising=False)
    else:
        monkeypatch.setenv(settings.DUCKDB_MEMORY_LIMIT_ENV, configured)
    assert settings.duckdb_memory_limit() == expected


@pytest.mark.parametrize("configured", [None, "3GB", "default"])
def test_the_warehouse_and_dbt_get_the_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, configured: str | None
) -> None:
    monkeypatch.setenv("MONITOR_DATA_DIR", str(tmp_path / "data"))
    if configured is None:
        monkeypatch.delenv(settings.DUCKDB_MEMORY_LIMIT_ENV, raising=False)
    else:
        monkeypatch.setenv(settings.DUCKDB_MEMORY_LIMIT_ENV, configured)
    monitor = default_monitor_resource()
    with monitor.warehouse() as con:
        shown = con.execute("select current_setting('memory_limit')").fetchone()[0]
    env = monitor.dbt_env("2026Q3")
    if configured == "default":  # DuckDB's own: a fresh connection's
        with duckdb.connect() as fresh:
            assert shown == fresh.execute("select current_setting('memory_limit')").fetchone()[0]
        assert settings.DUCKDB_MEMORY_LIMIT_ENV not in env
    else:
        limit = configured or "2GB"
        assert shown == duckdb_reports(limit)
        assert env[settings.DUCKDB_MEMORY_LIMIT_ENV] == limit
