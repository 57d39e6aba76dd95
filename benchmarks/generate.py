"""Generate one benchmark scale's landing files (run in its own process by ``benchmarks.run``).

    python -m benchmarks.generate --data-dir /tmp/monitor-benchmark/scale_0.1 --scale 0.1

National scale (1.0) is 8.4M households in 342 gemeenten, 3,300 wijken and 14,500 buurten
(the synthetic geography's national proportions) with the signal volume of a profile
(``PROFILES``): about 4M signals for 18M residents in the quarter (``stress``, the default) or
about 240k (``realistic``).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

from demo.signals import Rates

NATIONAL_HOUSEHOLDS = 8_400_000

PROFILES = {"stress": 222.0, "realistic": Rates.signals_per_1000_residents}
"""The one place the benchmark's signal volume is set, signals per 1,000 residents in the
quarter. ``stress``: 4M signals on 18M residents, the headroom issue 9 asked for.
``realistic``: the generator's default (``demo.signals.Rates``), the national volume after
the Divosa monitor (4.4 per 1,000 inwoners per month: about 240k in a quarter; issue 18)."""
DEFAULT_PROFILE = "stress"


def households_for(scale: float) -> int:
    return max(1_000, round(NATIONAL_HOUSEHOLDS * scale))


def history_quarters(quarter: str, history: int) -> list[str]:
    """The ``history`` quarters before ``quarter``, oldest first."""
    from orchestration.quarters import previous_quarter

    earlier = [quarter]
    for _ in range(history):
        earlier.append(previous_quarter(earlier[-1]))
    return earlier[:0:-1]


def generate_scale(
    data_dir: Path,
    scale: float,
    quarter: str,
    seed: int,
    profile: str = DEFAULT_PROFILE,
    history: int = 0,
) -> dict[str, object]:
    """Write the landing files (and ground truth) of one scale and profile into ``data_dir``:
    those of ``quarter`` and of the ``history`` quarters before it (one city: the same
    households, moving and signalled again); the summary is ``quarter``'s."""
    from demo.generator import GeneratorConfig, generate_quarters
    from demo.provenance import mark_generated
    from orchestration.settings import Paths

    config = GeneratorConfig(
        quarter=quarter,
        seed=seed,
        geography="synthetic",
        households=households_for(scale),
        rates=Rates(signals_per_1000_residents=PROFILES[profile]),
    )
    quarters = [*history_quarters(quarter, history), quarter]
    summaries = generate_quarters(config, quarters, Paths(data_dir))
    for written in quarters:
        mark_generated(Paths(data_dir), written, dataclasses.replace(config, quarter=written))
    return summaries[-1].to_dict()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--scale", type=float, required=True)
    parser.add_argument("--quarter", default="2026Q3")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--profile", choices=sorted(PROFILES), default=DEFAULT_PROFILE)
    parser.add_argument("--history", type=int, default=0, help="earlier quarters to generate")
    args = parser.parse_args(argv)
    summary = generate_scale(
        args.data_dir, args.scale, args.quarter, args.seed, args.profile, args.history
    )
    summary.pop("files", None)
    summary.pop("ground_truth", None)
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
