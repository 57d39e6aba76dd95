"""Load the reviewed suite files of ``expectations/`` and run them with Great Expectations 1.x.

A suite file is GX 1.x JSON plus a few keys of our own in ``meta``::

    {"name": "area_indicators",
     "meta": {"frames": ["area_indicators"], "description": "...",
              "fails_when": "...", "what_to_do": "..."},
     "expectations": [
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "quarter"},
         "meta": {"name": "quarter_present", "why": "..."}, "severity": "critical"}]}

- ``meta.description``, ``meta.fails_when``, ``meta.what_to_do``: what the suite checks, when it
  fails (or warns) and what the operator does then. They are the Dagster check's description
  and the runbook's table of checks (``orchestration/gate/docs.py``): one text for both
  (``tests/test_gate_checks.py`` requires them of every suite file).
- ``meta.frames``: which frames (``orchestration/gate/frames.py``) the suite validates; a suite
  with several frames runs once per frame (``area_wide__buurt``, ...: Dagster check names allow only letters, digits and _).
- ``{"$PARAMETER": "min_count"}`` in kwargs: filled in at run time (GX expectation
  parameters) from the seeds and the area reference (``frames.gate_parameters``), or from
  the file's own ``meta.parameters`` (``{frame: {name: value}}``).
- ``severity``: ``critical`` (default) blocks publication; ``warning``/``info`` are reported
  only (the quarter-on-quarter jump suite). A suite with a critical expectation is a blocking
  Dagster check; one with warnings only (``jumps``) is not.
- ``row_condition``: the expectation applies only to matching rows, written as GX 1.x
  Condition JSON (``{"type": "comparison", "column": {"name": "status"}, "operator": "==",
  "parameter": "published"}``, combined with ``{"type": "and", "conditions": [...]}``; operators
  ``== != < <= > >= IN NOT_IN``). The older string form with ``condition_parser`` is
  deprecated since GX 1.9 and is not used.

GX runs in an ephemeral, in-memory context: no project directory, no Data Docs, analytics and
progress bars off; each frame is a pandas dataframe asset with a whole-dataframe batch.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from orchestration.contract import LEVELS
from orchestration.gate.frames import (
    RESTRICTED_COLUMNS,
    SHOW_VALUES,
    GateInput,
    GateTables,
    build_frames,
)
from orchestration.gate.results import (
    MAX_FAILING_ROWS,
    ExpectationOutcome,
    GateResult,
    SuiteOutcome,
    exception_message,
    expectation_columns,
    failing_rows,
    observed_text,
)
from orchestration.settings import EXPECTATIONS_DIR

SEVERITIES = ("critical", "warning", "info")
_INDEX_KEY = "gate_index"


@dataclass(frozen=True)
class Suite:
    name: str
    path: Path
    frames: tuple[str, ...]
    description: str
    expectations: tuple[dict[str, Any], ...]
    frame_parameters: dict[str, dict[str, Any]]
    """``meta.parameters``: evaluation parameters the file itself fixes per frame."""
    fails_when: str = ""
    what_to_do: str = ""

    @property
    def blocking(self) -> bool:
        """A failure stops publication: the suite has a critical expectation."""
        return any(e.get("severity", "critical") == "critical" for e in self.expectations)

    @property
    def warning_names(self) -> list[str]:
        """The expectations that only warn (severity warning or info)."""
        return [
            (e.get("meta") or {}).get("name") or e["type"]
            for e in self.expectations
            if e.get("severity", "critical") != "critical"
        ]


class SuiteFileError(ValueError):
    """A suite file that is not valid JSON or misses a required key."""


def load_suite(path: Path) -> Suite:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SuiteFileError(f"{path}: not valid JSON: {exc}") from exc
    meta = data.get("meta") or {}
    frames = meta.get("frames")
    if not data.get("name") or not frames or not isinstance(frames, list):
        raise SuiteFileError(f"{path}: needs 'name' and meta.frames (a list of frame names)")
    expectations = data.get("expectations") or []
    for n, exp in enumerate(expectations):
        if (
            not isinstance(exp, dict)
            or not exp.get("type")
            or not isinstance(exp.get("kwargs"), dict)
        ):
            raise SuiteFileError(f"{path}: expectation {n} needs 'type' and 'kwargs'")
        if not (exp.get("meta") or {}).get("why"):
            raise SuiteFileError(f"{path}: expectation {n} ({exp['type']}) needs meta.why")
        if exp.get("severity", "critical") not in SEVERITIES:
            raise SuiteFileError(f"{path}: expectation {n}: severity must be one of {SEVERITIES}")
    frame_parameters = meta.get("parameters") or {}
    if not isinstance(frame_parameters, dict) or set(frame_parameters) - set(frames):
        raise SuiteFileError(
            f"{path}: meta.parameters must map frame names of meta.frames to parameters"
        )
    return Suite(
        name=data["name"],
        path=path,
        frames=tuple(frames),
        description=meta.get("description", ""),
        expectations=tuple(expectations),
        frame_parameters=frame_parameters,
        fails_when=meta.get("fails_when", ""),
        what_to_do=meta.get("what_to_do", ""),
    )


def load_suites(directory: Path = EXPECTATIONS_DIR) -> list[Suite]:
    """Every ``*.json`` suite in ``directory``, by file name."""
    suites = [load_suite(path) for path in sorted(Path(directory).glob("*.json"))]
    names = [s.name for s in suites]
    if len(set(names)) != len(names):
        raise SuiteFileError(f"duplicate suite names in {directory}: {names}")
    return suites


def suite_key(suite: Suite, frame: str) -> str:
    """The check name of one suite run: ``suite``, or ``suite__frame`` for a multi-frame suite."""
    return suite.name if len(suite.frames) == 1 else f"{suite.name}__{frame}"


def suite_keys(suites: Iterable[Suite]) -> list[str]:
    """Every check name the gate reports, in run order (e.g. for Dagster check specs)."""
    return [suite_key(s, f) for s in suites for f in s.frames]


def _gx_suite(suite: Suite):
    """The GX ExpectationSuite of a suite file.

    Trap: ``ExpectationSuite(expectations=[...])`` only *logs* an invalid expectation (unknown
    type, bad kwargs) and drops it, so a typo would silently remove a check. Each expectation
    is therefore built on its own and any failure raises.
    """
    from great_expectations.core import ExpectationSuite
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    expectations = []
    for n, exp in enumerate(suite.expectations):
        exp = dict(exp)
        exp["meta"] = {**(exp.get("meta") or {}), _INDEX_KEY: n}
        exp.setdefault("severity", "critical")
        name = exp["meta"].get("name", exp["type"])
        try:
            expectations.append(ExpectationConfiguration(**exp).to_domain_obj())
        except Exception as exc:
            raise SuiteFileError(f"{suite.path.name}: expectation {n} ({name}): {exc}") from exc
    gx_suite = ExpectationSuite(name=suite.name, expectations=expectations)
    if len(gx_suite.expectations) != len(suite.expectations):
        raise SuiteFileError(
            f"{suite.path.name}: GX accepted {len(gx_suite.expectations)} of "
            f"{len(suite.expectations)} expectations"
        )
    return gx_suite


def import_gx() -> str | None:
    """Import Great Expectations now; None, or why it failed.

    The import takes about 1.6 s of CPU, the largest fixed cost of the gate. The dbt step
    calls this just after dbt's process has started, while that process imports and parses
    (about 2.5 s before its first model) and this one has nothing to do, so the gate later
    finds the module loaded. In the step's own thread: no second thread importing beside
    Dagster's. A failure is only reported here: the gate imports it again and fails with
    the error where it belongs."""
    try:
        importlib.import_module("great_expectations")
    except Exception as error:  # the gate's own import raises it again
        return f"{type(error).__name__}: {error}"
    return None


def ephemeral_context():
    """An in-memory GX context: nothing written to disk, no analytics, no progress bars."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def _severity(config: Any) -> str:
    value = getattr(config, "severity", "critical")
    return str(getattr(value, "value", value)).lower()


