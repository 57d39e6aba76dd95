"""Structural zeros: a count at a level its indicator does not exist at is a known 0.

The signals at no household (``signalen_geen_huishouden`` and the other reasons) exist at
gemeente level only (``niveau`` of ``seeds/indicator_definities.csv``): in every wijk and buurt
they are 0 by definition, and an attacker knows it. A model that treats those cells as
ordinary counts lets secondary suppression hide them (a 0 is the cheapest complement) and
lets the audit take a hidden 0 for an unknown between 0 and the gemeente's total, so it can
pass a cell that is in truth recomputable.

The table below: a gemeente with two wijken (no buurten), signals in total, of two partner
groups and at no household. Wijk 1 has 4 energy signals (primary). Suppressed: wijk 1's energy
signals and total, wijk 2's energy signals and its signals at no household (a 0). Treating
that 0 as unknown, wijk 1's energy count lies anywhere in [0, 24]; knowing it is 0, the
published wijk 2 total gives wijk 2's energy count, the gemeente's energy total then gives
wijk 1's: [0, 4].
"""

from __future__ import annotations

import dataclasses

import polars as pl
import pytest

from orchestration.contract import LEVELS
from orchestration.disclosure.audit import audit_publication
from orchestration.disclosure.model import (
    InconsistentTableError,
    Relations,
    build_relations,
    build_table,
)
from orchestration.disclosure.protect import protect_quarter
from orchestration.parameters import Indicator, disclosure_parameters

GEEN = "signalen_geen_huishouden"
COUNTS = ("signalen", "signalen_energie", "signalen_water", GEEN)
AREAS = [("gemeente", "GM0001", None), ("wijk", "WK000101", "GM0001"),
         ("wijk", "WK000102", "GM0001")]  # fmt: skip
TRUE = {
    "GM0001": {"signalen": 84, "signalen_energie": 24, "signalen_water": 30, GEEN: 30},
    "WK000101": {"signalen": 24, "signalen_energie": 4, "signalen_water": 20, GEEN: 0},
    "WK000102": {"signalen": 30, "signalen_energie": 20, "signalen_water": 10, GEEN: 0},
}
HIDDEN = {("WK000101", "signalen_energie"), ("WK000101", "signalen"),
          ("WK000102", "signalen_energie"), ("WK000102", GEEN)}  # fmt: skip


def relations(geen_levels: tuple[str, ...] = ("regio", "gemeente")) -> Relations:
    """The four counts with their relations; ``geen_levels`` all of ``LEVELS``: the old model,
    which took the signals at no household for an ordinary count at every level."""
    rel = build_relations(
        tuple(Indicator(n, "count", "signalen", None, None, None, n) for n in COUNTS)
    )
    assert rel.levels[GEEN] == ("regio", "gemeente"), "the seed: gemeente and regio only"
    return dataclasses.replace(rel, levels={**rel.levels, GEEN: geen_levels})


def frame(hidden: set[tuple[str, str]] = frozenset(), drop: set = frozenset()) -> pl.DataFrame:
    rows = [
        {"quarter": "2026Q3", "period_type": "kwartaal", "period": "2026Q3", "area_level": level, "area_code": code, "area_name": code,
         "parent_code": parent, "indicator": name,
         "value": None if (code, name) in hidden else float(TRUE[code][name]),
         "status": "suppressed" if (code, name) in hidden else "published"}
        for level, code, parent in AREAS
        for name in COUNTS
        if (code, name) not in drop
    ]  # fmt: skip
    return pl.DataFrame(rows)


def params() -> dict:
    return dict(disclosure_parameters())


def interval(audit, cell: tuple[str, str]) -> tuple[float, float]:
    found = [(lo, hi) for area, ind, lo, hi, _ in audit.narrowest if (area, ind) == cell]
    assert found, cell
    return found[0]


def test_the_old_model_passes_a_cell_the_known_zero_narrows() -> None:
    width = params()["protection_width"]
    old = audit_publication(frame(HIDDEN), params(), relations=relations(LEVELS), exact=True)
    new = audit_publication(frame(HIDDEN), params(), relations=relations(), exact=True)
    lo, hi = interval(old, ("WK000101", "signalen_energie"))
    assert old.passed and hi - lo >= width  # the old model: [0, 24]
    assert interval(new, ("WK000101", "signalen_energie")) == pytest.approx((0.0, 4.0))
    assert not new.passed
    assert ("WK000101", "signalen_energie") in {(a, i) for a, i, *_ in new.failures}
    # the known zero is no target of its own: nobody needs protecting from learning a 0
    assert ("WK000102", GEEN) not in {(a, i) for a, i, *_ in new.narrowest}


def test_a_missing_row_is_a_known_zero_not_an_unknown() -> None:
    """No wijk row for the signals at no household: the same audit as with published 0s."""
    zeros = {(code, GEEN) for _, code, parent in AREAS if parent}
    hidden = HIDDEN - zeros
    with_rows = audit_publication(frame(hidden), params(), relations=relations(), exact=True)
    without = audit_publication(
        frame(hidden, drop=zeros), params(), relations=relations(), exact=True
    )
    assert with_rows.narrowest == without.narrowest and not without.passed
    table = build_table(frame(drop=zeros), relations())
    cells = [table.cell(table.area_index[code], GEEN) for code, _ in zeros]
    assert table.structural[cells].all() and (table.values[cells] == 0).all()
    assert table.structural.sum() == len(zeros)  # the gemeente's cell is an ordinary count


def test_protection_never_hides_a_known_zero_and_passes_the_audit() -> None:
    result = protect_quarter(frame(), params(), relations(), workers=1)
    cells = result.cells
    zeros = cells.filter((pl.col("indicator") == GEEN) & (pl.col("area_level") != "gemeente"))
    assert zeros.height == 2 and (zeros["status"] == "published").all()
    assert (zeros["value"] == 0).all()
    suppressed = set(
        cells.filter(pl.col("status") == "suppressed").select("area_code", "indicator").rows()
    )
    assert ("WK000101", "signalen_energie") in suppressed
    audit = audit_publication(result.published, params(), relations=relations(), exact=True)
    assert audit.passed, audit.failures


def test_a_value_at_a_level_the_indicator_does_not_exist_at_is_refused() -> None:
    bad = frame().with_columns(
        value=pl.when((pl.col("area_code") == "WK000101") & (pl.col("indicator") == GEEN))
        .then(3.0)
        .otherwise(pl.col("value"))
    )
    with pytest.raises(InconsistentTableError, match=f"WK000101 {GEEN}: 3 at a level"):
        protect_quarter(bad, params(), relations(), workers=1)
    table = build_table(bad, relations())  # the delivered value is kept, not overwritten by 0
    assert table.values[table.cell(table.area_index["WK000101"], GEEN)] == 3


def test_a_suppressed_known_zero_alone_is_no_cell_to_check() -> None:
    """A file may hold a known zero as suppressed (published before the model knew it, or by
    hand): the reader knows it is 0, so it is no cell to check, nor one that could not be
    checked. Nothing else suppressed: the one breach is wijk 1's published 4 (rule 1)."""
    audit = audit_publication(
        frame({("WK000102", GEEN)}), params(), relations=relations(), exact=True
    )
    assert audit.violations == ["WK000101 signalen_energie: published count below min_count"]
    assert audit.n_checked == 0 and audit.narrowest == [] and audit.failures == []
