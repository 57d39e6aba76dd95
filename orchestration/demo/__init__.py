"""Demo extract generator: realistic, reproducible landing files for one quarter.

Public API (see :mod:`orchestration.demo.generator`)::

    from orchestration.demo.generator import GeneratorConfig, generate
    summary = generate(GeneratorConfig(quarter="2026Q3", seed=42, geography="amsterdam"), paths)

Modules:

- ``geography``  the Amsterdam CBS reference or synthetic gemeenten/wijken/buurten
- ``population`` BAG addresses, BRP residents in households, benefit and debt-help spells
- ``signals``    partner signals, faults, partner files, case outcomes, ground truth
- ``dialects``   the per-partner CSV dialect table (``DIALECTS``) and the writer
- ``names``      word lists for fake personal data, streets and areas
- ``common``     seeded random streams and small array helpers
"""
