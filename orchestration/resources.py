"""Dagster resources, configured once from the environment (orchestration/settings.py reads
it) when the code location loads; assets, checks and the sensor take their settings from here."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from dagster import ConfigurableResource, Failure

from orchestration import filemodes, settings
from orchestration.dbt_project import dbt_env
from orchestration.failures import OperatorError, explain, named_cause
from orchestration.pseudonym import MissingKeyError, load_key


class WarehouseLockedError(OperatorError):
    """Another process holds the warehouse (DuckDB allows one writer)."""


class MonitorResource(ConfigurableResource):
    """The installation: data directory, warehouse connection, pseudonym key, and the
    settings dbt runs with (its target folder, DuckDB's memory limit).

    The warehouse is opened by the pipeline alone, one writer at a time. A held lock is
    retried for ``lock_timeout_seconds`` and then reported clearly instead of hanging. A lock,
    permission or disk-full error while the warehouse is open fails the step with its cause
    (orchestration/failures.py). The data directory is 0700 and the warehouse 0600
    (orchestration/filemodes.py).
    """

    data_dir: str
    duckdb_memory_limit: str | None = settings.default_duckdb_memory_limit()
    """Cap on DuckDB's memory for the warehouse and the dbt build (e.g. ``4GB``); None:
    DuckDB's own default (``settings.duckdb_memory_limit``)."""
    dbt_target_dir: str | None = None
    """dbt's target folder for pipeline runs; None: ``dbt_target`` in the data directory
    (``Paths.dbt_target``). One reused folder: runs are serialised, it keeps dbt's partial
    parsing and leaves no pile of per-invocation folders."""
    lock_timeout_seconds: float = 60.0

    @property
    def paths(self) -> settings.Paths:
        return settings.Paths(Path(self.data_dir))

    @property
    def dbt_target(self) -> Path:
        return Path(self.dbt_target_dir) if self.dbt_target_dir else self.paths.dbt_target

    @contextmanager
    def warehouse(self) -> Iterator[duckdb.DuckDBPyConnection]:
        path = self.paths.warehouse
        data_dir = self.paths.data_dir
        with named_cause(data_dir):
            filemodes.restricted_dir(data_dir)
            deadline = time.monotonic() + self.lock_timeout_seconds
            while True:
                try:
                    con = duckdb.connect(str(path), config=self.duckdb_config())
                    break
                except duckdb.IOException as error:
                    if "lock" not in str(error).lower():
                        raise
                    if time.monotonic() > deadline:
                        cause = explain(error, data_dir) or str(error)
                        raise WarehouseLockedError(cause) from error
                    time.sleep(1.0)
            try:
                filemodes.restrict(path)
                yield con
            finally:
                con.close()

    def pseudonym_key(self) -> bytes:
        """The validated key; a missing or weak key fails the step with what to do."""
        try:
            return load_key(self.paths.demo_key_file)
        except MissingKeyError as error:
            raise Failure(description=str(error)) from None

    def duckdb_config(self) -> dict[str, str]:
        """Connection settings for the warehouse (``duckdb.connect(..., config=...)``)."""
        return {"memory_limit": self.duckdb_memory_limit} if self.duckdb_memory_limit else {}

    def dbt_env(self, quarter: str) -> dict[str, str]:
        """What a dbt invocation of ``quarter`` needs in its environment (warehouse, memory
        limit, quarter, offline flags)."""
        return dbt_env(self.paths.warehouse, self.duckdb_memory_limit, quarter)


def default_monitor_resource() -> MonitorResource:
    """The resource of this installation, from ``settings.py``."""
    dbt_target = settings.dbt_target_override()
    return MonitorResource(
        data_dir=str(settings.data_dir()),
        duckdb_memory_limit=settings.duckdb_memory_limit(),
        dbt_target_dir=str(dbt_target) if dbt_target else None,
    )
