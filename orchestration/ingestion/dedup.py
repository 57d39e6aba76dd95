"""Duplicate keys within one (quarter, source) load: which rows keep a key, and who beat them.

Files are loaded one after the other in precedence order (:mod:`.deliveries`: the latest
delivery first), and within a file in line order. A row whose key (``SourceSpec.
duplicate_key``, e.g. ``signaal_id``) was kept earlier is not loaded: if the earlier row is in
the same file it is a duplicate (``SourceSpec.duplicate_reason``), if it is in another file
the row is superseded by that file (``superseded by <file>``).

A file is read in chunks (:mod:`.chunks`), and each chunk's rows are staged before the file's
end is known. :meth:`SeenKeys.split` checks a chunk against the keys of the earlier files only,
and :meth:`SeenKeys.repeated` finds the file's own repeated keys once, at its end, with one
sort of the file's keys: the lines it returns were staged as rows, and are quarantined
instead (:meth:`.staging.StagedFile.exclude`). Most files are alone in their load and have
no repeated key, so their check costs two hashes a chunk and that one sort. Checking every
chunk against the file's earlier chunks instead kept one sorted array that grew chunk by
chunk (a sort, two binary searches and a copy of the whole array per chunk: 7 s of the
national BRP's 18M rows, on the thread that limits the load).

The keys are held in memory as 128-bit fingerprints (two 64-bit hashes with independent
seeds): the earlier files' in arrays sorted by the first hash, with the index of the file
that holds each; the file being checked's in line order, with each key's line number. Either
way 20 bytes a key (360 MB for the national BRP), not the rows; at a file's end, for the one
sort and the merge, two to three times that for a moment. Two keys share a fingerprint
with a probability of about n^2 / 2^129 (1e-25 for 18M keys): the same bound as two BSNs
sharing their 128-bit pseudonym, which the warehouse already relies on.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

NOT_SEEN = -1
_SECOND_SEED = 0x9E3779B97F4A7C15


class SeenKeys:
    """The keys kept so far: those of the files whose load ended (``first``, ``second``,
    ``owner``: sorted by ``first``, every pair once) and those of the file being checked
    (its kept rows' fingerprints and line numbers, a chunk at a time)."""

    def __init__(self, key: Sequence[str]) -> None:
        self.key = list(key)
        self.first = np.empty(0, dtype=np.uint64)
        self.second = np.empty(0, dtype=np.uint64)
        self.owner = np.empty(0, dtype=np.int32)
        self._file = NOT_SEEN
        self._chunks: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def split(self, rows: pl.DataFrame, file_index: int) -> tuple[pl.DataFrame, pl.DataFrame]:
        """(kept, superseded) of one chunk (with ``line_number``) of file ``file_index``:
        ``superseded`` are the rows whose key an earlier file keeps, plus ``owner``: that
        file's index. The kept rows may still repeat a key of the same file: see
        :meth:`repeated`. The first chunk of a file ends the previous file's load: its keys
        join those of the earlier files."""
        if file_index != self._file:
            self._hold_file()
            self._file = file_index
        first, second = _fingerprints(rows.select(self.key))
        lines = rows.get_column("line_number").to_numpy()
        if not self.first.size:
            self._chunks.append((first, second, lines))
            return rows, rows.clear().with_columns(owner=pl.lit(NOT_SEEN, dtype=pl.Int32))
        order = np.argsort(first)
        owner = np.empty(len(order), dtype=np.int32)
        owner[order] = self.owners(first[order], second[order])
        new = owner == NOT_SEEN
        self._chunks.append((first[new], second[new], lines[new]))
        superseded = rows.filter(~new).with_columns(owner=pl.Series(owner[~new]))
        return rows.filter(new), superseded

    def repeated(self, file_index: int) -> np.ndarray:
        """At the end of file ``file_index``: the line numbers of its kept rows whose key an
        earlier line of the file keeps (``split`` let them through). The file's keys are then
        held once each."""
        if file_index != self._file or not self._chunks:
            return np.empty(0, dtype=np.int32)
        first, second, lines = self._file_keys()
        ordered = np.sort(first)
        shared = ordered[1:][ordered[1:] == ordered[:-1]]
        if not shared.size:
            return np.empty(0, dtype=np.int32)
        # The rows of a first hash met more than once (few; in line order), then the rows
        # whose pair an earlier one of them has: the first hash alone may be another key's.
        keys = pl.DataFrame({"first": first, "second": second, "line_number": lines})
        candidates = keys.filter(pl.col("first").is_in(pl.Series(shared).unique().implode()))
        later = candidates.filter(~pl.struct("first", "second").is_first_distinct())
        lines_later = later.get_column("line_number")
        kept = keys.filter(~pl.col("line_number").is_in(lines_later.implode()))
        self._chunks = [
            (kept["first"].to_numpy(), kept["second"].to_numpy(), kept["line_number"].to_numpy())
        ]
        return lines_later.to_numpy()

    def owners(self, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        """For fingerprints sorted by ``first``: the earlier file that holds each, or
        ``NOT_SEEN``. (Sorted, the binary searches walk the held array in order: a chunk of
        1M keys unsorted took 20 times as long against 18M held keys.)"""
        if not self.first.size:
            return np.full(len(first), NOT_SEEN, dtype=np.int32)
        at = np.searchsorted(self.first, first)
        held = np.minimum(at, len(self.first) - 1)
        same_first = self.first[held] == first
        match = same_first & (self.second[held] == second)
        found = np.where(match, self.owner[held], NOT_SEEN).astype(np.int32)
        for i in np.flatnonzero(same_first & ~match):  # another key has the same first hash: rare
            end = np.searchsorted(self.first, first[i], side="right")
            same = np.flatnonzero(self.second[at[i] : end] == second[i])
            if same.size:
                found[i] = self.owner[at[i] + same[0]]
        return found

    def forget(self, file_index: int) -> None:
        """Drop the keys of file ``file_index``, which failed or turned out to be still being
        written: before the next file is checked, while its keys are not held yet (raises
        ``ValueError`` after that, when they can no longer be told apart)."""
        if file_index < self._file:
            raise ValueError(f"file {file_index}'s keys are held already: forget it first")
        if file_index == self._file:
            self._chunks = []

    def _hold_file(self) -> None:
        """Add the keys of the file checked last to the sorted keys of the earlier files
        (once per file, and never for the last file of a load) with one Polars sort of them
        all: for 19M keys 1.3 s (2.6 s with as many held already), where NumPy's argsort of
        the new keys and three ``np.insert`` took 5.3 s (6.6 s)."""
        if not self._chunks:
            return
        first, second, _ = self._file_keys()
        self._chunks = []
        held = pl.DataFrame(
            {
                "first": np.concatenate([self.first, first]),
                "second": np.concatenate([self.second, second]),
                "owner": np.concatenate([self.owner, np.full(first.size, self._file, np.int32)]),
            }
        ).sort("first")
        self.first, self.second, self.owner = (held.get_column(c).to_numpy() for c in held.columns)

    def _file_keys(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(first, second, line numbers) of the file being checked, its chunks joined."""
        first, second, lines = (np.concatenate(part) for part in zip(*self._chunks, strict=True))
        self._chunks = [(first, second, lines)]
        return first, second, lines


def _fingerprints(keys: pl.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each row's two 64-bit hashes of its key (``keys``: the key columns)."""
    return keys.hash_rows(seed=0).to_numpy(), keys.hash_rows(seed=_SECOND_SEED).to_numpy()
