"""Keyed pseudonyms (HMAC-SHA256) for BSNs and address keys, and the key they are made with.

The key comes from ``MONITOR_PSEUDONYM_KEY`` (read by orchestration/settings.py). Only in demo
mode (``MONITOR_DEMO=1``) may the pipeline create its own key file under the data directory;
it says so when it does. The key itself is never logged or written to DuckDB.

**The key format.** A key is 32 to 128 hexadecimal characters (128 to 512 bits) drawn from a
random source: ``monitor keygen`` prints a new 256-bit key (64 characters), as does ``openssl
rand -hex 32``. A format check cannot tell a random key from a chosen one, but it refuses what
is not a key: passwords and words (any character outside 0-9a-f), anything shorter than 128
bits, and hex strings with fewer than 8 different digits or made of a repeated block
(``deadbeefdeadbeef...``). The key's text is the HMAC key as it is given (its UTF-8 bytes,
case as written), so the pseudonyms of existing warehouses stay what they were.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from functools import lru_cache
from pathlib import Path

from orchestration import filemodes
from orchestration.settings import DEMO_ENV, KEY_ENV, demo_mode, paths, pseudonym_key_setting

log = logging.getLogger(__name__)

PSEUDONYM_BYTES = 16
"""A pseudonym is the first 128 bits of the HMAC-SHA256 digest."""
PSEUDONYM_SQL_TYPE = "UHUGEINT"
"""How the warehouse stores a pseudonym: the 16 bytes as one unsigned 128-bit integer
(big-endian), a fixed-width value that DuckDB joins and groups on without string compares.
Before migration 11 (docs/migrations.md) the same 16 bytes were stored as 32 hex characters."""
KEY_MIN_HEX = 32
"""128 bits: the least randomness a key may carry."""
KEY_MAX_HEX = 128
KEY_MIN_DISTINCT_DIGITS = 8
"""A random key of 32 hex digits has fewer than 8 different digits with probability < 1e-7."""
KEYGEN_BYTES = 32
"""``monitor keygen``: 256 bits."""
_HEX = re.compile(r"[0-9a-fA-F]+")

HOW_TO_MAKE_A_KEY = (
    f"Make a key with `monitor keygen` (prints a new 256-bit key; `monitor keygen --out FILE` "
    f"writes it to a file only you can read) and set {KEY_ENV} to it"
)


class MissingKeyError(RuntimeError):
    """No usable pseudonym key: none configured (outside demo mode), or not a proper key."""


class WeakKeyError(MissingKeyError):
    """The configured key is not 128+ bits of hex (a password, too short, a pattern)."""


def new_key() -> str:
    """A new random key: 64 hex characters, 256 bits."""
    return secrets.token_hex(KEYGEN_BYTES)


def _smallest_period(text: str) -> int:
    """The length of the shortest block ``text`` repeats (``len(text)`` if none)."""
    for period in range(1, len(text) // 2 + 1):
        if all(text[i] == text[i % period] for i in range(len(text))):
            return period
    return len(text)


def key_problem(text: str) -> str | None:
    """Why ``text`` is not an acceptable key, or None when it is (see the module docstring)."""
    if not _HEX.fullmatch(text):
        return "it holds characters other than 0-9 and a-f (a password or a phrase is not a key)"
    if len(text) < KEY_MIN_HEX:
        return f"it has {len(text) * 4} bits ({len(text)} hex characters); at least 128 are needed"
    if len(text) > KEY_MAX_HEX:
        return f"it has {len(text)} hex characters; at most {KEY_MAX_HEX}"
    lower = text.lower()
    if len(set(lower)) < KEY_MIN_DISTINCT_DIGITS:
        return f"it uses only {len(set(lower))} different hex digits: it was not drawn at random"
    if _smallest_period(lower) <= len(lower) // 2:
        return "it repeats a shorter block: it was not drawn at random"
    return None


def validate_key(text: str, origin: str = KEY_ENV) -> bytes:
    """The HMAC key of ``text``; ``WeakKeyError`` naming the problem and the fix otherwise."""
    problem = key_problem(text)
    if problem:
        raise WeakKeyError(
            f"{origin} is not a usable pseudonym key: {problem}. A key is 32 to 128 hex "
            f"characters (128 to 512 bits) from a random source. {HOW_TO_MAKE_A_KEY}; a "
            "warehouse built with the old key is then re-keyed with `monitor rotate-key "
            "--confirm`. See docs/runbook.md, 'Key management'."
        )
    return text.encode("utf-8")


def load_key(key_file: Path | None = None) -> bytes:
    """The pseudonym key: from the environment, or (demo mode only) from a generated key file."""
    configured = pseudonym_key_setting()
    if configured:
        return validate_key(configured)
    if not demo_mode():
        raise MissingKeyError(
            f"No pseudonym key: set {KEY_ENV}. {HOW_TO_MAKE_A_KEY}. For the demo, set "
            f"{DEMO_ENV}=1 (`monitor demo` does, and `monitor run` and `monitor ui` on the data "
            "directory it made) to let it create its own key file. See docs/runbook.md, 'Key management'."
        )
    key_file = key_file or paths().demo_key_file
    filemodes.restricted_dir(key_file.parent)
    if filemodes.write_new_restricted(key_file, new_key() + "\n"):
        log.warning("demo mode: created a new pseudonym key file at %s", key_file)
    else:
        filemodes.restrict(key_file)
    return read_key_file(key_file)


def read_key_file(key_file: Path) -> bytes:
    """The key a key file holds (``WeakKeyError`` naming the file when it is no proper key)."""
    return validate_key(key_file.read_text(encoding="ascii").strip(), origin=str(key_file))


def pseudonymise(key: bytes, domain: str, value: str) -> int:
    """The pseudonym of ``<domain>:<value>``: the first 128 bits of its HMAC-SHA256 under
    ``key``, as an integer (what a ``UHUGEINT`` column of the warehouse holds)."""
    digest = hmac.new(key, f"{domain}:{value}".encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:PSEUDONYM_BYTES], "big")


def adres_sleutel(key: bytes, postcode: str, huisnummer: int) -> int:
    """Address key on normalised postcode (1234AB) and house number."""
    return pseudonymise(key, "pchn", f"{postcode}:{huisnummer}")


# --- which key the warehouse was built with -------------------------------------------------

KEY_TABLE = "audit.pseudonym_key"
"""One row: the fingerprint of the key the warehouse's pseudonyms were made with, and whether a
rotation to it is under way. Never the key itself."""


class KeyMismatchError(RuntimeError):
    """The configured key is not the key the warehouse was built with."""


KEY_MISMATCH = (
    f"{KEY_ENV} is not the key this warehouse's pseudonyms were made with: new rows would not "
    "link to the old ones. Restore the key, or rotate to the new one with "
    "`monitor rotate-key --confirm` (docs/runbook.md, 'Key management')."
)


FINGERPRINT_SCHEME = "scrypt"
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
"""scrypt's cost: 128 * r * n = 32 MiB of memory per guess, about 0.1 s on one core."""
SCRYPT_MAX_N = 2**17
SCRYPT_SALT_BYTES = 16
SCRYPT_DKLEN = 32
_SCRYPT_MAXMEM = 2 * 128 * SCRYPT_R * SCRYPT_MAX_N


