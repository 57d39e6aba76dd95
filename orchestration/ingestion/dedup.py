"""Duplicate keys within one (quarter, source) load: which rows keep a key, and who beat them.

Files are loaded one after the other in precedence order (:mod:`.deliveries`: the latest
delivery first), and within a file in line order. A row whose key (``SourceSpec.
duplicate_key``, e.g. ``signaal_id``) was kept earlier is not loaded: if the earlier row is in
the same file it is a duplicate (``SourceSpec.duplicate_reason``), if it is in another file
the row is superseded by that file (see :func:`quarantine_reason`).

The keys kept are held in memory as 128-bit fingerprints (two 64-bit hashes with independent
seeds, in sorted arrays, with the index of the file that holds each: 20 bytes a key, 360 MB
for the national BRP), so a chunk is checked in time that hardly grows with the rows before
it; checking each chunk against the loaded rows in DuckDB cost 0.5-0.7 s per chunk at
national scale. Two keys share a fingerprint with a probability of about n^2 / 2^129 (1e-25
for 18M keys): the same bound as two BSNs sharing their 128-bit pseudonym, which the
warehouse already relies on.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

NOT_SEEN = -1
_SECOND_SEED = 0x9E3779B97F4A7C15


def quarantine_reason(duplicate_reason: str, owner: int, file_index: int, names: list[str]) -> str:
    """The reason of a row whose key was kept from file ``owner`` (an index into ``names``)."""
    if owner == file_index:
        return duplicate_reason
    return f"superseded by {names[owner]}"


class SeenKeys:
    """The keys kept so far, each with the index of the file that holds it."""

    def __init__(self, key: Sequence[str]) -> None:
        self.key = list(key)
        self.first = np.empty(0, dtype=np.uint64)
        self.second = np.empty(0, dtype=np.uint64)
        self.owner = np.empty(0, dtype=np.int32)

    def split(self, rows: pl.DataFrame, file_index: int) -> tuple[pl.DataFrame, pl.DataFrame]:
        """(kept, duplicates) of one chunk of file ``file_index``; ``duplicates`` has the
        rows' columns plus ``owner``: the index of the file whose row keeps the key. The kept
        keys count as seen (owned by ``file_index``) from now on."""
        order, first, second = _sorted_fingerprints(rows.select(self.key))
        owner_sorted = self.owners(first, second)
        repeated = _repeated(order, first, second)
        owner_sorted[repeated & (owner_sorted == NOT_SEEN)] = file_index
        new = owner_sorted == NOT_SEEN
        self._add(first[new], second[new], file_index)
        owner = np.empty(len(order), dtype=np.int32)
        owner[order] = owner_sorted
        duplicate = pl.Series(owner != NOT_SEEN)
        duplicates = rows.filter(duplicate).with_columns(owner=pl.Series(owner[owner != NOT_SEEN]))
        return rows.filter(~duplicate), duplicates

    def owners(self, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        """For fingerprints sorted by ``first``: the file that holds each, or ``NOT_SEEN``."""
        lo = np.searchsorted(self.first, first, side="left")
        hi = np.searchsorted(self.first, first, side="right")
        found = np.full(len(first), NOT_SEEN, dtype=np.int32)
        one = np.flatnonzero(hi - lo == 1)
        match = self.second[lo[one]] == second[one]
        found[one[match]] = self.owner[lo[one][match]]
        for i in np.flatnonzero(hi - lo > 1):  # the same first hash seen more than once: rare
            same = np.flatnonzero(self.second[lo[i] : hi[i]] == second[i])
            if same.size:
                found[i] = self.owner[lo[i] + same[0]]
        return found

    def forget(self, file_index: int) -> None:
        """Drop the keys of a file that failed or turned out to be still being written."""
        keep = self.owner != file_index
        self.first, self.second, self.owner = self.first[keep], self.second[keep], self.owner[keep]

    def _add(self, first: np.ndarray, second: np.ndarray, file_index: int) -> None:
        at = np.searchsorted(self.first, first)
        self.first = np.insert(self.first, at, first)
        self.second = np.insert(self.second, at, second)
        self.owner = np.insert(self.owner, at, np.int32(file_index))


def _sorted_fingerprints(keys: pl.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(order, first, second): each row's two 64-bit hashes, in the order that sorts ``first``."""
    first = keys.hash_rows(seed=0).to_numpy()
    second = keys.hash_rows(seed=_SECOND_SEED).to_numpy()
    order = np.argsort(first)
    return order, first[order], second[order]


def _repeated(order: np.ndarray, first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Which fingerprints (sorted by ``first``; ``order`` = their rows) repeat one of an
    earlier row of the chunk. Equal ``first`` values sit side by side; only those are looked
    at one by one (true duplicates, and the rare runs that differ in ``second``)."""
    repeated = np.zeros(len(first), dtype=bool)
    for value in np.unique(first[1:][first[1:] == first[:-1]]):
        lo, hi = np.searchsorted(first, value, side="left"), np.searchsorted(first, value, "right")
        kept: set[int] = set()
        for j in sorted(range(lo, hi), key=lambda j: order[j]):  # in row order: first one kept
            repeated[j] = int(second[j]) in kept
            kept.add(int(second[j]))
    return repeated
