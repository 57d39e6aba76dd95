"""Small helpers that turn results into Dagster metadata an engineer can read in the UI."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from dagster import MetadataValue


def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> MetadataValue:
    def cell(value: object) -> str:
        text = "" if value is None else str(value)
        return text.replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    if len(lines) == 2:
        lines.append("| " + " | ".join("" for _ in headers) + " |")
    return MetadataValue.md("\n".join(lines))
