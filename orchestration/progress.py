"""A concise Dagster logger for the command line: one line per step, progress during long steps,
and a line per check that did not pass (a warning says what it found: the check result's
description).

Dagster's console logger prints every event; an operator running ``monitor run`` wants to see
which step ran, how long it took, what it did and what failed. Per step the logger prints:

- ``<step>: done in 0.4 s: <the step's last info message>`` (e.g. files and rows of an ingest
  step), or ``FAILED`` with the error, or ``skipped``;
- a step's ``progress(...)`` messages (dbt: models built of the total; protect and the audit:
  their LP rounds, at most one line per ``progress_seconds`` of seeds/pipeline_parameters.csv,
  :class:`Throttled`) as they come;
- warnings at once, on stderr.

dagster-dbt writes dbt's own per-node lines to ``sys.stdout``; ``output_to(path)`` sends them
(and anything else printed during the run) to a log file while the progress lines still reach
the terminal.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from dagster import AssetCheckSeverity, InitLoggerContext, logger

from orchestration import filemodes
from orchestration.parameters import pipeline_parameters

LOG_RECORD_EVENT_ATTR = "dagster_event"
LOG_RECORD_META_ATTR = "dagster_meta"
"""Where Dagster puts the structured event and the original message on a log record."""

PROGRESS_PREFIX = "progress: "
"""A step's info message starting with this is progress: printed at once, not held."""

_SHOWN = {
    "STEP_SUCCESS": "done",
    "STEP_FAILURE": "FAILED",
    "STEP_SKIPPED": "skipped (an upstream step or blocking check failed)",
}

_terminal: TextIO | None = None
"""The terminal while ``output_to`` sends ``sys.stdout`` to a log file."""


def progress(message: str) -> str:
    """A log message the command line prints at once, e.g. ``context.log.info(progress(...))``."""
    return PROGRESS_PREFIX + message


class Progress:
    """Counts done of total and says so at every quarter of the way (at most 4 messages)."""

    def __init__(self, total: int, what: str) -> None:
        self.total, self.what, self.done, self._reported = total, what, 0, 0

    def advance(self) -> str | None:
        """Count one; a progress message when a further quarter of the total is done."""
        self.done += 1
        quarter = 4 * self.done // max(self.total, 1)
        if quarter <= self._reported:
            return None
        self._reported = quarter
        return progress(f"{self.done} of {self.total} {self.what}")


class Throttled:
    """Passes a message on to ``report`` when at least ``seconds`` have gone by since the last
    one it passed (or since it was made), and drops the others: a long computation can say
    where it is as often as it likes, and the log gets a line now and then. ``seconds``
    defaults to ``progress_seconds`` of seeds/pipeline_parameters.csv."""

    def __init__(
        self,
        report: Callable[[str], None],
        seconds: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if seconds is None:
            seconds = float(pipeline_parameters()["progress_seconds"])
        self._report, self._seconds, self._clock = report, seconds, clock
        self._last = clock()

    def __call__(self, message: str) -> None:
        now = self._clock()
        if now - self._last >= self._seconds:
            self._last = now
            self._report(message)


def step_progress(log: Callable[[str], None], prefix: str = "") -> Throttled:
    """The ``report`` a long step hands to its computation (protect, the audit): each message
    logged through ``log`` (e.g. ``context.log.info``) as a progress line behind ``prefix``,
    at most one per ``progress_seconds``."""
    return Throttled(lambda message: log(progress(prefix + message)))


@contextmanager
def output_to(path: Path) -> Iterator[Path]:
    """While the block runs, ``sys.stdout`` (dbt's own output) goes to ``path`` (0600, in the
    restricted data directory; appended); the progress lines still go to the terminal."""
    global _terminal
    filemodes.restricted_dir(path.parent)
    with filemodes.open_restricted(path, "a", encoding="utf-8") as log:
        _terminal, previous = sys.stdout, sys.stdout
        sys.stdout = log
        try:
            yield path
        finally:
            sys.stdout = previous
            _terminal = None


def _say(text: str) -> None:
    print(
        f"[monitor {time.strftime('%H:%M:%S')}]   {text}", file=_terminal or sys.stdout, flush=True
    )


class _ProgressHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.started: dict[str, float] = {}
        self.last_message: dict[str, str] = {}

    def emit(self, record: logging.LogRecord) -> None:
        event = getattr(record, LOG_RECORD_EVENT_ATTR, None)
        if event is None:
            self._message(record)
            return
        kind = event.event_type_value
        step = event.step_key or ""
        if kind == "STEP_START":
            self.started[step] = time.monotonic()
        elif kind in _SHOWN:
            extra = ""
            if step in self.started:
                extra = f" in {time.monotonic() - self.started.pop(step):.1f} s"
            if kind == "STEP_FAILURE":
                error = event.step_failure_data.error if event.step_failure_data else None
                extra += f": {error.message.strip() if error else ''}"
            elif kind == "STEP_SUCCESS" and step in self.last_message:
                extra += f": {self.last_message.pop(step)}"
            _say(f"{step}: {_SHOWN[kind]}{extra}")
        elif kind == "ASSET_CHECK_EVALUATION":
            data = event.event_specific_data
            if not data.passed:
                verdict = "warning" if data.severity == AssetCheckSeverity.WARN else "FAILED"
                found = (data.description or "").removeprefix(f"{verdict}: ")
                _say(
                    f"check {data.asset_check_key.name} on "
                    f"{data.asset_check_key.asset_key.to_user_string()}: {verdict}"
                    + (f": {found}" if found else "")
                )

    def _message(self, record: logging.LogRecord) -> None:
        meta = getattr(record, LOG_RECORD_META_ATTR, None) or {}
        message = meta.get("orig_message") or record.getMessage()
        step = meta.get("step_key")
        if record.levelno >= logging.WARNING:
            print(
                f"[monitor {time.strftime('%H:%M:%S')}]   {record.levelname.lower()}: {message}",
                file=sys.stderr,
                flush=True,
            )
        elif record.levelno >= logging.INFO and message.startswith(PROGRESS_PREFIX):
            _say(f"{step or 'run'}: {message.removeprefix(PROGRESS_PREFIX)}")
        elif record.levelno >= logging.INFO and step:
            self.last_message[step] = message  # told with the step's done line
        elif record.levelno >= logging.INFO:
            _say(message)


@logger(description="One line per step and per failed check, for the `monitor` command.")
def progress_logger(init_context: InitLoggerContext) -> logging.Logger:
    log = logging.getLogger("monitor.progress")
    log.setLevel(logging.DEBUG)  # step events are DEBUG; the handler picks what to show
    log.handlers = [_ProgressHandler()]
    log.propagate = False
    return log


def progress_run_config() -> dict[str, Any]:
    return {"loggers": {"progress": {}}}
