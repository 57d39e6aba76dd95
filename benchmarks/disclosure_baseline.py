"""A naive rule to compare information loss against (not used for publication).

"Suppress a whole buurt (every indicator) as soon as any of its counts is small (1 to
``min_count - 1``)"; every other cell by the primary rules only. It is what a hand-made
publication often does; it is *not* safe in general (wijk totals minus published buurten),
which is the point of the LP-based secondary suppression. Only the share of suppressed
cells is of interest here.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from orchestration.disclosure.model import build_table, default_relations, row_areas
from orchestration.disclosure.primary import primary_counts, primary_derived
from orchestration.disclosure.protect import wide_values
from orchestration.parameters import disclosure_parameters


def naive_suppression(frame: pl.DataFrame, params: dict | None = None) -> np.ndarray:
    """Per row of ``frame``: suppressed under the naive whole-buurt rule."""
    params = dict(params or disclosure_parameters())
    rel = default_relations()
    table = build_table(frame, rel)
    wide = wide_values(frame, table)
    small_area = np.zeros(table.n_real, dtype=bool)
    per_ind: dict[str, np.ndarray] = {}
    for name in rel.counts:
        per_ind[name] = primary_counts(wide[name], params["min_count"])
        small_area |= per_ind[name]
    per_ind |= primary_derived(wide, rel, params)
    is_buurt = table.area_level[: table.n_real] == "buurt"
    whole = small_area & is_buurt
    idx = row_areas(frame, table)
    names = frame["indicator"].to_numpy()
    out = whole[idx].copy()
    for name, mask in per_ind.items():
        m = names == name
        out[m] |= mask[idx[m]]
    return out


def naive_share(frame: pl.DataFrame, params: dict | None = None) -> float:
    """Share of all cells the naive rule suppresses."""
    return float(naive_suppression(frame, params).mean()) if frame.height else 0.0
