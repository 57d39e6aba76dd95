"""Primary suppression (MONITOR.md, disclosure control rule 1), on the unsuppressed values.

- a count (households or signals) from 1 to ``min_count - 1``;
- a rate whose numerator count is primary-suppressed, whose denominator is below
  ``min_denominator`` or that cannot be computed (denominator 0: the value is NULL);
- a median over fewer than ``min_median_n`` households (its denominator), or NULL.

Zero counts are published: a published 0 only tells what is true of every part of it.

Where the reader can name a group's members (``Relations.named_groups``: a partner its own
households), also a part within ``min_count`` of its total, all of them included (12 of 12
households reached; 39 of 40): it would tell the reader something of nearly every member
(``primary_nearly_all``). A part of 0 stays published, as everywhere (none of them).
"""

from __future__ import annotations

import numpy as np

from orchestration.disclosure.model import Relations


def primary_counts(values: np.ndarray, min_count: float) -> np.ndarray:
    """Mask of the primary-suppressed count cells (NaN: unknown, not suppressed here)."""
    return (values > 0) & (values < min_count)


def primary_derived(
    wide: dict[str, np.ndarray], relations: Relations, params: dict[str, float]
) -> dict[str, np.ndarray]:
    """Per rate and median indicator: mask over areas of its primary suppression.

    ``wide``: indicator -> value per area (NaN for NULL), every indicator of the table.
    """
    out: dict[str, np.ndarray] = {}
    for ind in relations.rates:
        num, den, value = wide[ind.numerator], wide[ind.denominator], wide[ind.name]
        out[ind.name] = (
            primary_counts(num, params["min_count"])
            | ~(den >= params["min_denominator"])
            | np.isnan(value)
        )
    for ind in relations.medians:
        den, value = wide[ind.denominator], wide[ind.name]
        out[ind.name] = ~(den >= params["min_median_n"]) | np.isnan(value)
    return out


def primary_nearly_all(
    wide: dict[str, np.ndarray], relations: Relations, min_count: float
) -> dict[str, np.ndarray]:
    """Per part of ``relations.named_groups``: mask over areas where it is not 0 and within
    ``min_count`` of its total (module docstring)."""
    out: dict[str, np.ndarray] = {}
    for part, total in relations.named_groups:
        mask = (wide[part] > 0) & (wide[total] - wide[part] < min_count)
        out[part] = out[part] | mask if part in out else mask
    return out
