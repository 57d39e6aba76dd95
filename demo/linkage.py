"""Linkage quality of a built quarter, measured against the generator's ground truth.

    quality = measure_linkage(warehouse_con, paths.ground_truth / "2026Q3", key)
    quality.recall, quality.precision, quality.wrong

The ground truth (``signals.csv``, written outside the landing folder) holds every signal's
true BAG address id, its fault and the match status the documented rules must give it
(``match_status``: the generator knows how it wrote the address). A signal is *matchable*
when it has no fault (an existing address inside the gemeente, a readable row), even when
it is written in a hard notation that leaves it ambiguous. The pipeline's answer is
``main_marts.fct_signalen.adres_pseudo``; the truth's address id is pseudonymised with the
same key to compare (and so are the signal ids), so no clear identifier is needed in the
warehouse.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from orchestration.ingestion import pseudo
from orchestration.ingestion.pseudo import BatchPseudonymiser

MATCHED_SIGNALS = "main_marts.fct_signalen"


@dataclass(frozen=True)
class LinkageQuality:
    quarter: str
    matchable: int
    """Signals without a fault (the address exists in the gemeente and the row is readable)."""
    matched_right: int
    matched_wrong: int
    """Signals linked to another address than their true one (any fault class)."""
    unmatched_matchable: int
    per_status: dict[str, int]
    """Signals per match status (exact, each fallback, ambiguous, no_match, outside_gemeente)."""
    expected_per_status: dict[str, int]
    """The same count from the ground truth."""
    status_differs: int
    """Signals whose match status is not the one the ground truth expects."""

    @property
    def recall(self) -> float:
        return self.matched_right / self.matchable if self.matchable else 1.0

    @property
    def precision(self) -> float:
        linked = self.matched_right + self.matched_wrong
        return self.matched_right / linked if linked else 1.0

    def summary(self) -> str:
        return (
            f"Linkage {self.quarter} against ground truth: {self.matched_right:,} of "
            f"{self.matchable:,} matchable signals at their true address (recall "
            f"{self.recall:.2%}), {self.matched_wrong} at a wrong one (precision "
            f"{self.precision:.2%}); {self.status_differs} with another match status than "
            "the ground truth's"
        )


def measure_linkage(con: duckdb.DuckDBPyConnection, truth_dir: Path, key: bytes) -> LinkageQuality:
    """Compare the quarter's matched signals with ``truth_dir/signals.csv``."""
    quarter = truth_dir.name
    truth = pl.read_csv(
        truth_dir / "signals.csv",
        columns=["partner_code", "signaal_id", "adres_id", "fault", "match_status"],
        schema_overrides={"adres_id": pl.String, "signaal_id": pl.String},
    )
    pseudonyms = BatchPseudonymiser(key)
    # compared as decimal text: DuckDB hands a UHUGEINT to Polars as decimal128(38, 0), wrong
    # from 2^127 on (docs/migrations.md, 11)
    truth = truth.with_columns(
        true_adres=pseudonyms.series(pseudo.ADRES, truth.get_column("adres_id")).cast(pl.String),
        signaal_id=pseudonyms.series(pseudo.SIGNAAL, truth.get_column("signaal_id")).cast(
            pl.String
        ),
    )
    linked = con.execute(
        "select partner_code, signaal_id::varchar as signaal_id, match_status, "
        f"adres_pseudo::varchar as adres_pseudo from {MATCHED_SIGNALS} where quarter = ?",
        [quarter],
    ).pl()
    both = truth.join(linked, on=["partner_code", "signaal_id"], how="left")
    matchable = both.filter(pl.col("fault") == "none")
    right = pl.col("adres_pseudo") == pl.col("true_adres")
    wrong = pl.col("adres_pseudo").is_not_null() & ~right.fill_null(False)
    per_status = dict(linked.group_by("match_status").len().sort("match_status").iter_rows())
    expected = truth.filter(pl.col("match_status").is_not_null())
    expected_per_status = dict(expected.group_by("match_status").len().iter_rows())
    compared = expected.join(
        linked, on=["partner_code", "signaal_id"], how="full", suffix="_linked", coalesce=True
    )
    differs = compared.filter(
        pl.col("match_status").ne_missing(pl.col("match_status_linked"))
    ).height
    return LinkageQuality(
        quarter=quarter,
        matchable=matchable.height,
        matched_right=matchable.filter(right).height,
        matched_wrong=both.filter(wrong).height,
        unmatched_matchable=matchable.filter(pl.col("adres_pseudo").is_null()).height,
        per_status={str(k): v for k, v in per_status.items()},
        expected_per_status={str(k): v for k, v in sorted(expected_per_status.items())},
        status_differs=differs,
    )
