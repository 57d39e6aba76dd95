"""National-scale timing of protect + audit on a synthetic quarter.

.venv/bin/python -m benchmarks.disclosure            # 342 / 3,300 / 14,500
.venv/bin/python -m benchmarks.disclosure --buurten 2000 --wijken 450 --gemeenten 45
"""

from __future__ import annotations

import argparse
import time

from benchmarks.disclosure_baseline import naive_share
from demo.synthetic_quarter import synthetic_quarter
from orchestration.disclosure.audit import audit_publication
from orchestration.disclosure.protect import protect_quarter


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--gemeenten", type=int, default=342)
    parser.add_argument("--wijken", type=int, default=3300)
    parser.add_argument("--buurten", type=int, default=14500)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    frame = synthetic_quarter(args.gemeenten, args.wijken, args.buurten, seed=args.seed)
    print(f"synthetic quarter: {frame.height} cells in {time.perf_counter() - started:.1f}s")
    result = protect_quarter(frame)
    stats = result.stats
    print(
        f"protect: {result.seconds:.1f}s, {result.n_primary} primary + "
        f"{result.n_secondary} secondary = {result.share_suppressed:.1%} of cells suppressed "
        f"(counts {result.share_suppressed_counts:.1%}); {stats.n_local} local complements, "
        f"{stats.n_lp_repairs} LP repairs in {stats.n_lp_rounds} LP rounds "
        f"({stats.n_lp} LPs, {stats.lp_seconds:.1f}s)"
    )
    for level, counts in sorted(result.per_level.items()):
        print(f"  {level:9s} {counts}")
    print(f"naive whole-buurt rule: {naive_share(frame):.1%} of cells suppressed")
    audit = audit_publication(result.published)
    print(audit.summary())
    print(
        f"  largest component {audit.largest_component} cells; exact LPs for {audit.n_exact} cells"
    )
    for row in audit.narrowest[:5]:
        print("  narrowest:", row)
    print(f"protect + audit: {result.seconds + audit.seconds:.1f}s")


if __name__ == "__main__":
    main()
