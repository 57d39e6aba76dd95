"""Fast batch pseudonyms: the same HMAC-SHA256 as :mod:`orchestration.pseudonym`.

``orchestration.pseudonym.pseudonymise`` builds a new HMAC object per value (about 2.5 us).
Here the key's inner and outer SHA-256 states are prepared once and copied per value
(about 1.2 us), and each distinct value is hashed once. The output is identical (a test
compares both); the clear values never leave this process.
"""

from __future__ import annotations

import hashlib

import polars as pl

from orchestration.pseudonym import PSEUDONYM_HEX_CHARS

_BLOCK = 64  # SHA-256 block size in bytes

# Domains: every pseudonym's input is ``<domain>:<value>``, so equal values of different kinds
# never share a pseudonym (docs/architecture.md, "Pseudonyms").
BSN = "bsn"
"""A 9-digit BSN."""
ADRES = "adres"
"""A 16-digit BAG nummeraanduiding id."""
PCHN = "pchn"
"""Postcode + house number (``orchestration.pseudonym.adres_sleutel``)."""
PC4 = "pc4"
"""The four postcode digits."""
HUISNUMMER = "huisnr"
"""A reading of postcode + house number + letter + addition (:mod:`.address_keys`)."""
SIGNAAL = "signaal"
"""A partner's signal id (``signaal_id``), in partner files and in ``vroegsignaal_zaken``."""


class BatchPseudonymiser:
    """HMAC-SHA256 with a prepared key: ``pseudonym(domain, value)`` for many values."""

    def __init__(self, key: bytes) -> None:
        if len(key) > _BLOCK:
            key = hashlib.sha256(key).digest()
        key = key.ljust(_BLOCK, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))

    def one(self, domain: str, value: str) -> str:
        inner = self._inner.copy()
        inner.update(f"{domain}:{value}".encode())
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()[:PSEUDONYM_HEX_CHARS]

    def many(self, domain: str, values: list[str]) -> list[str]:
        inner_base, outer_base = self._inner, self._outer
        prefix = f"{domain}:"
        out = []
        append = out.append
        for value in values:
            inner = inner_base.copy()
            inner.update((prefix + value).encode())
            outer = outer_base.copy()
            outer.update(inner.digest())
            append(outer.hexdigest()[:PSEUDONYM_HEX_CHARS])
        return out

    def series(self, domain: str, values: pl.Series) -> pl.Series:
        """Pseudonym of every non-null value (NULL stays NULL); each distinct value hashed once."""
        name = values.name
        present = values.drop_nulls()
        if present.len() == 0:
            return pl.repeat(None, values.len(), dtype=pl.String, eager=True).alias(name)
        if present.n_unique() == present.len():  # all distinct (e.g. BSNs): no lookup needed
            hashed = pl.Series(name, self.many(domain, present.to_list()), dtype=pl.String)
            if present.len() == values.len():
                return hashed
            out = pl.repeat(None, values.len(), dtype=pl.String, eager=True).alias(name)
            return out.scatter(values.is_not_null().arg_true(), hashed)
        distinct = present.unique()
        mapping = pl.DataFrame(
            {"v": distinct, "h": pl.Series(self.many(domain, distinct.to_list()), dtype=pl.String)}
        )
        joined = pl.DataFrame({"v": values}).join(
            mapping, on="v", how="left", maintain_order="left"
        )
        return joined.get_column("h").alias(name)
