"""Similar gemeenten: each gemeente beside the gemeenten of its region and of its size class.

Gemeenten learn most from comparing themselves with similar gemeenten (issue 16). A
gemeente's *region* is its row of ``seeds/regio_indeling.csv`` of the kind named by
``regiosoort`` (``seeds/pipeline_parameters.csv``); its *size class* the row of
``seeds/gemeentegrootteklassen.csv`` (CBS's classes by inwoners) its published ``inwoners``
fall in. The comparison figure is the median over the gemeenten of the group that the
published file holds with a published value, the gemeente itself included, and only when at
least ``vergelijking_min_gemeenten`` of them have one: a median of one or two gemeenten would
be little more than the gemeente's own figure. Only published figures go in, so a median adds
nothing to protect.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from statistics import median

from orchestration.parameters import pipeline_parameters, read_seed


@dataclass(frozen=True)
class Peers:
    """The gemeenten a gemeente is compared with, and the median of their figure."""

    group: str
    """The region's name or the size class."""
    median: float | None
    """None: fewer than the minimum have a published figure."""
    n: int
    """Gemeenten of the group with a published figure (the gemeente included)."""


def comparison_regions() -> dict[str, str]:
    """Gemeentecode -> its region of the kind ``regiosoort``."""
    kind = pipeline_parameters()["regiosoort"]
    return {
        row["gemeentecode"]: row["regio"]
        for row in read_seed("regio_indeling")
        if row["regiosoort"] == kind
    }


def size_class(inwoners: float | None) -> str | None:
    """The size class of ``seeds/gemeentegrootteklassen.csv`` ``inwoners`` fall in (from its
    ``vanaf_inwoners`` up to, not including, ``tot_inwoners``; empty: no upper end)."""
    if inwoners is None:
        return None
    for klasse, low, high in _size_classes():
        if inwoners >= low and (high is None or inwoners < high):
            return klasse
    return None


@cache
def _size_classes() -> tuple[tuple[str, float, float | None], ...]:
    return tuple(
        (row["grootteklasse"], float(row["vanaf_inwoners"]),
         float(row["tot_inwoners"]) if row["tot_inwoners"] else None)
        for row in read_seed("gemeentegrootteklassen")
    )  # fmt: skip


def peers(values: dict[str, float | None], groups: dict[str, str | None]) -> dict[str, Peers]:
    """Per gemeente with a group: its group's median of the published ``values`` (gemeentecode
    -> value, None where suppressed)."""
    minimum = int(pipeline_parameters()["vergelijking_min_gemeenten"])
    out = {}
    for code, group in groups.items():
        if group is None:
            continue
        shown = [v for c, v in values.items() if groups.get(c) == group and v is not None]
        out[code] = Peers(group, median(shown) if len(shown) >= minimum else None, len(shown))
    return out
