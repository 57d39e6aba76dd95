"""Partner feedback: each partner's figures protected, audited, then written to its file.

Three steps like the monitor's, on dbt's ``mon_partner_indicators``:

- ``disclosure/partner_indicators_candidate`` protects each partner's figures on their own
  (``partners.protect``);
- its blocking check ``partner_disclosure_audit`` runs the LP audit per partner; when one
  fails, Dagster does not run the next step and no partner file changes;
- ``partners/terugkoppeling`` writes ``data/partners/<partner>.duckdb`` and ``.csv``
  (``partners.files``), after the monitor's quarter was published: a quarter the monitor's
  gate stops goes to no partner either. Its metadata shows per partner what was delivered
  and what came of it.
"""

import warnings

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    Failure,
    MaterializeResult,
    MetadataValue,
    PreviewWarning,
    asset,
    multi_asset_check,
)

from orchestration.contract import (
    PARTNER_AUDIT_CHECK_NAME,
    PARTNER_CANDIDATE_ASSET,
    PARTNER_CANDIDATE_TABLE,
    PARTNER_FILES_ASSET,
    PARTNER_MODEL_ASSET,
    PUBLISHED_ASSET,
)
from orchestration.disclosure.protect import NothingToProtectError
from orchestration.metadata import markdown_table, table_metadata
from orchestration.partitions import (
    QUARTERLY_WAREHOUSE_ASSET,
    quarter_from_partition_key,
    quarterly_partitions,
)
from orchestration.partners.files import PartnerFileError, write_partner_files
from orchestration.partners.protect import audit_stored_partners, protect_stored_partners
from orchestration.partners.summary import funnel_rows
from orchestration.resources import MonitorResource

PARTNER_CANDIDATE_KEY = AssetKey(PARTNER_CANDIDATE_ASSET)


@asset(
    key=PARTNER_CANDIDATE_KEY,
    deps=[AssetKey(PARTNER_MODEL_ASSET)],
    group_name="protect",
    kinds={"python", "duckdb"},
    **QUARTERLY_WAREHOUSE_ASSET,
    description="Each partner's figures of the quarter after primary and secondary "
    "suppression, protected on their own (value NULL where suppressed). Audited, then "
    "written to the partner files.",
)
def partner_indicators_candidate(
    context: AssetExecutionContext, monitor: MonitorResource
) -> MaterializeResult:
    quarter = quarter_from_partition_key(context.partition_key)
    with monitor.warehouse() as con:
        try:
            results = protect_stored_partners(con, quarter)
        except NothingToProtectError as error:
            raise Failure(str(error)) from error
        table = table_metadata(con, PARTNER_CANDIDATE_TABLE, quarter)
    context.log.info(
        f"{quarter}: {len(results)} partners, "
        f"{sum(r.n_primary for r in results.values())} primary and "
        f"{sum(r.n_secondary for r in results.values())} secondary suppressions"
    )
    left_out = sorted({p for r in results.values() for p in r.left_out_periods})
    if left_out:
        context.log.warning(
            f"{quarter}: partner figures not published: {', '.join(left_out)} (as for the "
            "monitor's figures: docs/migrations.md 14)"
        )
    return MaterializeResult(
        metadata={
            "quarter": quarter,
            "partners": len(results),
            "periods_left_out": ", ".join(left_out) or "none",
            "suppressions": markdown_table(
                ["partner", "cells", "primary", "secondary"],
                [(p, r.n_cells, r.n_primary, r.n_secondary) for p, r in results.items()],
            ),
            **table,
        }
    )


with warnings.catch_warnings():
    warnings.simplefilter("ignore", PreviewWarning)  # partitioned checks: see assets/gate.py
    PARTNER_AUDIT_SPEC = AssetCheckSpec(
        PARTNER_AUDIT_CHECK_NAME,
        asset=PARTNER_CANDIDATE_KEY,
        blocking=True,
        partitions_def=quarterly_partitions,
        description="The LP disclosure audit of every partner's figures (the monitor's "
        "audit, with the partner's relations): fails when a suppressed count of a partner can "
        "be narrowed below protection_width or a published cell breaks a rule. Then no partner "
        "file changes; see the narrowest cells in the metadata.",
    )


