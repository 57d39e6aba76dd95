"""When a quarter must be published, and whether the latest quarter due is late.

A quarter is due ``publication_due_days`` (``seeds/pipeline_parameters.csv``) after its last
day. On a given day the latest quarter whose due date has passed (from ``first_quarter`` on)
must be in the publication log of ``monitor.duckdb``; if it is not, it is late. The Dagster
check ``publication_on_time`` on ``published/area_indicators`` says so (orchestration/assets/due.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb

from orchestration.contract import PUBLISHED_SCHEMA
from orchestration.parameters import pipeline_parameters
from orchestration.quarters import previous_quarter, quarter_end, quarter_of

PARAMETERS = pipeline_parameters()
PUBLICATION_DUE_DAYS = int(PARAMETERS["publication_due_days"])
if int(PARAMETERS["delivery_window_days"]) > PUBLICATION_DUE_DAYS:
    raise ValueError(
        "publication_due_days must not be shorter than delivery_window_days "
        "(seeds/pipeline_parameters.csv)"
    )


def due_date(quarter: str, due_days: int = PUBLICATION_DUE_DAYS) -> date:
    """The last day on which ``quarter`` is on time."""
    return quarter_end(quarter) + timedelta(days=due_days)


def latest_due_quarter(
    today: date,
    due_days: int = PUBLICATION_DUE_DAYS,
    first_quarter: str = PARAMETERS["first_quarter"],
) -> str | None:
    """The latest quarter whose due date lies before ``today``; None before the first one."""
    quarter = quarter_of(today)
    while due_date(quarter, due_days) >= today:
        quarter = previous_quarter(quarter)
    return quarter if quarter >= first_quarter else None


def published_quarters(monitor: Path) -> set[str]:
    """The quarters in the publication log of the analysts' file (none when it does not exist)."""
    if not monitor.exists():
        return set()
    with duckdb.connect(str(monitor), read_only=True) as con:
        rows = con.execute(f"select distinct quarter from {PUBLISHED_SCHEMA}.publication_log")
        return {quarter for (quarter,) in rows.fetchall()}


@dataclass(frozen=True)
class Lateness:
    today: date
    quarter: str | None
    """The latest quarter due by ``today`` (None: none is due yet)."""
    published: set[str]
    runs_next: frozenset[str] = frozenset()
    """Quarters the same command runs after this run (``monitor run --from/--to``, ``monitor
    demo``): a due quarter among them is on its way, not late."""

    @property
    def late(self) -> bool:
        return (
            self.quarter is not None
            and self.quarter not in self.published
            and self.quarter not in self.runs_next
        )

    def summary(self) -> str:
        if self.quarter is None:
            return f"no quarter is due yet ({self.today})"
        due = due_date(self.quarter)
        if self.quarter not in self.published and self.quarter in self.runs_next:
            return f"{self.quarter} (due {due}) is not published yet: this command runs it next"
        if self.late:
            return (
                f"{self.quarter} is late: due {due} ({PUBLICATION_DUE_DAYS} days after the "
                f"quarter), not in the publication log on {self.today}; run it "
                f"(`monitor run --quarter {self.quarter}`) or see why its last run failed"
            )
        return f"{self.quarter} (due {due}) is published"


def lateness(today: date, monitor: Path, runs_next: Iterable[str] = ()) -> Lateness:
    """Whether the latest quarter due by ``today`` is in ``monitor``'s publication log, or
    among the quarters ``runs_next`` the same command still runs."""
    return Lateness(
        today, latest_due_quarter(today), published_quarters(monitor), frozenset(runs_next)
    )
