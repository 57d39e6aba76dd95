"""Dagster assets, one module per stage: ingest, transform, protect, gate, publish."""
