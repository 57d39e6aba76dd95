"""Batch pseudonyms (orchestration/ingestion/pseudo.py) equal the per-value reference.

``orchestration.pseudonym.pseudonymise`` (Python's ``hmac``, one value at a time) is the
definition; the batch path computes the same HMAC-SHA256 vectorised in native code. Equal
output bit for bit is what keeps existing warehouses valid: the same key gives the same
pseudonyms, whichever path made them, and the same 128 bits that warehouses before migration 11
held as 32 hex characters.
"""

from __future__ import annotations

import hashlib
import hmac

import polars as pl
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from orchestration.ingestion import pseudo
from orchestration.ingestion.pseudo import BatchPseudonymiser
from orchestration.pseudonym import (
    KEY_MAX_HEX,
    KEY_MIN_HEX,
    adres_sleutel,
    key_problem,
    new_key,
    pseudonymise,
    validate_key,
)

DOMAINS = (pseudo.BSN, pseudo.ADRES, pseudo.PCHN, pseudo.PC4, pseudo.HUISNUMMER, pseudo.SIGNAAL)


@st.composite
def keys(draw: st.DrawFn) -> bytes:
    """A key as ``validate_key`` accepts it: 32-128 hex digits, case as written."""
    digits = draw(st.binary(min_size=KEY_MAX_HEX // 2, max_size=KEY_MAX_HEX // 2)).hex()
    length = draw(st.integers(KEY_MIN_HEX, KEY_MAX_HEX))
    upper = draw(st.lists(st.booleans(), min_size=length, max_size=length))
    text = "".join(c.upper() if u else c for c, u in zip(digits[:length], upper, strict=True))
    assume(key_problem(text) is None)
    return validate_key(text)


@st.composite
def columns(draw: st.DrawFn) -> list[str | None]:
    """Unicode values, empty strings and nulls, some of them repeated (enough for the batch
    path to hash each distinct value once), in any order."""
    distinct = draw(st.lists(st.one_of(st.none(), st.just(""), st.text()), max_size=40))
    repeated = distinct * draw(st.integers(1, 8))
    return draw(st.permutations(repeated))


@st.composite
def runs(draw: st.DrawFn) -> list[str | None]:
    """Distinct values (nulls and empty strings among them), each repeated two or three times
    side by side, as the residents of one address follow each other in a BRP extract: the
    batch path hashes each run once."""
    distinct = draw(st.lists(st.one_of(st.none(), st.just(""), st.text()), max_size=40))
    lengths = draw(st.lists(st.integers(2, 3), min_size=len(distinct), max_size=len(distinct)))
    return [v for v, n in zip(distinct, lengths, strict=True) for _ in range(n)]


def reference(key: bytes, domain: str, values: list[str | None]) -> list[str | None]:
    return [None if v is None else pseudonymise(key, domain, v) for v in values]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(key=keys(), domain=st.sampled_from(DOMAINS), values=columns())
def test_batch_equals_the_reference(key: bytes, domain: str, values: list[str | None]) -> None:
    got = BatchPseudonymiser(key).series(domain, pl.Series("v", values, dtype=pl.String))
    assert got.to_list() == reference(key, domain, values)
    assert (got.name, got.dtype) == ("v", pseudo.PSEUDONYM)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(key=keys(), values=runs())
def test_runs_of_equal_values_equal_the_reference(key: bytes, values: list[str | None]) -> None:
    got = BatchPseudonymiser(key).series(pseudo.ADRES, pl.Series("v", values, dtype=pl.String))
    assert got.to_list() == reference(key, pseudo.ADRES, values)
    assert (got.name, got.dtype) == ("v", pseudo.PSEUDONYM)


@pytest.mark.parametrize(
    "key",
    [
        new_key()[:KEY_MIN_HEX],  # the shortest key
        new_key(),  # 64 characters: one SHA-256 block, used as it is
        new_key() + "a",  # 65: longer than a block, HMAC hashes it first
        (new_key() + new_key()).upper(),  # the longest key, upper case
    ],
    # named, not by the random key: every pytest-xdist worker collects the same tests
    ids=["shortest", "one-block", "longer-than-a-block", "longest-upper-case"],
)
def test_block_boundaries_and_case(key: str) -> None:
    key_bytes = validate_key(key)
    values = ["111222333", "0363200000123456", "1234AB:12", "ëé", "", "12 bis / 三"]
    for domain in DOMAINS:
        got = BatchPseudonymiser(key_bytes).series(domain, pl.Series(values))
        assert got.to_list() == reference(key_bytes, domain, values)
    assert BatchPseudonymiser(key_bytes).series(pseudo.PCHN, pl.Series(["1234AB:12"])).item() == (
        adres_sleutel(key_bytes, "1234AB", 12)
    )


def test_nulls_stay_null_and_length_is_kept() -> None:
    key = new_key().encode()
    batch = BatchPseudonymiser(key)
    cases = [([], pl.String), ([None, None], pl.String), ([None, None], pl.Null)]
    cases.append(([None, "1", None, "1", ""], pl.String))
    cases.append(([None, "1", "", "1234"] * 25, pl.String))  # few distinct: each hashed once
    for values, dtype in cases:
        got = batch.series(pseudo.BSN, pl.Series("p_bsn", values, dtype=dtype))
        assert got.to_list() == reference(key, pseudo.BSN, values)
        assert (got.name, got.dtype, got.len()) == ("p_bsn", pseudo.PSEUDONYM, len(values))


def test_a_key_that_is_not_text_is_refused() -> None:
    with pytest.raises(ValueError, match="hex"):
        BatchPseudonymiser(b"\x00\xff" * 20)


def test_the_key_is_not_shown_in_the_expression_or_a_plan() -> None:
    key = new_key()
    expr = BatchPseudonymiser(key.encode()).expr(pseudo.BSN, pl.col("p_bsn"))
    plan = pl.LazyFrame({"p_bsn": ["111222333"]}).select(expr)
    assert "hmac_sha256" in plan.explain()  # the plan shows the call, not its key
    assert key not in str(expr) + repr(expr) + plan.explain() + plan.explain(optimized=False)


@settings(max_examples=50, deadline=None)
@given(key=keys(), domain=st.sampled_from(DOMAINS), value=st.text())
def test_a_pseudonym_is_the_digests_first_128_bits(key: bytes, domain: str, value: str) -> None:
    """The integer is the 32 hex characters warehouses before migration 11 stored, read as a
    big-endian number: migrating a warehouse keeps every pseudonym."""
    digest = hmac.new(key, f"{domain}:{value}".encode(), hashlib.sha256).hexdigest()
    assert f"{pseudonymise(key, domain, value):032x}" == digest[:32]
