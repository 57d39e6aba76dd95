"""Small helpers shared by the demo generator modules: seeded randomness and dates.

Every random stream is a numpy ``Generator`` seeded from ``(seed, purpose[, quarter])``
through a ``SeedSequence``; purposes are turned into integers with CRC-32, never with
Python's ``hash()`` (which is salted per process), so a run is reproducible byte for byte.
"""

from __future__ import annotations

import zlib
from datetime import date

import numpy as np

EPOCH = date(1970, 1, 1)
ANCHOR = date(2026, 1, 1)
"""Reference date of the registers: ages are drawn at this date and turned into fixed birth
dates, so the same seed gives the same residents in every quarter (they simply grow older)."""

SPELL_WINDOW = (date(2018, 1, 1), date(2030, 12, 31))
"""Benefit and debt-help spells start inside this window (register history, quarter-free)."""


def _purpose_key(purpose: str) -> int:
    return zlib.crc32(purpose.encode("utf-8"))


def quarter_key(quarter: str) -> int:
    """'2026Q3' -> 20263 (an integer for seeding)."""
    return int(quarter[:4]) * 10 + int(quarter[5])


def rng_for(seed: int, purpose: str, quarter: str | None = None) -> np.random.Generator:
    """An independent, reproducible random stream for one purpose (and quarter)."""
    entropy = [int(seed) & 0xFFFFFFFF, int(seed) >> 32 & 0xFFFFFFFF, _purpose_key(purpose)]
    if quarter is not None:
        entropy.append(quarter_key(quarter))
    return np.random.default_rng(np.random.SeedSequence(entropy))


def day_number(day: date) -> int:
    """Days since 1970-01-01."""
    return (day - EPOCH).days


def days_to_iso(days: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 -> array of 'YYYY-MM-DD' strings."""
    return np.datetime_as_string(np.asarray(days, dtype="int64").astype("datetime64[D]"), unit="D")


def splitmix64(values: np.ndarray, salt: int = 0) -> np.ndarray:
    """A fast, stable 64-bit hash of integers (vectorised); used for per-entity fake data
    (names, phone numbers) that must stay the same across quarters."""
    with np.errstate(over="ignore"):
        z = np.asarray(values, dtype=np.uint64) + np.uint64(salt & 0xFFFFFFFFFFFFFFFF)
        z = z + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def group_starts(sorted_keys: np.ndarray) -> np.ndarray:
    """For keys sorted ascending: a boolean array, True where a new group begins."""
    starts = np.ones(len(sorted_keys), dtype=bool)
    if len(sorted_keys) > 1:
        starts[1:] = sorted_keys[1:] != sorted_keys[:-1]
    return starts


def rank_in_group(sorted_keys: np.ndarray) -> np.ndarray:
    """0-based position of each element within its run of equal (sorted) keys."""
    n = len(sorted_keys)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    starts = group_starts(sorted_keys)
    idx = np.arange(n)
    start_pos = np.maximum.accumulate(np.where(starts, idx, 0))
    return idx - start_pos
