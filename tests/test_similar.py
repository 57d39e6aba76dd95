"""Similar gemeenten (orchestration/similar.py): the size classes and region medians the report
shows a gemeente beside."""

from __future__ import annotations

from itertools import pairwise

import pytest

from orchestration.parameters import read_seed
from orchestration.similar import Peers, comparison_regions, peers, size_class


@pytest.mark.parametrize(
    ("inwoners", "klasse"),
    [
        (0, "minder dan 5.000 inwoners"),
        (4999, "minder dan 5.000 inwoners"),
        (5000, "5.000 tot 10.000 inwoners"),
        (249_999, "150.000 tot 250.000 inwoners"),
        (250_000, "250.000 inwoners of meer"),
        (931_298, "250.000 inwoners of meer"),
        (None, None),
    ],
)
def test_a_gemeente_is_in_the_class_its_inwoners_fall_in(inwoners, klasse) -> None:
    assert size_class(inwoners) == klasse


def test_the_size_classes_cover_every_number_once() -> None:
    rows = read_seed("gemeentegrootteklassen")
    assert rows[0]["vanaf_inwoners"] == "0" and rows[-1]["tot_inwoners"] == ""
    for lower, upper in pairwise(rows):
        assert lower["tot_inwoners"] == upper["vanaf_inwoners"], (lower, upper)


def test_a_median_needs_enough_gemeenten_with_a_published_figure() -> None:
    groups = {"GM1": "R", "GM2": "R", "GM3": "R", "GM4": "S", "GM5": None}
    two = peers({"GM1": 1.0, "GM2": 3.0, "GM3": None, "GM4": 10.0, "GM5": 7.0}, groups)
    assert two["GM1"] == Peers("R", None, 2) and two["GM3"] == Peers("R", None, 2)
    assert two["GM4"] == Peers("S", None, 1) and "GM5" not in two
    three = peers({"GM1": 1.0, "GM2": 3.0, "GM3": 8.0, "GM4": 10.0, "GM5": 7.0}, groups)
    assert three["GM2"] == Peers("R", 3.0, 3)


def test_the_drechtsteden_gemeenten_share_their_region() -> None:
    regions = comparison_regions()
    assert {regions[c] for c in ("GM0505", "GM0590", "GM0642")} == {"Drechtsteden"}
    assert regions["GM0363"] == "Amsterdam"
