"""Every SQL example of docs/analyst-guide.md runs on a published monitor.duckdb, opened
read-only as the guide says, and returns rows: the examples stay true to the schema."""

from __future__ import annotations

import re

import duckdb
import pytest

from .conftest import REPO
from .published_sample import publish_sample

GUIDE = REPO / "docs" / "analyst-guide.md"


def sql_examples() -> list[str]:
    return re.findall(r"```sql\n(.*?)```", GUIDE.read_text(encoding="utf-8"), flags=re.S)


def test_the_guide_has_examples() -> None:
    assert len(sql_examples()) >= 8


@pytest.fixture(scope="module")
def monitor_file(tmp_path_factory: pytest.TempPathFactory):
    return publish_sample(tmp_path_factory.mktemp("guide"), ["2026Q2", "2026Q3"]).monitor


@pytest.mark.parametrize("sql", sql_examples(), ids=lambda sql: " ".join(sql.split())[:60])
def test_example_runs_on_the_published_file(sql: str, monitor_file, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # an export example writes into the working directory
    with duckdb.connect(str(monitor_file), read_only=True) as con:
        result = con.execute(sql)
        if sql.lstrip().lower().startswith("copy"):
            [target] = re.findall(r"to '([^']+)'", sql)
            lines = (tmp_path / target).read_text(encoding="utf-8").splitlines()
            assert len(lines) > 1, "a header and data rows"
        else:
            assert result.fetchall(), "the example returns rows on a published quarter"
