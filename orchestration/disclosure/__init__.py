"""Statistical disclosure control of the quarterly area indicators (MONITOR.md, rule 1-2).

| module | does |
|---|---|
| ``model.py`` | cells (period x area x count, plus hidden gemeente remainders), the attacker's relations, within a period and between a period and its quarters |
| ``primary.py`` | primary suppression rules |
| ``secondary.py`` | complements: local (HiTaS-like) fixpoint, then LP-driven repair |
| ``lp.py`` | the attacker's LP: min/max of every suppressed cell, per connected component |
| ``protect.py`` | ``protect_quarter(frame, history=...)``: earlier publications fixed; ``protect_stored_quarter(con, quarter)``: the stage |
| ``audit.py`` | ``audit_publication(published)``: the audit, from the published frame alone (one quarter, or several with their periods); the gate adds protect's true values as a starting point the audit checks before use |

Not here (not production): consistent synthetic quarters (``demo/synthetic_quarter.py``),
the naive whole-buurt rule to compare information loss against
(``benchmarks/disclosure_baseline.py``) and the national-scale timing
(``python -m benchmarks.disclosure``).
"""
