"""A concise Dagster logger for the command line: one line per step and per check that did not
pass (a warning says what it found: the check result's description).

Dagster's console logger prints every event (and dbt's JSON log lines); an operator running
``monitor run`` wants to see which step is running, how long each took and what failed.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

from dagster import AssetCheckSeverity, InitLoggerContext, logger

LOG_RECORD_EVENT_ATTR = "dagster_event"
LOG_RECORD_META_ATTR = "dagster_meta"
"""Where Dagster puts the structured event and the original message on a log record."""

_SHOWN = {
    "STEP_START": "started",
    "STEP_SUCCESS": "done",
    "STEP_FAILURE": "FAILED",
    "STEP_SKIPPED": "skipped (an upstream step or blocking check failed)",
}


class _ProgressHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.started: dict[str, float] = {}

    def emit(self, record: logging.LogRecord) -> None:
        event = getattr(record, LOG_RECORD_EVENT_ATTR, None)
        stamp = time.strftime("%H:%M:%S")
        if event is None:
            meta = getattr(record, LOG_RECORD_META_ATTR, None) or {}
            message = meta.get("orig_message") or record.getMessage()
            if record.levelno >= logging.WARNING:
                print(
                    f"[monitor {stamp}]   {record.levelname.lower()}: {message}",
                    file=sys.stderr,
                    flush=True,
                )
            elif record.levelno >= logging.INFO:
                print(f"[monitor {stamp}]     {message}", flush=True)
            return
        kind = event.event_type_value
        step = event.step_key or ""
        if kind in _SHOWN:
            extra = ""
            if kind == "STEP_START":
                self.started[step] = time.monotonic()
            elif step in self.started:
                extra = f" in {time.monotonic() - self.started.pop(step):.1f} s"
            if kind == "STEP_FAILURE":
                error = event.step_failure_data.error if event.step_failure_data else None
                extra += f": {error.message.strip() if error else ''}"
            print(f"[monitor {stamp}]   {step}: {_SHOWN[kind]}{extra}", flush=True)
        elif kind == "ASSET_CHECK_EVALUATION":
            data = event.event_specific_data
            if not data.passed:
                verdict = "warning" if data.severity == AssetCheckSeverity.WARN else "FAILED"
                found = (data.description or "").removeprefix(f"{verdict}: ")
                print(
                    f"[monitor {stamp}]   check {data.asset_check_key.name} on "
                    f"{data.asset_check_key.asset_key.to_user_string()}: {verdict}"
                    + (f": {found}" if found else ""),
                    flush=True,
                )


@logger(description="One line per step and per failed check, for the `monitor` command.")
def progress_logger(init_context: InitLoggerContext) -> logging.Logger:
    log = logging.getLogger("monitor.progress")
    log.setLevel(logging.DEBUG)  # step events are DEBUG; the handler picks what to show
    log.handlers = [_ProgressHandler()]
    log.propagate = False
    return log


def progress_run_config() -> dict[str, Any]:
    return {"loggers": {"progress": {}}}
