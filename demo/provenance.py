"""The marker a generated landing quarter carries, so that its publication says ``synthetic``.

Written when the files are generated (``monitor generate``, ``monitor demo``, the benchmark);
ingestion records it (``orchestration/ingestion/provenance.py``).
"""

from __future__ import annotations

import json
from dataclasses import asdict, is_dataclass

from orchestration.ingestion.provenance import PROVENANCE_FILE
from orchestration.settings import Paths


def mark_generated(paths: Paths, quarter: str, config: object) -> None:
    """Write the marker into ``landing/<quarter>``: generated, by what, with which config (no
    time: the same config still gives the same files)."""
    folder = paths.landing_dir(quarter)
    folder.mkdir(parents=True, exist_ok=True)
    settings = asdict(config) if is_dataclass(config) else {"config": str(config)}
    marker = {
        "synthetic": True,
        "generator": type(config).__module__,
        "config": settings,
    }
    (folder / PROVENANCE_FILE).write_text(
        json.dumps(marker, indent=2, default=str) + "\n", encoding="utf-8"
    )