@multi_asset_check(
    specs=[PARTNER_AUDIT_SPEC], name="partner_gate", compute_kind="python", pool="warehouse"
)
def partner_audit(context: AssetCheckExecutionContext, monitor: MonitorResource):
    quarter = quarter_from_partition_key(context.partition_key)
    with monitor.warehouse() as con:
        audits = audit_stored_partners(con, quarter)
    failed = [p for p, a in audits.items() if not a.passed]
    for partner, audit in audits.items():
        context.log.debug(f"{quarter} {partner}: {audit.summary()}")
    checked = sum(a.n_checked for a in audits.values())
    context.log.info(
        f"{quarter}: {len(audits)} partners audited, {checked} suppressed counts checked; "
        + (f"FAILED: {', '.join(failed)}" if failed else "all passed")
    )
    yield AssetCheckResult(
        asset_key=PARTNER_CANDIDATE_KEY,
        check_name=PARTNER_AUDIT_CHECK_NAME,
        passed=not failed,
        severity=AssetCheckSeverity.ERROR,
        description=(
            f"{len(audits)} partners audited, all passed"
            if not failed
            else f"audit FAILED for {', '.join(failed)}"
        ),
        metadata={
            "quarter": quarter,
            "audits": markdown_table(
                ["partner", "checked", "too narrow", "violations", "narrowest", "width"],
                [
                    (
                        p,
                        a.n_checked,
                        len(a.failures),
                        len(a.violations),
                        f"{a.narrowest[0][0]} {a.narrowest[0][1]}" if a.narrowest else "",
                        round(a.narrowest[0][4], 2) if a.narrowest else "",
                    )
                    for p, a in audits.items()
                ],
            ),
            "violations": MetadataValue.md(
                "\n".join(f"- {p}: {v}" for p, a in audits.items() for v in a.violations) or "none"
            ),
        },
    )


@asset(
    key=AssetKey(PARTNER_FILES_ASSET),
    deps=[PARTNER_CANDIDATE_KEY, AssetKey(PUBLISHED_ASSET)],
    group_name="publish",
    kinds={"duckdb", "csv"},
    **QUARTERLY_WAREHOUSE_ASSET,
    description="One file per partner (`data/partners/<partner>.duckdb` and `.csv`) with that "
    "partner's protected figures per gemeente, its delivery and its quarantined rows per "
    "reason; the quarter's rows are replaced, other quarters stay. Written only after the "
    "partner audit passed and the monitor's quarter was published (its gate passed). "
    "`monitor partner-report` makes a page of it.",
)
def partner_files(context: AssetExecutionContext, monitor: MonitorResource) -> MaterializeResult:
    quarter = quarter_from_partition_key(context.partition_key)
    with monitor.warehouse() as con:
        try:
            written = write_partner_files(con, quarter, monitor.paths)
        except PartnerFileError as error:
            raise Failure(str(error)) from error
        headers, rows = funnel_rows(con, quarter)
    kept = [f.partner for f in written if f.kept]
    context.log.info(f"{quarter}: wrote {len(written)} partner files to {monitor.paths.partners}")
    if kept:
        context.log.warning(
            f"{quarter}: the files of {', '.join(kept)} already held other figures of the "
            "quarter and keep them (a quarter goes to a partner once); `monitor "
            "partner-withdraw` removes the quarter from a file to send a second version"
        )
    return MaterializeResult(
        metadata={
            "quarter": quarter,
            "path": MetadataValue.path(str(monitor.paths.partners)),
            "partners": len(written),
            "kept_earlier_figures": MetadataValue.json(kept),
            "delivered_and_what_came_of_it": markdown_table(headers, rows),
        }
    )
