"""Property: publishing quarter after quarter, each with its four-quarter period once there
are four, and protecting each run with the earlier publications fixed, the whole file passes
the audit after every run (no suppressed count narrower than the width, no published count
from 1 to 9), whatever the households do. The tables are simulated household by household
(a household counted once over a period, its signals added up), so the relations between
periods and quarters hold as they do in dbt."""

from __future__ import annotations

import re

import numpy as np
import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orchestration.contract import publication_scope
from orchestration.disclosure.audit import audit_publication
from orchestration.disclosure.model import build_relations
from orchestration.disclosure.protect import protect_quarter
from orchestration.parameters import Indicator

QUARTERS = ("2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3", "2026Q4")
COUNTS = ("huishoudens", "hh_met_signaal", "signalen")
REL = build_relations(tuple(Indicator(n, "count", "", None, None, None, "") for n in COUNTS))
COLUMNS = ["quarter", "period_type", "period", "area_level", "area_code", "area_name",
           "parent_code", "indicator", "value"]  # fmt: skip


def rows_of(quarter: str, period: str, counts: dict[str, dict[str, float]], parent) -> list:
    period_type = "kwartaal" if period == quarter else "vier_kwartalen"
    level = {"GM": "gemeente", "WK": "wijk", "BU": "buurt"}
    return [
        (quarter, period_type, period, level[code[:2]], code, code, parent[code], name, value)
        for code, values in counts.items()
        for name, value in values.items()
    ]


@st.composite
def histories(draw: st.DrawFn) -> list[pl.DataFrame]:
    """Per quarter, the unsuppressed rows to protect: the quarter, and from the fourth quarter
    on the four quarters ending with it."""
    rng = np.random.default_rng(draw(st.integers(0, 2**31 - 1)))
    n_buurten = draw(st.integers(2, 4))
    sizes = rng.integers(20, 400, size=n_buurten)
    rate = draw(st.sampled_from([0.01, 0.03, 0.08]))
    buurten = [f"BU000101{i:02d}" for i in range(n_buurten)]
    parent = {"GM0001": None, "WK000101": "GM0001"} | {b: "WK000101" for b in buurten}
    # signals[q][b]: per household of buurt b, its signals in quarter q (0: none)
    signals = [
        [rng.poisson(1.5, size) * (rng.random(size) < rate) for size in sizes] for _ in QUARTERS
    ]

    def counts(quarters: range) -> dict[str, dict[str, float]]:
        out = {}
        for i, b in enumerate(buurten):
            s = np.stack([signals[q][i] for q in quarters])
            out[b] = {
                "huishoudens": float(sizes[i]),
                "hh_met_signaal": float((s.sum(axis=0) > 0).sum()),
                "signalen": float(s.sum()),
            }
        total = {n: sum(out[b][n] for b in buurten) for n in COUNTS}
        return out | {"WK000101": total, "GM0001": dict(total)}

    frames = []
    for q, quarter in enumerate(QUARTERS):
        rows = rows_of(quarter, quarter, counts(range(q, q + 1)), parent)
        if q >= 3:
            period = f"{QUARTERS[q - 3]}-{quarter}"
            rows += rows_of(quarter, period, counts(range(q - 3, q + 1)), parent)
        frames.append(pl.DataFrame(rows, orient="row", schema=COLUMNS))
    return frames


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
@given(histories())
def test_every_run_leaves_a_file_that_passes_the_audit(frames: list[pl.DataFrame]) -> None:
    protected: list[pl.DataFrame] = []  # the earlier publications, restricted (true values)
    for frame in frames:
        history = pl.concat(protected) if protected else None
        result = protect_quarter(frame, relations=REL, workers=1, history=history)
        protected.append(result.cells)
        file = pl.concat(p.drop("suppression") for p in protected).with_columns(
            value=pl.when(pl.col("status") == "published").then(pl.col("value"))
        )
        audit = audit_publication(file, relations=REL, exact=True, workers=1)
        assert audit.passed, (frame["quarter"][0], audit.failures[:3], audit.violations[:3])
    small = file.filter(pl.col("value") > 0, pl.col("value") < 10)
    assert small.height == 0


def in_scope(frame: pl.DataFrame) -> pl.DataFrame:
    """The rows ``seeds/periods.csv`` publishes (``contract.publication_scope``), as protect
    selects them: no quarterly buurt rows."""
    scope = publication_scope()
    return frame.filter(
        pl.struct("period_type", "area_level").map_elements(
            lambda r: r["area_level"] in scope.get(r["period_type"], ()), return_dtype=pl.Boolean
        )
    )


QUARTERLY_BUURT = re.compile(r"^\d{4}Q\d:BU")
"""The model's name of a quarterly buurt cell (``<period>:<code>``, a period of one quarter)."""


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
@given(histories())
def test_the_scope_holds_and_its_file_resists_an_attacker_who_models_the_quarterly_buurten(
    frames: list[pl.DataFrame],
) -> None:
    """Published run by run as the scope says: no quarterly buurt row in the file, the
    four-quarter buurt rows are there, and the file passes the audit; and it still passes when
    the attacker adds the unpublished quarterly buurt cells as unknowns with every relation
    they have (within the buurt, to their wijk, to their four-quarter period): they add
    nothing about a cell of the file (docs/periods-plan.md 3.6)."""
    assert "buurt" not in publication_scope()["kwartaal"]
    protected: list[pl.DataFrame] = []
    for frame in frames:
        history = pl.concat(protected) if protected else None
        result = protect_quarter(in_scope(frame), relations=REL, workers=1, history=history)
        protected.append(result.cells)
        file = pl.concat(p.drop("suppression") for p in protected).with_columns(
            value=pl.when(pl.col("status") == "published").then(pl.col("value"))
        )
        buurt = file.filter(pl.col("area_level") == "buurt")
        assert set(buurt["period_type"]) <= {"vier_kwartalen"}
        four_quarters = file.filter(pl.col("period_type") == "vier_kwartalen")
        assert buurt.height == four_quarters.filter(pl.col("area_level") == "buurt").height
        if (frame["period_type"] == "vier_kwartalen").any():  # the period's buurten are there
            assert buurt.filter(pl.col("quarter") == frame["quarter"][0]).height > 0
        audit = audit_publication(file, relations=REL, exact=True, workers=1)
        assert audit.passed, (frame["quarter"][0], audit.failures[:3], audit.violations[:3])
    unpublished = pl.concat(
        f.filter((pl.col("period_type") == "kwartaal") & (pl.col("area_level") == "buurt"))
        for f in frames
    ).with_columns(value=pl.lit(None, pl.Float64), status=pl.lit("suppressed"))
    attacker = audit_publication(
        pl.concat([file, unpublished.select(file.columns)]), relations=REL, exact=True, workers=1
    )
    assert not attacker.violations
    assert attacker.n_checked > audit.n_checked  # the quarterly buurt cells are in its model
    about_the_file = [f for f in attacker.failures if not QUARTERLY_BUURT.match(f[0])]
    assert not about_the_file, about_the_file[:3]
