"""Transform stage: the dbt project (staging, intermediate, marts, monitor) as Dagster assets.

Every node is keyed by the layer it sits in (``MonitorDbtTranslator.get_asset_key``, the rule
of ``contract.warehouse_asset``): a source ``raw/<table>``, the key of the ingest asset that
writes it, so the lineage runs from the ingest assets through every dbt model. The quarter
reaches dbt as the environment variable ``MONITOR_QUARTER`` (read with ``env_var()``), which
keeps dbt's partial parsing; it, the warehouse and the memory limit come from the ``monitor``
resource. The dbt manifest is made anew at import only when it is missing or the project's
files changed since it was made (``dbt_project.prepare_manifest``), so a reload of the code
location picks up an edited model.

Each model's materialization carries Dagster's standard table metadata: its row count (of the
table, and of the quarter in the incremental ones), its table name and its columns with their
types as built (``metadata.table_metadata``); the address-matching model
``int_signalen_matched_to_adressen`` also a table of match rates per partner. DuckDB has one
writer and dbt holds the warehouse until it exits, so dagster-dbt's ``fetch_row_counts()`` and
``fetch_column_metadata()``, which query the warehouse while dbt runs, cannot be used: the
materializations are held back until dbt exits and sent, in dbt's order, with this metadata;
test results are passed on as dbt reports them. The step logs its progress (models and seeds
built of the total, at every quarter of the way) as dbt reports them, for ``monitor run``.
While dbt's process starts up, this one has nothing to do, so the step imports Great
Expectations for the gate then (``gate.suites.import_gx``).
"""

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import duckdb
from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetMaterialization,
    MetadataValue,
    Output,
)
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
)

from orchestration import filemodes
from orchestration.contract import MATCH_RATES_TABLE, MATCH_STATUSES_SEED, warehouse_asset
from orchestration.dbt_project import dbt_project, prepare_manifest
from orchestration.gate.suites import import_gx
from orchestration.ingestion.loader import compact_pseudonyms
from orchestration.metadata import markdown_table, table_metadata
from orchestration.partitions import QUARTERLY_WAREHOUSE_ASSET, quarter_from_partition_key
from orchestration.progress import Progress, progress
from orchestration.resources import MonitorResource

TRANSFORM_GROUP = "transform"
MATCHING_MODEL = "model.buurtmonitor.int_signalen_matched_to_adressen"


@contextmanager
def invocation_environment(env: Mapping[str, str]) -> Iterator[None]:
    """``env`` in the environment while dbt's process starts, the previous values back after.

    ``DbtCliResource.cli()`` takes no environment of its own: it starts dbt with a copy of
    ``os.environ``. This is the one place that sets it, only for that moment (runs are
    serialised: the in-process executor and the ``warehouse`` pool).
    """
    previous = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class MonitorDbtTranslator(DagsterDbtTranslator):
    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        """The key rule of ``contract.warehouse_asset``: the layer the node sits in, then its
        name. A source's layer is its schema (``raw/signalen``: the ingest asset that writes
        it); a model's or seed's is its configured schema (``+schema`` in dbt_project.yml,
        which DuckDB names ``main_<schema>``): ``monitor/mon_area_indicators``."""
        props = dbt_resource_props
        if props["resource_type"] == "source":
            layer = props["schema"]
        else:
            layer = props["config"].get("schema") or "main"
        return AssetKey(warehouse_asset(layer, props["name"]))

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return TRANSFORM_GROUP


