"""The asset-key rule (docs/architecture.md, *Asset keys*): every key starts with the warehouse
layer its data sits in, with ``published`` for what is written to the analysts' file, or with
``partners`` for the partner files, and only that. Asserted over every key of the code location, and over a real run's tables."""

from __future__ import annotations

import json

import pytest
from dagster import AssetKey, DagsterInstance

from orchestration.assets.transform import MonitorDbtTranslator
from orchestration.contract import (
    PARTNER_FILES_ASSET,
    PARTNERS_LAYER,
    PUBLISHED_ASSET,
    PUBLISHED_LAYER,
    PUBLISHED_SCHEMA,
    WAREHOUSE_LAYERS,
    ContractError,
    asset_location,
)
from orchestration.dbt_project import dbt_project
from orchestration.definitions import defs

PUBLISHED_CATALOG = "monitor"
"""DuckDB names a file's catalog after the file: ``monitor.duckdb`` is ``monitor``."""


def all_keys() -> set[AssetKey]:
    return set(defs.resolve_asset_graph().get_all_asset_keys())


def test_every_key_is_a_warehouse_layer_published_or_the_partner_files() -> None:
    keys = all_keys()
    outside = [
        k.to_user_string()
        for k in keys
        if k.path[0] not in {*WAREHOUSE_LAYERS, PUBLISHED_LAYER, PARTNERS_LAYER}
    ]
    assert not outside, outside
    assert {k for k in keys if k.path[0] == PUBLISHED_LAYER} == {AssetKey(PUBLISHED_ASSET)}
    assert {k for k in keys if k.path[0] == PARTNERS_LAYER} == {AssetKey(PARTNER_FILES_ASSET)}
    assert not [k for k in keys if len(k.path) == 1], "no key without its layer"


def test_every_description_ends_with_where_the_data_sits() -> None:
    graph = defs.resolve_asset_graph()
    for key in all_keys():
        description = graph.get(key).description or ""
        assert description.endswith(asset_location(key.path)), key.to_user_string()
        published = key.path[0] == PUBLISHED_LAYER
        sent = key.path[0] == PARTNERS_LAYER
        assert description.endswith("monitor.duckdb.") == published, key.to_user_string()
        assert description.endswith("its figures only.") == sent, key.to_user_string()
        assert ("Restricted" in description) != (published or sent), key.to_user_string()


def test_dbt_nodes_are_keyed_by_the_schema_they_are_built_in() -> None:
    """Every model and seed under its configured schema (DuckDB's ``main_<schema>``), every
    source under its own schema: dbt's catalog and Dagster's say the same place."""
    manifest = json.loads((dbt_project.manifest_path).read_text())
    keys = all_keys()
    nodes = [
        n for n in manifest["nodes"].values() if n["resource_type"] in {"model", "seed"}
    ] + list(manifest["sources"].values())
    assert len(nodes) > 30
    for node in nodes:
        layer = node["schema"].removeprefix("main_")
        assert AssetKey([layer, node["name"]]) in keys, node["unique_id"]
    models = {n["name"] for n in nodes if n["resource_type"] == "model"}
    assert "mon_area_indicators" in models
    assert AssetKey(["monitor", "mon_area_indicators"]) in keys


def test_a_model_outside_the_layers_does_not_load() -> None:
    translator = MonitorDbtTranslator()
    unlayered = {"resource_type": "model", "name": "mon_nieuw", "config": {"schema": None}}
    with pytest.raises(ContractError, match="no layer of the warehouse"):
        translator.get_asset_key(unlayered)
    elsewhere = {"resource_type": "model", "name": "x", "config": {"schema": "published"}}
    with pytest.raises(ContractError, match="'published' is no layer"):
        translator.get_asset_key(elsewhere)


def test_a_real_runs_tables_lie_where_their_keys_say(pipeline_baseline) -> None:
    """Exactly the assets whose table is in ``monitor.duckdb`` are ``published/``; every other
    table asset's key is the warehouse schema (without ``main_``) and table it wrote."""
    data_dir, _ = pipeline_baseline
    with DagsterInstance.from_config(str(data_dir / "dagster_home")) as instance:
        tables = {}
        for key in instance.get_asset_keys():
            event = instance.get_latest_materialization_event(key)
            name = event and event.asset_materialization.metadata.get("dagster/table_name")
            if name is not None:
                tables[key] = name.value
    assert len(tables) > 30
    in_published_file = {k for k, t in tables.items() if t.split(".")[0] == PUBLISHED_CATALOG}
    assert in_published_file == {k for k in all_keys() if k.path[0] == PUBLISHED_LAYER}
    assert tables[AssetKey(PUBLISHED_ASSET)] == f"monitor.{PUBLISHED_SCHEMA}.area_indicators"
    for key, name in tables.items():
        catalog, schema, table = name.split(".")
        if catalog == PUBLISHED_CATALOG:
            assert key.path[1] == table, key
        else:
            assert catalog == "warehouse", key
            assert key.path[:2] == [schema.removeprefix("main_"), table], (key, name)
