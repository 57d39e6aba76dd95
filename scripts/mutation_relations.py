"""Mutants of the attacker model's relation tables, which mutmut does not touch (it mutates
code inside functions, not module-level constants): every relation of
``orchestration/contract.py`` (which the attacker model builds on) dropped in turn, and the audit's width tolerance widened.

Each mutant runs in its own process: the module attribute is replaced before the tests import
anything from it (``default_relations`` is built on first use), no file is changed. A mutant
is killed when the tests fail. Run by ``scripts/mutation``; prints one line per mutant.
"""

from __future__ import annotations

import subprocess
import sys

TESTS = ["tests/test_disclosure_intervals.py", "tests/test_disclosure_oracle.py"]

EQUIVALENT = {
    "drop hh_met_signaal <= signalen": "implied by hh_met_signaal + hh_meerdere_signalen "
    "<= signalen and hh_meerdere_signalen >= 0: the attacker's polyhedron is the same",
    "drop hh_meerdere_signalen + hh_meerdere_signalen <= signalen": "implied by "
    "hh_meerdere_signalen <= hh_met_signaal and hh_met_signaal + hh_meerdere_signalen <= "
    "signalen (contract.py keeps it explicit for the local rule of secondary.py)",
}
"""Mutants that cannot change what the audit derives, and why."""

RUN = """
import sys
import pytest
import orchestration.contract as contract
import orchestration.disclosure.audit as audit
{patch}
sys.exit(pytest.main(["-x", "-q", "-p", "no:cacheprovider", *{tests!r}]))
"""


def mutants() -> list[tuple[str, str]]:
    from orchestration import contract

    out = []
    for i, (parts, total) in enumerate(contract.SUBSET_BOUNDS):
        out.append(
            (
                f"drop {' + '.join(parts)} <= {total}",
                f"contract.SUBSET_BOUNDS = contract.SUBSET_BOUNDS[:{i}] + contract.SUBSET_BOUNDS[{i + 1}:]",
            )
        )
    for i, (total, prefix) in enumerate(contract.SUM_RELATIONS):
        out.append(
            (
                f"drop {total} = sum({prefix}*)",
                f"contract.SUM_RELATIONS = contract.SUM_RELATIONS[:{i}] + contract.SUM_RELATIONS[{i + 1}:]",
            )
        )
    out.append(("audit tolerance 1 instead of AUDIT_TOL", "audit.AUDIT_TOL = 1.0"))
    return out


def main() -> int:
    survived = 0
    for name, patch in mutants():
        code = RUN.format(patch=patch, tests=TESTS)
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        if result.returncode != 0:
            print(f"killed     {name}", flush=True)
        elif name in EQUIVALENT:
            print(f"equivalent {name}: {EQUIVALENT[name]}", flush=True)
        else:
            survived += 1
            print(f"SURVIVED   {name}", flush=True)
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main())
