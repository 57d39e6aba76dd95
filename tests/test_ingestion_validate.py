"""Validation rules (orchestration/ingestion/validate.py) tested directly, at their limits.

The loader's tests (tests/test_ingestion_loader.py) drive every rule through a real load; these
pin what those leave open: which header cells may be reported, and each rule on both sides
of its limit. Written for the mutation run of issue 20 (docs/mutation-testing.md).
"""

from __future__ import annotations

import pytest

from orchestration.ingestion import validate


@pytest.mark.parametrize(
    ("cell", "looks_like_data"),
    [
        ("signaal_id", False),
        ("Huisnummer toevoeging", False),
        ("adres 2", False),
        ("1234", True),  # a number of four or more digits
        ("jan@example.nl", True),
        ("12,50", True),
        ("1234AB", True),
        ("1234 ab", True),
        ("31-07-2026", True),
        ("1/7/26", True),
    ],
)
def test_a_header_cell_that_looks_like_a_value_is_never_reported(
    cell: str, looks_like_data: bool
) -> None:
    assert validate.header_looks_like_data(["id", cell]) is looks_like_data
    label = validate.safe_label(cell, 4)
    if looks_like_data:
        assert label == "column 5 (name not shown: the header looks like data)"
    else:
        assert label == cell
    # one cell that looks like data hides every cell of the header
    assert validate.safe_label("naam", 0, suspicious=True).startswith("column 1 ")


def test_a_long_header_cell_is_not_reported() -> None:
    assert validate.safe_label("x" * 60, 0) == "x" * 60
    assert validate.safe_label("x" * 61, 0).startswith("column 1 (name not shown")