def _failed_outcomes(
    suite: Suite, frame: str, message: str, name: str = "frame_available"
) -> SuiteOutcome:
    return SuiteOutcome(
        suite=suite.name,
        frame=frame,
        description=suite.description,
        rows=None,
        key=suite_key(suite, frame),
        expectations=[
            ExpectationOutcome(
                suite=suite.name,
                frame=frame,
                name=name,
                expectation=name,
                column=None,
                why="the frame must be computable and GX must be able to run the suite on it",
                severity="critical",
                success=False,
                observed="",
                error=message,
            )
        ],
    )


def _outcome_of(
    suite: Suite, frame_name: str, frame: pd.DataFrame, result: Any
) -> ExpectationOutcome:
    config = result.expectation_config
    index = (config.meta or {}).get(_INDEX_KEY)
    source = suite.expectations[index] if isinstance(index, int) else {}
    meta = source.get("meta") or {}
    kwargs = source.get("kwargs") or dict(config.kwargs)
    columns = expectation_columns(kwargs)
    body = result.result or {}
    error = exception_message(result.exception_info)
    rows: list[dict[str, Any]] = []
    if not result.success and body.get("partial_unexpected_index_list"):
        rows = failing_rows(
            frame,
            body["partial_unexpected_index_list"],
            columns,
            hidden=RESTRICTED_COLUMNS,
            wide=frame_name in LEVELS,
        )
    return ExpectationOutcome(
        suite=suite.name,
        frame=frame_name,
        name=meta.get("name") or config.type,
        expectation=config.type,
        column=", ".join(columns) or None,
        why=meta.get("why", ""),
        severity=_severity(config),
        success=bool(result.success),
        observed=observed_text(body, show_values=frame_name in SHOW_VALUES),
        unexpected_count=body.get("unexpected_count"),
        failing_rows=rows,
        error=error,
    )