@dbt_assets(
    manifest=prepare_manifest(),
    project=dbt_project,
    dagster_dbt_translator=MonitorDbtTranslator(
        settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)
    ),
    **QUARTERLY_WAREHOUSE_ASSET,
)
def dbt_models(context: AssetExecutionContext, dbt: DbtCliResource, monitor: MonitorResource):
    """Seed the parameters, build and test every model for the partition's quarter."""
    quarter = quarter_from_partition_key(context.partition_key)
    built = Progress(len(context.selected_asset_keys), "models and seeds built")
    context.log.info(progress(f"dbt build for {quarter}: {built.total} models and seeds"))
    with monitor.warehouse() as con:
        compact_pseudonyms(con)  # a warehouse of before migration 11, rebuilt without ingesting
    target = filemodes.restricted_dir(monitor.dbt_target)  # compiled SQL, run results, log
    with invocation_environment(monitor.dbt_env(quarter)):
        invocation = dbt.cli(["build"], context=context, target_path=target)
    failed = import_gx()  # the gate's largest fixed cost, while dbt's process starts up
    if failed:
        context.log.warning(f"Great Expectations could not be imported for the gate: {failed}")
    nodes = invocation.manifest["nodes"]
    outputs = []
    tests = 0
    try:
        for event in invocation.stream():
            if isinstance(event, Output | AssetMaterialization):
                outputs.append(event)  # in dbt's (topological) order, annotated once dbt exits
                message = built.advance()
                if message:
                    context.log.info(message)
            else:
                tests += 1
                yield event  # test results as they come
    except Exception:
        yield from outputs  # what dbt did build is still recorded; then the step fails
        raise
    context.log.info(f"dbt build for {quarter}: {built.done} models and seeds, {tests} tests")
    with monitor.warehouse() as con:
        annotated = [_with_table_metadata(con, quarter, nodes, event) for event in outputs]
    yield from annotated


def _with_table_metadata(
    con: duckdb.DuckDBPyConnection,
    quarter: str,
    nodes: Mapping[str, Mapping[str, Any]],
    event: Output | AssetMaterialization,
) -> Output | AssetMaterialization:
    """A table's materialization with its standard table metadata (rows, the quarter's rows,
    name and columns as built: ``metadata.table_metadata``) and, on the matching model, the
    match rates of ``mon_match_rates`` (built in the same dbt run); views (nothing stored to
    count) and other events unchanged."""
    node = nodes.get(getattr(event.metadata.get("unique_id"), "text", None) or "")
    if node is None or node["config"].get("materialized") == "view":
        return event
    descriptions = {name: c.get("description") for name, c in node.get("columns", {}).items()}
    extra = table_metadata(
        con, f"{node['schema']}.{node['alias']}", quarter, descriptions=descriptions
    )
    if node["unique_id"] == MATCHING_MODEL:
        extra.update(match_rate_metadata(con, quarter))
    return event.with_metadata({**event.metadata, **extra})


def match_rate_metadata(con: duckdb.DuckDBPyConnection, quarter: str) -> dict[str, Any]:
    """Per partner, from the dbt model ``mon_match_rates``: signals, how many each matching
    rule placed, how many stayed unmatched and why, and the match rate (signals placed at
    exactly one address; which statuses do that, and their order: ``seeds/match_statuses.csv``)."""
    seed = con.execute(
        f"select match_status, matched from {MATCH_STATUSES_SEED} order by volgorde"
    ).fetchall()
    counts = con.execute(
        f"select partner_code, match_status, n_signalen from {MATCH_RATES_TABLE} where quarter = ?",
        [quarter],
    ).fetchall()
    statuses = [status for status, _ in seed]
    statuses += sorted({status for _, status, _ in counts} - set(statuses))
    matched_statuses = {status for status, matched in seed if matched}
    per_partner: dict[str, dict[str, int]] = {}
    for partner, status, n in counts:
        per_partner.setdefault(partner, {})[status] = n

    def row(label: str, by_status: Mapping[str, int]) -> list[object]:
        total = sum(by_status.values())
        matched = sum(n for s, n in by_status.items() if s in matched_statuses)
        rate = f"{matched / total:.1%}" if total else ""
        return [label, total, rate, *(by_status.get(s, 0) for s in statuses)]

    rows = [row(code, per_partner[code]) for code in sorted(per_partner)]
    overall: dict[str, int] = {}
    for by_status in per_partner.values():
        for status, n in by_status.items():
            overall[status] = overall.get(status, 0) + n
    rows.append(row("**all partners**", overall))
    total = sum(overall.values())
    matched = sum(n for s, n in overall.items() if s in matched_statuses)
    return {
        "match_rates": markdown_table(["partner", "signals", "match rate", *statuses], rows),
        "signals": total,
        "signals_matched": matched,
        "match_rate": MetadataValue.float(round(matched / total, 4) if total else 0.0),
    }
