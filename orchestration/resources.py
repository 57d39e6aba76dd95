"""Dagster resources, configured from the environment (see orchestration/settings.py)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from dagster import ConfigurableResource, Failure

from orchestration import filemodes, settings
from orchestration.failures import OperatorError, explain, named_cause
from orchestration.pseudonym import MissingKeyError, load_key


class WarehouseLockedError(OperatorError):
    """Another process holds the warehouse (DuckDB allows one writer)."""


class MonitorResource(ConfigurableResource):
    """The installation: data directory, warehouse connection, pseudonym key.

    The warehouse is opened by the pipeline alone, one writer at a time. A held lock is
    retried for ``lock_timeout_seconds`` and then reported clearly instead of hanging. A lock,
    permission or disk-full error while the warehouse is open fails the step with its cause
    (orchestration/failures.py). The data directory is 0700 and the warehouse 0600
    (orchestration/filemodes.py).
    """

    data_dir: str
    lock_timeout_seconds: float = 60.0

    @property
    def paths(self) -> settings.Paths:
        return settings.Paths(Path(self.data_dir))

    @contextmanager
    def warehouse(self) -> Iterator[duckdb.DuckDBPyConnection]:
        path = self.paths.warehouse
        data_dir = self.paths.data_dir
        with named_cause(data_dir):
            filemodes.restricted_dir(data_dir)
            deadline = time.monotonic() + self.lock_timeout_seconds
            while True:
                try:
                    con = duckdb.connect(str(path), config=settings.duckdb_config())
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


def default_monitor_resource() -> MonitorResource:
    return MonitorResource(data_dir=str(settings.data_dir()))
