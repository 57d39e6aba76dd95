"""Compact, JSON-friendly gate results and their Markdown rendering.

GX validation results are large and hold every unexpected value; the gate keeps per
expectation: success, severity, an observed summary and up to ``MAX_FAILING_ROWS`` failing
rows (identified by area and indicator), which is what an operator needs in a Dagster
asset-check and what can safely be stored there (restricted columns are never copied).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from orchestration.metadata import markdown_lines

MAX_FAILING_ROWS = 20
BLOCKING_SEVERITY = "critical"

ROW_KEY_COLUMNS = ("area_level", "area_code", "indicator", "relation")
"""Columns that identify a failing row, shown first when the frame has them."""


@dataclass(frozen=True)
class ExpectationOutcome:
    suite: str
    frame: str
    name: str
    """Short name from the suite file (meta.name), else the expectation type."""
    expectation: str
    """GX expectation type, e.g. expect_column_values_to_be_between."""
    column: str | None
    why: str
    severity: str
    """critical (blocks publication), warning or info (reported, never blocking)."""
    success: bool
    observed: str
    unexpected_count: int | None = None
    failing_rows: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None

    @property
    def blocking(self) -> bool:
        return not self.success and self.severity == BLOCKING_SEVERITY


@dataclass(frozen=True)
class SuiteOutcome:
    suite: str
    frame: str
    description: str
    expectations: list[ExpectationOutcome]
    rows: int | None = None
    """Rows in the validated frame (None when the frame could not be built)."""
    key: str = ""
    """The check name: ``suite``, or ``suite__frame`` when one suite validates several frames."""

    @property
    def passed(self) -> bool:
        """No blocking failure (warnings allowed)."""
        return not any(e.blocking for e in self.expectations)

    @property
    def failures(self) -> list[ExpectationOutcome]:
        return [e for e in self.expectations if e.blocking]

    @property
    def warnings(self) -> list[ExpectationOutcome]:
        return [e for e in self.expectations if not e.success and not e.blocking]

    def summary(self) -> str:
        """One line on what the suite found: the failed expectations (else the warnings) with
        the rows they name, e.g. ``warning: no_jump_beyond_factor: 2 rows: WK036311
        mediaan_bedrag factor 3.03, ...``."""
        found = self.failures or self.warnings
        if not found:
            return f"passed: {len(self.expectations)} expectations on {self.rows} rows"
        verdict = "FAILED" if self.failures else "warning"
        return f"{verdict}: " + "; ".join(_finding(e) for e in found)


SUMMARY_ROWS = 5
"""Failing rows named per expectation in a one-line summary."""
_UNNAMED_COLUMNS = ("area_code", "indicator", "relation")
"""Shown bare in a summary (their values name themselves); other columns as ``column value``."""


def _row_text(row: Mapping[str, Any]) -> str:
    parts = []
    for column, value in row.items():
        if column in ("area_level", "status") or value is None:
            continue
        if isinstance(value, float):
            value = round(value, 2)
        parts.append(str(value) if column in _UNNAMED_COLUMNS else f"{column} {value}")
    return " ".join(parts)


def _finding(e: ExpectationOutcome) -> str:
    if e.error:
        return f"{e.name}: {_short(e.error, 200)}"
    if not e.failing_rows:
        return f"{e.name}: {e.observed}" if e.observed else e.name
    total = e.unexpected_count if e.unexpected_count is not None else len(e.failing_rows)
    named = ", ".join(_row_text(r) for r in e.failing_rows[:SUMMARY_ROWS])
    more = total - min(len(e.failing_rows), SUMMARY_ROWS)
    return f"{e.name}: {total} row{'s' if total != 1 else ''}: {named}" + (
        f" and {more} more" if more > 0 else ""
    )


@dataclass(frozen=True)
class GateResult:
    quarter: str
    suites: list[SuiteOutcome]
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """True when no expectation of severity critical failed: the quarter may be published."""
        return bool(self.suites) and all(s.passed for s in self.suites)

    @property
    def failures(self) -> list[ExpectationOutcome]:
        return [e for s in self.suites for e in s.failures]

    @property
    def warnings(self) -> list[ExpectationOutcome]:
        return [e for s in self.suites for e in s.warnings]

    def suite(self, key: str) -> SuiteOutcome:
        for outcome in self.suites:
            if key in (outcome.key, outcome.suite):
                return outcome
        raise KeyError(key)

    def for_suite(self, name: str) -> list[SuiteOutcome]:
        """Every outcome of one suite file (several when it validates several frames)."""
        return [s for s in self.suites if s.suite == name]

    @property
    def checks_passed(self) -> list[str]:
        return [s.key for s in self.suites if s.passed]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able form (for Dagster ``MetadataValue.json``)."""
        return {
            "quarter": self.quarter,
            "passed": self.passed,
            "suites": [
                {
                    "suite": s.key,
                    "frame": s.frame,
                    "rows": s.rows,
                    "passed": s.passed,
                    "expectations": [asdict(e) for e in s.expectations],
                }
                for s in self.suites
            ],
        }