def validate_frames(
    suites: Iterable[Suite],
    gate_input: GateInput,
    context: Any = None,
) -> list[SuiteOutcome]:
    """Run every suite on each of its frames; missing frames fail their suites."""
    context = context or ephemeral_context()
    datasource = context.data_sources.add_pandas(name="gate")
    batch_definitions: dict[str, Any] = {}
    outcomes: list[SuiteOutcome] = []
    for suite in suites:
        try:
            gx_suite = _gx_suite(suite)
        except Exception as exc:  # e.g. an unknown expectation type in the file
            message = f"GX could not load the suite: {type(exc).__name__}: {exc}"
            outcomes += [_failed_outcomes(suite, f, message, "load_suite") for f in suite.frames]
            continue
        for frame_name in suite.frames:
            if frame_name not in gate_input.frames:
                message = gate_input.errors.get(frame_name, f"no frame named {frame_name!r}")
                outcomes.append(_failed_outcomes(suite, frame_name, message))
                continue
            frame = gate_input.frames[frame_name]
            if frame_name not in batch_definitions:
                asset = datasource.add_dataframe_asset(name=frame_name)
                batch_definitions[frame_name] = asset.add_batch_definition_whole_dataframe(
                    frame_name
                )
            batch = batch_definitions[frame_name].get_batch(batch_parameters={"dataframe": frame})
            parameters = {
                **gate_input.parameters,
                **gate_input.frame_parameters.get(frame_name, {}),
                **suite.frame_parameters.get(frame_name, {}),
            }
            try:
                validation = batch.validate(
                    gx_suite,
                    result_format={
                        "result_format": "SUMMARY",
                        "partial_unexpected_count": MAX_FAILING_ROWS,
                    },
                    expectation_parameters=parameters,
                )
            except Exception as exc:  # a broken suite file fails its check, not the whole gate
                message = f"GX could not run the suite: {type(exc).__name__}: {exc}"
                outcomes.append(_failed_outcomes(suite, frame_name, message, "run_suite"))
                continue
            results = sorted(
                validation.results,
                key=lambda r: (r.expectation_config.meta or {}).get(_INDEX_KEY, 10**6),
            )
            outcomes.append(
                SuiteOutcome(
                    suite=suite.name,
                    frame=frame_name,
                    description=suite.description,
                    rows=len(frame),
                    key=suite_key(suite, frame_name),
                    expectations=[_outcome_of(suite, frame_name, frame, r) for r in results],
                )
            )
    return outcomes


def run_gate(
    con: duckdb.DuckDBPyConnection,
    quarter: str,
    *,
    tables: GateTables | None = None,
    suites_dir: Path = EXPECTATIONS_DIR,
    only: Iterable[str] | None = None,
    parameters: Mapping[str, Any] | None = None,
) -> GateResult:
    """Run the gate on ``quarter`` of the candidate read through ``con`` (the warehouse).

    ``only``: suite names to run (default: every suite file). ``parameters``: overrides of the
    evaluation parameters (e.g. a different ``jump_warning_factor``).
    Returns a ``GateResult``; ``result.passed`` is False when any critical expectation failed.
    """
    suites = load_suites(suites_dir)
    if only is not None:
        wanted = set(only)
        unknown = wanted - {s.name for s in suites}
        if unknown:
            raise KeyError(f"no suite named {sorted(unknown)} in {suites_dir}")
        suites = [s for s in suites if s.name in wanted]
    gate_input = build_frames(con, quarter, tables)
    if parameters:
        gate_input.parameters.update(parameters)
    outcomes = validate_frames(suites, gate_input)
    return GateResult(quarter=quarter, suites=outcomes, parameters=dict(gate_input.parameters))
