"""Landing-folder sensor: a new, changed or removed file requests a run of its quarter."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from dagster import DefaultSensorStatus, RunRequest, SensorEvaluationContext, SkipReason, sensor

from orchestration.jobs import quarterly_refresh_job
from orchestration.partitions import partition_key_for_quarter, quarterly_partitions
from orchestration.quarters import is_quarter
from orchestration.settings import paths


def landing_fingerprints(landing: Path) -> dict[str, str]:
    """Quarter -> fingerprint of its landed files (names, sizes and modification times)."""
    result: dict[str, str] = {}
    if not landing.is_dir():
        return result
    for quarter_dir in sorted(landing.iterdir()):
        if not (quarter_dir.is_dir() and is_quarter(quarter_dir.name)):
            continue
        digest = hashlib.sha256()
        for file in sorted(p for p in quarter_dir.rglob("*") if p.is_file()):
            stat = file.stat()
            digest.update(
                f"{file.relative_to(quarter_dir)}|{stat.st_size}|{stat.st_mtime_ns}\n".encode()
            )
        result[quarter_dir.name] = digest.hexdigest()[:16]
    return result


@sensor(
    job=quarterly_refresh_job,
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.STOPPED,
    description="Watches data/landing/<quarter>/: requests a run of each quarter whose files changed.",
)
def landing_sensor(context: SensorEvaluationContext):
    seen = json.loads(context.cursor) if context.cursor else {}
    current = landing_fingerprints(paths().landing)
    valid_keys = set(quarterly_partitions.get_partition_keys())
    requests = []
    handled = dict(current)
    for quarter, fingerprint in current.items():
        if seen.get(quarter) == fingerprint:
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
