"""Landing-folder sensor: a new, changed or removed file requests a run of its quarter.

A quarter whose newest file was modified less than ``settle_seconds`` ago
(``seeds/pipeline_parameters.csv``) is still being delivered: the sensor leaves it for a
later tick, so a run does not start on a copy in progress (orchestration/ingestion/deliveries.py).
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

from dagster import DefaultSensorStatus, RunRequest, SensorEvaluationContext, SkipReason, sensor

from orchestration.ingestion.deliveries import SETTLE_SECONDS
from orchestration.jobs import quarterly_refresh_job
from orchestration.partitions import partition_key_for_quarter, quarterly_partitions
from orchestration.quarters import is_quarter
from orchestration.resources import MonitorResource


@dataclass(frozen=True)
class Landed:
    fingerprint: str
    """Of the quarter's landed files: names, sizes and modification times."""
    newest: float
    """The latest modification time of its files (seconds since the epoch; 0 without files)."""


def landing_fingerprints(landing: Path) -> dict[str, Landed]:
    """Quarter -> what is landed for it."""
    result: dict[str, Landed] = {}
    if not landing.is_dir():
        return result
    for quarter_dir in sorted(landing.iterdir()):
        if not (quarter_dir.is_dir() and is_quarter(quarter_dir.name)):
            continue
        digest = hashlib.sha256()
        newest = 0.0
        for file in sorted(p for p in quarter_dir.rglob("*") if p.is_file()):
            stat = file.stat()
            newest = max(newest, stat.st_mtime)
            digest.update(
                f"{file.relative_to(quarter_dir)}|{stat.st_size}|{stat.st_mtime_ns}\n".encode()
            )
        result[quarter_dir.name] = Landed(digest.hexdigest()[:16], newest)
    return result


@sensor(
    job=quarterly_refresh_job,
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.STOPPED,
    description="Watches `data/landing/<quarter>/`: requests a run of each quarter whose files changed.",
)
def landing_sensor(context: SensorEvaluationContext, monitor: MonitorResource):
    seen = json.loads(context.cursor) if context.cursor else {}
    current = landing_fingerprints(monitor.paths.landing)
    valid_keys = set(quarterly_partitions.get_partition_keys())
    requests = []
    handled = {quarter: landed.fingerprint for quarter, landed in current.items()}
    now = time.time()
    for quarter, landed in current.items():
        fingerprint = landed.fingerprint
        if seen.get(quarter) == fingerprint:
            continue
        if now - landed.newest < SETTLE_SECONDS:
            # Still being delivered: the new state is not recorded as seen, so the quarter is
            # requested on the first tick after its files settled.
            context.log.info(f"landing/{quarter} was modified just now; waiting until it settles")
            if quarter in seen:
                handled[quarter] = seen[quarter]
            else:
                handled.pop(quarter)
            continue
        key = partition_key_for_quarter(quarter)
        if key not in valid_keys:
            # Not recorded as seen: once the quarter has ended (is a partition) the files
            # still count as new and the quarter is requested then.
            context.log.warning(
                f"landing/{quarter} has files but is not a partition (yet); ignored for now"
            )
            handled.pop(quarter)
            continue
        requests.append(
            RunRequest(
                run_key=f"{quarter}:{fingerprint}",
                partition_key=key,
                tags={"monitor/quarter": quarter, "monitor/trigger": "landing"},
            )
        )
    context.update_cursor(json.dumps(handled))
    if not requests:
        return SkipReason("no landing changes")
    return requests
