"""Progress of the long steps: ``progress.Throttled`` (at most a line per period), and what
protect and the audit report while their LPs run (the result does not depend on it)."""

from __future__ import annotations

import re

import pytest

from demo.synthetic_quarter import synthetic_quarter
from orchestration.disclosure import lp
from orchestration.disclosure.audit import audit_publication
from orchestration.disclosure.protect import protect_quarter
from orchestration.parameters import pipeline_parameters
from orchestration.progress import Throttled

COMPONENTS = re.compile(r"^([\d,]+) of ([\d,]+) components? solved \(([\d,]+) of ([\d,]+) hidden")
ROUND = re.compile(r"^repair round (\d+): (.*)$")


def _number(text: str) -> int:
    return int(text.replace(",", ""))


def test_throttled_passes_a_message_once_a_period() -> None:
    """Nothing before the first period is over; then the first message after each period."""
    now = [0.0]
    passed: list[str] = []
    say = Throttled(passed.append, 30.0, clock=lambda: now[0])
    for t, message in [(1, "a"), (29.9, "b"), (30, "c"), (45, "d"), (59.9, "e"), (61, "f")]:
        now[0] = t
        say(message)
    assert passed == ["c", "f"]


def test_throttled_defaults_to_the_seed() -> None:
    now = [0.0]
    passed: list[str] = []
    say = Throttled(passed.append, clock=lambda: now[0])
    period = float(pipeline_parameters()["progress_seconds"])
    assert period > 0
    now[0] = period - 0.001
    say("early")
    now[0] = period
    say("on time")
    assert passed == ["on time"]


@pytest.fixture(scope="module")
def protected():
    """A quarter of three gemeenten protected with every report kept, and without."""
    frame = synthetic_quarter(3, seed=21)
    messages: list[str] = []
    return frame, protect_quarter(frame, report=messages.append), protect_quarter(frame), messages


def test_protect_reports_its_rounds_and_components(protected) -> None:
    """Every repair round is reported in order, with its cells still too narrow, after its
    LPs' components, which count up to all of them with their hidden cells."""
    _, result, _, messages = protected
    parsed = [ROUND.match(m) for m in messages]
    assert all(parsed), messages
    ends = [(int(p.group(1)), p.group(2)) for p in parsed if "too narrow" in p.group(2)]
    assert [n for n, _ in ends] == list(range(result.stats.n_lp_rounds))
    assert ends[-1][1].startswith("0 cells too narrow")
    assert _number(ends[0][1].split()[0]) > 0
    for i, p in enumerate(parsed):
        if "too narrow" in p.group(2) and i:  # the round's last LP call solved every component
            before = parsed[i - 1]
            assert before.group(1) == p.group(1)
            done, total, cells, all_cells = COMPONENTS.match(before.group(2)).groups()
            assert done == total and cells == all_cells
    counts = [COMPONENTS.match(p.group(2)) for p in parsed if "too narrow" not in p.group(2)]
    assert counts and all(counts)
    assert max(_number(c.group(2)) for c in counts) > 1


def test_reporting_changes_no_protection(protected) -> None:
    _, reported, quiet, _ = protected
    assert reported.cells.equals(quiet.cells)
    assert reported.n_secondary == quiet.n_secondary > 0


def test_the_audit_reports_its_components(protected) -> None:
    _, result, _, _ = protected
    messages: list[str] = []
    audit = audit_publication(result.published, report=messages.append)
    assert audit.passed
    counts = [COMPONENTS.match(m) for m in messages]
    assert counts and all(counts)
    first_total = counts[0].group(2)
    # the first LP call (every component) counts up to all of its components
    firsts = [c for c in counts if c.group(2) == first_total]
    assert firsts[-1].group(1) == first_total and firsts[-1].group(3) == firsts[-1].group(4)
    assert [_number(c.group(1)) for c in firsts] == list(range(1, _number(first_total) + 1))
    assert audit.n_lp > 0


def test_worker_processes_report_every_component_once(protected, monkeypatch) -> None:
    """With two worker processes (components reported as they finish, whatever their order):
    each LP call's lines count 1..n and end with every hidden cell; the result is the
    one-process result."""
    monkeypatch.setattr(lp, "PARALLEL_MIN_CELLS", 0)
    frame, _, quiet, _ = protected
    messages: list[str] = []
    result = protect_quarter(frame, workers=2, report=messages.append)
    assert result.cells.equals(quiet.cells)
    calls: list[list[re.Match]] = [[]]
    for m in messages:
        found = ROUND.match(m)
        if "too narrow" in found.group(2):
            calls.append([])
        else:
            calls[-1].append(COMPONENTS.match(found.group(2)))
    calls = [c for c in calls if c]
    assert any(_number(c[0].group(2)) > 1 for c in calls)
    for counts in calls:
        assert [_number(c.group(1)) for c in counts] == list(range(1, len(counts) + 1))
        assert counts[-1].group(3) == counts[-1].group(4)
