"""The enforced dbt contract of ``mon_area_indicators``, the table disclosure control reads.

Real ``dbt`` on a copy of the project and the hand-made warehouse (tests/fixtures): the model
builds as a new table and again incrementally with the types its YAML declares; a changed
column type fails the build with dbt's contract error before a row is written, and the rows
already built stay as they were.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
import yaml

try:
    from tests.fixtures import raw_warehouse as fx
    from tests.test_dbt_models import dbt, query
except ImportError:  # tests/ is not a package: pytest put tests/ itself on sys.path
    from fixtures import raw_warehouse as fx  # type: ignore[no-redef]
    from test_dbt_models import dbt, query  # type: ignore[no-redef]

from orchestration.contract import MONITOR_MODEL_TABLE
from orchestration.settings import DBT_PROJECT_DIR, SEEDS_DIR

MODEL = "mon_area_indicators"
MODEL_SQL = Path("models") / "monitor" / f"{MODEL}.sql"
MODEL_YAML = Path("models") / "monitor" / "_monitor__models.yml"
OTHER = "2019Q1"


def declared_types(project: Path) -> dict[str, str]:
    """Column -> data_type as the model's YAML declares them (upper case, DuckDB's spelling)."""
    models = yaml.safe_load((project / MODEL_YAML).read_text())["models"]
    model = next(m for m in models if m["name"] == MODEL)
    assert model["config"]["contract"] == {"enforced": True}
    return {c["name"]: c["data_type"].upper() for c in model["columns"]}


def table_types(warehouse: Path) -> dict[str, str]:
    schema, table = MONITOR_MODEL_TABLE.split(".")
    return dict(
        query(
            warehouse,
            "select column_name, data_type from information_schema.columns "
            "where table_schema = ? and table_name = ? order by ordinal_position",
            [schema, table],
        )
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A copy of the project (its seeds beside it: ``seed-paths: ../seeds``) and a warehouse
    with the model built for one quarter, then rebuilt for it incrementally."""
    work = tmp_path_factory.mktemp("contract")
    project = work / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    shutil.copytree(SEEDS_DIR, work / "seeds")
    warehouse = fx.build_raw_warehouse(work / "warehouse.duckdb")
    seed = dbt(["seed"], warehouse, fx.QUARTER_A, work, project)
    assert seed.returncode == 0, seed.stdout
    for step in range(2):  # a new table, then the incremental path (a temporary table)
        result = dbt(["run", "--select", f"+{MODEL}"], warehouse, fx.QUARTER_A, work, project)
        assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
        if step == 0:  # a row of another quarter, which only an incremental run leaves alone
            with duckdb.connect(str(warehouse)) as con:
                con.execute(
                    f"insert into {MONITOR_MODEL_TABLE} select * replace ('{OTHER}' as quarter) "
                    f"from {MONITOR_MODEL_TABLE} limit 1"
                )
    return {"work": work, "project": project, "warehouse": warehouse}


def test_the_model_has_exactly_the_declared_columns_and_types(built) -> None:
    declared = declared_types(built["project"])
    assert table_types(built["warehouse"]) == declared
    counts = dict(
        query(built["warehouse"], f"select quarter, count(*) from {MONITOR_MODEL_TABLE} group by 1")
    )
    assert counts[fx.QUARTER_A] > 1
    assert counts[OTHER] == 1, "the second run was incremental: other quarters stay"


def test_a_changed_column_type_fails_the_build_and_keeps_the_rows(built) -> None:
    before = query(built["warehouse"], f"select * from {MONITOR_MODEL_TABLE} order by all")
    model = built["project"] / MODEL_SQL
    original = model.read_text()
    # the published value as text instead of DOUBLE: what a careless edit of the model does
    model.write_text(f"select * replace (cast(value as varchar) as value) from (\n{original}\n)\n")
    try:
        result = dbt(
            ["run", "--select", MODEL],
            built["warehouse"],
            fx.QUARTER_A,
            built["work"],
            built["project"],
        )
    finally:
        model.write_text(original)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "This model has an enforced contract that failed" in output, output
    mismatch = next(line for line in output.splitlines() if "data type mismatch" in line)
    assert [c.strip() for c in mismatch.strip(" |").split("|")][:3] == [
        "value",
        "VARCHAR",
        "DOUBLE",
    ]
    assert table_types(built["warehouse"])["value"] == "DOUBLE"
    assert query(built["warehouse"], f"select * from {MONITOR_MODEL_TABLE} order by all") == before
