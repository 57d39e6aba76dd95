"""The runbook's table of gate checks, made from the suite files (one text for UI and runbook).

    .venv/bin/python -m orchestration.gate.docs      # rewrite the table in docs/runbook.md

The table sits between two markers in ``docs/runbook.md``; ``tests/test_gate_checks.py`` fails
when it differs from what the suite files (``expectations/*.json``: ``meta.description``,
``fails_when``, ``what_to_do``) and the audit's text (``orchestration/gate/check.py``) say.
"""

from __future__ import annotations

import sys
from pathlib import Path

from orchestration.gate.check import GateCheck, gate_checks
from orchestration.metadata import markdown_lines
from orchestration.settings import REPO_ROOT

RUNBOOK = REPO_ROOT / "docs" / "runbook.md"
BEGIN = "<!-- gate checks: made by `python -m orchestration.gate.docs` from expectations/ -->"
END = "<!-- end of gate checks -->"


def checks_table(checks: list[GateCheck] | None = None) -> str:
    """The gate's checks as a Markdown table; the checks of one suite file share a row."""
    rows: dict[str, list[GateCheck]] = {}
    for check in checks if checks is not None else gate_checks():
        rows.setdefault(check.source, []).append(check)
    table = []
    for source, group in rows.items():
        first = group[0]
        kind = "blocking" if first.blocking else "**warning only**"
        if first.warnings:
            kind += f" (warnings only: {', '.join(f'`{w}`' for w in first.warnings)})"
        table.append(
            (
                ", ".join(f"`{c.name}`" for c in group),
                kind,
                f"{first.what} (`{source}`)",
                first.fails_when,
                first.what_to_do,
            )
        )
    return "\n".join(
        markdown_lines(["check", "kind", "what it checks", "fails when", "what to do"], table)
    )


def runbook_with_table(text: str, table: str) -> str:
    """``text`` with the part between the markers replaced by ``table``."""
    head, found, rest = text.partition(BEGIN)
    _, found_end, tail = rest.partition(END)
    if not found or not found_end:
        raise ValueError(f"the runbook lacks the markers {BEGIN!r} ... {END!r}")
    return f"{head}{BEGIN}\n{table}\n{END}{tail}"


def main(path: Path = RUNBOOK) -> int:
    text = path.read_text(encoding="utf-8")
    new = runbook_with_table(text, checks_table())
    if new != text:
        path.write_text(new, encoding="utf-8")
        print(f"updated the gate checks in {path}")
    else:
        print(f"{path}: the gate checks are up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
