"""Run ``benchmarks/reference.sql`` on one quarter's landing folder (the bare reference).

python -m benchmarks.reference_duckdb LANDING_QUARTER_DIR OUT.parquet [--memory-limit 4GB]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

SCRIPT = Path(__file__).with_name("reference.sql")


def render(landing: Path, out: Path) -> str:
    """The script with its two placeholders filled in."""
    return (
        SCRIPT.read_text(encoding="utf-8")
        .replace("${LANDING}", landing.resolve().as_posix())
        .replace("${OUT}", out.resolve().as_posix())
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("landing", type=Path, help="landing/<quarter> folder")
    parser.add_argument("out", type=Path, help="Parquet file with the counts per area")
    parser.add_argument("--memory-limit", default=None)
    args = parser.parse_args(argv)
    config = {"memory_limit": args.memory_limit} if args.memory_limit else {}
    with duckdb.connect(config=config) as con:
        con.execute(render(args.landing, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
