"""Property: on any consistent hierarchical table, protection yields a publication the audit
passes, with no primary cell published and nothing but suppressed values blanked."""

from __future__ import annotations

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from demo.synthetic_quarter import synthetic_quarter
from orchestration.disclosure.audit import audit_publication
from orchestration.disclosure.model import build_table, check_consistency, fill_remainders
from orchestration.disclosure.protect import protect_quarter


@st.composite
def tables(draw: st.DrawFn) -> pl.DataFrame:
    wijken = draw(st.lists(st.integers(1, 4), min_size=1, max_size=2))
    buurten = draw(st.lists(st.integers(1, 5), min_size=sum(wijken), max_size=sum(wijken)))
    return synthetic_quarter(
        wijken_per_gemeente=wijken,
        buurten_per_wijk=buurten,
        seed=draw(st.integers(0, 2**31 - 1)),
        households_mean=draw(st.sampled_from([8.0, 40.0, 150.0, 600.0])),
        signal_rate=draw(st.sampled_from([0.005, 0.013, 0.05, 0.2])),
        signals_per_household=draw(st.sampled_from([1.0, 1.5, 3.0])),
        no_buurt_households=draw(st.sampled_from([0.0, 3.0, 40.0])),
    )


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
@given(tables())
def test_protection_always_passes_the_audit(frame: pl.DataFrame) -> None:
    table = build_table(frame)
    assert check_consistency(table, fill_remainders(table)) == []
    result = protect_quarter(frame)
    audit = audit_publication(result.published, exact=True)
    assert audit.passed, (audit.failures[:3], audit.violations[:3])
    cells = result.cells
    primary = cells.filter(pl.col("suppression") == "primary")
    assert (primary["status"] == "suppressed").all()
    pub = result.published.join(
        primary.select("area_code", "indicator"), on=["area_code", "indicator"]
    )
    assert pub["value"].is_null().all()
    assert ((cells["suppression"] == "none") == (cells["status"] == "published")).all()
    counts = cells.filter(pl.col("status") == "published", pl.col("value").is_not_null())
    small = counts.filter(
        pl.col("indicator").is_in(list(table.relations.counts)),
        pl.col("value") > 0,
        pl.col("value") < 10,
    )
    assert small.height == 0
