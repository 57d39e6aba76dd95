"""Batch pseudonyms: the same HMAC-SHA256 as :mod:`orchestration.pseudonym`, in native code.

``orchestration.pseudonym.pseudonymise`` builds a new HMAC object per value in Python (about
2-3 us of CPU a value, holding the interpreter lock). Here a whole column is hashed by the
``polars-hash`` plugin (``chash.hmac_sha256``: RustCrypto's HMAC-SHA256, keyed once, cloned
per value; about 0.3 us of CPU a value, outside the interpreter lock); a column of few
distinct values (postcode digits) hashes each distinct value once, and one whose equal values
sit side by side (the residents of an address in the BRP) each run once. The output is
identical bit for bit: the digest's first 128 bits as an unsigned 128-bit integer
(``pl.UInt128``, a ``UHUGEINT`` in DuckDB), same key, same pseudonyms
(``tests/test_ingestion_pseudo.py`` proves it against the per-value reference on random keys
and values). The clear values never leave this process, and the key, which travels inside
the expression, is not shown in its text or in a query plan.
"""

from __future__ import annotations

import polars as pl
import polars_hash  # noqa: F401  registers the ``chash`` expression namespace

from orchestration.pseudonym import PSEUDONYM_BYTES

PSEUDONYM = pl.UInt128
"""A pseudonym column's type in Polars (see ``orchestration.pseudonym.PSEUDONYM_SQL_TYPE``)."""
_DEDUPLICATE_BELOW = 4
"""Hash each distinct value once when the values number at least this many times the distinct
ones (the lookup costs about as much as hashing the values directly when half of them are
distinct)."""
_RUNS_BELOW = 3 / 4
"""Hash each run of equal neighbours once when the runs number at most this share of the
values (finding the runs and spreading their pseudonyms costs about a fifth of hashing)."""

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
    """HMAC-SHA256 with a key: ``series(domain, values)`` gives every value's pseudonym."""

    def __init__(self, key: bytes) -> None:
        try:
            # the plugin takes the key as text and uses its UTF-8 bytes, as validate_key gives
            self._key = key.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError(
                "a pseudonym key is text (hex digits, see orchestration.pseudonym.validate_key)"
            ) from None

    def expr(self, domain: str, values: pl.Expr) -> pl.Expr:
        """The pseudonym of ``<domain>:<value>`` for every string of ``values`` (NULL stays NULL)."""
        keyed = (pl.lit(f"{domain}:") + values).chash.hmac_sha256(key=self._key)  # hex digest
        return keyed.str.slice(0, 2 * PSEUDONYM_BYTES).str.to_integer(base=16, dtype=PSEUDONYM)

    def series(self, domain: str, values: pl.Series) -> pl.Series:
        """Pseudonym of every value (NULL stays NULL), named as ``values``. A column of few
        distinct values (see ``_DEDUPLICATE_BELOW``) hashes each distinct value once; one whose
        equal values sit side by side (the residents of an address in the BRP, about two a
        run; see ``_RUNS_BELOW``) hashes each run once."""
        values = values.cast(pl.String)
        distinct = values.to_frame().select(pl.first().approx_n_unique()).item()
        if distinct * _DEDUPLICATE_BELOW <= values.len():
            distinct_values = values.unique().drop_nulls()
            hashed = self._hashed(domain, distinct_values)
            return values.replace_strict(
                distinct_values, hashed, default=None, return_dtype=PSEUDONYM
            )
        starts = pl.select((pl.int_range(values.len()) == 0) | values.ne_missing(values.shift(1)))
        starts = starts.to_series()
        if starts.sum() > _RUNS_BELOW * values.len():
            return self._hashed(domain, values)
        run = starts.cum_sum() - 1  # each value's run: the index of the run's first value
        return self._hashed(domain, values.filter(starts)).gather(run).alias(values.name)

    def _hashed(self, domain: str, values: pl.Series) -> pl.Series:
        return (
            values.to_frame().select(self.expr(domain, pl.first()).alias(values.name)).to_series()
        )
