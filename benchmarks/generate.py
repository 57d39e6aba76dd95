"""Generate one benchmark scale's landing files (run in its own process by ``benchmarks.run``).

    python -m benchmarks.generate --data-dir /tmp/monitor-benchmark/scale_0.1 --scale 0.1

National scale (1.0) is 8.4M households in 342 gemeenten, 3,300 wijken and 14,500 buurten
(the synthetic geography's national proportions) with ``SIGNALS_PER_1000_RESIDENTS`` signals
in the quarter: about 4M for 18M residents.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

NATIONAL_HOUSEHOLDS = 8_400_000

SIGNALS_PER_1000_RESIDENTS = 222.0
"""The one place the benchmark's signal volume is set: 4M signals on 18M residents in the
quarter. The generator's default (13.2 per 1,000 residents, after the Divosa monitor) would
give about 240k; the issue asks for 4M as headroom."""


def households_for(scale: float) -> int:
    return max(1_000, round(NATIONAL_HOUSEHOLDS * scale))


def generate_scale(data_dir: Path, scale: float, quarter: str, seed: int) -> dict[str, object]:
    """Write the landing files (and ground truth) of one scale into ``data_dir``."""
    from demo.generator import GeneratorConfig, generate
    from demo.provenance import mark_generated
    from demo.signals import Rates
    from orchestration.settings import Paths

    config = GeneratorConfig(
        quarter=quarter,
        seed=seed,
        geography="synthetic",
        households=households_for(scale),
        rates=Rates(signals_per_1000_residents=SIGNALS_PER_1000_RESIDENTS),
    )
    summary = generate(config, Paths(data_dir))
    mark_generated(Paths(data_dir), quarter, config)
    return summary.to_dict()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--scale", type=float, required=True)
    parser.add_argument("--quarter", default="2026Q3")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    summary = generate_scale(args.data_dir, args.scale, args.quarter, args.seed)
    summary.pop("files", None)
    summary.pop("ground_truth", None)
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
