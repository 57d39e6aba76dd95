"""The LP audit: it sees only the published frame, and it catches weak suppression."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from demo.synthetic_quarter import frame_from_buurten, synthetic_quarter
from orchestration.contract import count_indicator_names
from orchestration.disclosure.audit import audit_publication
from orchestration.disclosure.lp import attacker_intervals
from orchestration.disclosure.model import build_table, fill_remainders
from orchestration.disclosure.protect import PUBLISHED_COLUMNS, in_file, protect_quarter
from tests.fixtures.disclosure_buurten import LARGE


def three_buurten() -> pl.DataFrame:
    """Three large buurten of one wijk, every count publishable: the true values."""
    return frame_from_buurten(
        {
            "BU09990101": ("WK099901", LARGE),
            "BU09990102": ("WK099901", LARGE | {"signalen_water": 25}),
            "BU09990103": ("WK099901", LARGE),
        },
        {"WK099901": "GM0999"},
    ).with_columns(  # a rate over 0 (no reached household of a persona) has no value
        status=pl.when(pl.col("value").is_null())
        .then(pl.lit("suppressed"))
        .otherwise(pl.lit("published"))
    )


def published_all() -> pl.DataFrame:
    return three_buurten().select(PUBLISHED_COLUMNS)


RECTANGLE = [
    ("BU09990101", "signalen_water"),
    ("BU09990101", "signalen_overig"),
    ("BU09990102", "signalen_water"),
    ("BU09990102", "signalen_overig"),
]
"""Water and overig in buurten 1 and 2: a rectangle of suppressed cells."""


def suppress(published: pl.DataFrame, cells: list[tuple[str, str]]) -> pl.DataFrame:
    hit = pl.lit(False)
    for code, name in cells:
        hit = hit | ((pl.col("area_code") == code) & (pl.col("indicator") == name))
    return published.with_columns(
        value=pl.when(hit).then(None).otherwise(pl.col("value")),
        status=pl.when(hit).then(pl.lit("suppressed")).otherwise(pl.col("status")),
    )


def test_nothing_suppressed_passes() -> None:
    audit = audit_publication(published_all())
    assert audit.passed and audit.n_checked == 0 and not audit.failures


def test_single_suppressed_buurt_cell_fails() -> None:
    audit = audit_publication(suppress(published_all(), [("BU09990101", "signalen_water")]))
    assert not audit.passed
    assert [(a, i) for a, i, *_ in audit.failures] == [("BU09990101", "signalen_water")]
    _, _, lo, hi, width = audit.failures[0]
    assert lo == pytest.approx(40) and hi == pytest.approx(40) and width == pytest.approx(0)


def test_two_cells_with_too_little_mass_fail() -> None:
    # energie and water of one buurt hidden: within the buurt they trade, but the wijk rows
    # pin each of them (every other buurt is published): still width 0
    audit = audit_publication(
        suppress(
            published_all(), [("BU09990101", "signalen_water"), ("BU09990101", "signalen_energie")]
        )
    )
    assert {(a, i) for a, i, *_ in audit.failures} == {
        ("BU09990101", "signalen_water"),
        ("BU09990101", "signalen_energie"),
    }


def test_rectangle_pattern_is_as_wide_as_its_smallest_diagonal() -> None:
    # x11 ranges over min(x11, x22) + min(x12, x21)
    audit = audit_publication(suppress(published_all(), RECTANGLE), exact=True)
    assert audit.passed
    widths = {(a, i): w for a, i, _, _, w in audit.narrowest}
    # water 40/25, overig 30/30: min(40, 30) + min(30, 25) = 55 for every cell of the pattern
    assert widths[("BU09990101", "signalen_water")] == pytest.approx(55)
    assert audit.n_checked == 4 and audit.n_exact == 4


def test_narrow_rectangle_fails() -> None:
    published = published_all()
    small = (
        frame_from_buurten(
            {
                "BU09990101": (
                    "WK099901",
                    LARGE | {"signalen_water": 3, "signalen_overig": 4, "signalen_energie": 167},
                ),
                "BU09990102": ("WK099901", LARGE),
                "BU09990103": ("WK099901", LARGE),
            },
            {"WK099901": "GM0999"},
        )
        .with_columns(status=pl.lit("published"))
        .select(PUBLISHED_COLUMNS)
    )
    audit = audit_publication(suppress(small, RECTANGLE))
    assert not audit.passed
    assert {(a, i) for a, i, *_ in audit.failures} >= {("BU09990101", "signalen_water")}
    assert audit.failures == sorted(audit.failures, key=lambda r: (r[4], r[0], r[1]))
    assert published.height == small.height


def test_rate_over_a_suppressed_count_is_a_violation() -> None:
    published = suppress(
        published_all(),
        [("BU09990101", "hh_bereikt"), ("BU09990102", "hh_bereikt"), ("BU09990101", "pct_bereikt")],
    )
    audit = audit_publication(published)
    assert not audit.passed
    assert any(
        "pct_bereikt: published while its numerator" in v and "BU09990102" in v
        for v in audit.violations
    )


def test_small_published_count_is_a_violation() -> None:
    frame = (
        frame_from_buurten(
            {
                "BU09990101": (
                    "WK099901",
                    LARGE | {"hh_persona_student": 4, "hh_persona_overig": 71},
                ),
                "BU09990102": ("WK099901", LARGE),
            },
            {"WK099901": "GM0999"},
        )
        .with_columns(status=pl.lit("published"))
        .select(PUBLISHED_COLUMNS)
    )
    audit = audit_publication(frame)
    assert any(
        "BU09990101 hh_persona_student: published count below min_count" in v
        for v in audit.violations
    )


def test_suppressed_rate_that_is_recomputable_is_a_violation() -> None:
    audit = audit_publication(suppress(published_all(), [("BU09990101", "pct_bereikt")]))
    assert any("pct_bereikt: suppressed but recomputable" in v for v in audit.violations)


def test_contradictory_publication_is_a_violation() -> None:
    published = published_all().with_columns(
        value=pl.when((pl.col("area_code") == "BU09990101") & (pl.col("indicator") == "signalen"))
        .then(pl.col("value") + 5)
        .otherwise(pl.col("value"))
    )
    audit = audit_publication(published)
    assert not audit.passed and any("break a relation" in v for v in audit.violations)


def test_audit_ignores_values_behind_suppressed_status() -> None:
    frame = synthetic_quarter(2, seed=3)
    result = protect_quarter(frame)
    leaky = result.cells.select(*PUBLISHED_COLUMNS)  # suppressed rows still carry true values
    a, b = audit_publication(result.published), audit_publication(leaky)
    assert a.passed and b.passed
    assert a.narrowest == b.narrowest


def test_protected_quarter_passes_and_reports_narrowest_sorted() -> None:
    frame = synthetic_quarter(3, seed=21)
    result = protect_quarter(frame)
    audit = audit_publication(result.published)
    assert audit.passed, audit.summary()
    assert (
        audit.n_checked
        == result.cells.filter(
            (pl.col("status") == "suppressed") & pl.col("indicator").is_in(count_indicator_names())
        ).height
    )
    widths = [w for *_, w in audit.narrowest]
    assert widths == sorted(widths) and widths[0] >= 10 - 1e-4
    exact = audit_publication(result.published, exact=True)
    assert exact.passed and exact.n_exact == exact.n_checked
    assert [w for *_, w in exact.narrowest[:10]] == pytest.approx(widths[:10])


def test_backends_agree() -> None:
    frame = synthetic_quarter(1, 3, 8, seed=4)
    result = protect_quarter(frame)
    table = build_table(result.published)
    k = table.k
    hidden = np.isnan(table.values)
    targets = hidden.copy()
    targets[table.n_real * k :] = False
    x = fill_remainders(build_table(frame))
    lower = np.zeros(table.n_cells)
    runs = [
        attacker_intervals(
            table.a_eq, table.a_ub, hidden, x, targets, lower, width=10, exact=True, backend=b
        )
        for b in ("highs", "linprog")
    ]
    cells = np.flatnonzero(targets)
    assert cells.size > 10
    np.testing.assert_allclose(runs[0].lo[cells], runs[1].lo[cells], atol=1e-6)
    np.testing.assert_allclose(runs[0].hi[cells], runs[1].hi[cells], atol=1e-6)


# The gate hands the audit protect's true values as a starting point (module docstring of
# audit.py): checked before use, and never a cause of a pass or a failure.


def restricted_rows(frame: pl.DataFrame, cells: pl.DataFrame) -> pl.DataFrame:
    """What the gate hands the audit: protect's rows and the counts left out of the file
    (``protect.left_out_rows``: status ``unpublished``), with their true values."""
    left_out = frame.filter(~in_file(frame)).with_columns(
        status=pl.lit("unpublished"), suppression=pl.lit("none")
    )
    return pl.concat([cells, left_out.select(cells.columns)])


def test_a_true_start_point_is_used_and_changes_no_verdict() -> None:
    frame = synthetic_quarter(3, seed=21)
    result = protect_quarter(frame)
    plain = audit_publication(result.published, exact=True)
    started = audit_publication(
        result.published, exact=True, restricted=restricted_rows(frame, result.cells)
    )
    assert plain.passed and started.passed
    assert (plain.start_point, started.start_point) == ("none", "used")
    assert started.n_checked == plain.n_checked > 0
    assert [w for *_, w in started.narrowest] == pytest.approx([w for *_, w in plain.narrowest])


def test_a_true_start_point_does_not_hide_a_narrow_cell() -> None:
    # one cell hidden alone: the true table is a point of the polyhedron, and still the cell
    # is pinned (width 0) by its wijk row
    truth = three_buurten()
    audit = audit_publication(
        suppress(published_all(), [("BU09990101", "signalen_water")]), restricted=truth
    )
    assert audit.start_point == "used"
    assert not audit.passed
    assert [(a, i, w) for a, i, _, _, w in audit.failures] == [
        ("BU09990101", "signalen_water", pytest.approx(0))
    ]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("published", "a published value differs from its restricted value"),
        ("suppressed", "the restricted values break a relation of the model"),
        ("missing", "a count of the published frame has no restricted value"),
    ],
)
def test_a_start_point_that_is_no_point_of_the_polyhedron_is_rejected(
    change: str, reason: str
) -> None:
    frame = synthetic_quarter(3, seed=21)
    result = protect_quarter(frame)
    cells = restricted_rows(frame, result.cells)
    status = "suppressed" if change == "missing" else change
    row = cells.filter(  # a buurt cell: no gemeente remainder absorbs a change of it
        (pl.col("status") == status)
        & (pl.col("area_level") == "buurt")
        & pl.col("indicator").is_in(count_indicator_names())
    ).row(0, named=True)
    hit = (pl.col("area_code") == row["area_code"]) & (pl.col("indicator") == row["indicator"])
    if change == "missing":
        restricted = cells.filter(~hit)
    else:  # one more than the truth: a published value changed, or a relation broken
        restricted = cells.with_columns(
            value=pl.when(hit).then(pl.col("value") + 1).otherwise(pl.col("value"))
        )
    plain = audit_publication(result.published)
    audit = audit_publication(result.published, restricted=restricted)
    assert audit.start_point == f"rejected: {reason}"
    assert audit.passed == plain.passed and audit.narrowest == plain.narrowest


@pytest.mark.parametrize(
    "changes",
    [
        # one relation kind broken at a time, the others kept (the wijk sums among them)
        pytest.param({("BU09990101", "signalen_water"): 41}, id="an-equality-only"),
        pytest.param(  # hh_met_signaal (180) > huishoudens in one buurt, the wijk sum kept
            {("BU09990101", "huishoudens"): 179, ("BU09990102", "huishoudens"): 9821},
            id="a-bound-only",
        ),
        pytest.param(  # a persona below 0, its buurt and wijk sums kept; personas bound nothing
            {
                ("BU09990101", "hh_persona_student"): -1,
                ("BU09990101", "hh_persona_overig"): 76,
                ("BU09990102", "hh_persona_student"): 31,
                ("BU09990102", "hh_persona_overig"): 44,
            },
            id="a-lower-bound-only",
        ),
    ],
)
def test_a_start_point_breaking_any_one_relation_kind_is_rejected(
    changes: dict[tuple[str, str], float],
) -> None:
    truth = three_buurten()
    published = suppress(published_all(), list(changes))
    restricted = truth
    for (code, name), value in changes.items():
        hit = (pl.col("area_code") == code) & (pl.col("indicator") == name)
        restricted = restricted.with_columns(
            value=pl.when(hit).then(pl.lit(float(value))).otherwise(pl.col("value"))
        )
    audit = audit_publication(published, restricted=restricted)
    assert audit.start_point == "rejected: the restricted values break a relation of the model"
    # the true values are a point: the same cells, unchanged, are used
    assert audit_publication(published, restricted=truth).start_point == "used"


def test_restricted_rows_without_the_cell_key_are_rejected() -> None:
    published = suppress(published_all(), [("BU09990101", "signalen_water")])
    truth = published_all().drop("indicator", "area_code")
    audit = audit_publication(published, restricted=truth)
    assert audit.start_point == "rejected: the restricted rows lack ['area_code', 'indicator']"
    assert not audit.passed  # the verdict of the audit without a start point


def test_the_narrowest_cells_are_refined_to_exact_intervals_one_by_one() -> None:
    # the rectangle of water and overig in buurten 1 and 2 (55 wide, below): without
    # ``exact`` only the n_narrowest narrowest are solved exactly, down to the last one
    for n in (1, 2):
        audit = audit_publication(suppress(published_all(), RECTANGLE), n_narrowest=n)
        assert audit.passed and audit.n_checked == 4
        assert audit.n_exact >= n
        assert [w for *_, w in audit.narrowest] == pytest.approx([55] * n)


def test_a_count_left_out_of_a_level_is_an_unknown_not_a_target() -> None:
    """seeds/publicatie_niveaus.csv: without its buurt rows, a buurt's hh_bereikt is an
    unknown of the audit's model (bound by its relations), not a cell it must find wide; the
    same cell in the file as suppressed is one."""
    whole = published_all()
    shown = whole.filter(pl.Series(in_file(whole)))
    assert shown.height < whole.height  # the chain from signal to help is not per buurt
    assert (
        shown.filter(pl.col("area_level") == "buurt")["indicator"].is_in(["hh_bereikt"]).sum() == 0
    )
    clean = audit_publication(shown, exact=True)
    assert clean.passed and clean.n_checked == 0
    # one buurt's hh_bereikt back in the file as suppressed: the wijk row and the other
    # (unknown) buurten leave it [0, 110 + 110]: checked, and wide
    hidden = pl.concat(
        [
            shown,
            suppress(whole, [("BU09990101", "hh_bereikt")]).filter(
                (pl.col("area_code") == "BU09990101") & (pl.col("indicator") == "hh_bereikt")
            ),
        ]
    )
    audit = audit_publication(hidden, exact=True)
    assert audit.passed and audit.n_checked == 1
    [(area, indicator, lo, hi, _)] = audit.narrowest
    assert (area, indicator) == ("BU09990101", "hh_bereikt")
    assert lo == pytest.approx(0) and hi >= 110


def test_a_published_count_of_an_earlier_wider_publication_is_known_to_the_reader() -> None:
    """A buurt's hh_bereikt is not published now, but an earlier publication (a wider scope)
    published it for buurten 1 and 3 (110 each), which stay in the file: the reader knows
    them. Buurt 2's, in the file as suppressed, is then the wijk's 330 minus both: 110
    exactly. Taken for unknowns like the counts left out of the level, those two would leave
    it in [0, 180] (at most its signalled households)."""
    whole = published_all()
    shown = whole.filter(pl.Series(in_file(whole)))
    earlier = whole.filter(
        (pl.col("area_level") == "buurt") & pl.col("indicator").is_in(["hh_bereikt", "pct_bereikt"])
    )  # a count and the rate over it, published together
    assert earlier.filter(pl.col("indicator") == "hh_bereikt")["value"].to_list() == [110] * 3
    earlier = suppress(earlier, [("BU09990102", "hh_bereikt"), ("BU09990102", "pct_bereikt")])
    audit = audit_publication(pl.concat([shown, earlier]), exact=True)
    assert not audit.passed and not audit.violations
    assert [(a, i, lo, hi) for a, i, lo, hi, _ in audit.failures] == [
        ("BU09990102", "hh_bereikt", pytest.approx(110), pytest.approx(110))
    ]


def test_protects_points_spare_lps_and_change_no_verdict() -> None:
    """The gate hands the audit protect's feasible points with the true table: each is a point
    of the audit's polyhedron, the audit solves fewer LPs and reaches the same verdict, with
    the same cells checked and the same narrowest widths (they are exact either way)."""
    frame = synthetic_quarter(3, seed=21)
    result = protect_quarter(frame)
    restricted = restricted_rows(frame, result.cells)
    m = int(result.points["point_values"].list.len()[0])
    started = audit_publication(result.published, restricted=restricted)
    helped = audit_publication(result.published, restricted=restricted, points=result.points)
    assert m > 1 and (started.protect_points, helped.protect_points) == ("none", f"{m} of {m} used")
    assert started.passed and helped.passed
    assert helped.n_checked == started.n_checked > 0
    assert helped.n_lp < started.n_lp
    assert [w for *_, w in helped.narrowest] == pytest.approx([w for *_, w in started.narrowest])


def test_a_protect_point_that_is_no_point_is_left_out_alone() -> None:
    """One hidden cell one higher in protect's first point: a relation breaks, that point is
    not used, the others are, and the verdict is the same."""
    frame = synthetic_quarter(3, seed=21)
    result = protect_quarter(frame)
    restricted = restricted_rows(frame, result.cells)
    values = result.points["point_values"].to_list()
    values[0][0] += 1
    points = result.points.with_columns(point_values=pl.Series(values, dtype=pl.List(pl.Float64)))
    m = len(values[0])
    plain = audit_publication(result.published, restricted=restricted)
    audit = audit_publication(result.published, restricted=restricted, points=points)
    assert audit.protect_points == f"{m - 1} of {m} used"
    assert (audit.passed, audit.n_checked) == (plain.passed, plain.n_checked)


def points_frame(rows: list[tuple[str, str, list[float]]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={"area": pl.String, "indicator": pl.String, "point_values": pl.List(pl.Float64)},
        orient="row",
    )


@pytest.mark.parametrize(
    ("rows", "start", "status"),
    [
        pytest.param(  # both "points" break the wijk's sum: the cell stays pinned
            [("BU09990101", "signalen_water", [0.0, 100.0])], True, "0 of 2 used", id="no-point"
        ),
        pytest.param(  # compared with NaN, every relation would seem to hold
            [("BU09990101", "signalen_water", [np.nan, 100.0])], True, "0 of 2 used", id="nan"
        ),
        pytest.param(
            [("BU00000000", "signalen_water", [0.0, 100.0])],
            True,
            "rejected: they name cells the published file's model does not hold",
            id="unknown-area",
        ),
        pytest.param(
            [("BU09990101", "signalen_water", [0.0, 100.0])],
            False,
            "rejected: they complete the start point, which was not used",
            id="no-start-point",
        ),
        pytest.param(
            [
                ("BU09990101", "signalen_water", [0.0, 100.0]),
                ("BU09990102", "signalen_water", [0.0]),
            ],
            True,
            "rejected: their rows hold different numbers of points",
            id="ragged",
        ),
        pytest.param(
            [
                ("BU09990101", "signalen_water", [0.0, 100.0]),
                ("BU09990102", "signalen_water", None),
            ],
            True,
            "rejected: their rows hold different numbers of points",
            id="null",
        ),
        pytest.param([("BU09990101", "signalen_water", [])], True, "none", id="empty"),
    ],
)
def test_points_that_would_call_a_pinned_cell_wide_are_not_used(
    rows: list[tuple[str, str, list[float]]], start: bool, status: str
) -> None:
    """A cell hidden alone is pinned by its wijk's sum; "points" that spread it are no
    points of the polyhedron (or cannot be read as any), so they are not used and the cell
    still fails, exactly as without them."""
    published = suppress(published_all(), [("BU09990101", "signalen_water")])
    restricted = three_buurten() if start else None
    plain = audit_publication(published, restricted=restricted)
    # no exact intervals to report: the points and the LPs of the check alone decide
    audit = audit_publication(
        published, restricted=restricted, points=points_frame(rows), n_narrowest=0
    )
    assert audit.protect_points == status
    assert not audit.passed and audit.failures == plain.failures
    assert [(a, i) for a, i, *_ in audit.failures] == [("BU09990101", "signalen_water")]


def test_points_of_another_shape_are_rejected_not_a_crash() -> None:
    published = suppress(published_all(), [("BU09990101", "signalen_water")])
    truth = three_buurten()
    no_values = points_frame([("BU09990101", "signalen_water", [0.0])]).drop("point_values")
    audit = audit_publication(published, restricted=truth, points=no_values)
    assert audit.protect_points == "rejected: they lack ['point_values']"
    words = no_values.with_columns(point_values=pl.lit(["0", "100"]))
    audit = audit_publication(published, restricted=truth, points=words)
    assert audit.protect_points == "rejected: their values are no lists of numbers"
    assert not audit.passed


def rectangle_points(water_1: list[float]) -> pl.DataFrame:
    """A point of the rectangle (``RECTANGLE``) moved by 5 from the truth (water 40 and overig
    30 in buurt 1, water 25 and overig 30 in buurt 2), buurt 1's water as given."""
    return points_frame(
        [
            ("BU09990101", "signalen_water", water_1),
            ("BU09990101", "signalen_overig", [25.0]),
            ("BU09990102", "signalen_water", [20.0]),
            ("BU09990102", "signalen_overig", [35.0]),
        ]
    )


