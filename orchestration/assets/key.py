"""The pseudonym key, checked once at the start of a quarter's run.

Every ingest asset depends on ``audit/pseudonym_key``: a missing or weak key, or a key other
than the warehouse's, fails this one step with the problem and the fix, and every ingest step
after it is skipped (instead of sixteen steps failing with the same error). It also records
the key's fingerprint in ``audit.pseudonym_key`` on a new warehouse, and replaces a legacy
fingerprint by the scrypt one (orchestration/pseudonym.py).
"""

from dagster import AssetExecutionContext, AssetKey, Failure, MaterializeResult, asset

from orchestration.contract import warehouse_asset
from orchestration.metadata import table_metadata
from orchestration.partitions import QUARTERLY_WAREHOUSE_ASSET
from orchestration.pseudonym import KEY_TABLE, KeyMismatchError, check_warehouse_key
from orchestration.resources import MonitorResource

PSEUDONYM_KEY_ASSET = AssetKey(warehouse_asset("audit", "pseudonym_key"))


@asset(
    key=PSEUDONYM_KEY_ASSET,
    **QUARTERLY_WAREHOUSE_ASSET,
    group_name="ingest",
    kinds={"duckdb"},
    description=f"Checks the pseudonym key before anything is ingested: configured, a proper "
    f"random key, and the key the warehouse was built with ({KEY_TABLE} keeps its scrypt "
    "fingerprint, never the key).",
)
def pseudonym_key(context: AssetExecutionContext, monitor: MonitorResource) -> MaterializeResult:
    key = monitor.pseudonym_key()  # Failure with the fix when missing or weak
    with monitor.warehouse() as con:
        try:
            check_warehouse_key(con, key)
        except KeyMismatchError as error:
            raise Failure(description=str(error)) from None
        status = con.execute(f"select status from {KEY_TABLE}").fetchone()[0]
        table = table_metadata(con, KEY_TABLE)
    context.log.info(f"pseudonym key checked ({status})")
    return MaterializeResult(metadata={"status": status, **table})
