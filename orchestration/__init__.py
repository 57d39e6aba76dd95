"""Vroegsignalering buurtmonitor: the Dagster code location and the code it calls."""