def test_a_point_off_by_more_than_round_off_is_no_point() -> None:
    """A point must meet every relation to ``POINT_TOL``: one off by a millionth (within the
    widths' tolerances, so it could stretch a cell's proved interval) is not used."""
    published = suppress(published_all(), RECTANGLE)
    truth = three_buurten()
    exact = audit_publication(published, restricted=truth, points=rectangle_points([45.0]))
    off = audit_publication(published, restricted=truth, points=rectangle_points([45.000001]))
    assert (exact.protect_points, off.protect_points) == ("1 of 1 used", "0 of 1 used")


def test_the_narrowest_reported_are_exact_intervals() -> None:
    """Many cells share the least width; the ones reported are solved exactly, so each row
    of ``narrowest`` is the cell's interval as ``exact=True`` gives it."""
    frame = synthetic_quarter(3, seed=21)
    result = protect_quarter(frame)
    restricted = restricted_rows(frame, result.cells)
    audit = audit_publication(result.published, restricted=restricted, points=result.points)
    full = audit_publication(result.published, exact=True, n_narrowest=10**6)
    exact = {(a, i): (lo, hi) for a, i, lo, hi, _ in full.narrowest}
    assert len(audit.narrowest) == 25
    for area, indicator, lo, hi, _ in audit.narrowest:
        assert (lo, hi) == pytest.approx(exact[(area, indicator)], abs=1e-6), (area, indicator)
