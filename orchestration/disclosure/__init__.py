"""Statistical disclosure control of the quarterly area indicators (MONITOR.md, rule 1-2).

| module | does |
|---|---|
| ``model.py`` | cells (area x count, plus hidden gemeente remainders), the attacker's relations |
| ``primary.py`` | primary suppression rules |
| ``secondary.py`` | complements: local (HiTaS-like) fixpoint, then LP-driven repair |
| ``lp.py`` | the attacker's LP: min/max of every suppressed cell, per connected component |
| ``protect.py`` | ``protect_quarter(frame)``: the entry point of the protect asset |
| ``audit.py`` | ``audit_publication(published)``: the audit, from the published frame alone |
| ``baseline.py`` | a naive whole-buurt rule, to compare information loss against |
| ``synthetic.py`` | consistent synthetic quarters (tests, benchmark) |
| ``benchmark.py`` | ``python -m orchestration.disclosure.benchmark``: national-scale timing |
"""
