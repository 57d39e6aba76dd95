"""Microseconds per keyed pseudonym: the per-value reference against the batch path.

.venv/bin/python -m benchmarks.pseudonyms                  # 1M values of each shape
.venv/bin/python -m benchmarks.pseudonyms --values 100000 --repeats 5

For three shapes of column (all distinct like BSNs, mostly distinct like postcode + house
number, few distinct like the four postcode digits) it times ``pseudonym.pseudonymise`` per
value (one HMAC object per value, as the reference) and ``BatchPseudonymiser.series`` on the
whole column, checks that both give the same pseudonyms, and prints a table in microseconds
per value: wall time and CPU time (all threads of the process), each the least of the
repeats (on a shared machine the CPU time is the steadier figure).
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable

import polars as pl

from orchestration.ingestion import pseudo
from orchestration.ingestion.pseudo import BatchPseudonymiser
from orchestration.pseudonym import new_key, pseudonymise


def columns(n: int, seed: int) -> dict[str, tuple[str, list[str]]]:
    """Name -> (domain, values) for the three shapes, ``n`` values each."""
    rng = random.Random(seed)
    bsns = [str(v) for v in rng.sample(range(100_000_000, 999_999_999), n)]
    letters = "ABCDEFGHJKLMNPRSTVWXZ"
    pchn = [
        f"{rng.randint(1000, 9999)}{rng.choice(letters)}{rng.choice(letters)}:{rng.randint(1, 300)}"
        for _ in range(n)
    ]
    pc4 = [str(rng.randint(1000, 9999)) for _ in range(n)]
    return {
        "bsn (all distinct)": (pseudo.BSN, bsns),
        "pchn (mostly distinct)": (pseudo.PCHN, pchn),
        "pc4 (9,000 distinct)": (pseudo.PC4, pc4),
    }


def timed(run: Callable[[], object], repeats: int) -> tuple[float, float, object]:
    """The least wall and the least CPU seconds of the repeats, and the last result."""
    wall, cpu = [], []
    result = None
    for _ in range(repeats):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = run()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return min(wall), min(cpu), result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--values", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    key = new_key().encode()
    batch = BatchPseudonymiser(key)
    print(f"{args.values:,} values per column, {args.repeats} repeats; us per value")
    print("| column | reference wall | reference CPU | batch wall | batch CPU | equal |")
    print("|---|---:|---:|---:|---:|---|")
    for name, (domain, values) in columns(args.values, args.seed).items():
        series = pl.Series(name, values)
        ref_wall, ref_cpu, ref = timed(
            lambda d=domain, v=values: [pseudonymise(key, d, x) for x in v], args.repeats
        )
        wall, cpu, got = timed(lambda d=domain, s=series: batch.series(d, s), args.repeats)
        per = 1e6 / args.values
        print(
            f"| {name} | {ref_wall * per:.3f} | {ref_cpu * per:.3f} | {wall * per:.3f} "
            f"| {cpu * per:.3f} | {'yes' if got.to_list() == ref else 'NO'} |"
        )


if __name__ == "__main__":
    main()
