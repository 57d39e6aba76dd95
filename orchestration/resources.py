"""Dagster resources, configured from the environment (see orchestration/settings.py)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from dagster import ConfigurableResource

from orchestration import settings
from orchestration.pseudonym import load_key


class WarehouseLockedError(RuntimeError):
    """Another process holds the warehouse (DuckDB allows one writer)."""


class MonitorResource(ConfigurableResource):
    """The installation: data directory, warehouse connection, pseudonym key.

    The warehouse is opened by the pipeline alone, one writer at a time. A held lock is
    retried for ``lock_timeout_seconds`` and then reported clearly instead of hanging.
    """

    data_dir: str
    lock_timeout_seconds: float = 60.0

    @property
    def paths(self) -> settings.Paths:
        return settings.Paths(Path(self.data_dir))

    @contextmanager
    def warehouse(self) -> Iterator[duckdb.DuckDBPyConnection]:
        path = self.paths.warehouse
        path.parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + self.lock_timeout_seconds
        while True:
            try:
                con = duckdb.connect(str(path), config=settings.duckdb_config())
                break
            except duckdb.IOException as error:
                if "lock" not in str(error).lower() or time.monotonic() > deadline:
                    raise WarehouseLockedError(
                        f"{path} is in use by another process (DuckDB allows one writer). "
                        "Wait for the other run to finish; analysts should query monitor.duckdb."
                    ) from error
                time.sleep(1.0)
        try:
            yield con
        finally:
            con.close()

    def pseudonym_key(self) -> bytes:
        return load_key(self.paths.demo_key_file)


def default_monitor_resource() -> MonitorResource:
    return MonitorResource(data_dir=str(settings.data_dir()))
