"""Where a landing quarter's data comes from: delivered, or generated (demo data).

A generator writes ``PROVENANCE_FILE`` into the landing quarter when it makes the files
(``demo/provenance.py``); ingestion records it in ``audit.quarter_provenance`` (one row per
quarter: ``synthetic``, ``recorded_at`` UTC, ``detail`` = the marker's generator and seed, never
its free text), and publication
marks the quarter's ``publication_log`` row ``synthetic`` from that table. A quarter whose
landing folder is gone keeps what was recorded when it was there.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import duckdb

PROVENANCE_FILE = "GENERATED.json"
"""In ``landing/<quarter>/`` (beside the source folders): the quarter's files are generated."""
PROVENANCE_TABLE = "audit.quarter_provenance"
_MODULE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]{0,99}")


def marker_detail(text: str) -> str:
    """What the warehouse keeps of a marker: the generator's module name and its seed. The rest
    of the file (the generator's config) stays in the landing folder: the warehouse takes no
    free text from a landing file."""
    try:
        marker = json.loads(text)
    except ValueError:
        return "unreadable marker"
    if not isinstance(marker, dict):
        return "unreadable marker"
    generator = marker.get("generator")
    config = marker.get("config")
    seed = config.get("seed") if isinstance(config, dict) else None
    parts = []
    if isinstance(generator, str) and _MODULE_NAME.fullmatch(generator):
        parts.append(f"generator={generator}")
    if isinstance(seed, int) and not isinstance(seed, bool):
        parts.append(f"seed={seed}")
    return "; ".join(parts) or "marker without generator"


def record_provenance(con: duckdb.DuckDBPyConnection, quarter: str, landing: Path) -> bool | None:
    """Record whether ``landing/<quarter>`` holds generated data; None (nothing recorded) when
    the folder does not exist. Returns the recorded ``synthetic``."""
    folder = landing / quarter
    if not folder.is_dir():
        return None
    marker = folder / PROVENANCE_FILE
    detail = (
        marker_detail(marker.read_text(encoding="utf-8", errors="replace"))
        if marker.is_file()
        else None
    )
    con.execute("create schema if not exists audit")
    con.execute(
        f"create table if not exists {PROVENANCE_TABLE} (quarter VARCHAR primary key, "
        "synthetic BOOLEAN not null, recorded_at TIMESTAMP not null, detail VARCHAR)"
    )
    con.execute(
        f"insert or replace into {PROVENANCE_TABLE} values (?, ?, ?, ?)",
        [quarter, detail is not None, datetime.now(UTC).replace(tzinfo=None), detail],
    )
    return detail is not None


def is_synthetic(con: duckdb.DuckDBPyConnection, quarter: str) -> bool:
    """Whether the quarter's ingested data was recorded as generated (False when unrecorded)."""
    exists = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'audit' and table_name = 'quarter_provenance'"
    ).fetchone()[0]
    if not exists:
        return False
    row = con.execute(
        f"select synthetic from {PROVENANCE_TABLE} where quarter = ?", [quarter]
    ).fetchone()
    return bool(row and row[0])
