"""Not production: what makes data that is not real. The pipeline (``orchestration/``) never
imports this package; the ``monitor generate`` and ``monitor demo`` commands, the tests and
the benchmarks do.

Demo extract generator: realistic, reproducible landing files for one quarter, or several
quarters of one city (``generate_quarters``).

Public API (see :mod:`demo.generator`)::

    from demo.generator import GeneratorConfig, generate
    summary = generate(GeneratorConfig(quarter="2026Q3", seed=42, geography="amsterdam"), paths)

Modules:

- ``geography``  a reference area file (Amsterdam's CBS export by default) or synthetic
                 gemeenten/wijken/buurten; each gemeente's PC4 range (``allocate_pc4``)
- ``population`` BAG addresses, BRP residents in households, benefit and debt-help spells
- ``history``    what changes between quarters: moves, repeat signals, season and trend
- ``signals``    partner signals, faults, partner files, case outcomes, ground truth
- ``personas``   the households' personas; their chances to be reached and accept help
- ``dialects``   the per-partner CSV dialect table (``DIALECTS``) and the writer
- ``names``      word lists for fake personal data, streets and areas
- ``common``     seeded random streams and small array helpers
- ``linkage``    how well the pipeline linked signals to their true address (ground truth)
- ``provenance`` the marker that says a landing quarter was generated (``synthetic``)

Synthetic tables for tests and trying things by hand:

- ``sample_publication`` a tiny consistent candidate publication for the gate
- ``synthetic_quarter``  national-size quarters in the shape of ``mon_area_indicators``
"""