@lru_cache(maxsize=8)
def _scrypt(key: bytes, salt: bytes, n: int, r: int, p: int) -> bytes:
    """Once per process for a key and salt (a run verifies the key in every ingest step)."""
    return hashlib.scrypt(key, salt=salt, n=n, r=r, p=p, maxmem=_SCRYPT_MAXMEM, dklen=SCRYPT_DKLEN)


def key_fingerprint(key: bytes, salt: bytes | None = None) -> str:
    """What the warehouse keeps to recognise its key: ``scrypt$n=..,r=..,p=..$<salt>$<hash>``.

    scrypt is memory-hard: guessing a key from its fingerprint costs an attacker 32 MiB and
    about 0.1 s of one core per guess, whereas the earlier fingerprint (the key's own HMAC of a
    fixed text) allowed millions of guesses per second. The salt is random per warehouse."""
    salt = secrets.token_bytes(SCRYPT_SALT_BYTES) if salt is None else salt
    digest = _scrypt(key, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return (
        f"{FINGERPRINT_SCHEME}$n={SCRYPT_N},r={SCRYPT_R},p={SCRYPT_P}${salt.hex()}${digest.hex()}"
    )


def legacy_key_fingerprint(key: bytes) -> str:
    """The fingerprint warehouses stored before the scrypt one; only read, to migrate them."""
    text = b"key-fingerprint:vroegsignalering-buurtmonitor"
    return hmac.new(key, text, hashlib.sha256).hexdigest()[: 2 * PSEUDONYM_BYTES]


def fingerprint_matches(fingerprint: str, key: bytes) -> bool:
    """Whether ``fingerprint`` (scrypt, or the legacy HMAC) was made from ``key``."""
    if not fingerprint.startswith(FINGERPRINT_SCHEME + "$"):
        return hmac.compare_digest(fingerprint, legacy_key_fingerprint(key))
    try:
        _, params, salt, digest = fingerprint.split("$")
        cost = dict(part.split("=") for part in params.split(","))
        n, r, p = int(cost["n"]), int(cost["r"]), int(cost["p"])
        salt_bytes, digest_bytes = bytes.fromhex(salt), bytes.fromhex(digest)
    except (ValueError, KeyError):
        return False
    if not (1 < n <= SCRYPT_MAX_N and r == SCRYPT_R and 1 <= p <= 4):
        return False
    return hmac.compare_digest(_scrypt(key, salt_bytes, n, r, p), digest_bytes)


def _key_row(con) -> tuple[str, str] | None:
    con.execute("create schema if not exists audit")
    con.execute(
        f"create table if not exists {KEY_TABLE} "
        "(fingerprint VARCHAR not null, status VARCHAR not null)"
    )
    return con.execute(f"select fingerprint, status from {KEY_TABLE}").fetchone()


def record_key(con, key: bytes, status: str = "current") -> None:
    """Set the warehouse's key fingerprint (``current``, or ``rotating`` during a rotation)."""
    _key_row(con)
    con.execute(f"delete from {KEY_TABLE}")
    con.execute(f"insert into {KEY_TABLE} values (?, ?)", [key_fingerprint(key), status])


def check_warehouse_key(con, key: bytes) -> None:
    """Refuse to mix keys: every pseudonym of the warehouse must come from one key.

    The first ingestion records the key's fingerprint; later ones must use the same key. A
    legacy fingerprint that matches is replaced by the scrypt one (same status). After a key
    change, ``monitor rotate-key --confirm`` re-keys the warehouse (docs/runbook.md).
    """
    row = _key_row(con)
    if row is None:
        record_key(con, key)
    elif not fingerprint_matches(row[0], key):
        raise KeyMismatchError(KEY_MISMATCH)
    elif not row[0].startswith(FINGERPRINT_SCHEME + "$"):
        record_key(con, key, status=row[1])