# --- from GX results ------------------------------------------------------------------------


def plain(value: Any) -> Any:
    """numpy/pandas scalars -> Python; NaN/NA -> None (JSON-able)."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        with contextlib.suppress(ValueError, AttributeError):
            value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    try:
        if pd.isna(value) is True:
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def exception_message(exception_info: Any) -> str | None:
    """The first exception message in a GX ``exception_info`` (flat or keyed by metric)."""
    if not exception_info:
        return None
    if isinstance(exception_info, Mapping):
        if exception_info.get("raised_exception") or exception_info.get("exception_message"):
            return exception_info.get("exception_message") or "exception"
        for value in exception_info.values():
            message = exception_message(value) if isinstance(value, Mapping) else None
            if message:
                return message
    return None


def expectation_columns(kwargs: Mapping[str, Any]) -> list[str]:
    cols = [kwargs[k] for k in ("column", "column_A", "column_B") if isinstance(kwargs.get(k), str)]
    cols += [c for c in kwargs.get("column_list") or [] if isinstance(c, str)]
    return cols


def observed_text(result: Mapping[str, Any], show_values: bool) -> str:
    """A one-line summary of what GX observed."""
    if "observed_value" in result and result["observed_value"] is not None:
        text = str(plain(result["observed_value"]))
        details = result.get("details") or {}
        if details.get("mismatched"):
            text += f"; mismatched: {plain(details['mismatched'])}"
        return _short(text)
    if "unexpected_count" in result and "element_count" in result:
        text = f"{result['unexpected_count']} of {result['element_count']} rows unexpected"
        if show_values and result.get("unexpected_count"):
            text += f" (e.g. {plain(result.get('partial_unexpected_list', [])[:5])})"
        return _short(text)
    if result.get("unexpected_count"):
        # e.g. expect_column_distinct_values_to_equal_set: values found that were not expected
        text = (
            f"unexpected values: {plain(result.get('partial_unexpected_list'))}"
            if show_values
            else f"{result['unexpected_count']} unexpected values"
        )
        if result.get("partial_missing_list"):
            text += f"; missing: {plain(result['partial_missing_list'])}"
        return _short(text)
    if result.get("partial_missing_list"):
        return _short(f"missing: {plain(result['partial_missing_list'])}")
    return ""


def failing_rows(
    frame: pd.DataFrame,
    index_list: Iterable[Any],
    columns: Sequence[str],
    hidden: Iterable[str] = (),
    wide: bool = False,
) -> list[dict[str, Any]]:
    """Up to MAX_FAILING_ROWS rows of ``frame`` (by GX index), as dicts.

    Shows the identifying columns, the expectation's column(s) and ``status``; for a wide frame
    an indicator column is shown as ``indicator`` + ``value``. ``hidden`` columns never appear.
    """
    hidden = set(hidden)
    keys = [c for c in ROW_KEY_COLUMNS if c in frame.columns]
    shown = [c for c in [*keys, *columns, "status"] if c in frame.columns and c not in hidden]
    shown = list(dict.fromkeys(shown))
    rows = []
    for index in list(index_list)[:MAX_FAILING_ROWS]:
        if index not in frame.index:
            continue
        record = frame.loc[index]
        row: dict[str, Any] = {}
        for col in shown:
            if (
                wide
                and col in columns
                and col not in ("quarter", "area_code", "area_name", "parent_code")
            ):
                row["indicator"] = col
                row["value"] = plain(record[col])
            else:
                row[col] = plain(record[col])
        rows.append(row)
    return rows


# --- Markdown ------------------------------------------------------------------------------


def _status(e: ExpectationOutcome) -> str:
    if e.success:
        return "pass"
    return "FAIL" if e.blocking else e.severity


def render_suite_markdown(outcome: SuiteOutcome, only_failed: bool = False) -> str:
    """One suite: a table of expectations, then the failing rows of each failed one.

    ``only_failed``: list only failed expectations (and warnings), with a count of the others.
    """
    verdict = "passed" if outcome.passed else "FAILED"
    extra = f", {len(outcome.warnings)} warning(s)" if outcome.warnings else ""
    rows = outcome.rows if outcome.rows is not None else "?"
    lines = [
        f"**{outcome.key}** on `{outcome.frame}` ({rows} rows): {verdict}{extra}",
        "",
    ]
    if outcome.description and not only_failed:
        lines += [outcome.description, ""]
    listed = [e for e in outcome.expectations if not (only_failed and e.success)]
    if listed:
        lines += markdown_lines(
            ["check", "column", "severity", "result", "observed", "why"],
            [
                (
                    e.name,
                    _short(e.column or "", 60),
                    e.severity,
                    _status(e),
                    _short(e.error or e.observed, 160),
                    e.why,
                )
                for e in listed
            ],
        )
    if only_failed:
        n_passed = sum(e.success for e in outcome.expectations)
        lines += ["", f"{n_passed} of {len(outcome.expectations)} expectations passed."]
    for e in outcome.expectations:
        if e.success or not e.failing_rows:
            continue
        headers = list(dict.fromkeys(k for row in e.failing_rows for k in row))
        shown = len(e.failing_rows)
        total = e.unexpected_count if e.unexpected_count is not None else shown
        lines += ["", f"Failing rows of `{e.name}` ({shown} of {total}):", ""]
        lines += markdown_lines(headers, [[row.get(h) for h in headers] for row in e.failing_rows])
    return "\n".join(lines)


def render_markdown(result: GateResult | SuiteOutcome, only_failed: bool = False) -> str:
    """The whole gate (or one suite) as Markdown: pass/fail per expectation and failing rows.

    ``only_failed``: leave passed expectations out of the tables (compact, for metadata).
    """
    if isinstance(result, SuiteOutcome):
        return render_suite_markdown(result, only_failed)
    n_fail, n_warn = len(result.failures), len(result.warnings)
    head = (
        f"### Gate {result.quarter}: {'passed' if result.passed else 'FAILED'} "
        f"({n_fail} blocking failure(s), {n_warn} warning(s))"
    )
    lines = [head, ""]
    lines += markdown_lines(
        ["suite", "frame", "rows", "result", "failed", "warnings"],
        [
            (
                s.key,
                s.frame,
                s.rows,
                "passed" if s.passed else "FAILED",
                len(s.failures),
                len(s.warnings),
            )
            for s in result.suites
        ],
    )
    for outcome in result.suites:
        if only_failed and outcome.passed and not outcome.warnings:
            continue
        lines += ["", render_suite_markdown(outcome, only_failed)]
    return "\n".join(lines)
